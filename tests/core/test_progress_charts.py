"""The history screens' data: one table per chart, from typed records to what is drawn."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core.reports.progress import calendar, exercise_charts, pain_chart, practice_days, window
from tests.core.progress_samples import LADDERS, exercise, pain, session

DAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("day", "weeks", "first", "last"),
    [
        ("2026-11-26", 8, "2026-10-05", "2026-11-29"),
        ("2026-11-23", 1, "2026-11-23", "2026-11-29"),  # a Monday: its own week
        ("2026-11-29", 1, "2026-11-23", "2026-11-29"),  # a Sunday: still that week
    ],
)
def test_the_window_is_whole_weeks_ending_with_the_days_week(
    day: str, weeks: int, first: str, last: str
) -> None:
    assert window(date.fromisoformat(day), weeks) == (date.fromisoformat(first),
                                                     date.fromisoformat(last))


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        # (family, [(day, clean, rung)]) for each chart, in the library's order
        ([], []),
        ([session("2026-11-24", exercise("bridge", 9))],
         [("bridge", [("2026-11-24", 9, 1)])]),
        # the clean reps of every set add up; bird-dog comes after bridge, as in the library
        ([session("2026-11-24", exercise("bird-dog", (4, 5)), exercise("bridge", (6, 3)))],
         [("bridge", [("2026-11-24", 9, 1)]), ("bird-dog", [("2026-11-24", 9, 1)])]),
        # a skipped exercise is no point; a rung up shows in the point
        ([session("2026-11-20", exercise("bridge", 8)),
          session("2026-11-24", exercise("bridge", 6, rung=2),
                  exercise("bird-dog", 0, skipped=True))],
         [("bridge", [("2026-11-20", 8, 1), ("2026-11-24", 6, 2)])]),
        # before the eight weeks: left out
        ([session("2026-10-04", exercise("bridge", 5)),
          session("2026-10-05", exercise("bridge", 7))],
         [("bridge", [("2026-10-05", 7, 1)])]),
        # a family no longer in the library keeps its chart, after the others
        ([session("2026-11-24", exercise("plank", 3), exercise("bridge", 4))],
         [("bridge", [("2026-11-24", 4, 1)]), ("plank", [("2026-11-24", 3, 1)])]),
    ],
)
def test_clean_reps_per_exercise(records: list, expected: list) -> None:
    charts = exercise_charts(records, DAY, LADDERS)
    got = [(c.family, [(p.day.isoformat(), p.clean, p.rung) for p in c.points]) for c in charts]
    assert got == expected


def test_an_exercise_chart_names_the_exercise_as_the_voice_did_and_its_ladder() -> None:
    """The variation's name, as the session said it, not the family's ("Bird-dog")."""
    (chart,) = exercise_charts([session("2026-11-17", exercise("bridge", 7, rung=1)),
                                session("2026-11-24", exercise("bridge", 9, rung=2))], DAY,
                               LADDERS)
    assert (chart.name, chart.rungs, chart.best) == ("Bridge 2", 3, 9)


@pytest.mark.parametrize(
    ("records", "points", "weekly_last_two"),
    [
        ([], [], (None, None)),
        ([session("2026-11-24", before=4, after=2)], [(4, 2, False)], (None, 3.0)),
        # a logged rating joins the week's mean; a session with no ratings is no point
        ([session("2026-11-17", before=6, after=6), session("2026-11-24"), pain("2026-11-25", 3)],
         [(6, 6, False), (None, 3, True)], (6.0, 3.0)),
        # check-in only (stopped at once): the one rating counts
        ([session("2026-11-24", before=5, ended_by="stop")], [(5, None, False)], (None, 5.0)),
    ],
)
def test_pain_points_and_the_weekly_trend(records: list, points: list,
                                          weekly_last_two: tuple) -> None:
    chart = pain_chart(records, DAY)
    assert [(p.before, p.after, p.logged) for p in chart.points] == points
    assert chart.weekly[-2:] == weekly_last_two
    assert len(chart.weekly) == 8


@pytest.mark.parametrize(
    ("done", "today", "rows"),
    [
        # today not done yet is "today"; days gone by with nothing are rest days, never missed
        ([], "2026-11-26", [("rest", "rest", "rest", "today", "ahead", "ahead", "ahead")]),
        (["2026-11-23", "2026-11-26"], "2026-11-26",
         [("done", "rest", "rest", "done", "ahead", "ahead", "ahead")]),
        # a record dated after today (a clock set wrong once) does not fill the week
        (["2026-11-28"], "2026-11-26",
         [("rest", "rest", "rest", "today", "ahead", "ahead", "ahead")]),
    ],
)
def test_the_calendar(done: list, today: str, rows: list) -> None:
    cal = calendar([date.fromisoformat(d) for d in done], date.fromisoformat(today), 5, weeks=1)
    assert list(cal.days) == rows
    assert cal.count(0) == sum(s == "done" for s in rows[0])


def test_a_day_counts_once_something_was_done() -> None:
    records = [
        session("2026-11-23", exercise("bridge", 0)),  # stopped before any rep, not complete
        session("2026-11-24", exercise("bridge", 3), ended_by="stop"),
        session("2026-11-25", ended_by="complete"),
    ]
    records[0] = session("2026-11-23", ended_by="stop")
    assert practice_days(records) == {date(2026, 11, 24), date(2026, 11, 25)}


def test_a_long_history_is_not_walked_to_its_start() -> None:
    # Ten years back the records are not even sessions: the walk stops long before them.
    old = [object()] * 10  # would raise if looked at
    records = [*old, session("2026-01-05"), session("2026-11-24", exercise("bridge", 4))]
    assert [c.family for c in exercise_charts(records, DAY, LADDERS)] == ["bridge"]  # type: ignore[arg-type]
