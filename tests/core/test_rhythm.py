"""The weekly rhythm (kiosk/core/coach/rhythm.py): days Monday to Sunday with a session or a
completed
ritual, counted against the target, shown as a strip and said without blame."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.core.coach.rhythm import active_days, spoken, strip_text, week_of
from kiosk.core.data.records import (
    ExerciseRecord,
    Record,
    RitualRecord,
    SessionRecord,
    SetRecord,
)

WED = date(2026, 11, 25)  # a Wednesday


def session(
    day: str, *, ended_by: str = "complete", reps: tuple[str, ...] = ()
) -> SessionRecord:
    sets = (SetRecord(None, reps, reps.count("clean"), "target"),) if reps else ()
    at = datetime.fromisoformat(f"{day}T09:00:00")
    exercise = ExerciseRecord("bridge", "bridge-supported", "Supported bridge", 6, "same", "",
                              False, sets)
    return SessionRecord(f"s-{day}", date.fromisoformat(day), at, at, 0.0, 2, 1, ended_by,
                         (exercise,), ())


def ritual(day: str, outcome: str = "done") -> RitualRecord:
    return RitualRecord(f"r-{day}-{outcome}", "wind-down", "Wind-down", "rib-breathing",
                        "rib-breathing-side", None, datetime.fromisoformat(f"{day}T21:30:10"),
                        outcome, "clean" if outcome == "done" else None, 60.0, 6)


def test_three_sessions_on_one_day_are_one_day() -> None:
    recs = [session("2026-11-23"), session("2026-11-23"), session("2026-11-23")]
    assert week_of(WED, active_days(recs), 5).count == 1


def test_a_completed_ritual_counts_like_a_session_and_a_snooze_or_skip_does_not() -> None:
    recs: list[Record] = [ritual("2026-11-23"), ritual("2026-11-24", "snoozed"),
                          ritual("2026-11-24", "skipped"), session("2026-11-25")]
    week = week_of(WED, active_days(recs), 5)
    assert week.done == (True, False, True, False, False, False, False)


def test_a_session_stopped_before_anything_was_done_does_not_count_one_with_a_rep_does() -> None:
    recs = [session("2026-11-23", ended_by="stop"),
            session("2026-11-24", ended_by="pain", reps=("clean", "slipped"))]
    assert week_of(WED, active_days(recs), 5).done[:2] == (False, True)


def test_a_session_closed_by_silence_counts_only_if_an_exercise_was_finished() -> None:
    """Ten minutes of silence mid-set close the session: a few reps and then nobody there is
    not a day of practice; an exercise finished before the silence is."""
    at = datetime.fromisoformat("2026-11-24T09:00:00")
    done = ExerciseRecord("bridge", "bridge-supported", "Supported bridge", 6, "same", "", False,
                          (SetRecord(None, ("clean",) * 6, 6, "target"),))
    cut = ExerciseRecord("bird-dog", "bird-dog-arm", "Arm reach", 6, "same", "", False,
                         (SetRecord(None, ("clean",) * 2, 2, "timeout"),))
    silent = SessionRecord("s1", at.date(), at, at, 0.0, 2, None, "timeout", (cut,), ())
    finished = SessionRecord("s2", WED, at, at, 0.0, 2, None, "timeout", (done, cut), ())
    assert week_of(WED, active_days([silent, finished]), 5).done[1:3] == (False, True)


def test_the_week_runs_monday_to_sunday() -> None:
    recs = [session("2026-11-22"), session("2026-11-23"), session("2026-11-29"),
            session("2026-11-30")]  # Sun before, Mon, Sun, Mon after
    sunday = date(2026, 11, 29)
    assert week_of(sunday, active_days(recs), 5).done == (True,) + (False,) * 5 + (True,)
    assert week_of(date(2026, 11, 30), active_days(recs), 5).count == 1


def test_a_day_after_today_never_counts() -> None:
    assert week_of(WED, active_days([session("2026-11-27")]), 5).count == 0


@pytest.mark.parametrize(
    ("days", "line"),
    [
        (1, "One of five this week."),
        (4, "Four of five this week."),
        (5, "Five of five this week. That is your rhythm."),
        (6, "Six days this week, beyond your aim of five."),
    ],
)
def test_the_spoken_line_counts_and_never_blames(days: int, line: str) -> None:
    sunday = date(2026, 11, 29)
    recs = [session(f"2026-11-{23 + i}") for i in range(days)]
    text = spoken(week_of(sunday, active_days(recs), 5))
    assert text == line
    assert not any(w in text.lower() for w in ("miss", "fail", "only", "behind", "should"))


def test_the_strip_marks_done_today_rest_and_ahead_days() -> None:
    week = week_of(WED, active_days([session("2026-11-23")]), 5)
    assert [s for _, s in week.marks()] == ["done", "rest", "today", "ahead", "ahead", "ahead",
                                            "ahead"]
    assert strip_text(week).startswith("Mon [x]  Tue [ ]  Wed*[ ]  Thu  . ")
