"""`kiosk rituals` and `kiosk rhythm` on a real history on disk: which rituals are open and why,
and this week's strip with its count against the aim."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk import cli
from kiosk.config import load_config
from kiosk.core.coach.progression import plan_for_day
from kiosk.core.data.records import SessionRecord
from kiosk.store.months import WholeHistory  # the kiosk keeps months
from kiosk.store.records import decode

CFG = load_config().config


def clean_session(day: date, sessions: list[SessionRecord]) -> SessionRecord:
    """A session of the day's real plan with every set clean at its target."""
    plan = plan_for_day(CFG.library, sessions, day, CFG.progression, CFG.session)
    exercises = []
    for p in plan.exercises:
        sides = ["left", "right"] if p.variation.side == "each" else [None]
        sets = [{"side": side, "reps": ["clean"] * p.target, "clean_reps": p.target,
                 "ended_by": "target"} for _ in range(CFG.session.sets) for side in sides]
        exercises.append({"family": p.family.id, "variation": p.variation.id,
                          "name": p.variation.name, "target": p.target, "change": p.change,
                          "reason": p.reason, "skipped": False, "sets": sets})
    record = decode({
        "schema": 1, "id": f"s-{day.isoformat()}", "plan_date": day.isoformat(),
        "started_at": f"{day.isoformat()}T09:00:00", "ended_at": f"{day.isoformat()}T09:12:00",
        "duration_s": 720.0, "pain_before": 2, "pain_after": 1, "ended_by": "complete",
        "exercises": exercises, "pain_events": []})
    assert isinstance(record, SessionRecord)
    return record


def history(data: Path, days: list[date]) -> None:
    sessions: list[SessionRecord] = []
    for day in days:
        sessions.append(clean_session(day, sessions))
    with WholeHistory.open(data) as h:
        for s in sessions:
            h.add(s)


def run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> str:
    assert cli.main(["--data-dir", str(data), *args]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return out


def ritual_line(out: str, name: str) -> tuple[str, str]:
    lines = out.splitlines()
    i = next(i for i, line in enumerate(lines) if f" {name} (" in line)
    return lines[i], lines[i + 1].strip()


def test_on_the_first_day_three_rituals_are_open_and_the_rest_say_what_opens_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = run(capsys, tmp_path, "rituals", "--date", "2026-11-25")
    for name in ("Before-bed breathing wind-down", "Morning coffee mobility",
                 "Getting up from a chair"):
        line, why = ritual_line(out, name)
        assert " open " in line and why.startswith("open from the first day"), (line, why)
    line, why = ritual_line(out, "Grocery bag lift")
    assert line.split()[:2] == ["17:30", "closed"]
    assert why == "opens when Hip hinge reaches standing hip hinge (now: rock back on all fours)"
    assert "quiet hours 22:00 to 07:30" in out
    assert ritual_line(out, "Stairs")[0].split()[:3] == ["on", "request", "closed"]
    # How each one is reached, every ritual named.
    lines = out.splitlines()
    heads = [i for i, line in enumerate(lines) if line.split()[1:2] in (["open"], ["closed"])
             or line.split()[:2] == ["on", "request"]]
    assert len(heads) == 9  # every ritual in config/rituals.toml
    for i in heads:
        assert lines[i + 2].strip().startswith("how: "), lines[i]
    assert ("how: the quick ritual (menu: A quick ritual), in turn with the one that fits "
            "the hour") in out  # Stairs: no slot, no part of the day
    assert "how: offered at 17:30" in out  # the grocery lift


def test_clean_days_open_the_grocery_lift_once_the_hinge_stands(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    start = date(2026, 9, 1)
    days = [start + timedelta(days=i) for i in range(90)]
    history(tmp_path, days)
    out = run(capsys, tmp_path, "rituals", "--date", (days[-1] + timedelta(days=1)).isoformat())
    line, why = ritual_line(out, "Grocery bag lift")
    assert " open " in line and why == "open: Hip hinge has reached standing hip hinge", out


def test_rhythm_counts_days_not_sessions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mon = date(2026, 11, 23)
    history(tmp_path, [mon - timedelta(days=1), mon, mon + timedelta(days=2),
                       mon + timedelta(days=2), mon + timedelta(days=3)])
    out = run(capsys, tmp_path, "rhythm", "--date", (mon + timedelta(days=4)).isoformat())
    assert "Week of 2026-11-23:" in out
    assert "Mon [x]  Tue [ ]  Wed [x]  Thu [x]  Fri*[ ]  Sat  .   Sun  . " in out
    assert out.splitlines()[2].strip() == "3 of 5 this week"
    # Every symbol printed is in the key.
    assert out.rstrip().splitlines()[-1].strip().startswith("Key: [x] a day with practice")
    for symbol in ("[x]", "[ ]", ".", "*"):
        assert symbol in out.splitlines()[-1]
