"""The weekly summary's sentences, from records, in a table; and the change thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core.coach.change import pain_change, psfs_change
from kiosk.core.data.records import ExerciseRecord, SetRecord
from kiosk.core.reports.weekly import (
    EMERGENCY_REMINDER,
    first_session_of_week,
    weekly_summary,
)
from tests.core.progress_samples import LADDERS, exercise, pain, session

DAY = date(2026, 11, 26)  # Thursday; the week is Mon 23 - Sun 29 November


def named_exercise(family: str, variation: str, name: str, clean: int) -> ExerciseRecord:
    sets = (SetRecord(None, ("clean",) * clean, clean, "target"),)
    return ExerciseRecord(family, variation, name, 8, "same", "", False, sets)


@pytest.mark.parametrize(
    ("records", "spoken"),
    [
        # The issue's own example
        ([session("2026-11-17", exercise("bridge", 9), before=4, after=4),
          session("2026-11-23", exercise("bridge", 9), before=3, after=3),
          session("2026-11-24", exercise("bridge", 10), before=3, after=3),
          session("2026-11-25", exercise("bridge", 10), before=3, after=3),
          session("2026-11-26", exercise("bridge", 11), before=3, after=3)],
         "This week: four sessions. Bridge went from nine to eleven clean reps. "
         "Pain averaged three, down from four."),
        # A quiet week: said plainly, with no word about the days without
        ([], "This week: a quiet week, no sessions. Whenever you are ready, GREEN starts one."),
        # A first week: "from" is its first session; no pain ratings, nothing said about pain
        ([session("2026-11-23", exercise("bridge", 5)),
          session("2026-11-25", exercise("bridge", 7))],
         "This week: two sessions. Bridge went from five to seven clean reps."),
        # A rung up is told as a step, not as fewer reps
        ([session("2026-11-20", exercise("bridge", 12)),
          session("2026-11-24", exercise("bridge", 6, rung=2))],
         "This week: one session. Bridge moved up a step, to Bridge 2."),
        # A step whose name is the family's is not said twice
        ([session("2026-11-20", exercise("bridge", 12)),
          session("2026-11-24", named_exercise("bridge", "bridge-2", "Bridge", 5))],
         "This week: one session. Bridge moved up a step."),
        # Fewer reps is not told at all; good news first, pain last
        ([session("2026-11-20", exercise("bridge", 9), before=2, after=2),
          session("2026-11-24", exercise("bridge", 7), exercise("bird-dog", 5), before=3,
                  after=2)],
         "This week: one session. Pain averaged three, up from two."),
        # A rise that matters (2 points) sends the person to their clinician
        ([session("2026-11-20", before=2, after=2), pain("2026-11-24", 5),
          session("2026-11-25", exercise("bridge", 4), before=5, after=4)],
         "This week: one session. Pain averaged five, up from two. "
         "If it stays up, please talk to your clinician."),
        # A drop that matters is said to matter
        ([session("2026-11-20", before=6, after=6),
          session("2026-11-25", exercise("bridge", 4), before=3, after=3)],
         "This week: one session. Pain averaged three, down from six. "
         "That is a change that matters."),
        # Same rounded pain: "the same"
        ([session("2026-11-20", before=4, after=4),
          session("2026-11-25", exercise("bridge", 4), before=3, after=4)],
         "This week: one session. Pain averaged four, the same as last week."),
        # A session stopped before any rep is not a session of the week
        ([session("2026-11-24", ended_by="stop", before=3)],
         "This week: a quiet week, no sessions. Whenever you are ready, GREEN starts one. "
         "Pain averaged three."),
    ],
)
def test_the_weekly_summary(records: list, spoken: str) -> None:
    # Every summary ends with the signs that need emergency care (docs/safety.md).
    assert weekly_summary(records, DAY, LADDERS) == f"{spoken} {EMERGENCY_REMINDER}"


def test_more_than_two_gains_are_counted_not_listed() -> None:
    fams = ("bridge", "bird-dog", "squat", "plank")
    before = session("2026-11-20", *(exercise(f, 3) for f in fams))
    after = session("2026-11-24", *(exercise(f, 5) for f in fams))
    text = weekly_summary([before, after], DAY, LADDERS)
    assert text.endswith("Bird-dog went from three to five clean reps. And two more exercises "
                         f"went up. {EMERGENCY_REMINDER}")


@pytest.mark.parametrize("word", ["miss", "fail", "skipp", "should", "only"])
def test_the_summary_never_scolds(word: str) -> None:
    for records in ([], [session("2026-11-17", exercise("bridge", 9))],
                    [session("2026-11-23", exercise("bridge", 2), before=7, after=8)]):
        assert word not in weekly_summary(records, DAY, LADDERS).lower()


@pytest.mark.parametrize(
    ("records", "first"),
    [
        ([], True),
        ([session("2026-11-20", exercise("bridge", 4))], True),  # last week's
        ([session("2026-11-23", ended_by="stop")], True),  # nothing done
        ([session("2026-11-23", exercise("bridge", 4))], False),
    ],
)
def test_the_first_session_of_the_week(records: list, first: bool) -> None:
    assert first_session_of_week(records, DAY) is first


@pytest.mark.parametrize(
    ("before", "after", "meaningful"),
    [
        (5, 3, True),  # 2 points
        (5, 4, False),  # 1 point, 20 %
        (3, 2, True),  # 1 point is 33 % of 3
        (2, 1.5, False),  # 25 %, and under a whole point
        (1, 0, True),  # 100 %, a whole point
        (8, 6.5, False),  # 1.5 points, 19 %
        (4, 6, True),  # rises count the same way
        (0, 1, False),
    ],
)
def test_pain_change_threshold(before: float, after: float, meaningful: bool) -> None:
    assert pain_change(before, after).meaningful is meaningful


@pytest.mark.parametrize(
    ("before", "after", "single", "meaningful"),
    [
        (4, 6, False, True),  # the mean: 2 points
        (4, 5.9, False, False),
        (4, 6, True, False),  # one activity: 3 points
        (4, 7, True, True),
        (7, 4, True, True),  # worse counts too
    ],
)
def test_psfs_change_threshold(before: float, after: float, single: bool,
                               meaningful: bool) -> None:
    assert psfs_change(before, after, single=single).meaningful is meaningful


# --- issue 26: the honest summary ----------------------------------------------------------------
def test_the_summary_says_flares_a_flat_target_and_what_waits() -> None:
    from kiosk.core.reports.weekly import weekly_summary

    # The bridge at one target, the same clean reps, for three weeks; the last session of the
    # week ends three points above its check-in.
    days = ["2026-11-09", "2026-11-13", "2026-11-17", "2026-11-20", "2026-11-24"]
    records = [session(d, exercise("bridge", (8, 8)), before=2, after=1) for d in days]
    records.append(session("2026-11-26", exercise("bridge", (8, 8)), before=2, after=5))
    said = weekly_summary(records, date(2026, 11, 26), LADDERS, waiting=["Bird-dog"])
    assert "One session was followed by more pain, so those exercises hold their level next " \
           "time." in said
    assert "Bridge has been at one target for three weeks." in said
    assert "Bird-dog waits, because it kept hurting. Please mention it to your clinician." in said


def test_pain_no_better_after_six_weeks_sends_the_person_to_their_clinician() -> None:
    from kiosk.core.reports.weekly import weekly_summary

    weeks = [f"2026-{d}" for d in ("10-13", "10-20", "10-27", "11-03", "11-10", "11-17",
                                   "11-24")]
    records = [session(d, exercise("bridge", 8), before=4, after=4) for d in weeks]
    said = weekly_summary(records, date(2026, 11, 24), LADDERS)
    assert "Pain is no better than six weeks ago. Please mention it to your clinician." in said
    better = [session(d, exercise("bridge", 8), before=6 - i // 2, after=6 - i // 2)
              for i, d in enumerate(weeks)]
    assert "no better" not in weekly_summary(better, date(2026, 11, 24), LADDERS)
