"""The ways into a session and out of it: the safety questions, the movement check, the PSFS,
the gentle day, the session, and what is said after it; the pain log between sessions. Pure.

Each step is a flow pushed on the host's stack with a continuation (``Host.push``): the
continuation decides what follows, so the order of a sitting reads here, top to bottom
(docs/safety.md, docs/signature.md, docs/progress.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from kiosk.core.coach import legs, rhythm
from kiosk.core.coach.plan import RESTART_NOTE
from kiosk.core.coach.safety import (
    ACUTE,
    GROUPS,
    Due,
    Group,
    How,
    Outcome,
    Reason,
    SafetyCheck,
    Setup,
    blocked,
    cleared_questions,
    due,
)
from kiosk.core.coach.signature import SignatureSetup, changes, latest
from kiosk.core.coach.signature import due as screening_due
from kiosk.core.data.model import Lengths, Plan
from kiosk.core.data.records import SessionRecord, last_pain
from kiosk.core.flows.host import Host
from kiosk.core.flows.painlog import PainLog
from kiosk.core.flows.psfs import Questionnaire, new_round
from kiosk.core.flows.psfs import due as psfs_due
from kiosk.core.flows.questions import Choice, Pages, Questions, advice_lines
from kiosk.core.flows.screening import Screening
from kiosk.core.flows.session import Session
from kiosk.core.flows.summary import SUMMARY_SECONDS, Summary
from kiosk.core.reports.progress import something_done
from kiosk.core.reports.weekly import first_session_of_week, summary_lines, week_facts
from kiosk.core.words import phrases

GENTLE_LINES = ("Pain is high today.", "GREEN: breathing and gentle movement",
                "AMBER: rest today")
LEGS_GENTLE_LINES = ("New leg symptoms today.", "GREEN: breathing and gentle movement",
                     "AMBER: rest today")


# --- before a session -------------------------------------------------------------------------
def before_session(k: Host) -> None:
    """GREEN on the home screen: any questions due first, then the session."""
    if k.safety is None:
        psfs_or_session(k)
        return
    if stopped(k, lambda: screen_first(k)):
        return
    ask(k, due(k.checks, k.today, k.safety.rules), None, lambda: screen_first(k))


def stopped(k: Host, go_on: Callable[[], None]) -> bool:
    """Exercise is off (docs/safety.md): True, and the advice is said, or, for an emergency
    or urgent "yes" from an earlier day, the person is first asked whether a clinician has
    seen them since; ``go_on`` follows if they have and every answer is then "no"."""
    assert k.safety is not None
    block = blocked(k.checks, k.today, k.cleared_on)
    if block is None:
        return False
    if block.follow_up:
        ask(k, Due(ACUTE, Reason.SEEN), None, go_on, standing=block.outcome)
    else:
        advise(k, block.outcome)
    return True


def first_run(k: Host, safety: Setup) -> None:
    """The welcome, once, then every question; the home screen after an all-clear."""
    welcome = Pages("welcome", safety.wording.about, t0=k.now, rate_wpm=k.rate(),
                    lengths=k.settings.spoken)
    first = Due(GROUPS, Reason.FIRST_RUN)
    after = (lambda: check_movement(k)) if k.screen_at_boot else (lambda: home_again(k))
    k.push(welcome, lambda _: ask(k, first, None, after))


def about(k: Host, safety: Setup) -> None:
    about = Pages("about", safety.wording.about, t0=k.now, rate_wpm=k.rate(),
                  lengths=k.settings.spoken, go_on="Home")
    k.push(about, lambda _: home_again(k))


def home_again(k: Host) -> None:
    k.say(phrases.welcome(k.plan))
    if not k.first_session_done:  # a first start: the movement check and session are next
        k.say(green_now(k))


def green_now(k: Host) -> str:
    """What GREEN on the home screen does now, in words (``before_session``): said when an
    offer lapses, so a person who was away hears the way on."""
    if k.blocked_advice():
        return phrases.GREEN_ADVICE
    if not k.first_session_done:
        setup = k.signature
        first = setup is not None and screening_due(k.records, k.today, setup) == "first-run"
        return phrases.GREEN_FIRST_CHECK if first else phrases.GREEN_FIRST_SESSION
    if any(s.plan_date == k.today for s in k.sessions):
        return phrases.GREEN_ANOTHER
    return phrases.GREEN_SESSION


# --- the safety steps (docs/safety.md) ----------------------------------------------------------
def ask(k: Host, need: Due, pain: int | None, go_on: Callable[[], None], *,
        standing: Outcome | None = None, hush: bool = True) -> None:
    """Ask the groups in ``need`` (if any); on an all-clear, ``go_on``; else the advice.
    ``standing``: a follow-up of an unresolved "yes" (``Questions``). ``hush`` False: the
    line before is heard out (a silence said back)."""
    safety = k.safety
    if not need or need.reason is None or safety is None:
        go_on()
        return
    questions = Questions(safety.wording, need.groups, need.reason, t0=k.now,
                          answer_seconds=safety.answer_seconds, rate_wpm=k.rate(),
                          lengths=k.settings.spoken, pain=pain, standing=standing,
                          hush=hush)

    def answered(_: Questions) -> None:
        check = save_check(k, questions)
        if check.outcome.exercise:
            advice = check.yes_in(Group.ADVICE) and check.outcome is not Outcome.ADVICE
            for line in advice_lines(safety.wording, check.outcome, advice=advice):
                k.say(line)
            go_on()
        else:
            advise(k, check.outcome)

    k.push(questions, answered, hush=hush)


def save_check(k: Host, questions: Questions) -> SafetyCheck:
    at = k.wall().replace(microsecond=0)
    cid = k.new_id("check", at)
    cleared_on = k.cleared_on
    check = questions.check(cid, k.today, at, cleared_questions(k.checks, k.today, cleared_on))
    k.save(check)
    return check


def advise(k: Host, outcome: Outcome) -> None:
    """Say what the answers lead to; no exercise. Any press, or a while, goes home."""
    assert k.safety is not None
    session = k.session
    if session is not None:  # held after its check-in: it ends, finished
        # Unsaved, unless it holds a leg answer: that is for the clinician, and kept.
        k.run(session.end_before_exercise(save=session.legs is not None))
    else:
        k.finished()  # the sitting is over all the same: no exercise follows
    lines = advice_lines(k.safety.wording, outcome)
    title = "Emergency care now" if outcome is Outcome.EMERGENCY else "No exercise today"
    if outcome is Outcome.BACKGROUND:
        title = "Check with your clinician"
    advice = Pages("advice", ((title, lines),), t0=k.now, rate_wpm=k.rate(),
                   lengths=k.settings.spoken, go_on="Home", finish_after=SUMMARY_SECONDS)
    k.push(advice)


def after_pain_entry(k: Host, pain: int) -> None:
    """A pain-log rating asks the emergency and urgent questions as a check-in does: when
    it is very high, or well above the usual level (docs/safety.md)."""
    if k.safety is None:
        return
    need = due(k.checks, k.today, k.safety.rules, pain=pain, usual=k.usual_pain())
    if need:
        ask(k, need, pain, lambda: home_again(k))


def after_checkin(k: Host, pain: int) -> bool:
    """The session's check-in hook: True holds the session for the safety steps. The leg
    question first (``[safety] leg_question``), then the red-flag round due, then the gentle
    offer on a high-pain day or a new leg "yes"."""
    safety, session = k.safety, k.session
    assert safety is not None and session is not None
    if safety.leg_question:
        k.run(session.said_so_far())  # "Pain two. Thank you." first, heard out
        ask_legs(k, lambda answer, heard: checkin_round(k, pain, answer, hush=heard))
        return True
    need = due(k.checks, k.today, safety.rules, pain=pain, usual=k.usual_pain())
    if not need and pain < safety.gentle_from:
        return False
    ask(k, need, pain, lambda: gentle_or_go_on(k, pain))
    return True


def ask_legs(k: Host, then: Callable[[str, bool], None]) -> None:
    """"Any pain, tingling, numbness or weakness below the knee today?", and on a yes, "Is it
    in both legs?" (kiosk.core.coach.legs). RED or silence counts as yes on both. ``then``
    gets the answer, and whether it was pressed (a press cuts off what is being said; a
    silence is said back, and that line is heard out)."""
    assert k.safety is not None
    wait = k.safety.answer_seconds

    def pressed(c: Choice) -> bool:
        return c.how is not How.TIMEOUT

    symptoms = leg_question(False, t0=k.now, rate_wpm=k.rate(), lengths=k.settings.spoken,
                            wait=wait)

    def answered(_: Choice) -> None:
        if not symptoms.accepted:
            then(legs.answer(False, None), pressed(symptoms))
            return
        both = leg_question(True, t0=k.now, rate_wpm=k.rate(), lengths=k.settings.spoken,
                            wait=wait)
        k.push(both, lambda _: then(legs.answer(True, bool(both.accepted)), pressed(both)),
               hush=pressed(symptoms))

    k.push(symptoms, answered, hush=False)  # after the check-in's "Pain two. Thank you."


def leg_question(both: bool, *, t0: float, rate_wpm: int, lengths: Lengths | None,
                 wait: float) -> Choice:
    """The leg question (``both``: its second half, "Is it in both legs?"): GREEN "Yes",
    AMBER "No", RED "Not sure (yes)"; silence counts as yes after a warning."""
    screen, title, text = (("both-legs", "Both legs?", phrases.BOTH_LEGS_QUESTION) if both
                           else ("legs", "Below the knee", phrases.LEGS_QUESTION))
    return Choice(screen, title, (text,), (text,), t0=t0, rate_wpm=rate_wpm, lengths=lengths,
                  yes="Yes", no="No", timeout=wait, safe_yes=True)


def checkin_round(k: Host, pain: int, answer: str, *, hush: bool) -> None:
    """After the leg question: the answer kept with the session; the red-flag round due (the
    emergency group too when both legs); then the gentle offer or the session."""
    session, safety = k.session, k.safety
    assert session is not None and safety is not None
    session.legs = answer
    need = due(k.checks, k.today, safety.rules, pain=pain, usual=k.usual_pain(),
               both_legs=answer == legs.BOTH)
    new = legs.is_new(k.sessions, k.today, answer)
    ask(k, need, pain, lambda: gentle_or_go_on(k, pain, new_legs=new), hush=hush)


def gentle_or_go_on(k: Host, pain: int, *, new_legs: bool = False) -> None:
    """The session, or on a high-pain day or a new leg "yes" the gentle offer first: gentle
    movement or rest, never more load. After a new leg "yes" the offer waits for what was
    said before it (the all-clear, or a silence said back), and begins with the advice."""
    session, safety = k.session, k.safety
    assert session is not None and safety is not None
    if pain < safety.gentle_from and not new_legs:
        k.run(session.resume())
        return
    spoken = ((phrases.LEGS_ADVICE, phrases.LEGS_GENTLE_OFFER) if new_legs
              else (phrases.GENTLE_OFFER,))
    offer = Choice("gentle", "A gentle day", LEGS_GENTLE_LINES if new_legs else GENTLE_LINES,
                   spoken, t0=k.now, rate_wpm=k.rate(), lengths=k.settings.spoken,
                   yes="Gentle", no="Rest today", timeout=safety.answer_seconds)

    def chosen(_: Choice) -> None:
        session = k.session
        if session is None:
            return
        if not offer.accepted:
            if offer.lapsed:
                k.say(phrases.GENTLE_LAPSED)
            k.say(phrases.GENTLE_REST)
            k.run(session.end_before_exercise(save=True))
            if offer.lapsed:
                k.say(green_now(k))
            return
        plan = k.gentle(k.records, k.today, k.plan) if k.gentle else None
        if plan is not None and not plan.exercises:
            k.say(phrases.GENTLE_BREATHING_ONLY)
        k.run(session.resume(plan or Plan(k.plan.date, ())))

    k.push(offer, chosen, hush=not new_legs)


# --- the movement signature (docs/signature.md) -------------------------------------------------
def screen_first(k: Host) -> None:
    """Before a session: the screening at the first run, an offer when one is due (every
    few weeks), else the session at once."""
    setup = k.signature
    why = screening_due(k.records, k.today, setup) if setup is not None else None
    if why is None and setup is not None and setup.probes and RESTART_NOTE in k.plan.notes:
        # A long break (away_restart_days): a gentle restart, and how this spine moves today
        # is worth a look before the first session back (docs/progression.md).
        why = "restart"
    if setup is None or why is None or k.not_today == k.today:
        psfs_or_session(k)
    elif why == "first-run":
        screen(k, setup, why, lambda: psfs_or_session(k))
    else:
        offer = Choice("screen-offer", "Check how you move?",
                       (f"About {setup.minutes(k.rate())} minutes, before today's "
                        "session.", "GREEN: check now", "AMBER: not today"),
                       (phrases.SCREEN_RESTART if why == "restart" else phrases.SCREEN_DUE,),
                       t0=k.now, rate_wpm=k.rate(),
                       lengths=k.settings.spoken, yes="Check now", no="Not today",
                       timeout=k.safety.answer_seconds if k.safety else 60.0)

        def chosen(_: Choice) -> None:
            if offer.accepted:
                screen(k, setup, why, lambda: psfs_or_session(k))
            else:
                k.not_today = k.today
                if offer.lapsed:  # the session follows: its check-in says what GREEN does
                    k.say(phrases.SCREEN_LAPSED)
                psfs_or_session(k, hush=not offer.lapsed)

        k.push(offer, chosen)


def check_movement(k: Host) -> None:
    """A screening asked for ("Check how you move" in the menu, `kiosk demo --screening`):
    any safety questions due first, as before a session; home afterwards."""
    setup = k.signature
    if setup is None:
        return

    def go_on() -> None:
        screen(k, setup, "asked", lambda: home_again(k))

    if k.safety is None:
        go_on()
        return
    if stopped(k, go_on):
        return
    ask(k, due(k.checks, k.today, k.safety.rules), None, go_on)


def screen(k: Host, setup: SignatureSetup, reason: str, go_on: Callable[[], None]) -> None:
    at = k.wall().replace(microsecond=0)
    before = latest(k.records)
    screening = Screening(
        setup, t0=k.now, at=at, day=k.today, reason=reason,
        screening_id=k.new_id("screening", at),
        rate_wpm=k.rate(), lengths=k.settings.spoken, last_pain=last_pain(k.records),
        pain_timeout=k.settings.pain_timeout, before=before,
        changes=(lambda now: changes(before, now, setup)) if before is not None else None,
        finish=reason == "asked", pain_rise_stop=k.settings.pain_rise_stop,
    )

    def screened(_: Screening) -> None:
        k.plan = k.planner(k.records, k.today, None)  # tuned by what it found
        then: Callable[[], None] = go_on
        if screening.ended_early:  # RED held: home
            then = lambda: home_again(k)  # noqa: E731
        pain = screening.max_pain
        if pain is not None and k.safety is not None:
            # Pain in a probe asks the emergency and urgent questions as a pain-log rating
            # does (docs/safety.md); their advice, not exercise, follows a "yes".
            need = due(k.checks, k.today, k.safety.rules, pain=pain, usual=k.usual_pain())
            if need:
                ask(k, need, pain, then)
                return
        then()

    k.push(screening, screened)


# --- the PSFS and the session ---------------------------------------------------------------
def psfs_or_session(k: Host, *, hush: bool = True) -> None:
    p = k.progress
    if not psfs_due(k.records, k.today, p.psfs_activities, p.psfs_every_weeks):
        start_session(k, hush=hush)
        return
    at = k.wall().replace(microsecond=0)
    rid = k.new_id("psfs", at)
    psfs = new_round(k.records, p.psfs_activities, t0=k.now, at=at, record_id=rid)

    def answered(_: Questionnaire) -> None:
        start_session(k, hush=False)  # the thanks is said, then the check-in

    k.push(psfs, answered)


def start_session(k: Host, *, hush: bool = True) -> None:
    started = k.wall().replace(microsecond=0)
    day = k.today
    sid = k.new_id("session", started)
    k.plan = k.planner(k.records, day, None)
    session = Session(
        k.plan,
        k.settings,
        t0=k.now,
        started_at=started,
        session_id=sid,
        last_pain=k.last_pain(),
        replan=lambda pain: k.planner(k.records, day, pain),
        on_checkin=(lambda pain: after_checkin(k, pain)) if k.safety is not None else None,
    )
    k.push(session, lambda s: session_done(k, s), hush=hush)


def session_done(k: Host, session: Session) -> None:
    """A saved session leaves its summary on screen, says how the week goes and, at the
    week's first session, how last week went; the plan is made again from it."""
    if session.session_id in k.ids():
        record = session.record()
        if rhythm.counts(record) and record.ended_by != "pain":
            k.say(rhythm.spoken(k.week()))
        last_week(k, record)
        k.push(Summary(record, k.now), hush=False)
        after_checkout(k, record)
    k.plan = k.planner(k.records, k.today, None)


def after_checkout(k: Host, record: SessionRecord) -> None:
    """A check-out whose pain rose by ``pain_rise_stop`` or more over the day's check-in (the
    rule that stops a set mid-session), or that is very high, asks the emergency questions
    before the person walks away (docs/safety.md); over the summary, which comes back after."""
    if k.safety is None or record.pain_after is None:
        return
    before = record.pain_before
    rose = before is not None and record.pain_after - before >= k.settings.pain_rise_stop
    need = due(k.checks, k.today, k.safety.rules, pain=record.pain_after,
               usual=k.usual_pain(), pain_rose=rose)
    if need:
        ask(k, need, record.pain_after, lambda: None)


def last_week(k: Host, session: SessionRecord) -> None:
    """At the end of the week's first session, how last week went: once, and only when
    last week had a session (a quiet week needs no report)."""
    recent = k.recent()
    saved = [r for r in recent if r.id != session.id]
    if not something_done(session) or not first_session_of_week(saved, k.today):
        return
    facts = week_facts(recent, k.today - timedelta(weeks=1), k.progress.ladders,
                       [name for name, _ in k.plan.waiting])
    if facts.sessions:
        k.say(" ".join(summary_lines(facts, lead="Last week")))


# --- the pain log ------------------------------------------------------------------------------
def pain_log(k: Host) -> None:
    """RED on the home screen: rate the pain right now, saved as a pain entry."""
    at = k.wall().replace(microsecond=0)
    log = PainLog(k.settings, t0=k.now, at=at, entry_id=k.new_id("pain", at),
                  last_pain=k.last_pain())

    def logged(log: PainLog) -> None:
        """A saved rating that is very high, or well above the usual, asks the emergency and
        urgent questions as a check-in does (docs/safety.md)."""
        if log.saved is not None:
            after_pain_entry(k, log.saved.pain)

    k.push(log, logged)
