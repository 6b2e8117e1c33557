"""The pain log from the home screen (issue 8, point 1), in the pure core."""

from __future__ import annotations

from datetime import datetime

from kiosk.core.data.events import Finished, Hold, Press, Release, Save, Tone
from kiosk.core.data.model import Button
from kiosk.core.data.records import PainEntry
from kiosk.core.words import phrases
from kiosk.sim import SimUser
from tests.core.helpers import FAST, Run


def tap(run: Run, button: Button, t: float) -> None:
    run.feed([Press(button, t), Release(button, t + 0.1)])


def test_red_at_home_opens_the_pain_log_and_holding_green_saves_an_entry() -> None:
    run = Run(SimUser(presses=""))
    assert run.kiosk.view.buttons[Button.RED] == "Pain log"
    tap(run, Button.RED, 1.0)
    view = run.kiosk.view
    assert (view.screen, view.title, view.pain) == ("painlog", "Pain right now?", 0)
    assert run.said[-1] == phrases.pain_log_prompt(0)
    for t in (2.0, 3.0, 4.0):
        tap(run, Button.GREEN, t)
    tap(run, Button.AMBER, 5.0)
    assert run.said[-4:] == ["one", "two", "three", "two"]
    run.feed([Press(Button.GREEN, 6.0), Hold(Button.GREEN, 7.5)])
    [entry] = [e.record for e in run.effects if isinstance(e, Save)]
    assert isinstance(entry, PainEntry) and entry.pain == 2
    assert entry.at.isoformat().startswith("2026-11-25T09:00")
    assert "Pain two. Saved in your pain log." in run.said
    assert "held" in run.tones
    assert any(isinstance(e, Finished) for e in run.effects)
    assert run.kiosk.view.screen == "home" and run.kiosk.sessions == []
    assert run.kiosk.pain_entries == [entry]


def test_holding_red_cancels_the_pain_log_and_saves_nothing() -> None:
    run = Run(SimUser(presses=""))
    tap(run, Button.RED, 1.0)
    tap(run, Button.GREEN, 2.0)
    run.feed([Press(Button.RED, 3.0), Hold(Button.RED, 5.0)])
    assert not any(isinstance(e, Save) for e in run.effects)
    assert run.said[-1] == phrases.PAIN_LOG_CANCELLED
    assert run.kiosk.view.screen == "home"


def test_the_red_press_that_opened_the_log_cannot_cancel_it_by_being_held() -> None:
    run = Run(SimUser(presses=""))
    run.feed([Press(Button.RED, 1.0), Hold(Button.RED, 3.0), Release(Button.RED, 3.5, held=True)])
    assert run.kiosk.view.screen == "painlog"
    assert "held" not in run.tones


def test_a_rise_since_the_last_rating_brings_the_clinician_advice_and_no_answer_saves_nothing(
) -> None:
    earlier = PainEntry(id="p0", at=datetime(2026, 11, 24, 10, 0), pain=2)
    run = Run(SimUser(presses=""), records=[earlier])
    tap(run, Button.RED, 1.0)
    assert run.kiosk.view.pain == 2, "the log starts from the last rating"
    for t in (2.0, 3.0):
        tap(run, Button.GREEN, t)
    run.feed([Press(Button.GREEN, 4.0), Hold(Button.GREEN, 5.5)])
    assert phrases.PAIN_LOG_CLINICIAN in run.said
    tap(run, Button.RED, 10.0)  # again; this time nobody answers
    from kiosk.core.data.events import Tick

    for i in range(1, 3 * int(FAST.pain_timeout) + 60):
        run.feed([Tick(10.0 + i)])
    assert run.said[-1] == phrases.PAIN_LOG_NO_ANSWER
    assert phrases.PAIN_LOG_REPROMPT in run.said
    assert len([e for e in run.effects if isinstance(e, Save)]) == 1
    assert run.kiosk.view.screen == "home"


def test_a_press_with_no_role_is_answered_on_every_screen_of_a_whole_session() -> None:
    """Every screen: a button missing from the legend gives the low tone and the hint, and
    changes nothing else."""
    run = Run(SimUser("steady"))
    answered = 0
    while run.t < 3600:
        run.step()
        view = run.kiosk.view
        idle = [b for b in Button if b not in view.buttons]
        if idle and not run.hands.busy and not view.hint:
            before = view
            run.effects.clear()
            run.feed([Press(idle[0], run.t), Release(idle[0], run.t + 0.05)])
            after = run.kiosk.view
            assert [e for e in run.effects if isinstance(e, Tone)] == [Tone("nope")]
            assert after.hint and after.hint[0] == f"{idle[0].word} does nothing here."
            assert (after.screen, after.title, after.buttons) == (before.screen, before.title,
                                                                  before.buttons)
            answered += 1
        if run.finished and run.kiosk.session is None and run.kiosk.view.screen == "home":
            break
    assert answered >= 3
