"""End to end: a simulated month through mock pins. The history screens, the spoken weekly
summary and `kiosk history` show the same numbers.

Each session is a whole `kiosk demo` (the real shell, mock gpiozero pins pressed by a simulated
person, the real store on disk). Then a kiosk on the next morning is driven through its pins:
hold AMBER for the menu, GREEN into the history screens, AMBER for this week's summary.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk import cli
from kiosk.config import load_config
from kiosk.core.data.model import Button
from kiosk.core.reports.progress import Calendar, ExerciseChart, PainChart
from tests.shell import Shell

DAYS = [("2026-11-03", "steady"), ("2026-11-05", "slipping"), ("2026-11-10", "steady"),
        ("2026-11-13", "slipping"), ("2026-11-17", "steady"), ("2026-11-19", "steady"),
        ("2026-11-23", "slipping"), ("2026-11-25", "steady")]
MORNING = datetime(2026, 11, 26, 9, 0)  # the Thursday after; the week is 23-29 November


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("month") / "data"
    for day, user in DAYS:
        assert cli.main(["--data-dir", str(data), "demo", "--date", day, "--user", user]) == 0
    return data


def kiosk_history(data: Path, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    """`kiosk history` as printed, read back: each session's day, pain and clean reps by
    variation name."""
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "history"]) == 0
    sessions: list[dict] = []
    for line in capsys.readouterr().out.splitlines():
        head = re.match(r"(\d{4}-\d\d-\d\d) \d\d:\d\d\s+pain (\S+) -> (\S+)", line)
        if head:
            before, after = (None if v == "-" else int(v) for v in head.group(2, 3))
            sessions.append({"day": date.fromisoformat(head.group(1)), "pain": (before, after),
                             "reps": {}})
            continue
        ex = re.match(r"\s{4}(.+?)\s+target\s+\d+\s+(.*)$", line)
        if ex and sessions:
            sessions[-1]["reps"][ex.group(1).strip()] = ex.group(2).count("C")
    return sessions


def family_of(variation_name: str) -> str:
    lib = load_config().config.library
    return next(f.id for f in lib.families for v in f.ladder if v.name == variation_name)


def test_screens_summary_and_history_agree(month: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    printed = kiosk_history(month, capsys)
    assert [s["day"].isoformat() for s in printed] == [d for d, _ in DAYS]

    shell = Shell(month, wall=MORNING)
    shell.press(Button.AMBER, hold=2.0)
    assert shell.app.view.screen == "menu"
    shell.press(Button.AMBER)  # past "A quick ritual", the first item, to "Your progress"
    assert shell.said[-1] == "Your progress."
    shell.press(Button.GREEN)
    charts = []
    for _ in range(20):  # round the screens once: one per exercise done, pain, the rhythm
        charts.append(shell.app.view.chart)
        shell.press(Button.GREEN)
        if shell.app.view.chart == charts[0]:
            break
    assert isinstance(charts[-1], Calendar)
    shell.press(Button.AMBER)
    spoken = shell.said[-1]
    shell.press(Button.RED)
    assert shell.app.view.screen == "home"

    # Each exercise's chart: one point per session that did it, with its clean reps as printed.
    exercise_charts = [c for c in charts if isinstance(c, ExerciseChart)]
    assert exercise_charts
    for chart in exercise_charts:
        expected = [(s["day"], n) for s in printed for name, n in s["reps"].items()
                    if family_of(name) == chart.family]
        assert [(p.day, p.clean) for p in chart.points] == expected, chart.family

    # The pain chart: every session's check-in and check-out.
    (pain,) = [c for c in charts if isinstance(c, PainChart)]
    assert [(p.day, (p.before, p.after)) for p in pain.points] == [
        (s["day"], s["pain"]) for s in printed]

    # The summary, spoken through the pins, is `kiosk summary` word for word ...
    capsys.readouterr()
    cli.main(["--data-dir", str(month), "summary", "--date", "2026-11-26"])
    assert spoken == capsys.readouterr().out.strip()
    # ... and says this week's count of sessions, as history prints them.
    this_week = [s for s in printed if s["day"] >= date(2026, 11, 23)]
    assert spoken.startswith(f"This week: {['zero', 'one', 'two'][len(this_week)]} sessions.")
    ratings = [v for s in this_week for v in s["pain"] if v is not None]
    mean = int(sum(ratings) / len(ratings) + 0.5)
    words = "zero one two three four five six seven eight nine ten".split()
    assert f"Pain averaged {words[mean]}" in spoken


def test_the_weeks_first_session_says_how_last_week_went(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    for day in ("2026-11-17", "2026-11-19"):
        cli.main(["--data-dir", str(data), "demo", "--date", day])
    capsys.readouterr()
    cli.main(["--data-dir", str(data), "demo", "--date", "2026-11-23"])
    out = capsys.readouterr().out
    assert "say: Last week: two sessions." in out
    cli.main(["--data-dir", str(data), "demo", "--date", "2026-11-24"])
    assert "Last week:" not in capsys.readouterr().out
