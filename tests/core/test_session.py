"""A whole guided session through the pure core, as a person would live it."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core.data.events import Hold, Press, Release, Save, Say, Tick
from kiosk.core.data.model import Button
from kiosk.core.data.records import SessionRecord, SetRecord
from kiosk.core.words import phrases
from kiosk.sim import SimUser
from tests.core.helpers import Run


def test_steady_session_is_spoken_paced_and_saved() -> None:
    run = Run(SimUser("steady")).until_finished()
    [record] = run.sessions
    assert record.ended_by == "complete"
    assert (record.pain_before, record.pain_after) == (2, 1)
    assert [e.family for e in record.exercises] == ["bridge", "bird-dog", "squat"]
    for ex in record.exercises:
        assert [s.ended_by for s in ex.sets] == ["target", "target"]
        assert all(s.reps == ("clean",) * 4 for s in ex.sets)
    said = " ".join(run.said)
    assert "how is your back" in said
    assert phrases.PRIMER_INTRO in run.said
    assert "Breathe out as you lift." in run.said
    assert "Four clean reps. Target met. Well done." in run.said
    assert "Pain two before, one after." in said
    # the breath paces everything: primer cycles and every rep have inhale and exhale tones
    assert run.tones.count("inhale") >= 2 + 3 * 2 * 4


def test_first_amber_ends_the_set_and_names_perfect_capacity() -> None:
    run = Run(SimUser("slipping")).until_finished()
    record = run.sessions[0]
    first = record.exercises[0]
    # target 4 here, so the slipping user (clean for 5 reps in odd exercises) meets it; the
    # second exercise slips after three clean reps
    second = record.exercises[1]
    assert second.sets == (SetRecord(None, ("clean",) * 3 + ("slipped",), 3, "fray"),)
    assert "Three clean reps. That is your perfect capacity today." in run.said
    assert first.sets[0].ended_by == "target"


def test_red_mid_set_stops_asks_pain_and_records_it() -> None:
    run = Run(SimUser("sore")).until_finished()
    record = run.sessions[0]
    second = record.exercises[1]
    assert second.sets[0].ended_by == "pain"
    assert len(second.sets) == 1  # pain never leads to more load: no further set
    [event] = record.pain_events
    assert event.family == "bird-dog" and event.pain == 3 and event.rep == 2
    assert record.exercises[2].sets, "a small rise goes on with the next exercise"
    assert phrases.PAIN_CONTINUE in run.said


def test_pain_two_points_above_checkin_ends_session_with_clinician_advice() -> None:
    user = SimUser("sore", checkin_pain=2)
    user.pain["pain"] = 4
    run = Run(user).until_finished()
    record = run.sessions[0]
    assert record.ended_by == "pain"
    assert record.pain_after == 4
    assert not record.exercises[2].sets
    assert phrases.PAIN_STOP in run.said
    assert "clinician" in phrases.PAIN_STOP


def test_red_press_interrupts_speech_at_once() -> None:
    run = Run(SimUser(presses="gG"))
    while run.kiosk.session is None or run.kiosk.session.phase != "primer":
        run.step()
    run.effects.clear()
    run.feed([Press(Button.RED, run.t)])
    names = [type(e).__name__ for e in run.effects]
    assert names.index("Hush") < names.index("Say")
    says = [e for e in run.effects if isinstance(e, Say)]
    assert says[0].interrupt and "How much does it hurt" in says[0].text


def test_holding_red_ends_the_session_at_once_and_saves() -> None:
    run = Run(SimUser(presses="gGg gR"))  # start, confirm check-in, ready, a clean rep, hold RED
    run.until_finished()
    record = run.sessions[0]
    assert record.ended_by == "stop"
    assert phrases.ENDED_BY_HOLD in run.said


def _silent_mid_set() -> Run:
    run = Run(SimUser(presses="gGg"))  # start, confirm pain, ready
    while run.kiosk.view.screen != "set":
        run.step()
    run.user.decide = lambda view, t: None  # type: ignore[method-assign]  # then silence
    while run.kiosk.view.screen != "silent":
        run.step()
        assert run.t < 600
    return run


def test_no_rating_asks_once_more_then_asks_if_all_right_never_invents() -> None:
    run = _silent_mid_set()
    session = run.kiosk.session
    assert session is not None
    the_set = session.results[0].sets[0]
    assert the_set.reps == [] and the_set.ended_by == "timeout"
    said = run.said
    assert said.index(phrases.RATE_PROMPT) < said.index(phrases.RATE_AGAIN) < said.index(
        phrases.ARE_YOU_ALL_RIGHT)


def test_silence_mid_set_calls_for_help_once_a_minute_for_ten_minutes_then_closes() -> None:
    run = _silent_mid_set()
    asked = run.t
    calls: list[float] = []
    while not run.finished:
        before = len(run.said)
        run.step()
        calls += [run.t for line in run.said[before:] if line == phrases.CALL_FOR_HELP]
        assert run.t < asked + 3600
    assert len(calls) == 10
    gaps = [round(b - a) for a, b in zip(calls, calls[1:], strict=False)]
    assert gaps == [60] * 9 and 55 <= calls[0] - asked <= 70
    [record] = run.sessions
    assert record.ended_by == "timeout"
    assert record.exercises[0].sets[0].ended_by == "timeout"


@pytest.mark.parametrize("button", [Button.GREEN, Button.AMBER])
def test_any_press_after_the_silence_answers_and_pauses_the_set(button: Button) -> None:
    run = _silent_mid_set()
    for _ in range(int(150 / 0.05)):  # two calls for help, then the press
        run.step()
    assert run.said.count(phrases.CALL_FOR_HELP) == 2
    run.feed([Press(button, run.t + 0.1), Release(button, run.t + 0.2)])
    assert run.kiosk.view.screen == "paused"
    assert phrases.SILENT_ANSWERED in run.said and phrases.SET_PAUSED in run.said
    for _ in range(int(120 / 0.05)):
        run.step()
    assert run.said.count(phrases.CALL_FOR_HELP) == 2, "answered: no more calls"


def test_red_after_the_silence_ends_the_session_at_once() -> None:
    run = _silent_mid_set()
    run.feed([Press(Button.RED, run.t + 0.1)])
    assert run.kiosk.session is None
    assert run.said[-1] == phrases.SILENT_RED_END or phrases.SILENT_RED_END in run.said[-3:]
    [record] = run.sessions
    assert record.ended_by == "stop" and not record.pain_events


def test_pain_entry_by_buttons_speaks_each_step() -> None:
    run = Run(SimUser(presses=""))
    run.feed([Press(Button.GREEN, 1.0), Release(Button.GREEN, 1.1)])  # start
    run.effects.clear()
    for t in (2.0, 3.0, 4.0):
        run.feed([Press(Button.GREEN, t), Release(Button.GREEN, t + 0.1)])
    run.feed([Press(Button.AMBER, 5.0), Release(Button.AMBER, 5.1)])
    assert [s for s in run.said] == ["one", "two", "three", "two"]
    run.feed([Press(Button.GREEN, 6.0), Hold(Button.GREEN, 7.5)])
    assert "Pain two. Thank you." in run.said
    assert run.kiosk.session is not None and run.kiosk.session.pain_before == 2


def test_checkin_timeout_abandons_without_saving() -> None:
    run = Run(SimUser(presses=""))
    run.feed([Press(Button.GREEN, 1.0), Release(Button.GREEN, 1.1)])
    for i in range(1, 200):
        run.feed([Tick(1.0 + i)])
    assert run.kiosk.session is None and not run.sessions
    assert phrases.CHECKIN_ABANDONED in run.said


def test_session_record_uses_elapsed_time_not_the_wall_clock() -> None:
    run = Run(SimUser("steady")).until_finished()
    record = run.sessions[0]
    assert record.started_at.isoformat().startswith("2026-11-25T09:00")
    assert record.duration_s > 60
    assert record.plan_date == date(2026, 11, 25)


def test_home_amber_speaks_plan_and_green_starts() -> None:
    run = Run(SimUser(presses=""))
    assert run.kiosk.view.screen == "home"
    run.feed([Press(Button.AMBER, 1.0)])
    assert run.said[-1] == "Press GREEN to start."
    run.feed([Press(Button.GREEN, 2.0)])
    assert run.kiosk.view.screen == "checkin"


def test_shutdown_chord_saves_session_first() -> None:
    run = Run(SimUser(presses=""))
    run.feed([Press(Button.GREEN, 1.0), Release(Button.GREEN, 1.1)])
    run.feed(run.tracker.edge(Button.GREEN, True, 2.0))
    run.feed(run.tracker.edge(Button.RED, True, 2.0))
    t = 2.0
    while t < 8.0:
        t += 0.1
        run.feed(run.tracker.tick(t))
    names = [type(e).__name__ for e in run.effects]
    assert "PowerOff" in names
    assert names.index("Save") < names.index("PowerOff")
    assert "Shutting down. Everything is saved. Goodbye." in run.said


def test_red_in_the_breathing_primer_is_no_exercise_and_the_first_is_still_done() -> None:
    run = Run(SimUser(presses="gG"))  # start, confirm pain 0
    while run.kiosk.session is None or run.kiosk.session.phase != "primer":
        run.step()
    run.feed([Press(Button.RED, run.t)])
    assert run.kiosk.view.screen == "pain"
    run.user = SimUser("steady", checkin_pain=0)  # rates this pain 1: a small rise, go on
    run.until_finished()
    record = run.sessions[0]
    [event] = record.pain_events
    assert event.family is None and event.phase == "primer"
    assert record.exercises[0].sets, "the first exercise still comes after the stop"


def test_after_a_session_the_summary_shows_until_a_press() -> None:
    run = Run(SimUser("slipping")).until_finished()
    view = run.kiosk.view
    assert view.screen == "summary" and view.title == "Session complete"
    assert "Pain 2 before, 1 after" in view.lines
    assert any(line.endswith("clean") for line in view.lines)
    run.feed([Press(Button.GREEN, run.t + 1)])
    home = run.kiosk.view
    assert home.screen == "home" and home.title == "Done today. Well done."


def test_holding_red_to_end_is_a_stop_not_a_pain_event() -> None:
    run = Run(SimUser(presses="gGggR"))  # start, confirm, ready, one clean rep, RED held
    run.until_finished()
    record = run.sessions[0]
    assert record.ended_by == "stop"
    assert record.pain_events == ()
    assert record.exercises[0].sets[0].ended_by == "stop"


def test_red_pressed_then_released_then_held_keeps_the_pain_event() -> None:
    run = Run(SimUser(presses="gGgg"))
    while run.kiosk.view.awaiting != "rating" or run.kiosk.view.rep != 2:
        run.step()
    run.user.decide = lambda view, t: None  # type: ignore[method-assign]
    t = run.t
    run.feed(run.tracker.edge(Button.RED, True, t + 0.1))
    run.feed(run.tracker.edge(Button.RED, False, t + 0.3))  # pain: released
    run.feed(run.tracker.edge(Button.RED, True, t + 2.0))  # then decides to end
    run.feed(run.tracker.tick(t + 4.5))
    record = run.sessions[0]
    assert record.ended_by == "stop"
    assert len(record.pain_events) == 1 and record.pain_events[0].pain is None
    assert record.exercises[0].sets[0].ended_by == "pain"


def test_progress_is_checkpointed_between_exercises_never_per_rep() -> None:
    run = Run(SimUser("steady")).until_finished()
    saves = run.session_saves
    assert [s.ended_by for s in saves] == ["interrupted"] * 3 + ["complete"]
    assert len({s.id for s in saves}) == 1, "every save replaces the same session"
    assert [sum(bool(e.sets) for e in s.exercises) for s in saves] == [1, 2, 3, 3]


def test_one_sided_sets_switch_sides_without_a_rest_between() -> None:
    from dataclasses import replace

    from tests.core.helpers import library, variation

    lib = library()
    each = variation("side-plank-1", side="each")

    def planner(sessions, day, pain):
        from kiosk.core.data.model import Plan, PlannedExercise

        fam = replace(lib.families[0], ladder=(each,))
        return Plan(day.isoformat(), (PlannedExercise(fam, each, 2, ""),))

    run = Run(SimUser("steady"), planner=planner).until_finished()
    sets = run.sessions[0].exercises[0].sets
    assert [s.side for s in sets] == ["left", "right", "left", "right"]
    said = run.said
    rests = [i for i, line in enumerate(said) if line.startswith("Rest and breathe")]
    assert len(rests) == 1, "one rest, between set one (both sides) and set two"
    assert "Set one of two on the right side." in said


def test_ready_starts_the_set_in_the_same_event_with_one_lead_in() -> None:
    """Issue 8, point 4: GREEN at Ready cuts off the introduction and the first breath starts
    with the press itself, not after the intro's lines would have been said."""
    run = Run(SimUser(presses="gG"))  # start, confirm pain; the breathing runs its course
    while run.kiosk.view.screen != "intro":
        run.step()
    run.user.decide = lambda view, t: None  # type: ignore[method-assign]
    run.effects.clear()
    run.feed([Press(Button.GREEN, run.t + 0.1)])
    view = run.kiosk.view
    assert view.screen == "set" and view.pacer is not None
    assert view.pacer.started == run.t + 0.1
    says = [e for e in run.effects if isinstance(e, Say)]
    assert [(s.text, s.interrupt) for s in says] == [("Breathe in to prepare.", True)]


def test_closing_mid_set_keeps_the_rated_reps_as_an_interrupted_session() -> None:
    """Issue 8, point 12: the checkpoint on close (Esc, SIGTERM) in the first exercise."""
    run = Run(SimUser(presses="gGgg"))  # start, confirm, (breathing), ready, one clean rep
    while not run.user.out_of_presses or run.hands.busy:
        run.step()
    session = run.kiosk.session
    assert session is not None
    [save] = session.interrupt()
    assert isinstance(save, Save) and isinstance(save.record, SessionRecord)
    record = save.record
    assert record.ended_by == "interrupted"
    assert [s.reps for s in record.exercises[0].sets] == [("clean",)]
    assert record.exercises[0].sets[0].ended_by == "stop"


def test_closing_before_anything_was_rated_saves_nothing() -> None:
    run = Run(SimUser(presses=""))
    run.feed([Press(Button.GREEN, 1.0), Release(Button.GREEN, 1.1)])  # start; no rating
    session = run.kiosk.session
    assert session is not None and session.interrupt() == []


def _loaded_planner():
    """A plan of two: a loaded rung ("a light weight"), then one with nothing to hold."""
    from dataclasses import replace

    from kiosk.core.data.model import Plan, PlannedExercise
    from tests.core.helpers import library, variation

    lib = library()
    loaded = replace(variation("carry-1"), load="a light weight")
    plain = lib.families[1].ladder[0]
    fam = replace(lib.families[0], ladder=(loaded,))

    def planner(sessions, day, pain):
        return Plan(day.isoformat(), (PlannedExercise(fam, loaded, 2, ""),
                                      PlannedExercise(lib.families[1], plain, 2, "")))

    return planner


def test_a_load_is_recorded_as_the_person_confirms_it() -> None:
    """Issue 13, point 6: a loaded rung asks for its load, and GREEN at Ready records it."""
    run = Run(SimUser("steady"), planner=_loaded_planner()).until_finished()
    assert "You need a light weight. Press GREEN when you have it, AMBER to skip." in run.said
    [session] = run.sessions
    loaded, plain = session.exercises
    assert (loaded.load, loaded.skipped, len(loaded.sets)) == ("a light weight", False, 2)
    assert plain.load is None and plain.sets


def test_a_load_skipped_at_ready_is_not_recorded() -> None:
    run = Run(SimUser("steady"), planner=_loaded_planner())
    while run.kiosk.view.screen != "intro":
        run.step()
    run.feed([Press(Button.AMBER, run.t + 0.1)])  # "AMBER to skip": no weight to hand
    run.until_finished()
    [session] = run.sessions
    loaded, plain = session.exercises
    assert (loaded.skipped, loaded.load, loaded.sets) == (True, None, ())
    assert plain.sets and plain.load is None



def test_a_load_in_kilos_is_said_and_recorded_as_confirmed() -> None:
    """Issue 26, point 7: a loaded rung names its load in kg (config/program.toml), says it,
    and records the load the person confirms."""
    from dataclasses import replace

    from kiosk.core.data.model import Plan, PlannedExercise
    from tests.core.helpers import library, variation

    lib = library()
    loaded = replace(variation("carry-1"), load="a light weight", load_kg=2.5)
    fam = replace(lib.families[0], ladder=(loaded,))

    def planner(sessions, day, pain):
        return Plan(day.isoformat(), (PlannedExercise(fam, loaded, 2, ""),))

    run = Run(SimUser("steady"), planner=planner).until_finished()
    assert ("You need a light weight, two and a half kilos. Press GREEN when you have it, "
            "AMBER to skip.") in run.said
    [session] = run.sessions
    assert session.exercises[0].load == "a light weight, 2.5 kg"


def _walk_planner(minutes: int):
    from dataclasses import replace

    from kiosk.core.data.model import Plan, PlannedExercise
    from tests.core.helpers import library, variation

    lib = library()
    walk = replace(variation("walk-1"), unit="minutes", start_reps=2, max_reps=30)
    fam = replace(lib.families[0], ladder=(walk,))

    def planner(sessions, day, pain):
        return Plan(day.isoformat(), (PlannedExercise(fam, walk, minutes, "", away=True),))

    return planner


def test_a_walk_away_from_the_kiosk_is_asked_about_and_green_records_it() -> None:
    """Issue 26, point 7: a walk longer than a session happens away from the kiosk; GREEN to
    "Did you walk N minutes?" records it as walked (and so lets walking step up)."""
    run = Run(SimUser("steady"), planner=_walk_planner(12)).until_finished()
    assert "Did you walk twelve minutes? GREEN for yes, AMBER for not today." in run.said
    assert "Twelve minutes walked. Well done." in run.said
    [session] = run.sessions
    [walk] = session.exercises
    assert walk.sets == (SetRecord(None, ("clean",) * 12, 12, "target"),)
    assert not run.tones.count("exhale") > 20  # it was not paced minute by minute


def test_amber_to_the_walk_question_records_no_walk() -> None:
    run = Run(SimUser("steady"), planner=_walk_planner(12))
    while run.kiosk.view.screen != "intro":
        run.step()
    run.feed([Press(Button.AMBER, run.t + 0.1)])
    run.until_finished()
    [session] = run.sessions
    assert session.exercises[0].skipped and not session.exercises[0].sets


def test_every_caption_of_a_session_was_said_for_the_screen_it_is_under() -> None:
    """Issue 30: the end screen showed the rest's "Rest and breathe..." line. Each caption
    shown is a line said while that screen was up, never one of the screen before."""
    run = Run(SimUser("slipping"))
    said_for: dict[tuple[int, str], set[str]] = {}
    seen = 0
    while run.t < 3600:
        run.step()
        key = run.kiosk.screen_key()
        new = [e.text for e in run.effects[seen:] if isinstance(e, Say)]
        seen = len(run.effects)
        said_for.setdefault(key, set()).update(new)
        caption = run.kiosk.view.caption
        assert caption == "" or caption in said_for[key], (key, caption)
        if run.kiosk.session is None and run.saved and not run.hands.busy:
            break
    assert any(screen == "rest" for _, screen in said_for), "the session rested"
