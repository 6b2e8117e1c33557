"""kiosk/core/coach/safety.py: when each group of red-flag questions is asked, and what answers do.

Table tests over plain data: a history of answered rounds, the day, and a pain rating in; the
groups due, the outcome and whether exercise is off out. docs/safety.md states the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest

from kiosk.config import packaged_wording
from kiosk.core.coach.safety import (
    ACUTE,
    GROUPS,
    Answer,
    Group,
    How,
    Outcome,
    Reason,
    Rules,
    SafetyCheck,
    answer_of,
    blocked,
    clearance_state,
    cleared_questions,
    clears,
    due,
    open_yes,
    outcome,
    usual_pain,
)
from kiosk.core.data.model import Button

E, U, B = Group.EMERGENCY, Group.URGENT, Group.BACKGROUND
DAY = date(2026, 11, 25)
RULES = Rules()
WORDING = packaged_wording()


def check(
    day: date,
    groups: tuple[Group, ...] = GROUPS,
    *,
    yes: tuple[str, ...] = (),
    how: How = How.GREEN,
    pain: int | None = None,
    cleared_on: date | None = None,
    reason: Reason = Reason.FIRST_RUN,
) -> SafetyCheck:
    """A round asking ``groups`` on ``day``; the questions in ``yes`` answered yes (by ``how``),
    the rest no. Like the real flow, it stops at the first emergency or urgent yes."""
    answers: list[Answer] = []
    for q in WORDING.asking(groups):
        said = how if q.id in yes else How.AMBER
        answers.append(Answer(q.id, q.group, said))
        if said.yes and q.group in ACUTE:
            break
    reached = tuple(g for g in groups if any(a.group is g for a in answers))
    return SafetyCheck(f"s{day}-{len(answers)}-{pain}", day, datetime.combine(day, time(9)),
                       reason, reached, tuple(answers), pain,
                       outcome(answers, set(yes) if clears(cleared_on, day, day) else ()))


# --- the answer mapping -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("button", "yes"),
    [(Button.GREEN, True), (Button.AMBER, False), (Button.RED, True), (None, True)],
    ids=["green-yes", "amber-no", "red-counts-as-yes", "no-answer-counts-as-yes"],
)
def test_green_is_yes_amber_no_and_red_or_silence_count_as_yes(button: Button | None,
                                                               yes: bool) -> None:
    assert answer_of(button).yes is yes


# --- what an answer set leads to ----------------------------------------------------------------
@dataclass(frozen=True)
class Leads:
    id: str
    yes: tuple[str, ...]
    how: How
    cleared_on: date | None
    outcome: Outcome
    exercise: bool


LEADS = [
    Leads("all-no", (), How.GREEN, None, Outcome.CLEAR, True),
    Leads("saddle-yes", ("saddle-numbness",), How.GREEN, None, Outcome.EMERGENCY, False),
    Leads("both-legs-red", ("both-legs",), How.RED, None, Outcome.EMERGENCY, False),
    Leads("bladder-no-answer", ("bladder",), How.TIMEOUT, None, Outcome.EMERGENCY, False),
    Leads("fever-yes", ("fever",), How.GREEN, None, Outcome.URGENT, False),
    Leads("night-pain-no-answer", ("night-pain",), How.TIMEOUT, None, Outcome.URGENT, False),
    Leads("fall-red", ("fall",), How.RED, None, Outcome.URGENT, False),
    Leads("cancer-yes", ("cancer",), How.GREEN, None, Outcome.BACKGROUND, False),
    Leads("immune-red", ("immune",), How.RED, None, Outcome.BACKGROUND, False),
    Leads("steroids-yes-cleared", ("steroids-bones",), How.GREEN, DAY, Outcome.CLEARED, True),
    Leads("cleared-in-the-future", ("cancer",), How.GREEN, DAY + timedelta(days=1),
          Outcome.BACKGROUND, False),
    Leads("emergency-beats-background", ("saddle-numbness", "cancer"), How.GREEN, DAY,
          Outcome.EMERGENCY, False),
    Leads("urgent-and-background", ("weight-loss", "cancer"), How.GREEN, None, Outcome.URGENT,
          False),
]


@pytest.mark.parametrize("case", LEADS, ids=lambda c: c.id)
def test_each_answer_set_leads_to_its_advice_and_only_clear_allows_exercise(case: Leads) -> None:
    c = check(DAY, yes=case.yes, how=case.how, cleared_on=case.cleared_on)
    assert c.outcome is case.outcome
    assert c.outcome.exercise is case.exercise
    assert (blocked([c], DAY, case.cleared_on) is None) is case.exercise


def test_an_emergency_or_urgent_yes_ends_the_round_at_once() -> None:
    c = check(DAY, yes=("saddle-numbness",))
    assert [a.question for a in c.answers] == ["saddle-numbness"]
    assert c.groups == (E,)  # urgent and background were never reached, so they stay due


# --- when each group is asked -------------------------------------------------------------------
@dataclass(frozen=True)
class When:
    id: str
    history: tuple[SafetyCheck, ...]
    today: date
    pain: int | None
    usual: float | None
    groups: tuple[Group, ...]
    reason: Reason | None


D1 = DAY - timedelta(days=1)
WHEN = [
    When("first-run", (), DAY, None, None, GROUPS, Reason.FIRST_RUN),
    When("first-run-even-with-high-pain", (), DAY, 10, 2, GROUPS, Reason.FIRST_RUN),
    When("answered-today-nothing-due", (check(DAY),), DAY, None, None, (), None),
    When("next-day-nothing-due", (check(D1),), DAY, None, None, (), None),
    When("6-days-nothing-due", (check(DAY - timedelta(6)),), DAY, None, None, (), None),
    When("7-days-the-emergency-group", (check(DAY - timedelta(7)),), DAY, None, None, (E,),
         Reason.ROUTINE),
    When("27-days-the-emergency-group", (check(DAY - timedelta(27)),), DAY, None, None, (E,),
         Reason.ROUTINE),
    When("emergency-asked-today-not-again", (check(DAY - timedelta(9)), check(DAY, (E,))), DAY,
         None, None, (), None),
    When("28-days-repeat-all", (check(DAY - timedelta(28)),), DAY, None, None, GROUPS,
         Reason.REPEAT),
    When("repeat-counts-from-the-last-full-round",
         (check(DAY - timedelta(40)), check(DAY - timedelta(10), ACUTE)), DAY, None, None,
         GROUPS, Reason.REPEAT),
    When("a-round-cut-short-leaves-background-due",
         (check(D1, yes=("saddle-numbness",)),), DAY, None, None, GROUPS, Reason.REPEAT),
    When("day-after-urgent-yes", (check(D1, yes=("fever",)), ), DAY, None, None, GROUPS,
         Reason.REPEAT),
    # An unresolved "yes" is not a matter of due questions: blocked() stops exercise and asks
    # whether a clinician has seen the person (test_an_acute_yes_stops_exercise_until_...).
    When("day-after-acute-only-yes",
         (check(D1 - timedelta(1)), check(D1, ACUTE, yes=("fall",), pain=9)), DAY, None, None,
         (), None),
    When("a-week-after-a-yes-the-emergency-group",
         (check(DAY - timedelta(8)), check(DAY - timedelta(7), ACUTE, yes=("fall",))), DAY,
         None, None, (E,), Reason.ROUTINE),
    When("same-day-as-a-yes-not-asked-again",
         (check(D1), check(DAY, ACUTE, yes=("fall",))), DAY, None, None, (), None),
    When("yes-then-no-since", (check(D1 - timedelta(1)), check(D1, ACUTE, yes=("fall",)),
                               check(DAY, ACUTE)), DAY, None, None, (), None),
    When("background-yes-is-not-re-asked-daily", (check(D1, yes=("cancer",)),), DAY, None,
         None, (), None),
    When("checkin-9-asks-acute", (check(D1),), DAY, 9, 8.0, ACUTE, Reason.HIGH_PAIN),
    When("checkin-10-no-history-of-pain", (check(D1),), DAY, 10, None, ACUTE, Reason.HIGH_PAIN),
    When("checkin-8-no-usual-level", (check(D1),), DAY, 8, None, (), None),
    When("checkin-2-above-usual", (check(D1),), DAY, 5, 3.0, ACUTE, Reason.HIGH_PAIN),
    When("checkin-1-above-usual", (check(D1),), DAY, 4, 3.0, (), None),
    When("pain-often-at-7-not-asked", (check(D1),), DAY, 7, 7.0, (), None),
    When("pain-8-when-usual-is-7-not-asked", (check(D1),), DAY, 8, 7.0, (), None),
    When("pain-9-when-usual-is-8-asked", (check(D1),), DAY, 9, 8.0, ACUTE, Reason.HIGH_PAIN),
    When("high-again-same-day-not-asked-twice",
         (check(D1), check(DAY, ACUTE, pain=9, reason=Reason.HIGH_PAIN)), DAY, 9, 3.0, (), None),
    When("higher-again-same-day-asked",
         (check(D1), check(DAY, ACUTE, pain=9, reason=Reason.HIGH_PAIN)), DAY, 10, 3.0, ACUTE,
         Reason.HIGH_PAIN),
    When("high-the-next-day-asked-again",
         (check(D1 - timedelta(1)), check(D1, ACUTE, pain=9, reason=Reason.HIGH_PAIN)), DAY, 9,
         3.0, ACUTE, Reason.HIGH_PAIN),
]


@pytest.mark.parametrize("case", WHEN, ids=lambda c: c.id)
def test_which_groups_are_due(case: When) -> None:
    got = due(case.history, case.today, RULES, pain=case.pain, usual=case.usual)
    assert (got.groups, got.reason) == (case.groups, case.reason)


def test_a_check_out_that_rose_asks_the_emergency_group() -> None:
    """The same rule as mid-session: a check-out pain_rise_stop above the day's check-in."""
    history = (check(D1),)
    got = due(history, DAY, RULES, pain=5, usual=4.0, pain_rose=True)
    assert (got.groups, got.reason) == ((E,), Reason.PAIN_ROSE)
    # Asked at 5 already today: the same 5 asks nothing, a rise to 6 asks again.
    asked = (*history, check(DAY, (E,), pain=5, reason=Reason.PAIN_ROSE))
    assert not due(asked, DAY, RULES, pain=5, usual=4.0, pain_rose=True)
    assert due(asked, DAY, RULES, pain=6, usual=5.0, pain_rose=True).groups == (E,)


def test_leg_symptoms_in_both_legs_ask_the_emergency_group() -> None:
    got = due((check(D1),), DAY, RULES, both_legs=True)
    assert (got.groups, got.reason) == ((E,), Reason.BOTH_LEGS)


def test_within_one_sitting_a_question_is_asked_again_only_if_pain_rose() -> None:
    """The first start asks every group before any rating; a check-in at 3 then asks
    nothing more, and a check-in well above the usual level asks the acute groups again."""
    first = (check(DAY, reason=Reason.FIRST_RUN),)
    assert not due(first, DAY, RULES, pain=3, usual=3.0)
    assert due(first, DAY, RULES, pain=9, usual=3.0).groups == ACUTE


def test_a_pain_log_entry_asks_like_a_check_in() -> None:
    """A pain-log entry is a rating like a check-in: the same call, the same answer."""
    history = (check(D1),)
    entry = due(history, DAY, RULES, pain=9, usual=usual_pain([2, 3, 2], RULES))
    assert entry.groups == ACUTE and entry.reason is Reason.HIGH_PAIN


def test_the_usual_level_is_the_bad_day_baseline() -> None:
    """The median of the last bad_day_window check-ins, as docs/progression.md says."""
    assert usual_pain([], RULES) is None
    assert usual_pain([2, 3, 2, 2, 3], RULES) == 2
    assert usual_pain([9, 9, 9, 1, 1, 1, 1, 1, 1, 1], RULES) == 1  # only the last seven


# --- what stops exercise, and for how long ---------------------------------------------------
def seen_round(day: date, how: How, *, yes: tuple[str, ...] = ()) -> SafetyCheck:
    """A follow-up: "has a clinician seen you since?" answered ``how``; only GREEN goes on to
    the emergency and urgent questions (answered no, or yes to those in ``yes``)."""
    if how is not How.GREEN:
        return SafetyCheck(f"seen{day}", day, datetime.combine(day, time(9)), Reason.SEEN, (),
                           (), None, Outcome.EMERGENCY, seen=how)
    c = check(day, ACUTE, yes=yes, reason=Reason.SEEN)
    return SafetyCheck(c.id, c.day, c.at, c.reason, c.groups, c.answers, c.pain, c.outcome,
                       seen=How.GREEN)


@pytest.mark.parametrize("yes", ["saddle-numbness", "weight-loss"])
def test_an_acute_yes_stops_exercise_until_a_clinician_has_seen_the_person(yes: str) -> None:
    result = Outcome.EMERGENCY if yes == "saddle-numbness" else Outcome.URGENT
    history = [check(DAY, yes=(yes,))]
    b = blocked(history, DAY, None)
    assert b == type(b)(result, DAY, follow_up=False) if b else False  # that day: advice only
    d2 = DAY + timedelta(days=1)
    b = blocked(history, d2, None)
    assert b is not None and b.outcome is result and b.follow_up  # asked "seen?" first
    # A plain "no" to the same questions the next day resolves nothing: no one looked at it.
    history.append(check(d2, ACUTE, reason=Reason.AFTER_YES))
    assert blocked(history, d2, None) is not None
    assert open_yes(history, d2, None) is history[0]
    # "Not seen" (AMBER, RED or silence): still stopped, and not asked again that day.
    d3 = d2 + timedelta(days=1)
    for how in (How.AMBER, How.RED, How.TIMEOUT):
        stopped = [*history, seen_round(d3, how)]
        b = blocked(stopped, d3, None)
        assert b is not None and b.outcome is result and not b.follow_up
    # Seen (GREEN), then "no" to every emergency and urgent question: exercise goes on.
    history.append(seen_round(d3, How.GREEN))
    assert blocked(history, d3, None) is None and open_yes(history, d3, None) is None
    # Seen, but a "yes" again: a new yes, stopped again.
    again = [*history[:-1], seen_round(d3, How.GREEN, yes=(yes,))]
    assert blocked(again, d3, None) is not None


def test_a_clearance_resolves_only_the_yes_answers_given_on_or_before_it() -> None:
    history = [check(D1, yes=("saddle-numbness",))]
    assert blocked(history, D1, cleared_on=D1) is not None  # a yes today stops today
    assert blocked(history, DAY, cleared_on=D1) is None  # cleared that day: resolved
    assert blocked(history, DAY, cleared_on=D1 - timedelta(days=1)) is not None  # older
    assert blocked(history, DAY, cleared_on=DAY + timedelta(days=1)) is not None  # future


def test_an_old_clearance_does_not_clear_a_new_background_yes() -> None:
    """Cleared for long-term steroids; weeks later, a new "yes" to the cancer question."""
    cleared = D1 - timedelta(days=30)
    history = [check(cleared, yes=("steroids-bones",))]
    assert blocked(history, DAY, cleared) is None
    assert cleared_questions(history, DAY, cleared) == {"steroids-bones"}
    # The same standing answer again, later: still covered.
    history.append(check(D1, yes=("steroids-bones",), cleared_on=cleared))
    assert blocked(history, DAY, cleared) is None
    # A new yes to cancer: waits for a new clearance.
    history.append(check(DAY, yes=("steroids-bones", "cancer")))
    b = blocked(history, DAY, cleared)
    assert b is not None and b.outcome is Outcome.BACKGROUND
    assert blocked(history, DAY, DAY) is None
    # A "no" after the clearance, then a "yes" again, is new too.
    again = [history[0], check(D1, cleared_on=cleared), check(DAY, yes=("steroids-bones",))]
    assert blocked(again, DAY, cleared) is not None


def test_an_advice_only_yes_lets_exercise_go_on() -> None:
    c = check(DAY, yes=("morning-stiffness",))
    assert c.outcome is Outcome.ADVICE and c.outcome.exercise
    assert blocked([c], DAY, None) is None


def test_a_background_yes_waits_for_the_clearance_in_the_config() -> None:
    history = [check(D1, yes=("cancer",))]
    assert blocked(history, DAY, None) == blocked(history, DAY + timedelta(days=90), None)
    b = blocked(history, DAY, None)
    assert b is not None and b.outcome is Outcome.BACKGROUND and b.since == D1
    assert blocked(history, DAY, cleared_on=DAY) is None
    assert blocked(history, DAY, cleared_on=DAY + timedelta(days=1)) is not None  # not yet
    # A later round answered "no" to the background questions lifts it too.
    assert blocked([*history, check(DAY)], DAY, None) is None


def test_kiosk_check_says_whether_exercise_waits_for_a_clearance() -> None:
    assert "no safety answers yet" in clearance_state([], DAY, None)
    waiting = clearance_state([check(D1, yes=("cancer",))], DAY, None)
    assert "EXERCISE WAITS" in waiting and "cleared_on" in waiting
    cleared = clearance_state([check(D1, yes=("cancer",))], DAY, D1)
    assert f"cleared by a clinician on {D1}" in cleared and "WAITS" not in cleared
    assert "after today" in clearance_state([], DAY, DAY + timedelta(days=3))


# --- the words -----------------------------------------------------------------------------
# "infection" is not here: the urgent question asks whether the person has had one, which is
# something they know, not a name for what their back has.
DIAGNOSES = ("cauda", "equina", "fracture", "tumour", "tumor", "malignan",
             "osteoporosis", "sciatica", "syndrome", "disc", "stenosis", "arthritis")


def test_the_wording_names_no_diagnosis_and_gives_the_three_advices() -> None:
    said = [*WORDING.welcome, *WORDING.buttons, WORDING.intro, WORDING.all_clear, WORDING.cleared,
            *WORDING.advice.values(), *(q.text for q in WORDING.questions)]
    for line in said:
        assert not [d for d in DIAGNOSES if d in line.lower()], line
    assert WORDING.advice[E].startswith("Stop. Please get emergency care now")
    assert WORDING.advice[U].startswith("Please contact your clinician today")
    assert WORDING.advice[B].startswith("Please check with your clinician that these "
                                        "exercises suit you")
    assert [len(WORDING.group(g)) for g in GROUPS] == [6, 5, 8, 1]
    assert not [q for q in WORDING.questions if " or is it " in q.text]  # one thing at a time
    assert WORDING.asking(GROUPS)[0].id == "saddle-numbness"
    welcome = " ".join(WORDING.welcome + WORDING.buttons)
    for part in ("not a medical device", "no diagnosis", "clinician", "GREEN", "AMBER", "RED"):
        assert part in welcome
