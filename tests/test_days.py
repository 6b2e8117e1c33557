"""Days of use through the real ``kiosk`` command (issue #3).

Each test replays days with ``kiosk demo --date`` into one data directory, kept between runs,
and then reads what a user would read: ``kiosk plan`` (each exercise's change and the sentence
that explains it) and ``kiosk export``. The rules themselves are tested in
tests/core/test_progression.py; here they are seen end to end, through the command line, the
session, the saved history and the planner together.

The packaged config is passed explicitly, so a /etc/backcare-kiosk/kiosk.toml or $KIOSK_CONFIG
on the machine running the tests cannot change the thresholds (docs/progression.md) these
tests are written against. Most runs are in-process (about half a second a session); one test
runs the installed console script, to show the command works from a shell.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.cli import main  # noqa: E402
from kiosk.config import DEFAULT_CONFIG, load_config  # noqa: E402
from kiosk.core.words.phrases import duration, number  # noqa: E402

pytestmark = pytest.mark.slow

DAY0 = date(2026, 3, 2)  # any day will do: `--date` replays days, past or future
CLEAN_DAYS = 8  # one steady session a day: enough for every family to come round twice
_CFG = load_config(DEFAULT_CONFIG).config
FRAY_FRACTION = _CFG.progression.fray_fraction
# `kiosk plan` prints a family's name, the export its id.
FAMILY_ID = {f.name: f.id for f in _CFG.library.families}


# --- driving the command -------------------------------------------------------------------
def kiosk(data: Path, *args: str) -> str:
    """Run ``kiosk ARGS --data-dir DATA`` in-process; return what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(["--config", str(DEFAULT_CONFIG), "--data-dir", str(data), *args])
    assert rc == 0, f"kiosk {' '.join(args)} exited {rc}:\n{err.getvalue()}{out.getvalue()}"
    return out.getvalue()


def demo(data: Path, day: date, *who: str) -> None:
    """One whole simulated session on ``day`` (default: the steady user)."""
    out = kiosk(data, "demo", "--date", day.isoformat(), *(who or ("--user", "steady")))
    assert out.splitlines()[-1].startswith("saved: session "), out[-500:]


@dataclass(frozen=True)
class Planned:
    """One line of ``kiosk plan`` and the reason printed under it."""

    family: str  # the family's name, as printed: "Dead bug"
    variation: str
    target: int
    change: str
    reason: str


PLAN_LINE = re.compile(
    r"^  \d+\. (?P<family>[^:]+): (?P<variation>.+?), (?P<target>\d+) (?:clean reps|easy minutes)"
    r"(?:, [a-z ]+)?  \[(?P<change>[a-z-]+)\]$"
)


def plan(data: Path, day: date) -> list[Planned]:
    out = kiosk(data, "plan", "--date", day.isoformat())
    lines = out.splitlines()
    assert lines[0] == f"Plan for {day.isoformat()}:", out
    items: list[Planned] = []
    for line in lines[1:]:
        if m := PLAN_LINE.match(line):
            items.append(Planned(m["family"], m["variation"], int(m["target"]), m["change"], ""))
        elif line.startswith("     ") and items:
            last = items[-1]
            items[-1] = Planned(last.family, last.variation, last.target, last.change,
                                line.strip())
        else:
            assert line.startswith("  Note: "), f"unexpected line in kiosk plan: {line!r}"
    assert items, out
    return items


def saved(data: Path) -> list[dict[str, Any]]:
    return json.loads(kiosk(data, "export", "--format", "json"))["sessions"]


def done(data: Path, family_name: str) -> list[tuple[str, dict[str, Any]]]:
    """(plan_date, exercise record) for every session that did this family, oldest first."""
    return [
        (s["plan_date"], ex)
        for s in saved(data)
        for ex in s["exercises"]
        if ex["family"] == FAMILY_ID[family_name] and ex["sets"] and not ex["skipped"]
    ]


def until(
    data: Path, day: date, found: Callable[[list[Planned]], Planned | None], *who: str
) -> tuple[date, Planned]:
    """Live day by day from ``day`` (one session a day) until the plan shows what ``found``
    looks for. Fourteen families, three to five a day: anything comes round within six days."""
    for _ in range(7):
        items = plan(data, day)
        if (hit := found(items)) is not None:
            return day, hit
        demo(data, day, *who)
        day += timedelta(days=1)
    raise AssertionError(f"not in any plan up to {day}: {items}")


def named(name: str) -> Callable[[list[Planned]], Planned | None]:
    return lambda items: next((p for p in items if p.family == name), None)


def fray_early(items: list[Planned], name: str) -> str:
    """Presses for a session that frays ``name`` early and skips every other exercise.

    Clean reps while still short of ``fray_fraction`` of the target, then a slip: with a
    target of 7, four clean reps (4 < 4.2). The session then runs to its check-out, because
    running out of presses (RED held) would also record a pain event on the exercise at hand.
    """
    index = [p.family for p in items].index(name)
    clean = math.ceil(FRAY_FRACTION * items[index].target) - 1
    after = len(items) - index - 1
    # start, confirm check-in pain as it is, AMBER "no" to the leg question (--presses answers
    # every screen); skip, ready, reps, slip; skip; confirm check-out
    return "g G a " + "a" * index + " g " + "g" * clean + "a " + "a" * after + " G"


# --- a clean week, lived once and copied by the tests that go on from it -----------------
@pytest.fixture(scope="module")
def clean_week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("clean-week")
    for i in range(CLEAN_DAYS):
        demo(data, DAY0 + timedelta(days=i))
    return data


@pytest.fixture
def week(clean_week: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(clean_week, data)
    return data


def test_clean_days_advance_one_step_with_a_reason(week: Path) -> None:
    next_day = DAY0 + timedelta(days=CLEAN_DAYS)
    items = plan(week, next_day)
    advanced = [p for p in items if p.change == "advance"]
    assert advanced, items
    assert not [p for p in items if p.change in ("back", "reenter", "bad-day")], items
    for p in advanced:
        before = done(week, p.family)[-1][1]["target"]
        assert p.target == before + 1
        # the quicker start: on a ladder's first rungs one clean day is enough
        assert p.reason == (f"Up from {number(before)} to {number(p.target)} reps, "
                            "because your last session was clean."), p

    # The export shows it too: targets only ever rise, one rep at a time, or a rung up at its
    # start reps (issue 26: met every second session, a family may reach its next rung here).
    by_family: dict[str, list[tuple[str, str, int]]] = {}
    for s in saved(week):
        for ex in s["exercises"]:
            by_family.setdefault(ex["family"], []).append(
                (s["plan_date"], ex["variation"], ex["target"]))
    rose = [f for f, rows in by_family.items() if rows[-1][1:] != rows[0][1:]]
    assert rose, by_family
    for family, rows in by_family.items():
        for (d1, v1, t1), (d2, v2, t2) in zip(rows, rows[1:], strict=False):
            if v1 == v2:
                assert 0 <= t2 - t1 <= 1 and (d1 < d2 or t1 == t2), (family, rows)
            else:
                assert d1 < d2, (family, rows)  # one step a day, a rung up


def test_extra_sessions_on_a_day_never_speed_anything_up(tmp_path: Path) -> None:
    # Five sessions in a day offer every family at least once, and some twice.
    for _ in range(5):
        demo(tmp_path, DAY0)
    first = saved(tmp_path)
    per_day = Counter((ex["family"], s["plan_date"]) for s in first for ex in s["exercises"])
    assert max(per_day.values()) >= 2, "no family was done twice on one day"
    # A second clean session on the same day steps nothing up.
    start = {ex["family"]: ex["target"] for s in reversed(first) for ex in s["exercises"]}
    assert all(ex["target"] == start[ex["family"]] for s in first for ex in s["exercises"])

    day2 = DAY0 + timedelta(days=1)
    items = plan(tmp_path, day2)
    for p in items:  # one clean day: exactly one step, however many sessions it held
        assert p.change == "advance", items
        # in the variation's unit: reps, or minutes for a walk (the program has walking)
        assert p.reason.startswith(f"Up from {number(p.target - 1)} to {number(p.target)} "), p
        assert p.reason.endswith(" because your last session was clean."), p
    demo(tmp_path, day2)
    demo(tmp_path, day2)
    after = saved(tmp_path)[len(first):]
    assert [s["plan_date"] for s in after] == [day2.isoformat()] * 2
    targets = [(ex["family"], ex["target"]) for s in after for ex in s["exercises"]]
    assert all(t == start[f] + 1 for f, t in targets), targets
    # Planning again the same day does not step again.
    assert all(p.target == start[FAMILY_ID[p.family]] + 1 for p in plan(tmp_path, day2))


def test_frayed_early_two_days_in_a_row_steps_back(week: Path) -> None:
    day = DAY0 + timedelta(days=CLEAN_DAYS)
    items = plan(week, day)
    frayer = next(p for p in items if p.change == "advance")  # above the first rung's start
    demo(week, day, "--presses", fray_early(items, frayer.family))

    # One early fray is not enough: next time it is the same exercise, at the same target.
    # The days between are slipping days: they fray too, but not this exercise.
    day, again = until(week, day + timedelta(days=1), named(frayer.family), "--user", "slipping")
    assert (again.variation, again.target, again.change) == (frayer.variation, frayer.target,
                                                             "same"), again
    # Issue 26: "same" is said with its reason.
    assert again.reason == (f"Staying at {number(again.target)}: your technique slipped early "
                            "last time."), again
    demo(week, day, "--presses", fray_early(plan(week, day), frayer.family))

    frays = done(week, frayer.family)[-2:]
    for _, ex in frays:
        [only] = ex["sets"]
        assert only["ended_by"] == "fray" and only["clean_reps"] < FRAY_FRACTION * ex["target"]
    fray_days = {d for d, _ in frays}
    for s in saved(week):
        if s["plan_date"] in fray_days:
            assert s["ended_by"] == "complete" and s["pain_events"] == [], s

    # A personal floor: the target comes down to the clean reps those two days reached.
    _, back = until(week, day + timedelta(days=1), named(frayer.family), "--user", "slipping")
    reached = min(only["clean_reps"] for _, ex in frays for only in ex["sets"])
    assert back.change == "back" and back.target == max(2, reached), (back, reached)
    assert back.reason == (f"Back to {number(back.target)} reps, because your "
                           "technique slipped early two times in a row."), back


def fray_after(items: list[Planned], name: str, clean: int) -> str:
    """Presses for a session that does ``clean`` clean reps of ``name``, then a slip, and
    skips every other exercise."""
    index = [p.family for p in items].index(name)
    after = len(items) - index - 1
    return "g G a " + "a" * index + " g " + "g" * clean + "a " + "a" * after + " G"


def test_a_slipping_users_target_comes_down_to_what_they_do_cleanly_then_climbs(
    week: Path,
) -> None:
    day = DAY0 + timedelta(days=CLEAN_DAYS)
    items = plan(week, day)
    frayer = next(p for p in items if p.change == "advance")
    demo(week, day, "--presses", fray_after(items, frayer.family, 3))
    day, again = until(week, day + timedelta(days=1), named(frayer.family), "--user", "steady")
    assert again.target == frayer.target
    demo(week, day, "--presses", fray_after(plan(week, day), frayer.family, 2))

    # Down to the lower of the two days' clean reps: two.
    day, low = until(week, day + timedelta(days=1), named(frayer.family), "--user", "steady")
    assert (low.variation, low.target, low.change) == (frayer.variation, 2, "back"), low
    assert low.reason == ("Back to two reps, because your technique slipped "
                          "early two times in a row."), low

    # Then it climbs: clean days at the floor step it up again, one rep at a time.
    targets = [low.target]
    while len(targets) < 3:
        demo(week, day)
        day, p = until(week, day + timedelta(days=1), named(frayer.family), "--user", "steady")
        targets.append(p.target)
    assert targets == [2, 3, 4], targets
    assert p.change == "advance" and p.reason.startswith("Up from three to four reps"), p


def test_pain_steps_back_a_variation_with_its_reason(week: Path) -> None:
    day = DAY0 + timedelta(days=CLEAN_DAYS)
    items = plan(week, day)
    hurt = items[1]  # the sore user presses RED in the second exercise
    assert hurt.change == "advance", f"precondition: {hurt} should be above its start reps"
    demo(week, day, "--user", "sore")

    [sore] = saved(week)[-1:]
    [event] = sore["pain_events"]
    [ex] = [e for e in sore["exercises"] if e["family"] == event["family"]]
    assert ex["name"] == hurt.variation and ex["sets"][-1]["ended_by"] == "pain"

    # Rotation brings it back a few days later; it comes back a variation lower, which on
    # the first rung means its start reps, and says why.
    _, back = until(week, day + timedelta(days=1), named(hurt.family))
    start = done(week, hurt.family)[0][1]
    assert (back.variation, back.target, back.change) == (start["name"], start["target"],
                                                          "back"), back
    if back.variation == hurt.variation:  # the first rung: its start reps
        assert back.reason == f"Back to {number(back.target)} reps, because it hurt last time."
    else:  # met every second session, it had reached its second rung: back a rung
        name = back.variation[:1].lower() + back.variation[1:]
        assert back.reason == (f"Back to {name}, {number(back.target)} reps, because it hurt "
                               "last time."), back


def test_reentry_after_a_week_away_steps_down_with_its_reason(week: Path) -> None:
    last = DAY0 + timedelta(days=CLEAN_DAYS - 1)
    assert not [p for p in plan(week, last + timedelta(days=1)) if p.change == "reenter"]

    def reentered(items: list[Planned]) -> Planned | None:
        return next((p for p in items if p.change == "reenter"), None)

    day, p = until(week, last + timedelta(days=9), reentered)
    before_day, before = done(week, p.family)[-1]
    assert (day - date.fromisoformat(before_day)).days >= 7
    # Issue 26: the break is the person's, since their last session with anything done.
    away = (day - max(date.fromisoformat(x["plan_date"]) for x in saved(week))).days
    assert away >= 7
    # Issue 26: a break is said with how far back it starts: one micro-step, which from a
    # rung's start reps is the rung below at its most.
    if p.variation == before["name"]:
        assert p.target == before["target"] - 1, (p, before)
        what = f"{number(p.target)} reps"
    else:
        what = f"{p.variation[:1].lower() + p.variation[1:]}, {number(p.target)} reps"
    assert p.reason == (f"It has been {duration(away)}, so we start one step lower: "
                        f"{what}."), p.reason


def test_demo_date_replays_days(clean_week: Path) -> None:
    sessions = saved(clean_week)
    days = [(DAY0 + timedelta(days=i)).isoformat() for i in range(CLEAN_DAYS)]
    assert [s["plan_date"] for s in sessions] == days
    assert [s["started_at"][:10] for s in sessions] == days
    history = kiosk(clean_week, "history").splitlines()
    rounds = [line for line in history if "safety questions" in line]
    # Every question at the first run; the emergency ones again a week on (emergency_days).
    assert [line[:10] for line in rounds] == days[::7]
    assert all("safety questions (routine): clear" in line for line in rounds[1:])
    checks = [line for line in history if "movement check" in line]
    assert [line[:10] for line in checks] == days[:1]  # and how they move, then only
    assert [line[:10] for line in history if not line.startswith((" ", "Key: "))
            and line not in rounds and line not in checks] == days


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("kiosk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kiosk.cli"]


def test_the_kiosk_command_from_a_shell(week: Path) -> None:
    def shell(*args: str) -> str:
        cmd = [*_console_script(), "--config", str(DEFAULT_CONFIG), "--data-dir", str(week),
               *args]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, f"{cmd}: {run.stderr}"
        return run.stdout

    day = (DAY0 + timedelta(days=CLEAN_DAYS)).isoformat()
    out = shell("plan", "--date", day)
    assert out.startswith(f"Plan for {day}:\n")
    assert re.search(r"\[advance\]\n     .+, because your last session was clean\.", out)
    assert shell("demo", "--user", "steady", "--date", day).splitlines()[-1].startswith(
        "saved: session ")
    rows = shell("export", "--format", "csv").splitlines()
    assert rows[0].startswith("record,id,date,")
    assert any(row.startswith("session,") and row.split(",")[2] == day and ",advance," in row
               for row in rows[1:])
