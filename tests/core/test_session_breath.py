"""Sessions paced by the breath timeline (issue 13): what a person hears, sees and gets saved,
for every kind of exercise in the packaged library."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kiosk.config import DEFAULT_EXERCISES, load_library
from kiosk.core.data.events import Paced, Press, Say, Tone
from kiosk.core.data.model import Button, Plan, PlannedExercise
from kiosk.core.flows.session import HANDLERS, Phase
from kiosk.core.flows.session_view import BUILDERS
from kiosk.core.words import phrases
from kiosk.core.words.catalogue import catalogue
from kiosk.sim import SimUser
from tests.core.helpers import FAST, Run

LIB = load_library(DEFAULT_EXERCISES)


def planner_of(*items: tuple[str, int]) -> Any:
    """A fixed plan of packaged variations, each with its target."""
    def plan(sessions: list[dict[str, Any]], day: date, pain: int | None) -> Plan:
        planned = []
        for vid, target in items:
            family, v = LIB.variation(vid)
            planned.append(PlannedExercise(family, v, target, ""))
        return Plan(day.isoformat(), tuple(planned))

    return plan


MIXED = planner_of(("bridge-hold", 3), ("bird-dog-arm", 4), ("side-plank-knees", 2),
                   ("walk-easy", 2))


def sets_of_beats(run: Run) -> list[list[Paced]]:
    """The Paced beats of each set, in order (a lead-in opens a set)."""
    sets: list[list[Paced]] = []
    for e in run.effects:
        if isinstance(e, Paced) and e.rep is not None or (
            isinstance(e, Paced) and e.say and "to prepare" in e.say[-1]
        ):
            if e.rep is None:
                sets.append([])
            sets[-1].append(e)
    return sets


def test_every_phase_has_a_handler_and_a_view() -> None:
    assert set(HANDLERS) == set(Phase)
    assert set(BUILDERS) == set(Phase)


def test_the_breath_alternates_through_the_whole_session() -> None:
    """Primer, lead-ins, reps, the out-breath that closes each set, rests and the next set:
    never two in-breaths or two out-breaths in a row. A walk paces no breath (free)."""
    run = Run(SimUser("steady"), settings=FAST, planner=MIXED).until_finished()
    sets = sets_of_beats(run)
    assert len(sets) >= 7  # bridge 2, bird-dog 2, side plank 2 x 2 sides, one walk
    paced = [e for e in run.effects if isinstance(e, Paced)]
    breaths = [b.breath for b in paced if b.breath != "free"]
    assert all(a != b for a, b in zip(breaths, breaths[1:], strict=False)), breaths
    closes = [b for b in paced if b.say == (phrases.SET_CLOSE,)]
    assert len(closes) >= 6 and all(b.breath == "out" for b in closes)
    for beats in sets:
        for b in beats:
            for line in b.say:
                assert "reathe in" in line or "reathe out" in line or "minute" in line, line


def test_voice_tone_and_pacer_follow_the_same_beats() -> None:
    run = Run(SimUser("steady"), settings=FAST, planner=MIXED)
    pacers = []
    while not run.finished:
        before = len(run.effects)
        run.step()
        new = run.effects[before:]
        for i, e in enumerate(new):
            if isinstance(e, Paced) and e.rep is not None and e.breath != "free":
                # the tone for the beat is right after it, and its words after that
                assert new[i + 1].name == e.tone  # type: ignore[union-attr]
                said = [x.text for x in new[i + 2:i + 2 + len(e.say)] if isinstance(x, Say)]
                assert said == list(e.say)
                view = run.kiosk.view
                if view.pacer is not None:
                    pacers.append((view.pacer.phase, e.tone))
        assert run.t < 3600
    assert pacers and all(phase == tone for phase, tone in pacers)


def test_a_hold_keeps_breathing_and_the_view_counts_it_down() -> None:
    run = Run(SimUser("steady"), settings=FAST, planner=planner_of(("bridge-hold", 2)))
    seen: list[tuple[str, float]] = []
    while not run.finished:
        run.step()
        p = run.kiosk.view.pacer
        if p is not None and p.hold_until is not None:
            seen.append((p.phase, round(p.hold_until - run.t, 1)))
        assert run.t < 3600
    assert {phase for phase, _ in seen} == {"inhale", "exhale"}, "the pacer breathes in a hold"
    lefts = [left for _, left in seen[:40]]
    assert lefts == sorted(lefts, reverse=True) and lefts[0] > 7.0
    assert "Hold, and breathe in." in run.said


def test_alternating_reps_are_counted_left_and_right() -> None:
    run = Run(SimUser("steady"), settings=FAST,
              planner=planner_of(("bird-dog-arm", 6))).until_finished()
    said = run.said
    for line in ("Left, one. Breathe out as you reach one arm forward.",
                 "Right, one. Breathe out as you reach one arm forward.",
                 "Left, two. Breathe out.", "Right, two. Breathe out.",
                 "Left, three. Breathe out as you reach one arm forward."):
        assert line in said
    [record] = run.sessions
    assert [len(s.reps) for s in record.exercises[0].sets] == [6, 6]


def test_a_slip_on_one_side_ends_that_side_and_the_other_side_is_still_done() -> None:
    # start, confirm pain; (the primer); ready; left: clean, slip; right: clean, clean;
    # (a rest); set two is the right side only, as the left slipped today; the check-out
    presses = "g G g ga gg gg G"
    run = Run(SimUser(presses=presses), settings=FAST,
              planner=planner_of(("side-plank-knees", 2))).until_finished()
    [record] = run.sessions
    sets = record.exercises[0].sets
    assert [(s.side, s.reps, s.ended_by) for s in sets] == [
        ("left", ("clean", "slipped"), "fray"),
        ("right", ("clean", "clean"), "target"),
        ("right", ("clean", "clean"), "target"),
    ]
    assert record.ended_by == "complete"


def test_amber_speaks_the_variations_fray_tip_then_the_set_ends() -> None:
    run = Run(SimUser("slipping"), settings=FAST,
              planner=planner_of(("bird-dog-full", 8), ("dead-bug-heel-tap", 8)))
    run.until_finished()
    said = run.said
    tip = LIB.variation("dead-bug-heel-tap")[1].fray_tip
    assert tip == "Keep the ribs down as the foot goes down."
    i = said.index(tip)
    assert said[i + 1].endswith("That is your perfect capacity today.")


def test_a_walk_is_one_set_of_minutes_cued_once_a_minute_with_no_breath_tones() -> None:
    run = Run(SimUser("steady"), settings=FAST, planner=planner_of(("walk-brisk", 3)))
    run.until_finished()
    [record] = run.sessions
    [only] = record.exercises[0].sets
    assert only.reps == ("clean", "clean", "clean")
    assert phrases.RATE_MINUTE in run.said
    minutes = [e for e in run.effects if isinstance(e, Paced) and e.rep is not None]
    assert [(b.breath, b.seconds, b.tone) for b in minutes] == [("free", 60.0, "")] * 3
    assert [b.say for b in minutes] == [("Start walking now. Three minutes to go.",),
                                        ("One minute done. Two minutes to go.",),
                                        ("Two minutes done. One minute to go.",)]
    first, last = minutes[0].at, minutes[-1].at + 60
    tones = [e for e in run.effects if isinstance(e, Tone) and e.name in ("inhale", "exhale")]
    walk = run.effects[run.effects.index(minutes[0]):run.effects.index(minutes[-1]) + 1]
    assert not [e for e in walk if isinstance(e, Tone) and e.name in ("inhale", "exhale")]
    assert tones and first < last  # the primer still breathes, with its tones


@pytest.mark.parametrize("profile", ["steady", "slipping", "sore"])
def test_every_line_said_in_a_session_was_in_the_catalogue(profile: str) -> None:
    """The pre-render catalogue is made from the same phrases, so nothing waits on the speech
    engine: only the summary and the week's count (the day's own numbers) are rendered when
    they are due."""
    run = Run(SimUser(profile), settings=FAST, planner=MIXED).until_finished()
    assert run.sessions
    lines = set(catalogue(MIXED([], date(2026, 11, 25), None), settings=FAST))
    # the summary and the week's rhythm (kiosk/core/coach/rhythm.py) are made of the day's numbers
    missing = [line for line in run.said if line not in lines
               and not line.startswith("Today:") and "this week" not in line]
    assert missing == []


def test_ready_starts_the_set_at_once_with_its_lead_in() -> None:
    run = Run(SimUser(presses="gG a"), settings=FAST,
              planner=planner_of(("open-book-side-lying", 3)))
    while run.kiosk.view.awaiting != "ready":
        run.step()
        assert run.t < 600
    run.effects.clear()
    run.feed([Press(Button.GREEN, run.t + 0.1)])
    paced = [e for e in run.effects if isinstance(e, Paced)]
    assert paced, "the first breath starts at the press"
    for _ in range(int(6 / 0.05)):
        run.step()
    paced = [e for e in run.effects if isinstance(e, Paced)]
    # The open book moves on the in-breath: a whole breath prepares it, starting on the in.
    assert [(p.breath, p.say) for p in paced[:2]] == [
        ("in", ("Left side. Breathe in to prepare.",)), ("out", ("And breathe out.",))]
