"""The screening as a person meets it, through the pure kiosk (kiosk/core/flows/screening.py).

A fresh kiosk welcomes, asks the safety questions, checks how the person moves, then runs the
first session; what is said, shown and saved is what is checked. Milliseconds per test.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from kiosk.config import DEFAULT_CONFIG, load_config
from kiosk.core.coach.signature import latest, tuning
from kiosk.core.data.model import Button, Plan
from kiosk.core.data.records import Record, ScreeningRecord, SessionRecord, sessions_of
from kiosk.core.flows.screening import PAIN_PROMPT, Phase
from kiosk.core.words import phrases
from kiosk.sim import SimUser
from tests.core.helpers import FAST, Run, movement_check, stiff_left_ratings
from tests.core.test_kiosk_safety import SETUP as SAFETY
from tests.core.test_kiosk_safety import all_no, gentle, until

CFG = load_config(DEFAULT_CONFIG).config
DAY = date(2026, 10, 12)


def planner(records: Sequence[Record], day: date, pain: int | None) -> Plan:
    from kiosk.core.coach.progression import plan_for_day

    return plan_for_day(CFG.library, sessions_of(records), day, CFG.progression, FAST, pain,
                        tuning=tuning(latest(records), CFG.signature))


def kiosk(user: SimUser, records: Sequence[Record] = (), day: date = DAY, **kw: Any) -> Run:
    return Run(user, planner=planner, records=records, day=day.isoformat(), settings=FAST,
               safety=SAFETY, gentle=gentle, signature=CFG.signature, **kw)


def screenings(r: Run) -> list[ScreeningRecord]:
    return [s for s in r.saved if isinstance(s, ScreeningRecord)]


def until_checkin(r: Run) -> Run:
    return until(r, lambda r: r.kiosk.session is not None)


def test_a_fresh_kiosk_screens_after_the_questions_and_before_the_first_session() -> None:
    r = until_checkin(kiosk(SimUser("stiff-left")))
    said = r.said
    q_end = said.index(SAFETY.wording.all_clear)
    check = said.index("Let's check how you move today, one movement at a time.")
    checkin = next(i for i, line in enumerate(said) if line.startswith("First, how is your back"))
    assert q_end < check < checkin
    [sig] = screenings(r)
    assert sig.reason == "first-run" and sig.complete
    stiff = {(p.probe, p.side) for p in sig.results if p.rating == "stiff"}
    assert stiff == {("hip-rotation", "left"), ("rib-expansion", "left")}
    assert len(sig.results) == 11  # seven probes, four of them on both sides
    assert "Hip rotation: left stiff, right easy." in said
    # The first session is tuned by it: the hip starts left, with its reason.
    plan = r.kiosk.session.plan if r.kiosk.session else None
    assert plan is not None
    families = [p.family.id for p in plan.exercises]
    assert "hip-90-90" in families and "rib-breathing" in families
    [hip] = [p for p in plan.exercises if p.family.id == "hip-90-90"]
    assert hip.reason.endswith("We start with your left hip, because it turned less than the "
                               "right.")


def test_the_stiffer_side_goes_first_with_its_extra_reps_in_the_session() -> None:
    """The session itself: sides from the plan, the set on the stiffer side one rep longer."""
    ribs = CFG.library.family("rib-breathing")
    hip = CFG.library.family("hip-90-90")

    def tuned(records: Sequence[Record], day: date, pain: int | None) -> Plan:
        from kiosk.core.data.model import PlannedExercise

        return Plan(day.isoformat(), (
            PlannedExercise(ribs, ribs.ladder[0], 3, "We start on your right side.",
                            first_side="right", extra_reps=1),
            PlannedExercise(hip, hip.ladder[0], 2, "", first_side="right", extra_reps=1),
        ))

    r = Run(SimUser("steady"), planner=tuned, settings=FAST).until_finished()
    [session] = [s for s in r.saved if isinstance(s, SessionRecord)]
    rib_sets = [(s.side, s.clean_reps) for s in session.exercises[0].sets]
    assert rib_sets == [("right", 4), ("left", 3), ("right", 4), ("left", 3)]
    hip_sets = [s.clean_reps for s in session.exercises[1].sets]
    assert hip_sets == [3, 3]  # alternating: right, left, right: one more on the right
    said = r.said
    assert "Right, one. Breathe out as you " + hip.ladder[0].move + "." in said
    assert any(line.startswith("Target: three clean reps, and four on your right side.")
               for line in said)
    assert any(line.startswith("Target: three clean reps, right first, so your right side "
                               "does one more.") for line in said)


def test_every_probe_is_spoken_with_its_side_and_its_breath() -> None:
    r = until_checkin(kiosk(SimUser("steady")))
    said = r.said
    for p in CFG.signature.probes:
        for side in (("left", "right") if p.sides else (None,)):
            assert f"{p.name(side)}." in said
            for step in p.lines(side)[1]:
                assert step.say in said
    assert "Breathe out as you turn your chest to the left." in said


def test_red_ends_that_probe_asks_for_the_pain_and_the_check_goes_on() -> None:
    user = SimUser("steady", painful={"hip-rotation"})
    r = until_checkin(kiosk(user))
    [sig] = screenings(r)
    hip = [p for p in sig.results if p.probe == "hip-rotation"]
    assert [(p.side, p.rating) for p in hip] == [("left", "painful"), ("right", "skipped")]
    assert hip[0].pain == 3  # the simulated person's rating after RED
    assert PAIN_PROMPT in r.said
    assert "Right hip rotation." not in r.said  # RED ended the probe, both sides
    assert any(p.probe == "pelvic-tilt" for p in sig.results)  # the next probes still ran
    # Pain never leads to more: the hip switch waits while its movement hurts.
    assert r.kiosk.session is not None
    assert "hip-90-90" not in [p.family.id for p in r.kiosk.session.plan.exercises]


class Stopper(SimUser):
    """Rates the first probe easy, then holds RED at the second: "stop the check"."""

    def _screening(self, view: Any) -> Any:
        from kiosk.sim import Action

        if view.screen == "probe" and view.probe == "forward-bend":
            return Action(Button.RED, hold=True)
        return super()._screening(view)


def test_red_held_ends_the_check_keeping_what_was_rated_and_goes_home() -> None:
    r = kiosk(Stopper("steady"), records=[all_no(DAY)])
    until(r, lambda r: r.kiosk.view.screen == "home" and screenings(r))
    [sig] = screenings(r)
    assert not sig.complete and [p.rating for p in sig.results] == ["easy"]
    assert r.kiosk.session is None  # no session starts after a stop
    assert "The check is ended. What you rated is kept." in r.said


def clean_day(plan: Plan, n: int) -> SessionRecord:
    """A session that did today's plan cleanly, every set at its target, as saved."""
    from datetime import datetime

    from kiosk.core.data.records import ExerciseRecord, SetRecord

    exercises = []
    for p in plan.exercises:
        sides = ("left", "right") if p.variation.side == "each" else (None,)
        sets = tuple(SetRecord(side, ("clean",) * p.side_target(side), p.side_target(side),
                               "target") for _ in range(2) for side in sides)
        exercises.append(ExerciseRecord(p.family.id, p.variation.id, p.variation.name,
                                        p.target, str(p.change), p.reason, False, sets))
    at = datetime.fromisoformat(f"{plan.date}T09:00:00")
    return SessionRecord(f"day{n}", date.fromisoformat(plan.date), at, at, 600.0, 2, 1,
                         "complete", tuple(exercises), ())


def test_a_rescreening_four_weeks_later_reports_changes_and_keeps_progress() -> None:
    first = until_checkin(kiosk(SimUser("stiff-left")))
    records: list[Record] = list(screenings(first))
    for n in range(28):  # four weeks of clean sessions, one a day, as the kiosk plans them
        day = DAY + timedelta(days=n)
        records.append(clean_day(planner(records, day, None), n))
    day = DAY + timedelta(days=28)
    progress = {fid: (s.variation.id, s.target)
                for fid, s in states(records, day).items() if s.sessions}
    assert any(v != CFG.library.family(f).ladder[0].id for f, (v, _) in progress.items())
    r = until_checkin(kiosk(SimUser("steady"), records=[*records, all_no(day)], day=day))
    said = r.said
    assert phrases.SCREEN_DUE in said
    assert "Left hip rotation: stiff on 12 October, easy today." in said
    assert "Left rib expansion: stiff on 12 October, easy today." in said
    [sig] = screenings(r)
    assert sig.reason == "due"
    # Progress is kept: every family done before is where it had got to.
    after = states([*records, sig], day)
    assert {f: (after[f].variation.id, after[f].target) for f in progress} == progress
    plan = planner([*records, sig], day, None)
    assert all(p.first_side is None for p in plan.exercises)  # no side is stiffer now


def states(records: Sequence[Record], day: date) -> dict[str, Any]:
    from kiosk.core.coach.progression import exercise_states

    allowed = tuning(latest(records), CFG.signature).allowed
    return exercise_states(CFG.library, sessions_of(records), day, CFG.progression,
                           starts=allowed)


class NotToday(SimUser):
    def _screening(self, view: Any) -> Any:
        from kiosk.sim import Action

        if view.screen == "screen-offer":
            return Action(Button.AMBER)
        return super()._screening(view)


def test_a_due_screening_can_wait_and_is_not_offered_again_that_day() -> None:
    sig = screenings(until_checkin(kiosk(SimUser("steady"))))
    day = DAY + timedelta(days=30)
    r = until_checkin(kiosk(NotToday("steady"), records=[*sig, all_no(day)], day=day))
    assert screenings(r) == [] and phrases.SCREEN_DUE in r.said
    assert r.kiosk.session is not None
    r.kiosk.drop(r.kiosk.session)  # as if that session were over: GREEN again the same day
    r.kiosk._before_session()
    assert r.kiosk.session is not None  # straight to the session: not offered twice a day


def test_a_long_break_offers_a_new_movement_check_with_the_gentle_restart() -> None:
    """Sixty days or more away: the plan restarts gently, and the kiosk offers a movement
    check before the first session back, even where checks are otherwise only on demand."""
    from dataclasses import replace

    from kiosk.core.coach.progression import plan_for_day

    def planner(records: Sequence[Record], day: date, pain: int | None) -> Plan:
        return plan_for_day(CFG.library, sessions_of(records), day, CFG.progression, FAST, pain,
                            tuning=tuning(latest(records), CFG.signature), rhythm=CFG.rhythm)

    on_demand = replace(CFG.signature, every_days=0)
    sig = screenings(until_checkin(kiosk(SimUser("steady"))))
    records: list[Record] = list(sig)
    for n in range(4):  # both halves of the program, done
        records.append(clean_day(planner(records, DAY + timedelta(days=n), None), n))
    back = DAY + timedelta(days=80)
    assert any("restart gently" in n for n in planner(records, back, None).notes)
    r = until_checkin(Run(SimUser("steady"), planner=planner, records=[*records, all_no(back)],
                          day=back.isoformat(), settings=FAST, safety=SAFETY, gentle=gentle,
                          signature=on_demand))
    assert phrases.SCREEN_RESTART in r.said
    [again] = screenings(r)
    assert again.reason == "restart" and again.day == back
    # A short break offers nothing when checks are on demand.
    soon = DAY + timedelta(days=10)
    r = until_checkin(Run(SimUser("steady"), planner=planner, records=[*records, all_no(soon)],
                          day=soon.isoformat(), settings=FAST, safety=SAFETY, gentle=gentle,
                          signature=on_demand))
    assert screenings(r) == [] and phrases.SCREEN_RESTART not in r.said


def test_the_screening_phases_each_have_a_handler() -> None:
    from kiosk.core.flows.screening import HANDLERS

    assert set(HANDLERS) == set(Phase)


def test_an_all_green_person_gets_the_plan_as_ever() -> None:
    r = until_checkin(kiosk(SimUser("steady")))
    assert r.kiosk.session is not None
    assert r.kiosk.session.plan == planner([], DAY, None)  # no signature: the plan as ever


def test_check_how_you_move_from_the_menu_runs_a_check_on_demand_then_home() -> None:
    sig = screenings(until_checkin(kiosk(SimUser("steady"))))
    day = DAY + timedelta(days=3)
    # Hold AMBER at home: the menu; AMBER on to "Check how you move"; GREEN chooses it; then
    # the check, pressed as the stiff-left person rates it.
    presses = "Aaag " + movement_check(stiff_left_ratings())
    r = kiosk(SimUser("stiff-left", presses=presses), records=[*sig, all_no(day)], day=day)
    until(r, lambda r: r.kiosk.view.screen == "menu")
    assert "Check how you move" in " ".join(r.kiosk.view.lines)
    until(r, lambda r: bool(screenings(r)) and r.kiosk.view.screen == "home")
    [asked] = screenings(r)
    assert asked.reason == "asked" and r.kiosk.session is None
    assert "Left hip rotation: easy on 12 October, stiff today." in r.said
    # The plan on the home screen is tuned by it at once: the hip switch, left first.
    assert any("(left first)" in line for line in r.kiosk.view.lines)


def test_a_step_on_a_breath_is_paced_by_the_circle_and_its_tone() -> None:
    r = kiosk(SimUser("steady"))
    until(r, lambda r: r.kiosk.view.screen == "probe-move" and r.kiosk.view.pacer is not None
          and r.kiosk.view.pacer.phase == "exhale")
    assert r.kiosk.view.title == "Sit to stand"
    assert r.said[-1] == "Breathe out as you lean forward and stand up."
    assert r.tones[-2:] == ["inhale", "exhale"]  # "Breathe in to prepare." came first


def test_pain_well_above_the_last_rating_stops_the_check_and_names_the_clinician() -> None:
    from datetime import datetime

    from kiosk.core.data.records import PainEntry
    from kiosk.core.flows.screening import PAIN_RISE

    logged = PainEntry("p1", datetime(2026, 10, 11, 18, 0), 1)  # the last rating: one
    user = SimUser("steady", painful={"forward-bend"})  # rates the bend's pain three
    r = kiosk(user, records=[logged, all_no(DAY)])
    until(r, lambda r: bool(screenings(r)) and r.kiosk.view.screen == "home")
    [sig] = screenings(r)
    assert [(p.probe, p.rating, p.pain) for p in sig.results] == [
        ("sit-to-stand", "easy", None), ("forward-bend", "painful", 3)]
    assert not sig.complete and PAIN_RISE in r.said
    assert r.kiosk.session is None  # pain never leads on to more: no session follows


class WalksAway(SimUser):
    def decide(self, view: Any, t: float) -> Any:
        return None if view.screen == "screen-offer" else super().decide(view, t)


def test_a_due_screening_left_unanswered_says_so_and_the_session_follows() -> None:
    """Issue 30: an offer that lapses says so; the session's check-in then says what GREEN
    does (raise the pain, held: confirm)."""
    sig = screenings(until_checkin(kiosk(SimUser("steady"))))
    day = DAY + timedelta(days=30)
    r = until_checkin(kiosk(WalksAway("steady"), records=[*sig, all_no(day)], day=day))
    said = r.said
    lapsed = said.index(phrases.SCREEN_LAPSED)
    assert said[lapsed - 1] == phrases.SCREEN_DUE and "hold GREEN to confirm" in said[lapsed + 1]
    assert screenings(r) == [] and r.kiosk.session is not None
