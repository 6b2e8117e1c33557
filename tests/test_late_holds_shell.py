"""A hold is a hold through the real shell (issue 25, item 7): gpiozero mock pins go down and
come up again after the hold time with no pass of the loop between, as on a loaded Pi. Every
screen where a hold means something answers it as a hold: the menu, a pain rating confirmed,
the session ended at once by RED, the pain log saved or cancelled.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.data.model import Button
from kiosk.core.data.records import PainEntry, SessionRecord
from kiosk.core.words import phrases
from kiosk.store.months import WholeHistory  # the kiosk keeps months
from tests.shell import Shell

pytestmark = pytest.mark.slow
LATE = 2.6  # longer than every hold time (RED's is 2.0 s)


def late_hold(shell: Shell, button: Button) -> None:
    """Down, and up ``LATE`` seconds later, before the loop runs again."""
    shell.app.press_pin(button, True)  # the gpiozero mock pin goes low
    shell.clock.advance(LATE)
    shell.app.press_pin(button, False)
    shell.run(0.4)


def records(data: Path) -> list[object]:
    with WholeHistory.open(data) as h:
        return list(h.records())


def test_late_holds_in_the_real_shell(tmp_path: Path) -> None:
    data = tmp_path / "shell"
    shell = Shell(data)
    shell.run(1.0)  # past start-up's debounce window
    late_hold(shell, Button.AMBER)  # home: the menu
    assert shell.app.view.screen == "menu"
    shell.press(Button.RED)  # back home
    shell.press(Button.RED)  # the pain log
    assert shell.app.view.screen == "painlog"
    shell.press(Button.GREEN)  # one
    late_hold(shell, Button.GREEN)  # saved
    assert shell.said[-1] == phrases.pain_logged(1) and shell.app.view.screen == "home"
    shell.press(Button.RED)
    late_hold(shell, Button.RED)  # cancelled
    assert phrases.PAIN_LOG_CANCELLED in shell.said and shell.app.view.screen == "home"
    shell.press(Button.GREEN)  # start: the check-in
    late_hold(shell, Button.GREEN)  # pain one (the last rating), confirmed
    assert phrases.pain_confirmed(1) in shell.said
    shell.press(Button.AMBER)  # no leg symptoms (issue 27)
    shell.until("breathing")
    shell.press(Button.AMBER)
    shell.until("intro")
    shell.press(Button.GREEN)
    shell.until("set")
    late_hold(shell, Button.RED)  # the session ends now: not a pain stop
    assert shell.app.kiosk.session is None
    assert phrases.ENDED_BY_HOLD in shell.said
    shell.app.close()
    saved = records(data)
    assert [r.pain for r in saved if isinstance(r, PainEntry)] == [1]
    [session] = [r for r in saved if isinstance(r, SessionRecord)]
    assert session.ended_by == "stop" and session.pain_events == ()
    assert session.pain_before == 1
