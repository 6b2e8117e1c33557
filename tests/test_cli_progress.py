"""`kiosk summary` and `kiosk screens` from a history on disk, and the [psfs] config section."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from kiosk import cli
from kiosk.config import load_config
from kiosk.core.data.records import Record
from kiosk.core.reports.weekly import EMERGENCY_REMINDER
from kiosk.store.months import WholeHistory  # the kiosk keeps months
from tests.core.progress_samples import exercise, pain, session

MONTH: list[Record] = [
    session("2026-11-10", exercise("bridge", 9), before=4, after=4),
    session("2026-11-16", exercise("bridge", 9), before=5, after=3),
    pain("2026-11-18", 4),
    session("2026-11-23", exercise("bridge", 10), before=3, after=3),
    session("2026-11-25", exercise("bridge", 11), before=3, after=2),
]


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    with WholeHistory.open(tmp_path / "data") as history:
        for record in MONTH:
            history.add(record)
    return tmp_path / "data"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_prints_the_week_as_spoken(data: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data), "summary", "--date", "2026-11-26")
    assert code == 0
    # pain 4.0 last week, 2.75 this week: 31 % down, which matters
    assert out == ("This week: two sessions. Bridge went from nine to eleven clean reps. "
                   "Pain averaged three, down from four. That is a change that matters. "
                   f"{EMERGENCY_REMINDER}\n")
    _, last_week, _ = run(capsys, "summary", "--data-dir", str(data), "--date", "2026-11-17")
    assert last_week.startswith("This week: one session.")


@pytest.mark.parametrize("size", ["480x320", "800x480"])
def test_screens_writes_every_screen_as_a_png(
    data: Path, tmp_path: Path, size: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "shots"
    code, out, err = run(capsys, "screens", "--data-dir", str(data), "--out", str(out_dir),
                         "--size", size, "--date", "2026-11-26")
    assert code == 0, err
    paths = [Path(line) for line in out.splitlines()]
    assert [p.name for p in paths[:3]] == ["01-bridge-1-clean-reps.png", "02-pain-last-8-weeks.png",
                                           "03-your-weekly-rhythm.png"]
    # ...then every other screen the kiosk shows (kiosk/ui/gallery.py), each once.
    from kiosk.ui.gallery import views

    assert sorted(p.name for p in paths[3:]) == sorted(
        f"screen-{n.replace('_', '-')}.png" for n in views())
    for name in ("home", "checkin", "breathing-inhale", "rep", "rest", "summary", "question",
                 "welcome", "advice-emergency", "probe-ready", "signature", "ritual-offer",
                 "ritual-step", "menu", "psfs", "notice"):
        assert out_dir / f"screen-{name}.png" in paths
    w, h = (int(v) for v in size.split("x"))
    for p in paths:
        assert pygame.image.load(str(p)).get_size() == (w, h)


def test_a_bad_size_is_one_line_naming_the_fix(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        cli.main(["screens", "--out", str(tmp_path), "--size", "big"])
    assert "is not a size like 800x480" in capsys.readouterr().err


def test_psfs_activities_come_from_config(tmp_path: Path) -> None:
    conf = tmp_path / "kiosk.toml"
    conf.write_text('[psfs]\nactivities = ["carry the shopping", "sit through a film"]\n'
                    "every_weeks = 6\n")
    loaded = load_config(conf)
    assert loaded.ok
    assert loaded.config.psfs.activities == ("carry the shopping", "sit through a film")
    assert loaded.config.psfs.every_weeks == 6


def test_bad_psfs_activities_are_named_and_the_default_stands(tmp_path: Path) -> None:
    conf = tmp_path / "kiosk.toml"
    conf.write_text('[psfs]\nactivities = "carry the shopping"\n')
    loaded = load_config(conf)
    (problem,) = loaded.problems
    assert "psfs.activities" in str(problem) and "list of up to 5 activities" in str(problem)
    assert loaded.config.psfs.activities == ()
