"""Progressions that fit the person (issue 13): a personal floor after early frays, and a
quicker start on the first rungs. The older rules are in test_progression.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from kiosk.config import DEFAULT_CONFIG, ProgressionConfig, load_config
from kiosk.core.coach.progression import exercise_states, plan_for_day
from kiosk.core.data.model import Family, Library, SessionSettings, Variation
from kiosk.core.data.records import ExerciseRecord, PainEvent, SessionRecord, SetRecord

DAY0 = date(2026, 1, 5)
SETTINGS = SessionSettings()
RULES = replace(ProgressionConfig(), exercises_min=1, exercises_max=1, session_minutes=60,
                quick_rungs=0)


def variation(vid: str, start: int, top: int) -> Variation:
    return Variation(id=vid, name=vid.replace("-", " ").capitalize(), position="lying",
                     effort="exhale", move="lift", back="lower", tempo=(3.0, 4.0),
                     cues=("Cue.",), start_reps=start, max_reps=top, fray_tip="Tip.")


# One family, three rungs of 6 to 10 reps; the middle rung starts at 4 so a floor can land on
# the ladder itself.
BRIDGE = Family("bridge", "Bridge", (
    variation("easy", 6, 10), variation("mid", 4, 10), variation("hard", 6, 10),
))
LIB = Library((BRIDGE,))


def sets(outcome: str, target: int) -> tuple[SetRecord, ...]:
    """"clean"; "slipN": N clean reps, then a slip; "pain": RED in the first rep."""
    def one(reps: list[str], ended: str) -> SetRecord:
        return SetRecord(None, tuple(reps), reps.count("clean"), ended)

    if outcome == "clean":
        return (one(["clean"] * target, "target"),) * 2
    if outcome.startswith("slip"):
        return (one(["clean"] * int(outcome[4:]) + ["slipped"], "fray"),)
    return (one([], "pain"),)


def record(n: int, day: date, done: list[tuple[Any, str]], pain: int) -> SessionRecord:
    """A saved session: ``done`` holds (planned exercise, outcome)."""
    start = datetime.combine(day, datetime.min.time()).replace(hour=9)
    exercises = tuple(ExerciseRecord(
        family=p.family.id, variation=p.variation.id, name="x", target=p.target,
        change=p.change, reason=p.reason, skipped=False, sets=sets(outcome, p.target))
        for p, outcome in done)
    events = tuple(PainEvent(5.0, p.family.id, p.variation.id, 1, 1, "set", 3)
                   for p, outcome in done if outcome == "pain")
    return SessionRecord(
        id=f"s{n}", plan_date=day, started_at=start, ended_at=start + timedelta(minutes=10),
        duration_s=600.0, pain_before=pain, pain_after=pain, ended_by="complete",
        exercises=exercises, pain_events=events)


def live(outcomes: list[str], rules: ProgressionConfig = RULES, lib: Library = LIB,
         pain: int = 2) -> list[tuple[str, int, str, str]]:
    """One session a day; returns each day's plan as (variation, target, change, reason),
    and the plan of the day after the last."""
    history: list[SessionRecord] = []
    seen = []
    for n, outcome in enumerate([*outcomes, None]):
        day = DAY0 + timedelta(n)
        p = plan_for_day(lib, history, day, rules, SETTINGS, pain).exercises[0]
        seen.append((p.variation.id, p.target, p.change, p.reason))
        if outcome is None:
            break
        history.append(record(n, day, [(p, outcome)], pain))
    return seen


def climb_to(target: int) -> list[str]:
    """Clean days that take the easy rung from 6 to ``target`` (two clean days a step)."""
    return ["clean"] * (2 * (target - 6))


FLOOR = [
    ("two early frays: the lower of the two days' clean reps",
     [*climb_to(10), "slip5", "slip3"], ("easy", 3, "back",
      "Back to three reps, because your technique slipped early two times in a row.")),
    ("never below two", [*climb_to(10), "slip1", "slip0"], ("easy", 2, "back", None)),
    ("one early fray is not enough", [*climb_to(10), "slip3"],
     ("easy", 10, "same", "Staying at ten: your technique slipped early last time.")),
    ("a late slip breaks the run", [*climb_to(10), "slip3", "slip7", "slip3"],
     ("easy", 10, "same", "Staying at ten: your technique slipped early last time.")),
    ("a floor at or above start reps is a level on the ladder",
     [*climb_to(10), "clean", "clean", *["clean"] * 10, "slip5", "slip5"],
     ("mid", 5, "back", None)),
    ("even two reps fray twice: back a variation, at its start reps",
     [*climb_to(10), "clean", "clean", "slip0", "slip0", "slip0", "slip0"],
     ("easy", 6, "back",
      "Back to easy, six reps, because your technique slipped early two times in a row.")),
    ("on the first rung, two reps fraying twice stays at two",
     ["slip0", "slip0", "slip0", "slip0"],
     ("easy", 2, "same", "Staying at two: your technique slipped early last time.")),
]


@pytest.mark.parametrize(("name", "days", "expect"), FLOOR, ids=[r[0] for r in FLOOR])
def test_a_personal_floor_replaces_the_single_step_down(
    name: str, days: list[str], expect: tuple[str, int, str, str | None]
) -> None:
    got = live(days)[-1]
    assert got[:3] == expect[:3]
    if expect[3] is not None:
        assert got[3] == expect[3]


def test_from_the_floor_the_target_climbs_back_by_the_advance_rule() -> None:
    days = [*climb_to(10), "slip4", "slip3", *["clean"] * 8]
    targets = [(v, t) for v, t, _, _ in live(days)[len(climb_to(10)) + 2:]]
    # floor 3, then one rep every two clean days, back onto the ladder at its start reps
    assert targets == [("easy", 3), ("easy", 3), ("easy", 4), ("easy", 4), ("easy", 5),
                       ("easy", 5), ("easy", 6), ("easy", 6), ("easy", 7)]
    assert live(days)[-1][3] == (
        "Up from six to seven reps, because your last two sessions were clean.")


def test_pain_at_a_floor_never_means_more_reps_even_on_the_easier_variation() -> None:
    days = [*climb_to(10), "clean", "clean", *["clean"] * 10, "slip0", "slip1", "pain"]
    before = live(days[:-1])[-1]
    assert before[:2] == ("mid", 2)
    after = live(days)[-1]
    assert after[0] == "easy" and after[1] <= 2 and after[2] == "back"


def test_a_bad_day_at_a_floor_never_raises_the_target() -> None:
    days = [*climb_to(10), "slip3", "slip3"]
    assert live(days)[-1][:2] == ("easy", 3)
    # a check-in far above the usual: a step easier, and never more reps than the floor
    bad = _plan_with_checkin(days, checkin=8)
    assert bad.change == "bad-day" and bad.variation.id == "easy" and bad.target == 3


def _plan_with_checkin(outcomes: list[str], checkin: int) -> Any:
    history: list[SessionRecord] = []
    for n, outcome in enumerate(outcomes):
        day = DAY0 + timedelta(n)
        p = plan_for_day(LIB, history, day, RULES, SETTINGS, 2).exercises[0]
        history.append(record(n, day, [(p, outcome)], 2))
    day = DAY0 + timedelta(len(outcomes))
    return plan_for_day(LIB, history, day, RULES, SETTINGS, checkin).exercises[0]


# --- the quicker start ---------------------------------------------------------------------
QUICK = replace(RULES, quick_rungs=2)

QUICK_START = [
    ("one clean day steps up on the first rung", ["clean"], ("easy", 7, "advance")),
    ("every clean day, one step a day", ["clean"] * 4, ("easy", 10, "advance")),
    ("the second rung is quick too", ["clean"] * 6, ("mid", 5, "advance")),
    ("from the third rung, two of three again", ["clean"] * 12, ("hard", 6, "advance")),
    ("third rung: one clean day is not enough", ["clean"] * 13, ("hard", 6, "same")),
    ("the latest day must be clean", ["clean", "slip5"], ("easy", 7, "same")),
    ("no step up after pain", ["pain", "clean"], ("easy", 6, "same")),
]


@pytest.mark.parametrize(("name", "days", "expect"), QUICK_START, ids=[r[0] for r in QUICK_START])
def test_the_quicker_start(name: str, days: list[str], expect: tuple[str, int, str]) -> None:
    assert live(days, QUICK)[-1][:3] == expect


def test_a_steady_daily_user_reaches_rung_two_in_four_weeks_and_three_in_ten() -> None:
    """The packaged library and thresholds: every rep clean, one session a day. Each family
    of the rotation is planned on its second rung by day 28, and on its third by day 70."""
    cfg = load_config(DEFAULT_CONFIG).config
    history: list[SessionRecord] = []
    reached: dict[tuple[str, int], int] = {}
    for n in range(1, 71):
        day = DAY0 + timedelta(n - 1)
        plan = plan_for_day(cfg.library, history, day, cfg.progression, cfg.session, 2)
        for p in plan.exercises:
            for rung in range(1, p.family.ladder.index(p.variation) + 1):
                reached.setdefault((p.family.id, rung), n)
        history.append(record(n, day, [(p, "clean") for p in plan.exercises], 2))
    for f in cfg.library.families:
        assert reached.get((f.id, 1), 99) <= 28, (f.id, reached.get((f.id, 1)))
        assert reached.get((f.id, 2), 99) <= 70, (f.id, reached.get((f.id, 2)))
    # and still never more than one step a day: every target moved by at most one rep or rung
    states = exercise_states(cfg.library, history, DAY0 + timedelta(70), cfg.progression)
    assert all(s.change in ("same", "advance") for s in states.values())
