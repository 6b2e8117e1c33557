"""kiosk/core/flows/questions.py: the questions one at a time, and what the person hears and
sees."""

from __future__ import annotations

from datetime import date, datetime

from kiosk.config import packaged_wording
from kiosk.core.coach.safety import ACUTE, GROUPS, How, Outcome, Reason
from kiosk.core.data.events import Effect, Hush, Press, Say, Tick
from kiosk.core.data.model import Button
from kiosk.core.flows.questions import Choice, Pages, Questions
from kiosk.core.words import phrases

WORDING = packaged_wording()
DAY = date(2026, 11, 25)
AT = datetime(2026, 11, 25, 9, 0)


def said(effects: list[Effect]) -> list[str]:
    return [e.text for e in effects if isinstance(e, Say)]


def ask(groups=GROUPS, **kw) -> tuple[Questions, list[Effect]]:
    q = Questions(WORDING, groups, Reason.FIRST_RUN, t0=0.0, answer_seconds=60.0, rate_wpm=150,
                  **kw)
    return q, q.start()


def test_the_intro_then_one_question_at_a_time() -> None:
    q, out = ask()
    assert said(out) == [WORDING.intro, WORDING.questions[0].text]
    assert q.view.lines == (WORDING.questions[0].text,)
    assert q.view.awaiting == "answer"
    assert q.view.buttons == {Button.GREEN: "Yes", Button.AMBER: "No",
                              Button.RED: "Not sure (yes)"}
    out = q.handle(Press(Button.AMBER, 1.0))
    assert said(out) == [WORDING.questions[1].text]  # the next one only after an answer
    assert out[-1] == Say(WORDING.questions[1].text, interrupt=True)


def test_all_no_asks_every_question_and_clears() -> None:
    q, _ = ask()
    t = 1.0
    while not q.done:
        q.handle(Press(Button.AMBER, t))
        t += 1
    assert [a.question for a in q.answers] == [x.id for x in WORDING.questions]
    c = q.check("s1", DAY, AT)
    assert c.outcome is Outcome.CLEAR and c.groups == GROUPS
    assert all(a.how is How.AMBER for a in c.answers)


def test_green_on_the_first_question_is_an_emergency_and_ends_the_round() -> None:
    q, _ = ask()
    q.handle(Press(Button.GREEN, 1.0))
    assert q.done
    c = q.check("s1", DAY, AT)
    assert c.outcome is Outcome.EMERGENCY and c.groups == (ACUTE[0],)
    assert [(a.question, a.how) for a in c.answers] == [("saddle-numbness", How.GREEN)]


def test_red_counts_as_yes() -> None:
    q, _ = ask(ACUTE)
    for _ in WORDING.group(ACUTE[0]):
        q.handle(Press(Button.AMBER, 1.0))
    q.handle(Press(Button.RED, 2.0))  # the first urgent question
    c = q.check("s1", DAY, AT)
    assert c.outcome is Outcome.URGENT and c.answers[-1].how is How.RED


def test_no_answer_within_the_time_counts_as_yes_after_one_repeat() -> None:
    q, out = ask()
    first = WORDING.questions[0].text
    spoken_until = 0.0
    repeats: list[str] = []
    t = 0.0
    while not q.done and t < 1000:
        t += 0.5
        repeats += said(q.handle(Tick(t)))
        spoken_until = spoken_until or t
    # Said once more at half time, with what silence will mean; then the silence is said
    # back as the yes it counts as.
    assert repeats == [first, phrases.SILENCE_WARNING, phrases.SILENCE_YES]
    assert q.done and q.answers[0].how is How.TIMEOUT
    assert q.check("s1", DAY, AT).outcome is Outcome.EMERGENCY
    assert 60.0 <= t <= 60.0 + 30  # a minute after the question was said, not sooner


def test_a_background_yes_still_asks_the_other_background_questions() -> None:
    q, _ = ask((GROUPS[2],))
    q.handle(Press(Button.GREEN, 1.0))  # the first background question: cancer
    for t in range(2, len(WORDING.group(GROUPS[2])) + 1):
        assert not q.done
        q.handle(Press(Button.AMBER, float(t)))
    assert q.done
    assert q.check("s1", DAY, AT).outcome is Outcome.BACKGROUND
    assert q.check("s1", DAY, AT, {"cancer"}).outcome is Outcome.CLEARED
    assert q.check("s1", DAY, AT, {"immune"}).outcome is Outcome.BACKGROUND


def test_pages_say_each_screen_and_any_button_goes_on() -> None:
    p = Pages("welcome", WORDING.about, t0=0.0, rate_wpm=150)
    out = p.start()
    assert isinstance(out[0], Hush) and said(out) == list(WORDING.welcome)
    assert p.view.lines == WORDING.welcome and not p.done
    assert set(p.view.buttons.values()) == {"Next"}
    p.handle(Tick(500.0))
    assert not p.done  # the welcome waits for a press
    assert said(p.handle(Press(Button.AMBER, 501.0))) == list(WORDING.buttons)
    assert p.view.lines == WORDING.buttons and set(p.view.buttons.values()) == {"Go on"}
    p.handle(Press(Button.RED, 502.0))
    assert p.done


def test_a_choice_accepts_with_green_and_declines_with_amber_red_or_silence() -> None:
    def choice() -> Choice:
        c = Choice("gentle", "Gentle", ("x",), ("Offer.",), t0=0.0, rate_wpm=150, yes="Gentle",
                   no="Rest", timeout=60.0)
        c.start()
        return c

    for button, accepted in ((Button.GREEN, True), (Button.AMBER, False), (Button.RED, False)):
        c = choice()
        c.handle(Press(button, 1.0))
        assert c.accepted is accepted
    c = choice()
    c.handle(Tick(30.0))
    assert not c.done
    c.handle(Tick(90.0))
    assert c.accepted is False
