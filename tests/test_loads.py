"""A load the person confirms ("a light weight") is kept on disk and shown by the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.sim import SimUser
from kiosk.store.months import WholeHistory  # the kiosk keeps months
from tests.core.helpers import Run
from tests.core.test_session import _loaded_planner


def test_history_on_disk_and_the_cli_show_the_confirmed_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(SimUser("steady"), planner=_loaded_planner()).until_finished()
    history = WholeHistory.open(tmp_path)
    try:
        history.add(run.saved[0])
    finally:
        history.close()
    assert main(["--data-dir", str(tmp_path), "history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln for ln in lines if "with a light weight" in ln] == [
        next(ln for ln in lines if "Carry 1" in ln)]
