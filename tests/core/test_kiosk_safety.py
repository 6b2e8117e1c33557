"""The safety steps through the pure kiosk, driven by a simulated person pressing buttons:
the first-run welcome, the questions before exercise, the advice after a "yes", and the gentle
path on a high-pain day (docs/safety.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from kiosk.config import DEFAULT_CONFIG, load_config
from kiosk.core.coach.gentle import gentle_plan
from kiosk.core.coach.progression import exercise_states, plan_for_day
from kiosk.core.coach.safety import (
    ACUTE,
    GROUPS,
    Group,
    How,
    Outcome,
    Reason,
    Rules,
    SafetyCheck,
    Setup,
)
from kiosk.core.data.events import Finished, Hold, Press, Save, Tick
from kiosk.core.data.model import Button, Plan
from kiosk.core.data.records import Record, SessionRecord, sessions_of
from kiosk.core.words import phrases
from kiosk.sim import SimUser
from tests.core.helpers import FAST, Run
from tests.core.test_gentle import done

CFG = load_config(DEFAULT_CONFIG).config
WORDING = CFG.wording
SETUP = Setup(WORDING, Rules(), None, 60.0, 7)
DAY = date(2026, 11, 25)


def planner(records: Sequence[Record], day: date, pain: int | None) -> Plan:
    # The kiosk hands its planner every record; the sessions are what the plan progresses from.
    return plan_for_day(CFG.library, sessions_of(records), day, CFG.progression, CFG.session,
                        pain)


def gentle(records: Sequence[Record], day: date, plan: Plan) -> Plan:
    # The kiosk hands its gentle planner every record too (a clinician's program among them).
    states = exercise_states(CFG.library, sessions_of(records), day, CFG.progression)
    return gentle_plan(CFG.library, states, plan, most=CFG.progression.exercises_min)


def run(user: SimUser, *, checks: Sequence[SafetyCheck] = (),
        sessions: Sequence[SessionRecord] = (), day: date = DAY, setup: Setup = SETUP) -> Run:
    return Run(user, planner=planner, records=[*sessions, *checks], day=day.isoformat(),
               settings=FAST, safety=setup, gentle=gentle)


def all_no(day: date, groups: tuple[Group, ...] = GROUPS) -> SafetyCheck:
    from tests.core.test_safety import check

    return check(day, groups)


def until(r: Run, test: Any, limit: float = 3600.0) -> Run:
    while r.t < limit:
        r.step()
        if test(r):
            return r
    raise AssertionError(f"never happened; at {r.kiosk.view}")


def session_saves(r: Run) -> list[SessionRecord]:
    return [s for s in r.saved if isinstance(s, SessionRecord)]


def safety_saves(r: Run) -> list[SafetyCheck]:
    return [s for s in r.saved if isinstance(s, SafetyCheck)]


def test_a_fresh_kiosk_welcomes_once_then_asks_every_question_before_any_exercise() -> None:
    r = run(SimUser("steady"))
    assert r.kiosk.view.screen == "welcome"
    assert r.kiosk.view.lines == WORDING.welcome
    assert r.said[: len(WORDING.welcome)] == list(WORDING.welcome)
    screens: list[str] = []

    def noted_until_primer(r: Run) -> bool:
        screens.append(r.kiosk.view.screen)
        return r.kiosk.session is not None and r.kiosk.session.phase == "primer"

    until(r, noted_until_primer)
    # Welcome, then the questions, then home, then the check-in: no exercise before them.
    order = list(dict.fromkeys(screens))
    assert order.index("question") < order.index("home") < order.index("checkin")
    assert [line for line in r.said if line in WORDING.buttons] == list(WORDING.buttons)
    asked = [q.text for q in WORDING.questions]
    assert [line for line in r.said if line in asked] == asked  # each once, in order
    assert r.said.count(WORDING.welcome[0]) == 1
    assert WORDING.all_clear in r.said
    [c] = safety_saves(r)
    assert (c.reason, c.groups, c.outcome) == (Reason.FIRST_RUN, GROUPS, Outcome.CLEAR)
    assert len(c.answers) == 20 and not any(a.yes for a in c.answers)


def test_red_flag_gets_the_emergency_advice_and_no_exercise() -> None:
    r = run(SimUser("red-flag"))
    until(r, lambda r: r.finished)
    advice = WORDING.advice[Group.EMERGENCY]
    assert advice in r.said and r.said[-1] == advice
    assert r.kiosk.view.screen == "advice" and advice in r.kiosk.view.lines
    assert r.kiosk.session is None and session_saves(r) == []
    [record] = safety_saves(r)
    assert record.outcome is Outcome.EMERGENCY
    assert [(a.question, a.yes) for a in record.answers] == [("saddle-numbness", True)]
    # Back home, and GREEN there gives the advice again: no exercise today.
    r.feed([Press(Button.GREEN, r.t + 1)])
    assert r.kiosk.view.screen == "home" and r.kiosk.view.lines == (advice,)
    r.feed([Press(Button.GREEN, r.t + 2)])
    assert r.kiosk.view.screen == "advice" and r.kiosk.session is None


def test_no_answer_for_a_minute_counts_as_yes() -> None:
    r = run(SimUser("steady"))
    r.feed([Press(Button.GREEN, 1.0), Press(Button.GREEN, 1.5)])  # past the two welcome screens
    assert r.kiosk.view.screen == "question"
    t = 1.0
    while r.kiosk.view.screen == "question" and t < 200:
        t += 0.5
        r.effects += r.kiosk.handle(Tick(t))
    assert r.kiosk.view.screen == "advice"
    assert safety_saves(r)[0].answers[0].how is How.TIMEOUT


def test_the_about_item_says_the_welcome_again() -> None:
    r = run(SimUser("steady"), checks=[all_no(DAY)])
    assert r.kiosk.view.screen == "home"
    assert r.kiosk.view.buttons[Button.AMBER] == "Plan (hold: menu)"
    r.feed([Press(Button.AMBER, 1.0), Hold(Button.AMBER, 2.5)])  # the menu
    assert r.kiosk.view.screen == "menu"
    # Past "Your progress", "This week" and "Copy to USB", to "About", the last item
    r.feed([Press(Button.AMBER, 3.0), Press(Button.AMBER, 4.0), Press(Button.AMBER, 4.5)])
    assert r.said[-1] == "About."
    r.feed([Press(Button.GREEN, 5.0)])
    assert r.kiosk.view.screen == "about"
    assert r.said[-len(WORDING.welcome):] == list(WORDING.welcome)
    r.feed([Press(Button.GREEN, 20.0)])
    assert r.kiosk.view.lines == WORDING.buttons
    assert r.said[-len(WORDING.buttons):] == list(WORDING.buttons)
    r.feed([Press(Button.GREEN, 40.0)])
    assert r.kiosk.view.screen == "home"


def history(days: int = 3) -> list[SessionRecord]:
    """A few clean days of three known families, check-ins at 2."""
    out = []
    for d in range(days, 0, -1):
        day = DAY - timedelta(days=d)
        for fam, var, n in (("dead-bug", "dead-bug-full", 6),
                            ("open-book", "open-book-kneeling", 3), ("bridge", "bridge-full", 8)):
            out.append(done(day, fam, var, n))
    return out


def test_a_high_check_in_asks_the_emergency_and_urgent_groups_then_offers_the_gentle_path() -> None:
    r = run(SimUser("steady", checkin_pain=9), checks=[all_no(DAY - timedelta(days=3))],
            sessions=history())
    until(r, lambda r: r.kiosk.view.screen == "gentle")
    [record] = safety_saves(r)
    assert (record.reason, record.groups, record.pain) == (Reason.HIGH_PAIN, ACUTE, 9)
    assert phrases.GENTLE_OFFER in r.said
    until(r, lambda r: r.kiosk.session is None)  # GREEN took the gentle path, done
    [session] = [s for s in session_saves(r) if s.plan_date == DAY]
    assert session.pain_before == 9
    variations = [e.variation for e in session.exercises]
    assert variations == ["dead-bug-heel-slide", "open-book-side-lying"]
    assert all(e.change == "gentle" for e in session.exercises)
    lib = {v.id: v for f in CFG.library.families for v in f.ladder}
    assert all(lib[v].gentle and lib[v].position != "loaded" for v in variations)


def test_ten_out_of_ten_with_no_history_is_breathing_only_never_a_loaded_session() -> None:
    r = run(SimUser("steady", checkin_pain=10), checks=[all_no(DAY)])
    until(r, lambda r: r.kiosk.view.screen == "gentle")
    until(r, lambda r: r.kiosk.session is None)
    assert phrases.GENTLE_BREATHING_ONLY in r.said
    [session] = session_saves(r)
    assert session.exercises == () and session.pain_before == 10


def test_amber_at_the_gentle_offer_ends_for_today_with_a_kind_word() -> None:
    r = run(SimUser("steady", checkin_pain=7), checks=[all_no(DAY)], sessions=history())
    until(r, lambda r: r.kiosk.view.screen == "gentle")
    r.feed([Press(Button.AMBER, r.t + 0.1)])
    assert phrases.GENTLE_REST in r.said and r.kiosk.session is None
    [session] = [s for s in session_saves(r) if s.plan_date == DAY]
    assert session.exercises == () and session.ended_by == "stop"
    # 7 is five above the usual 2: the emergency and urgent questions came first.
    assert [c.reason for c in safety_saves(r)] == [Reason.HIGH_PAIN]


def test_an_urgent_yes_after_check_in_stops_the_day_and_asks_again_the_next_day() -> None:
    class Fever(SimUser):
        def decide(self, view: Any, t: float) -> Any:
            action = super().decide(view, t)
            if action and view.screen == "question" and any("fever" in x for x in view.lines):
                return type(action)(Button.GREEN)
            return action

    r = run(Fever("steady", checkin_pain=9), checks=[all_no(DAY - timedelta(days=1))],
            sessions=history())
    until(r, lambda r: r.finished)
    assert WORDING.advice[Group.URGENT] in r.said
    # No exercise; the check-in is kept for its leg answer (the clinician reads it).
    assert [(s.exercises, s.ended_by, s.pain_before, s.legs) for s in session_saves(r)
            if s.plan_date == DAY] == [((), "stop", 9, "none")]
    checks = [all_no(DAY - timedelta(days=1)), *safety_saves(r)]
    # The next day: the questions come before any exercise.
    nxt = run(SimUser("steady"), checks=checks, sessions=history(), day=DAY + timedelta(days=1))
    nxt.feed([Press(Button.GREEN, 1.0)])
    assert nxt.kiosk.view.screen == "question"
    assert nxt.kiosk.session is None


class Seen(SimUser):
    """Answers "has a clinician seen you since?" with GREEN; every other question as usual."""

    def decide(self, view: Any, t: float) -> Any:
        action = super().decide(view, t)
        if action and view.screen == "question" and phrases.SEEN_QUESTION in view.lines:
            return type(action)(Button.GREEN)
        return action


def test_a_check_out_that_rose_asks_the_emergency_questions_after_the_session() -> None:
    """Check-in 2, check-out 9: the session is saved, then the emergency questions come
    before the person walks away; a check-out that did not rise asks nothing."""
    r = run(SimUser("steady", checkin_pain=2, checkout_pain=9),
            checks=[all_no(DAY - timedelta(days=1))], sessions=history())
    until(r, lambda r: any(s.plan_date == DAY for s in session_saves(r)))
    until(r, lambda r: bool(safety_saves(r)))
    [session] = [s for s in session_saves(r) if s.plan_date == DAY]
    assert (session.pain_before, session.pain_after) == (2, 9)
    [check] = safety_saves(r)
    assert check.reason in (Reason.PAIN_ROSE, Reason.HIGH_PAIN) and Group.EMERGENCY in check.groups
    assert check.pain == 9 and check.outcome is Outcome.CLEAR
    calm = run(SimUser("steady", checkin_pain=2, checkout_pain=2),
               checks=[all_no(DAY - timedelta(days=1))], sessions=history())
    until(calm, lambda r: r.finished)
    until(calm, lambda r: r.kiosk.view.screen == "home", limit=7200)
    assert safety_saves(calm) == []


def test_a_check_out_rise_below_high_pain_asks_the_emergency_group_alone() -> None:
    r = run(SimUser("steady", checkin_pain=1, checkout_pain=3),  # usual 2: not a bad day
            checks=[all_no(DAY - timedelta(days=1))], sessions=history())
    until(r, lambda r: bool(safety_saves(r)))
    [check] = safety_saves(r)
    assert (check.reason, check.groups, check.pain) == (Reason.PAIN_ROSE, (Group.EMERGENCY,), 3)


def test_an_emergency_yes_holds_until_the_person_says_a_clinician_has_seen_them() -> None:
    """Emergency yes -> the next day a plain "no" is not asked for and clears nothing; "not
    seen" keeps exercise off -> "a clinician has seen me" and all "no" lets it go on; each
    answer is recorded."""
    first = run(SimUser("red-flag"), checks=[all_no(DAY - timedelta(days=8))],
                sessions=history())
    until(first, lambda r: r.finished)
    checks = [all_no(DAY - timedelta(days=8)), *safety_saves(first)]
    assert checks[-1].outcome is Outcome.EMERGENCY
    # The next day: GREEN asks whether a clinician has seen them; the steady person says no.
    d2 = DAY + timedelta(days=1)
    r2 = run(SimUser("steady"), checks=checks, sessions=history(), day=d2)
    assert r2.kiosk.view.lines == (WORDING.advice[Group.EMERGENCY],)  # the home screen says so
    until(r2, lambda r: r.finished)
    assert phrases.SEEN_QUESTION in r2.said
    assert WORDING.advice[Group.EMERGENCY] in r2.said and session_saves(r2) == []
    [not_seen] = safety_saves(r2)
    assert (not_seen.reason, not_seen.seen, not_seen.outcome, not_seen.answers) == (
        Reason.SEEN, How.AMBER, Outcome.EMERGENCY, ())
    # The same day again: not asked twice; the advice again.
    checks.append(not_seen)
    again = run(SimUser("steady"), checks=checks, sessions=history(), day=d2)
    again.feed([Press(Button.GREEN, 1.0)])
    assert again.kiosk.view.screen == "advice" and phrases.SEEN_QUESTION not in again.said
    # Two days on, seen: the emergency and urgent questions again, all "no", then the session.
    d3 = d2 + timedelta(days=1)
    r3 = run(Seen("steady"), checks=checks, sessions=history(), day=d3)
    until(r3, lambda r: r.finished)
    [seen] = safety_saves(r3)
    assert (seen.reason, seen.seen, seen.outcome, seen.groups) == (
        Reason.SEEN, How.GREEN, Outcome.CLEAR, ACUTE)
    assert [s.plan_date for s in session_saves(r3)] == [d3]


def test_the_check_in_is_not_held_when_nothing_is_due_and_pain_is_low() -> None:
    # Held only for the leg question (answered no): no round, no offer, nothing saved yet.
    r = run(SimUser("steady", checkin_pain=3), checks=[all_no(DAY)], sessions=history())
    until(r, lambda r: r.kiosk.session is not None and r.kiosk.session.phase == "intro")
    assert safety_saves(r) == [] and phrases.GENTLE_OFFER not in r.said
    assert not any(isinstance(e, Finished) for e in r.effects)
    assert not [e for e in r.effects if isinstance(e, Save)]


def test_a_high_pain_log_rating_asks_the_emergency_and_urgent_questions_like_a_check_in() -> None:
    from kiosk.core.data.events import Release
    from kiosk.core.data.records import PainEntry

    r = run(SimUser(presses=""), checks=[all_no(DAY - timedelta(days=3))], sessions=history())
    t = r.t + 1.0
    r.feed([Press(Button.RED, t), Release(Button.RED, t + 0.1)])  # RED at home: the pain log
    assert r.kiosk.view.screen == "painlog"
    start = r.kiosk.view.pain or 0  # it starts at the last rating
    for _ in range(8 - start):
        t += 1.0
        r.feed([Press(Button.GREEN, t), Release(Button.GREEN, t + 0.1)])
    r.feed([Press(Button.GREEN, t + 1.0), Hold(Button.GREEN, t + 2.5)])  # hold GREEN: saved
    [entry] = [s for s in r.saved if isinstance(s, PainEntry)]
    assert entry.pain == 8
    # 8 is six above the usual 2: the emergency and urgent questions follow the save at once.
    assert r.kiosk.view.screen == "question"
    t += 3.0
    while not safety_saves(r) and t < 600:  # AMBER: no, to every question asked
        t += 5.0
        r.feed([Press(Button.AMBER, t), Release(Button.AMBER, t + 0.1)])
    [check] = safety_saves(r)
    assert (check.reason, check.groups, check.pain) == (Reason.HIGH_PAIN, ACUTE, 8)
    assert check.outcome.exercise and r.kiosk.view.screen == "home"  # all no: home again
    assert all(s.plan_date != DAY for s in session_saves(r))  # and no session was started


def test_a_usual_pain_log_rating_asks_nothing() -> None:
    from kiosk.core.data.events import Release

    r = run(SimUser(presses=""), checks=[all_no(DAY - timedelta(days=3))], sessions=history())
    t = r.t + 1.0
    r.feed([Press(Button.RED, t), Release(Button.RED, t + 0.1)])
    for _ in range((r.kiosk.view.pain or 0) - 2):  # down to the usual 2
        t += 1.0
        r.feed([Press(Button.AMBER, t), Release(Button.AMBER, t + 0.1)])
    r.feed([Press(Button.GREEN, t + 1.0), Hold(Button.GREEN, t + 2.5)])
    assert r.kiosk.view.screen == "home" and not safety_saves(r)


def test_no_answer_at_the_gentle_offer_rests_for_today_and_says_what_green_does_now() -> None:
    """Issue 30: an offer that lapses says so, and what GREEN does now."""
    r = run(SimUser("steady", checkin_pain=7), checks=[all_no(DAY)], sessions=history())
    until(r, lambda r: r.kiosk.view.screen == "gentle")
    r.user.out_of_presses = True  # the person has walked away
    until(r, lambda r: r.kiosk.session is None)
    said = r.said
    assert said[-3:] == [phrases.GENTLE_LAPSED, phrases.GENTLE_REST, phrases.GREEN_ANOTHER]
    [session] = [s for s in session_saves(r) if s.plan_date == DAY]
    assert session.exercises == (), "resting is never more load"
