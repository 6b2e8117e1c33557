"""Micro-progressions, as the user would notice them: which variation, how many reps, and the
one sentence that says why. Histories are built the way the kiosk builds them: plan the day,
do it with a given outcome, save the record, plan again."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import ProgressionConfig
from kiosk.core.coach.progression import (
    CHANGES,
    ExerciseState,
    Ladder,
    exercise_states,
    plan_for_day,
)
from kiosk.core.coach.rotation import exercise_seconds, position_rank, session_budget
from kiosk.core.data.model import Family, Library, Plan, SessionSettings, Variation
from kiosk.core.data.records import ExerciseRecord, PainEvent, SessionRecord, SetRecord
from kiosk.store.records import decode_each, encode

DAY0 = date(2025, 3, 3)
RULES = ProgressionConfig()  # the shipped thresholds: 2 of 3, 60 %, 2 in a row, 7 days, +2
SETTINGS = SessionSettings(rest_seconds=60)  # three of these test exercises fill 12 minutes


def variation(
    vid: str, name: str, *, start: int = 4, top: int = 6, position: str = "lying",
    side: str = "none",
) -> Variation:
    return Variation(
        id=vid, name=name, position=position, effort="exhale", move="lift", back="lower",
        tempo=(2.0, 3.0), cues=("Cue.",), start_reps=start, max_reps=top, side=side,
    )


# Two small ladders of three rungs, reps 4 to 6: levels 0-2 on the first rung, 3-5, 6-8.
BRIDGE = Family("bridge", "Bridge", (
    variation("bridge-easy", "Easy bridge"),
    variation("bridge-mid", "Bridge"),
    variation("bridge-march", "Bridge march"),
))
DOG = Family("dog", "Bird-dog", tuple(
    variation(f"dog-{k}", f"{k.title()} reach", position="all-fours", side="alternate")
    for k in ("arm", "leg", "full")
))
LIB = Library((BRIDGE, DOG))
# Plan both families every time, so the rules can be read one family at a time.
CFG = replace(RULES, exercises_min=2, exercises_max=2, session_minutes=60, quick_rungs=0)


# --- building histories -------------------------------------------------------------------
@dataclass(frozen=True)
class Day:
    """One session: its day (days after DAY0), its check-in pain, each family's outcome."""

    n: int
    outcomes: dict[str, str] = field(default_factory=dict)
    pain: int | None = 2
    plan_date: date | None = None  # what the clock said, when it was wrong


def S(n: int, pain: int | None = 2, **outcomes: str) -> Day:  # noqa: N802 - reads like a table
    return Day(n, outcomes, pain)


def sets(outcome: str, target: int) -> list[SetRecord]:
    """The saved sets for an outcome, as the session writes them."""
    def one(reps: list[str], ended: str) -> SetRecord:
        return SetRecord(None, tuple(reps), reps.count("clean"), ended)

    clean = one(["clean"] * target, "target")
    late = math.ceil(RULES.fray_fraction * target)  # slipped, but not before 60 % of target
    return {
        "clean": [clean, clean],
        "slip": [one(["clean"] * late + ["slipped"], "fray")],
        "early": [one(["slipped"], "fray")],
        "pain": [one(["clean"], "pain")],
        "stop": [one(["clean"], "stop")],
    }.get(outcome, [])


def record(day: date, planned: list[tuple[str, str, int, str]], pain: int | None) -> SessionRecord:
    """A history record; ``planned`` holds (family, variation, target, outcome)."""
    exercises, events = [], []
    for fid, vid, target, outcome in planned:
        exercises.append(ExerciseRecord(
            family=fid, variation=vid, name=vid, target=target, change="same", reason="",
            skipped=outcome == "skip", sets=tuple(sets(outcome, target)),
        ))
        if outcome in ("pain", "intro-pain"):
            events.append(PainEvent(9.0, fid, vid, 1, 1, "set" if outcome == "pain" else "intro",
                                    4))
    start = datetime.combine(day, datetime.min.time()).replace(hour=9)
    return SessionRecord(
        id=f"s{day}-{len(exercises)}", plan_date=day, started_at=start,
        ended_at=start + timedelta(minutes=12), duration_s=720.0, pain_before=pain,
        pain_after=pain, ended_by="complete", exercises=tuple(exercises),
        pain_events=tuple(events),
    )


def run(*days: Day, lib: Library = LIB, cfg: ProgressionConfig = CFG) -> list[SessionRecord]:
    """Live through ``days``: plan each session after its check-in, then save what happened."""
    history: list[SessionRecord] = []
    for d in days:
        today = DAY0 + timedelta(d.n)
        plan = plan_for_day(lib, history, d.plan_date or today, cfg, SETTINGS, d.pain)
        done = [(p.family.id, p.variation.id, p.target, d.outcomes[p.family.id])
                for p in plan.exercises if p.family.id in d.outcomes]
        history.append(record(d.plan_date or today, done, d.pain))
    return history


def state(history: list[SessionRecord], n: int, fid: str = "bridge") -> ExerciseState:
    return exercise_states(LIB, history, DAY0 + timedelta(n), CFG)[fid]


def at(s: ExerciseState) -> tuple[str, int, str]:
    return s.variation.id, s.target, s.change


def climb(steps: int, fid: str = "bridge", start: int = 0) -> list[Day]:
    """Clean days that take ``fid`` up ``steps`` micro-steps: two clean days per step."""
    return [Day(start + i, {fid: "clean"}) for i in range(2 * steps)]


# --- the rules, one table each -------------------------------------------------------------
ADVANCE = [
    ("first time: the first rung", [], 0, ("bridge-easy", 4, "new")),
    ("one clean day is not enough", [S(0, bridge="clean")], 1, ("bridge-easy", 4, "same")),
    ("two clean days: one more rep", [S(0, bridge="clean"), S(1, bridge="clean")], 2,
     ("bridge-easy", 5, "advance")),
    ("two of the last three", [S(0, bridge="clean"), S(1, bridge="slip"), S(2, bridge="clean")],
     3, ("bridge-easy", 5, "advance")),
    ("two of the last three, not two of four",
     [S(0, bridge="clean"), S(1, bridge="slip"), S(2, bridge="slip"), S(3, bridge="clean")], 4,
     ("bridge-easy", 4, "same")),
    ("clean days at the old level do not count again", climb(1) + [S(2, bridge="clean")], 3,
     ("bridge-easy", 5, "same")),
    ("at max reps: the next variation at its start reps", climb(3), 6,
     ("bridge-mid", 4, "advance")),
    ("the top of the ladder is the top", climb(12), 24, ("bridge-march", 6, "same")),
    ("skipped is not a session", [S(0, bridge="clean"), S(1, bridge="skip")], 2,
     ("bridge-easy", 4, "same")),
    ("unreached (no sets) is not a session", [S(0, bridge="clean"), S(1, bridge="unreached")],
     2, ("bridge-easy", 4, "same")),
    ("a set stopped short is not clean", [S(0, bridge="clean"), S(1, bridge="stop")], 2,
     ("bridge-easy", 4, "same")),
]

SAME_DAY = [
    ("a second session the same day does not step up",
     [S(0, bridge="clean"), S(1, bridge="clean"), S(1, bridge="clean")], 1,
     ("bridge-easy", 4, "same")),
    ("three sessions on one day are one clean day",
     [S(0, bridge="clean"), S(0, bridge="clean"), S(0, bridge="clean")], 1,
     ("bridge-easy", 4, "same")),
    ("the next day takes one step, not two",
     [S(0, bridge="clean"), S(1, bridge="clean"), S(1, bridge="clean")], 2,
     ("bridge-easy", 5, "advance")),
    ("after a step, later sessions that day stay put",
     [*climb(1), S(2, bridge="clean"), S(2, bridge="clean")], 2, ("bridge-easy", 5, "same")),
    ("a slipped session the same day spoils the day",
     [S(0, bridge="clean"), S(1, bridge="clean"), S(1, bridge="slip")], 2,
     ("bridge-easy", 4, "same")),
]

FRAY = [
    ("two early frays in a row: down to the clean reps reached, never below two",
     [*climb(1), S(2, bridge="early"), S(3, bridge="early")], 4, ("bridge-easy", 2, "back")),
    ("one early fray is a signal, not a step", [*climb(1), S(2, bridge="early")], 3,
     ("bridge-easy", 5, "same")),
    ("not in a row", [*climb(1), S(2, bridge="early"), S(3, bridge="slip"), S(4, bridge="early")],
     5, ("bridge-easy", 5, "same")),
    ("slipping after 60 % of target is not early",
     [*climb(1), S(2, bridge="slip"), S(3, bridge="slip")], 4, ("bridge-easy", 5, "same")),
    ("at start reps too: a personal floor on the same variation",
     [*climb(3), S(6, bridge="early"), S(7, bridge="early")], 8, ("bridge-mid", 2, "back")),
    ("two early frays on one day are one day",
     [*climb(1), S(2, bridge="early"), S(2, bridge="early")], 3, ("bridge-easy", 5, "same")),
    ("on the first rung the target comes down too",
     [S(0, bridge="early"), S(1, bridge="early")], 2, ("bridge-easy", 2, "back")),
    ("the bottom of the ladder is the bottom",
     [S(0, bridge="early"), S(1, bridge="early"), S(2, bridge="early"), S(3, bridge="early")], 4,
     ("bridge-easy", 2, "same")),
]

PAIN = [
    ("pain: back one variation, at its start reps", [*climb(4), S(8, bridge="pain")], 9,
     ("bridge-easy", 4, "back")),
    ("pain on the first rung: back to its start reps", [*climb(2), S(4, bridge="pain")], 5,
     ("bridge-easy", 4, "back")),
    ("pain applies before the next session, even the same day",
     [*climb(4), S(8, bridge="pain")], 8, ("bridge-easy", 4, "back")),
    ("pain in the intro, with no sets, counts", [*climb(4), S(8, bridge="intro-pain")], 9,
     ("bridge-easy", 4, "back")),
    ("pain beats two clean days", [S(0, bridge="clean"), S(1, bridge="pain")], 2,
     ("bridge-easy", 4, "same")),
    ("a pain day in the window holds the step back",
     [S(0, bridge="pain"), S(1, bridge="clean"), S(2, bridge="clean")], 3,
     ("bridge-easy", 4, "same")),
    ("once the pain day leaves the window, clean days count",
     [S(0, bridge="pain"), S(1, bridge="clean"), S(2, bridge="clean"), S(3, bridge="clean")], 4,
     ("bridge-easy", 5, "advance")),
    ("pain on another exercise does not touch this one", [*climb(1), S(2, dog="pain")], 3,
     ("bridge-easy", 5, "advance")),
]

REENTRY = [
    ("seven days away: one micro-step lower", [*climb(1), S(2, bridge="clean")], 9,
     ("bridge-easy", 4, "reenter")),
    ("six days away: no change", [*climb(1), S(2, bridge="clean")], 8, ("bridge-easy", 5, "same")),
    ("clean days before a break do not step up after it", climb(1), 1 + 7,
     ("bridge-easy", 4, "same")),
    ("re-entry from the start of a rung: the rung below at its max",
     [*climb(3), S(6, bridge="clean")], 6 + 7, ("bridge-easy", 6, "reenter")),
    # Issue 26: absence is the person's. A family met every second session is not "away".
    ("other exercises done meanwhile stop the clock: the break is the person's",
     [*climb(1), S(2, bridge="clean"), *[S(3 + i, dog="clean") for i in range(6)]], 9,
     ("bridge-easy", 5, "same")),
    ("fourteen days away: two micro-steps lower", [*climb(1), S(2, bridge="clean")], 16,
     ("bridge-easy", 4, "reenter")),
]


@pytest.mark.parametrize(("name", "days", "today", "expect"), [*ADVANCE, *SAME_DAY, *FRAY, *PAIN,
                                                               *REENTRY],
                         ids=lambda x: x if isinstance(x, str) else "")
def test_rules(name: str, days: list[Day], today: int, expect: tuple[str, int, str]) -> None:
    assert at(state(run(*days), today)) == expect


# --- bad days ------------------------------------------------------------------------------
STEADY = [S(i, pain=2, bridge="clean", dog="clean") for i in range(4)]  # bridge and dog at 5


def test_a_rise_of_two_over_the_median_is_a_bad_day() -> None:
    history = run(*STEADY)
    today = DAY0 + timedelta(4)
    normal = plan_for_day(LIB, history, today, CFG, SETTINGS, 3)
    bad = plan_for_day(LIB, history, today, CFG, SETTINGS, 4)
    assert [(p.variation.id, p.target, p.change) for p in normal.exercises] == [
        ("bridge-easy", 6, "advance"), ("dog-arm", 6, "advance")]
    # nothing steps up, and each exercise uses the variation below (here: the first rung)
    assert [(p.variation.id, p.target, p.change) for p in bad.exercises] == [
        ("bridge-easy", 4, "bad-day"), ("dog-arm", 4, "bad-day")]
    assert bad.exercises[0].reason == (
        "Four reps today, because your pain is higher than usual.")
    assert bad.notes and not normal.notes


def test_nothing_steps_up_on_a_bad_day() -> None:
    history = run(*STEADY, S(4, pain=6, bridge="clean"))  # day 4 had earned a step to 6 reps
    assert at(state(history, 4)) == ("bridge-easy", 5, "same")
    # at the top of a rung the step up would have been a new variation: the plan stays below it
    top_of_easy = run(*climb(2), S(4, bridge="clean"), S(5, bridge="clean"))
    plan = plan_for_day(LIB, top_of_easy, DAY0 + timedelta(6), CFG, SETTINGS, 5)
    assert (plan.exercises[0].variation.id, plan.exercises[0].target) == ("bridge-easy", 4)
    assert at(state(top_of_easy, 6)) == ("bridge-mid", 4, "advance")


def test_a_bad_day_uses_the_previous_variation() -> None:
    history = run(*climb(4))  # bridge-mid, 5 reps
    bad = plan_for_day(LIB, history, DAY0 + timedelta(8), CFG, SETTINGS, 4)
    assert (bad.exercises[0].variation.id, bad.exercises[0].target) == ("bridge-easy", 4)
    assert bad.exercises[0].reason == (
        "Easy bridge, four reps today, because your pain is higher than usual.")


def test_check_in_never_changes_which_exercises_or_their_order() -> None:
    lib = Library(SIX.families)
    cfg = replace(RULES, session_minutes=8)
    history = simulate(lib, cfg, [(1, 2, ("clean",) * 5)] * 6)
    today = DAY0 + timedelta(40)
    ids = [[p.family.id for p in plan_for_day(lib, history, today, cfg, SETTINGS, pain).exercises]
           for pain in (None, 0, 2, 9)]
    assert ids[0] == ids[1] == ids[2] == ids[3]


def test_an_unknown_check_in_is_not_a_bad_day() -> None:
    plan = plan_for_day(LIB, run(*STEADY), DAY0 + timedelta(4), CFG, SETTINGS, None)
    assert {p.change for p in plan.exercises} == {"advance"}


def test_a_bad_check_in_earlier_today_makes_the_whole_day_bad() -> None:
    history = run(*STEADY, S(4, pain=6, bridge="clean"))
    later = plan_for_day(LIB, history, DAY0 + timedelta(4), CFG, SETTINGS, None)
    assert {p.change for p in later.exercises} == {"bad-day"}
    assert plan_for_day(LIB, history, DAY0 + timedelta(5), CFG, SETTINGS, None).notes == ()


def test_a_session_on_a_bad_day_is_not_evidence_for_a_step_up() -> None:
    history = run(S(0, pain=2, bridge="clean"), S(1, pain=5, bridge="clean"))
    # day 1 was a bad day, done at an easier level: only day 0 counts, and one is not enough
    assert history[1].exercises[0].variation == "bridge-easy"
    assert at(state(history, 2)) == ("bridge-easy", 4, "same")


def test_the_median_is_over_the_last_bad_day_window_check_ins() -> None:
    old_high = [S(i, pain=8, bridge="clean") for i in range(9)]
    recent_low = [S(9 + i, pain=1, bridge="clean") for i in range(7)]
    history = run(*old_high, *recent_low)
    plan = plan_for_day(LIB, history, DAY0 + timedelta(16), CFG, SETTINGS, 3)
    assert plan.exercises[0].change == "bad-day"  # 3 is two above the last seven (1), not all
    assert len(history) == 16 and CFG.bad_day_window == 7


# --- clocks that jump -------------------------------------------------------------------------
def test_sessions_dated_after_today_alone_move_nothing() -> None:
    future = [Day(0, {"bridge": "clean"}, 2, DAY0 + timedelta(30 + i)) for i in range(12)]
    history = run(*future)
    assert at(state(history, 0)) == ("bridge-easy", 4, "same")


def test_future_sessions_count_as_done_the_day_before_them() -> None:
    history = run(S(0, bridge="clean"), S(1, bridge="clean"))  # day 2: up to 5 reps
    future = [record(DAY0 + timedelta(100 + i), [("bridge", "bridge-easy", 4, "clean")], 2)
              for i in range(6)]
    # six clean sessions "in the future" are six more sessions on day 1: one clean day
    assert at(state(history + future, 2)) == at(state(history, 2)) == ("bridge-easy", 5, "advance")
    assert state(history + future, 4).target == 5


def test_a_clock_that_went_back_never_opens_new_days() -> None:
    history = run(*climb(1))
    back = [record(DAY0 - timedelta(20 - i), [("bridge", "bridge-easy", 5, "clean")], 2)
            for i in range(6)]
    # six sessions dated before the last one: one day's evidence, no more
    assert state(history + back, 2).target == 5


def test_reentry_counts_from_the_day_a_future_dated_session_counts_for() -> None:
    history = run(*climb(1)) + [record(DAY0 + timedelta(60), [("bridge", "bridge-easy", 4,
                                                                "clean")], 2)]
    assert at(state(history, 7)) == ("bridge-easy", 5, "advance")  # six days after day 1
    assert at(state(history, 8)) == ("bridge-easy", 4, "same")  # seven: re-entry, at the bottom


# --- history that looks wrong -----------------------------------------------------------------
JUNK: list[Any] = [
    None, "text", 3, [], {}, {"schema": 2, "plan_date": "2025-03-03", "exercises": []},
    {"schema": True, "plan_date": "2025-03-03", "exercises": []},
    {"schema": 1, "plan_date": "yesterday", "exercises": []},
    {"schema": 1, "plan_date": "2025-03-03", "exercises": "bridge"},
    {"schema": 1, "plan_date": "2025-03-03", "exercises": [None, {"family": "bridge"}]},
    {"schema": 1, "plan_date": "2025-03-03", "pain_before": "high", "pain_events": "x",
     "exercises": [{"family": "bridge", "target": 0, "skipped": False, "sets": []},
                   {"family": "bridge", "target": 4, "skipped": "no", "sets": []},
                   {"family": "bridge", "target": 4, "skipped": False, "sets": [{"reps": 4}]},
                   {"family": "nope", "target": 4, "skipped": False, "sets": []}]},
]


def read(raws: list[Any]) -> list[SessionRecord]:
    """History as the kiosk reads it: the codec keeps what is whole and drops the rest."""
    return decode_each(raws).sessions


def test_malformed_records_are_ignored() -> None:
    history = run(*climb(1))
    raw = [encode(r) for r in history]
    mixed = [JUNK[i % len(JUNK)] if i % 2 else r for i, r in enumerate(raw * 2)]
    assert levels(exercise_states(LIB, read(raw + JUNK), DAY0 + timedelta(2), CFG)) == levels(
        exercise_states(LIB, history, DAY0 + timedelta(2), CFG))
    assert exercise_states(LIB, read(mixed), DAY0 + timedelta(2), CFG)  # and no crash


def test_pain_in_the_breathing_primer_is_not_put_on_the_first_exercise() -> None:
    history = run(*climb(4))
    primer = record(DAY0 + timedelta(8), [], 2)
    primer = replace(primer, pain_events=(PainEvent(20.0, "bridge", "bridge-mid", 0, None,
                                                      "primer", 3),))
    assert at(state(history + [primer], 9)) == at(state(history, 9))


# --- reasons ------------------------------------------------------------------------------
REASONS = [
    (climb(1), 2, "Up from four to five reps, because your last two sessions were clean."),
    ([S(0, bridge="clean"), S(1, bridge="slip"), S(2, bridge="clean")], 3,
     "Up from four to five reps, because two of your last three sessions were clean."),
    (climb(3), 6, "On to bridge, four reps, because your last two sessions were clean."),
    ([*climb(1), S(2, bridge="early"), S(3, bridge="early")], 4,
     "Back to two reps, because your technique slipped early two times in a row."),
    ([*climb(4), S(8, bridge="pain")], 9,
     "Back to easy bridge, four reps, because it hurt last time."),
    # Issue 26: a break is said in plain words, with how far back it starts.
    ([*climb(1), S(2, bridge="clean")], 12,
     "It has been ten days, so we start one step lower: four reps."),
    ([*climb(1), S(2, bridge="clean")], 23,
     "It has been three weeks, so we start two steps lower: four reps."),
    ([], 0, "New for you, so we start gently."),
    # Issue 26: "same" is said with its reason too.
    ([S(0, bridge="clean")], 1, "Staying at four: one more clean session and it steps up."),
    ([S(0, bridge="slip")], 1, "Staying at four: three were clean last time."),
    ([*climb(1), S(2, bridge="early")], 3,
     "Staying at five: your technique slipped early last time."),
]


@pytest.mark.parametrize(("days", "today", "reason"), REASONS)
def test_every_change_is_one_plain_sentence(days: list[Day], today: int, reason: str) -> None:
    assert state(run(*days), today).reason == reason


# --- the plan: rotation and time ------------------------------------------------------------
SIX = Library(tuple(
    Family(fid, fid.title(), (
        variation(f"{fid}-1", fid, position=pos, start=6, top=10),
        variation(f"{fid}-2", fid + " 2", position="loaded", start=6, top=10),
        variation(f"{fid}-3", fid + " 3", position="loaded", start=6, top=10),
    ))
    for fid, pos in (("a", "standing"), ("b", "lying"), ("c", "all-fours"), ("d", "seated"),
                     ("e", "lying"), ("f", "kneeling"))
))


def test_a_first_plan_takes_families_in_library_order_and_floor_first() -> None:
    plan = plan_for_day(SIX, [], DAY0, RULES, SETTINGS)
    ids = [p.family.id for p in plan.exercises]
    assert set(ids) == {"a", "b", "c"}
    assert ids == ["b", "c", "a"]  # lying, all fours, standing: nobody gets down again


def test_the_least_recently_offered_come_first() -> None:
    history = simulate(SIX, RULES, [(1, 2, ("clean",) * 5)])
    second = plan_for_day(SIX, history, DAY0 + timedelta(1), RULES, SETTINGS)
    assert {p.family.id for p in second.exercises} == {"d", "e", "f"}
    history = simulate(SIX, RULES, [(1, 2, ("clean",) * 5)] * 2)
    third = plan_for_day(SIX, history, DAY0 + timedelta(2), RULES, SETTINGS)
    assert {p.family.id for p in third.exercises} == {"a", "b", "c"}


def test_a_skipped_exercise_has_had_its_turn() -> None:
    history = simulate(SIX, RULES, [(1, 2, ("skip",) * 5)])
    second = plan_for_day(SIX, history, DAY0 + timedelta(1), RULES, SETTINGS)
    assert {p.family.id for p in second.exercises} == {"d", "e", "f"}


def test_every_family_recurs_regularly() -> None:
    history = simulate(SIX, RULES, [(1, 2, ("clean",) * 5)] * 12)
    gaps: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    for i, r in enumerate(history):
        for e in r.exercises:
            if e.family in last:
                gaps.setdefault(e.family, []).append(i - last[e.family])
            last[e.family] = i
    assert set(last) == {f.id for f in SIX.families}
    assert max(g for gs in gaps.values() for g in gs) <= 3


@pytest.mark.parametrize(("minutes", "count"), [(3, 3), (12, 3), (20, 5), (60, 5)])
def test_the_plan_fits_the_session_minutes_within_min_and_max(minutes: int, count: int) -> None:
    cfg = replace(RULES, session_minutes=minutes)
    plan = plan_for_day(SIX, [], DAY0, cfg, SETTINGS)
    assert len(plan.exercises) == count
    spent = sum(exercise_seconds(p.variation, p.target, SETTINGS) for p in plan.exercises)
    if count > cfg.exercises_min:
        assert spent <= session_budget(minutes, SETTINGS)


def test_the_packaged_plan_is_about_ten_to_fifteen_minutes() -> None:
    from kiosk.config import DEFAULT_EXERCISES, load_library

    lib = load_library(DEFAULT_EXERCISES)
    plan = plan_for_day(lib, [], DAY0, RULES, SETTINGS)
    seconds = sum(exercise_seconds(p.variation, p.target, SETTINGS) for p in plan.exercises)
    total = (seconds + SETTINGS.primer_seconds + 60) / 60
    assert RULES.exercises_min <= len(plan.exercises) <= RULES.exercises_max
    assert 8 <= total <= 15


def test_an_empty_library_plans_nothing() -> None:
    assert plan_for_day(Library(()), [], DAY0, RULES, SETTINGS).exercises == ()


# --- properties over random histories --------------------------------------------------------
OUTCOMES = ("clean", "clean", "clean", "slip", "early", "pain", "skip", "stop", "intro-pain",
            "unreached")
# one session: (days since the previous one, check-in pain, an outcome per planned exercise)
SessionScript = tuple[int, int, tuple[str, ...]]
sessions_st = st.lists(
    st.tuples(st.sampled_from((0, 0, 1, 1, 1, 2, 3, 8)), st.integers(0, 10),
              st.lists(st.sampled_from(OUTCOMES), min_size=5, max_size=5).map(tuple)),
    max_size=24,
)
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def simulate(
    lib: Library, cfg: ProgressionConfig, script: list[SessionScript], *,
    plans: list[tuple[date, Plan]] | None = None,
) -> list[SessionRecord]:
    """Use the kiosk for a while: each session plans after check-in, then saves its outcome."""
    history: list[SessionRecord] = []
    day = DAY0
    for gap, pain, outcomes in script:
        day += timedelta(gap)
        plan = plan_for_day(lib, history, day, cfg, SETTINGS, pain)
        if plans is not None:
            plans.append((day, plan))
        done = [(p.family.id, p.variation.id, p.target, o)
                for p, o in zip(plan.exercises, outcomes, strict=False)]
        history.append(record(day, done, pain))
    return history


def level_of(family: Family, variation_id: str, target: int) -> int:
    """Micro-steps from the bottom; a personal floor counts down from its variation's entry."""
    ladder = Ladder.of(family)
    k = [v.id for v in family.ladder].index(variation_id)
    start = family.ladder[k].start_reps
    return ladder.steps.index((k, max(target, start))) + min(0, target - start)


@given(sessions_st)
@PROPS
def test_property_steps_per_exercise_per_day(script: list[SessionScript]) -> None:
    """Between two normal sessions of an exercise: the same level on the same day, at most one
    micro-step apart on different days, and never higher after pain. A bad-day session in
    between is done below the exercise's own level, so it hides one possible step."""
    plans: list[tuple[date, Plan]] = []
    history = simulate(SIX, RULES, script, plans=plans)
    last: dict[str, tuple[date, int, bool, int]] = {}  # family -> day, level, pain, hidden
    for (day, plan), rec in zip(plans, history, strict=True):
        saved = {e.family: e for e in rec.exercises}
        for p in plan.exercises:
            fid, e = p.family.id, saved[p.family.id]
            hurt = any(ev.family == fid for ev in rec.pain_events)
            done = bool(e.sets) and not e.skipped
            if p.change == "bad-day":
                if fid in last and (done or hurt):
                    before_day, before, pain, hidden = last[fid]
                    last[fid] = (day, before, pain or hurt, hidden + 1)
                continue
            level = level_of(p.family, p.variation.id, p.target)
            if fid in last:
                before_day, before, pain, hidden = last[fid]
                if pain:
                    assert level <= before and p.change != "advance"
                elif before_day == day and not hidden:
                    assert level == before, (fid, day)
                else:
                    assert level - before <= 1 + hidden, (fid, day, before, level)
                    # down by more than a step only to a personal floor, after early frays
                    # (said as "back", unless a bad-day session in between took the step)
                    assert before - level <= 1 + hidden or p.change == "back" or hidden, (
                        fid, day)
            if done or hurt:
                last[fid] = (day, level, hurt, 0)


@given(sessions_st)
@PROPS
def test_property_a_pain_event_never_leads_to_an_advance(script: list[SessionScript]) -> None:
    plans: list[tuple[date, Plan]] = []
    history = simulate(SIX, RULES, script, plans=plans)
    hurt: set[str] = set()
    for (_, plan), rec in zip(plans, history, strict=True):
        for p in plan.exercises:
            if p.family.id in hurt:
                assert p.change != "advance"
                hurt.discard(p.family.id)
        hurt |= {ev.family for ev in rec.pain_events if ev.family is not None}


@given(sessions_st, st.integers(0, 30))
@PROPS
def test_property_plans_stay_on_the_ladder_and_explain_themselves(
    script: list[SessionScript], later: int
) -> None:
    plans: list[tuple[date, Plan]] = []
    history = simulate(SIX, RULES, script, plans=plans)
    today = (plans[-1][0] if plans else DAY0) + timedelta(later)
    plans.append((today, plan_for_day(SIX, history, today, RULES, SETTINGS)))
    for _, plan in plans:
        # Issue 26: a family that kept hurting waits, so fewer may be left to offer.
        least = min(RULES.exercises_min, 6 - len(plan.waiting))
        assert least <= len(plan.exercises) <= RULES.exercises_max
        assert len({p.family.id for p in plan.exercises}) == len(plan.exercises)
        ranks = [position_rank(p.variation.position) for p in plan.exercises]
        assert ranks == sorted(ranks) or any(p.change == "bad-day" for p in plan.exercises)
        for p in plan.exercises:
            assert p.variation in p.family.ladder
            assert RULES.floor_reps <= p.target <= p.variation.max_reps
            assert p.change in CHANGES
            assert p.reason, p  # issue 26: "same" is said with its reason too
            assert len(p.reason.split()) < 25 and p.reason.count(".") <= 1
    for s in exercise_states(SIX, history, today, RULES).values():
        assert 0 <= s.level <= s.top and s.change in CHANGES


@given(sessions_st, st.integers(0, 10), st.sampled_from((None, 0, 5, 10)))
@PROPS
def test_property_the_same_history_always_gives_the_same_plan(
    script: list[SessionScript], later: int, pain: int | None
) -> None:
    history = simulate(SIX, RULES, script)
    today = DAY0 + timedelta(len(script) + later)
    first = plan_for_day(SIX, history, today, RULES, SETTINGS, pain)
    again = plan_for_day(SIX, copy.deepcopy(history), today, RULES, SETTINGS, pain)
    assert first == again
    assert history == simulate(SIX, RULES, script)  # and planning never changed the history


json_st = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 12) | st.text(max_size=12)
    | st.sampled_from(["2025-03-04", "clean", "slipped", "pain", "fray", "target", "a", "b"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["schema", "plan_date", "exercises", "family", "target", "skipped",
                         "sets", "reps", "ended_by", "pain_events", "pain_before", "phase"]),
        inner, max_size=6),
    max_leaves=30,
)


@given(st.lists(json_st, max_size=8), sessions_st)
@PROPS
def test_property_junk_in_the_history_never_crashes_the_plan(
    junk: list[Any], script: list[SessionScript]
) -> None:
    history = [encode(r) for r in simulate(SIX, RULES, script)]
    mixed = [x for pair in zip(history, junk, strict=False) for x in pair] + history[len(junk):]
    plan = plan_for_day(SIX, read(mixed), DAY0 + timedelta(40), RULES, SETTINGS, 3)
    # Issue 26: a family that kept hurting waits, so fewer may be left to offer.
    least = min(RULES.exercises_min, len(SIX.families) - len(plan.waiting))
    assert least <= len(plan.exercises) <= RULES.exercises_max


@given(st.lists(st.tuples(st.integers(1, 400), st.sampled_from(OUTCOMES)), max_size=15))
@PROPS
def test_property_history_dated_after_today_starts_every_ladder_at_the_bottom(
    future: list[tuple[int, str]]
) -> None:
    history = [record(DAY0 + timedelta(n), [("bridge", "bridge-march", 6, o),
                                            ("dog", "dog-full", 6, o)], 2) for n, o in future]
    for s in exercise_states(LIB, history, DAY0, CFG).values():
        assert s.level == 0


def levels(states: dict[str, ExerciseState]) -> dict[str, int]:
    return {fid: s.level for fid, s in states.items()}
