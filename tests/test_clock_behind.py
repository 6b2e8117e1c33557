"""A clock behind the newest progression snapshot (issue 29, item 5): the kiosk and `kiosk plan`
apply one rule, so what `kiosk plan` prints is what the kiosk will say. Both plan from the
newest snapshot, through coaching.make_planner (docs/progression.md)."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.cli import main, plan_lines
from kiosk.coaching import replays
from kiosk.config import load_config
from kiosk.store.layout import read_window
from tests.shell import Shell

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight months of a simulated person, the last session on 1 December 2026."""
    data = tmp_path_factory.mktemp("behind") / "d"
    assert main(["--data-dir", str(data), "simulate", "--years", "0.6", "--seed", "11",
                 "--end", "2026-12-01"]) == 0
    return data


@pytest.mark.parametrize("wall", [datetime(2026, 11, 20, 9, 0),  # days behind the snapshot
                                  datetime(2026, 9, 20, 9, 0)],  # months behind
                         ids=["days", "months"])
def test_the_kiosk_and_kiosk_plan_give_the_same_plan_with_the_clock_behind(
    lived: Path, tmp_path: Path, wall: datetime
) -> None:
    import shutil

    data = tmp_path / "d"
    shutil.copytree(lived, data)
    base, _, _ = read_window(data, replays(load_config(None).config))
    assert base is not None and base.latest is not None
    assert wall.date() < base.latest  # the clock is behind the newest snapshot
    shell = Shell(data, wall=wall)
    spoken_from = shell.app.kiosk.plan
    shell.app.close()
    out = io.StringIO()
    assert main(["--data-dir", str(data), "plan", "--date", wall.date().isoformat()],
                stdout=out) == 0
    printed = out.getvalue().splitlines()
    assert printed == list(plan_lines(spoken_from))
    assert printed[0] == f"Plan for {wall.date()}:" and len(printed) > 2
    # ...and it is the plan the person has been working at, not one from a collapsed replay:
    # no step down for a pain the person never reported.
    assert not any("[bad-day]" in line for line in printed), printed
