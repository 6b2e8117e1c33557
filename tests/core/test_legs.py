"""Leg symptoms at check-in through the pure kiosk (issue 27, item 2; docs/safety.md): the two
questions and their words, the answer saved with the session, a new "yes" giving the advice and
the gentle path, both legs asking the emergency group, and RED or silence counting as yes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from kiosk.core.coach import legs
from kiosk.core.coach.safety import Group, Reason
from kiosk.core.data.model import Button
from kiosk.core.data.records import SessionRecord
from kiosk.core.reports.progress import pain_chart
from kiosk.core.words import phrases
from kiosk.sim import Action, SimUser
from tests.core.test_kiosk_safety import (
    DAY,
    SETUP,
    WORDING,
    all_no,
    history,
    run,
    safety_saves,
    session_saves,
    until,
)


class Legs(SimUser):
    """Answers the leg questions as told: a button per screen, or None to stay silent."""

    def __init__(self, answers: Mapping[str, Button | None], **kw: Any) -> None:
        super().__init__("steady", **kw)
        self.answers = answers

    def decide(self, view: Any, t: float) -> Any:
        if view.screen in self.answers:
            if self.answers[view.screen] is None or t - self._seen_at < self.reaction:
                if view != self._seen:
                    self._seen, self._seen_at = view, t
                return None
            self._seen_at = t
            button = self.answers[view.screen]
            assert button is not None
            return Action(button)
        return super().decide(view, t)


NO = {"legs": Button.AMBER}
ONE = {"legs": Button.GREEN, "both-legs": Button.AMBER}
BOTH = {"legs": Button.GREEN, "both-legs": Button.GREEN}


def answered(day: date, answer: str | None) -> list[SessionRecord]:
    """The clean history of three days, each ending on ``day`` - 1, with this leg answer."""
    out = history()
    return [replace(s, legs=answer) for s in out] if answer is not None else out


def today(r: Any) -> SessionRecord:
    [s] = [s for s in session_saves(r) if s.plan_date == DAY]
    return s


def sitting(answers: Mapping[str, Button | None], *, before: str | None = "none",
            checkin: int = 2) -> Any:
    r = run(Legs(answers, checkin_pain=checkin), checks=[all_no(DAY - timedelta(days=1))],
            sessions=answered(DAY, before))
    until(r, lambda r: r.finished, limit=7200)
    return r


def test_no_below_the_knee_is_asked_after_the_check_in_and_saved_with_the_session() -> None:
    r = sitting(NO)
    said = r.said
    confirmed = said.index(phrases.pain_confirmed(2))
    assert said[confirmed + 1] == phrases.LEGS_QUESTION  # after "Pain two. Thank you."
    assert phrases.BOTH_LEGS_QUESTION not in said and phrases.LEGS_ADVICE not in said
    assert phrases.LEGS_GENTLE_OFFER not in said
    s = today(r)
    assert s.legs == "none" and s.ended_by == "complete"
    assert all(e.change != "gentle" for e in s.exercises)


def test_the_screen_names_the_buttons_in_words() -> None:
    r = run(Legs({"legs": None}), checks=[all_no(DAY - timedelta(days=1))],
            sessions=history())
    until(r, lambda r: r.kiosk.view.screen == "legs")
    view = r.kiosk.view
    assert view.lines == (phrases.LEGS_QUESTION,)
    assert view.buttons == {Button.GREEN: "Yes", Button.AMBER: "No",
                            Button.RED: "Not sure (yes)"}


def test_a_new_yes_after_no_days_gives_the_advice_and_the_gentle_path() -> None:
    r = sitting(ONE, before="none")
    said = r.said
    assert said.index(phrases.BOTH_LEGS_QUESTION) < said.index(phrases.LEGS_ADVICE)
    assert said[said.index(phrases.LEGS_ADVICE) + 1] == phrases.LEGS_GENTLE_OFFER
    s = today(r)
    assert s.legs == "one" and s.exercises
    assert all(e.change == "gentle" for e in s.exercises)  # nothing loaded, nothing new
    assert safety_saves(r) == []  # one leg asks no red-flag round of its own


def test_a_first_ever_yes_counts_as_new() -> None:
    r = sitting(ONE, before=None)  # no earlier day has an answer
    assert phrases.LEGS_ADVICE in r.said
    assert all(e.change == "gentle" for e in today(r).exercises)


def test_a_yes_like_the_day_before_goes_on_as_planned_and_never_adds_load() -> None:
    still = sitting(ONE, before="one")
    assert phrases.LEGS_ADVICE not in still.said and phrases.LEGS_GENTLE_OFFER not in still.said
    no = sitting(NO, before="one")
    yes_plan = [(e.variation, e.target) for e in today(still).exercises]
    no_plan = [(e.variation, e.target) for e in today(no).exercises]
    assert yes_plan == no_plan  # the same plan a "no" gets: a yes never adds load
    assert today(still).legs == "one"


def test_amber_at_the_gentle_offer_rests_and_keeps_the_leg_answer() -> None:
    r = sitting({**ONE, "gentle": Button.AMBER})
    assert phrases.GENTLE_REST in r.said
    s = today(r)
    assert (s.legs, s.exercises, s.ended_by) == ("one", (), "stop")


def test_both_legs_asks_the_emergency_group() -> None:
    r = sitting(BOTH)
    [check] = safety_saves(r)
    assert (check.reason, check.groups) == (Reason.BOTH_LEGS, (Group.EMERGENCY,))
    said = r.said
    assert said.index(phrases.BOTH_LEGS_QUESTION) < said.index(WORDING.intro)
    assert today(r).legs == "both"
    # Both legs is new too: after the all-clear, the advice and the gentle path.
    assert said.index(WORDING.all_clear) < said.index(phrases.LEGS_ADVICE)


def test_both_legs_with_an_emergency_yes_stops_and_keeps_the_answer() -> None:
    class Saddle(Legs):
        def decide(self, view: Any, t: float) -> Any:
            action = super().decide(view, t)
            if action and view.screen == "question" and any("saddle" in x for x in view.lines):
                return Action(Button.GREEN)
            return action

    r = run(Saddle(BOTH), checks=[all_no(DAY - timedelta(days=1))], sessions=history())
    until(r, lambda r: r.finished, limit=7200)
    assert WORDING.advice[Group.EMERGENCY] in r.said
    s = today(r)
    assert (s.legs, s.exercises) == ("both", ())


def test_red_counts_as_yes_on_both_questions() -> None:
    r = sitting({"legs": Button.RED, "both-legs": Button.RED})
    assert today(r).legs == "both"
    assert [c.reason for c in safety_saves(r)] == [Reason.BOTH_LEGS]


def test_silence_is_warned_of_then_said_back_and_counts_as_yes() -> None:
    r = sitting({"legs": None, "both-legs": Button.AMBER})
    said = r.said
    asked = said.index(phrases.LEGS_QUESTION)
    # Asked, then again with the warning, then the silence said back, then the next question.
    assert said[asked + 1:asked + 5] == [phrases.LEGS_QUESTION, phrases.SILENCE_WARNING,
                                          phrases.SILENCE_YES, phrases.BOTH_LEGS_QUESTION]
    assert today(r).legs == "one"


def test_a_silence_on_both_legs_counts_as_both() -> None:
    r = sitting({"legs": Button.GREEN, "both-legs": None})
    said = r.said
    assert said.index(phrases.SILENCE_YES) < said.index(WORDING.intro)
    assert today(r).legs == "both"


def test_the_leg_question_can_be_turned_off() -> None:
    r = run(Legs(NO), checks=[all_no(DAY - timedelta(days=1))], sessions=history(),
            setup=replace(SETUP, leg_question=False))
    until(r, lambda r: r.finished, limit=7200)
    assert phrases.LEGS_QUESTION not in r.said
    assert today(r).legs is None


# --- the rule, as a table -------------------------------------------------------------------
D = date(2026, 11, 25)


def _s(day: int, answer: str | None) -> SessionRecord:
    return replace(history(1)[0], plan_date=D - timedelta(days=day), legs=answer)


@pytest.mark.parametrize(
    ("earlier", "answer", "new"),
    [
        ([], "one", True),  # no earlier answer: the clinician has not heard it from the kiosk
        ([_s(2, "none"), _s(1, "none")], "one", True),
        ([_s(2, "none"), _s(1, "none")], "both", True),
        ([_s(2, "none"), _s(1, "one")], "one", False),  # a yes like the day before
        ([_s(2, "one"), _s(1, None)], "one", False),  # a day not asked is skipped over
        ([_s(2, "one"), _s(1, "none")], "one", True),  # back after a no
        ([_s(1, "none")], "none", False),
        ([_s(0, "one")], "one", True),  # today's own earlier sitting does not count
    ],
)
def test_what_a_new_yes_is(earlier: list[SessionRecord], answer: str, new: bool) -> None:
    assert legs.is_new(earlier, D, answer) is new


def test_leg_days_keep_the_weightiest_answer_of_a_day_and_the_chart_marks_the_yes_days() -> None:
    sessions = [_s(3, "none"), _s(2, "one"), _s(2, "both"), _s(1, "none"), _s(1, None)]
    assert legs.leg_days(sessions) == ((D - timedelta(days=3), "none"),
                                      (D - timedelta(days=2), "both"),
                                      (D - timedelta(days=1), "none"))
    chart = pain_chart(sessions, D)
    assert chart.legs == ((D - timedelta(days=2), "both"),)
