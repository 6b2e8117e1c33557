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


def test_a_passing_fault_is_told_once_and_the_kiosk_goes_on(tmp_path: Path) -> None:
    from kiosk import app as app_module

    shell = Shell(tmp_path)
    real_step = shell.app.step
    calls = {"n": 0}

    def flaky() -> None:
        calls["n"] += 1
        if calls["n"] in (3, 4):
            raise RuntimeError("a passing fault")
        real_step()

    shell.app.step = flaky  # type: ignore[method-assign]
    for _ in range(10):
        shell.clock.advance(0.05)
        shell.app.guarded_step()
    assert shell.said.count(app_module.FAULT) == 1
    assert shell.app.view.screen == "home"
    shell.app.close()


def test_a_fault_that_repeats_is_raised_so_systemd_restarts(tmp_path: Path) -> None:
    from kiosk import app as app_module

    shell = Shell(tmp_path)

    def broken() -> None:
        raise RuntimeError("always")

    shell.app.step = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        for _ in range(app_module.MAX_FAULTS):
            shell.app.guarded_step()
    assert shell.said.count(app_module.FAULT) == 1
    shell.app.close()
