"""Reading history for the progression rules: each saved session reduced to what they look at.

History arrives as typed records (``kiosk.core.data.records``), already checked by the store's
codec. Pure.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from kiosk.core.data.records import ExerciseRecord, PainEvent, SessionRecord


class ProgressionRules(Protocol):
    """The thresholds the rules read. ``kiosk.config.ProgressionConfig`` has this shape; the
    core asks only for the shape so that it never imports the config layer above it."""

    @property
    def advance_window(self) -> int: ...
    @property
    def advance_needed(self) -> int: ...
    @property
    def fray_fraction(self) -> float: ...
    @property
    def fray_sessions(self) -> int: ...
    @property
    def floor_reps(self) -> int: ...
    @property
    def quick_rungs(self) -> int: ...
    @property
    def reentry_days(self) -> int: ...
    @property
    def bad_day_rise(self) -> int: ...
    @property
    def bad_day_window(self) -> int: ...
    @property
    def exercises_min(self) -> int: ...
    @property
    def exercises_max(self) -> int: ...
    @property
    def session_minutes(self) -> int: ...


@dataclass(frozen=True)
class Entry:
    """One exercise family in one saved session, reduced to what the rules look at."""

    family: str
    done: bool  # had sets and was not skipped: a session of this exercise
    offered: bool  # done or skipped: it had its turn in the rotation
    clean: bool  # every set reached the target with every rep clean
    early: bool  # a set frayed before fray_fraction of the target
    pain: bool  # a pain event on this exercise
    reached: int | None = None  # clean reps of the shortest set that frayed early
    at: tuple[str, int] | None = None  # (variation id, target) it was done at
    # The middle band: clean reps of the shortest set that frayed at fray_fraction of the
    # target or later, but below it (neither early nor clean).
    middle: int | None = None


@dataclass(frozen=True)
class DayRecord:
    index: int  # position in the history list: the order sessions were really done in
    day: date  # the calendar day it counts for (see effective_day)
    checkin: int | None
    entries: tuple[Entry, ...]
    flare: bool = False  # check-out pain rose ``flare_rise`` or more above the check-in
    old_rules: bool = False  # saved under the rules before the rhythm rules (no jump on upgrade)

    @property
    def active(self) -> bool:
        """Something was done: a session of the person's rhythm."""
        return any(e.done for e in self.entries)


def effective_day(plan_date: date, last: date | None, today: date) -> date:
    """The day a session counts for: its plan_date, unless the clock was wrong.

    A session dated after ``today``, or before the session saved just before it, was made
    while the clock had jumped. It still counts as done, but on the same day as the session
    before it, so it can never open a new day and earn a step by itself. Effective days
    therefore never go backwards and never pass ``today``.
    """
    if last is None:
        return min(plan_date, today)
    if plan_date > today or plan_date < last:
        return last
    return plan_date


def flare(session: SessionRecord, rise: int) -> bool:
    """The pain at check-out (or the rating that ended the session) ``rise`` or more above
    the check-in: the session was followed by more pain."""
    before, after = session.pain_before, session.pain_after
    return before is not None and after is not None and after - before >= rise


def entries(session: SessionRecord, fray_fraction: float) -> tuple[Entry, ...]:
    hurt = _pain_families(session.pain_events)
    # A session ended by pain is never clean, for any exercise in it.
    ended_by_pain = session.ended_by == "pain"
    found = [e for e in (_entry(x, hurt, fray_fraction, ended_by_pain)
                         for x in session.exercises) if e]
    seen = {e.family for e in found}
    # A pain event on a family with no exercise entry still counts: pain is never dropped.
    found += [Entry(f, False, False, False, False, True) for f in sorted(hurt - seen)]
    return tuple(found)


def _pain_families(events: Iterable[PainEvent]) -> set[str]:
    # RED during the breathing primer is saved with the first exercise's family (the session
    # has not reached any exercise yet), but that exercise did not cause it: skip "primer".
    return {e.family for e in events if e.family is not None and e.phase != "primer"}


def _entry(
    ex: ExerciseRecord, hurt: set[str], fray_fraction: float, ended_by_pain: bool = False
) -> Entry | None:
    if ex.target < 1:
        return None
    # (clean reps, every rep clean, how it ended) of each set, counted from the ratings
    results = [(s.reps.count("clean"), all(r == "clean" for r in s.reps), s.ended_by)
               for s in ex.sets]
    if ex.change == "gentle":
        # Done at the gentle path's easiest rung on a high-pain day (kiosk.core.coach.gentle): not
        # evidence for a step and not the family's turn in the rotation; its pain still counts.
        pain = ex.family in hurt or any(end == "pain" for _, _, end in results)
        return Entry(ex.family, False, False, False, False, pain)
    done = bool(results) and not ex.skipped
    target = ex.target
    clean = done and not ended_by_pain and all(
        ok and n >= target and end != "pain" for n, ok, end in results)
    frays = [n for n, _, end in results if end == "fray" and n < fray_fraction * target]
    early = done and bool(frays)
    pain = ex.family in hurt or any(end == "pain" for _, _, end in results)
    middle = [n for n, _, end in results if end == "fray" and fray_fraction * target <= n < target]
    mid = min(middle) if done and middle and not early and not pain else None
    return Entry(ex.family, done, done or ex.skipped, clean, early, pain,
                 min(frays) if early else None, (ex.variation, ex.target), mid)


def bad_day(checkin: int | None, earlier: Sequence[int], rules: ProgressionRules) -> bool:
    """Check-in pain ``bad_day_rise`` or more above the median of the recent check-ins."""
    recent = earlier[-max(1, rules.bad_day_window):]
    if checkin is None or not recent:
        return False
    return checkin - statistics.median(recent) >= rules.bad_day_rise
