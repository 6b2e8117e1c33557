"""The main loop's own duties, seen from outside: what it renders ahead, and when."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core import phrases
from tests.shell import Shell

pytestmark = pytest.mark.slow


def test_todays_lines_are_rendered_ahead_and_again_when_the_day_changes(tmp_path: Path) -> None:
    shell = Shell(tmp_path)
    first = shell.app.kiosk.plan
    assert phrases.welcome(first) in shell.voice.prepared
    intro = phrases.intro(first.exercises[0], 1, len(first.exercises))
    assert set(intro) <= set(shell.voice.prepared), "each exercise's words are ready in advance"
    before = len(shell.voice.prepared)
    shell.run(24 * 3600, dt=60)  # a day at home
    assert shell.app.kiosk.plan.date != first.date
    assert len(shell.voice.prepared) > before
    assert set(phrases.plan_details(shell.app.kiosk.plan)) <= set(shell.voice.prepared)
    shell.app.close()
