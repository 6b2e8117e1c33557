"""The weekly rhythm: on how many days this week (Monday to Sunday) the back was trained. Pure.

A day counts once it has one session in which something was done, or one completed ritual.
Three sessions on one day are still one day: rhythm beats heroics. A day with nothing is never
called missed or failed; the strip shows it as a plain rest day, and the spoken line only counts
what was done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.core.data.records import ExerciseRecord, Record, RitualRecord, SessionRecord
from kiosk.core.words.phrases import number

DAY_LETTERS = ("M", "T", "W", "T", "F", "S", "S")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Week:
    monday: date
    today: date
    done: tuple[bool, ...]  # Monday to Sunday
    target: int

    @property
    def count(self) -> int:
        return sum(self.done)

    def marks(self) -> tuple[tuple[str, str], ...]:
        """(day letter, state) Monday to Sunday; state is done, today, rest (a day gone by with
        nothing, never a failure) or ahead."""
        out = []
        for i, done in enumerate(self.done):
            day = self.monday + timedelta(days=i)
            state = ("done" if done else "today" if day == self.today
                     else "rest" if day < self.today else "ahead")
            out.append((DAY_LETTERS[i], state))
        return tuple(out)


def week_of(today: date, days: Iterable[date], target: int) -> Week:
    monday = today - timedelta(days=today.weekday())
    active = set(days)
    done = tuple(monday + timedelta(days=i) in active for i in range(7))
    # A day after today cannot have counted yet: a clock set wrong once must not fill the week.
    done = tuple(d and monday + timedelta(days=i) <= today for i, d in enumerate(done))
    return Week(monday, today, done, target)


def active_days(records: Iterable[Record]) -> set[date]:
    """The days with a session in which something was done, or with a completed ritual."""
    return {day_of(r) for r in records if counts(r)}


def counts(record: Record) -> bool:
    """Does this record make its day a day of practice?"""
    if isinstance(record, RitualRecord):
        return record.outcome == "done"
    if isinstance(record, SessionRecord):
        if record.ended_by == "timeout":
            # Closed by silence: a day of practice only if an exercise was finished before it
            # (every set of it ended at its target or where the technique frayed). A few reps
            # and then nobody there is no rhythm to be credited.
            return any(_finished(ex) for ex in record.exercises)
        return record.ended_by == "complete" or any(
            s.reps for ex in record.exercises for s in ex.sets)
    return False


def _finished(ex: ExerciseRecord) -> bool:
    return not ex.skipped and bool(ex.sets) and all(
        s.ended_by in ("target", "fray") for s in ex.sets)


def day_of(record: Record) -> date:
    if isinstance(record, SessionRecord):
        return record.plan_date
    return record.at.date()


def spoken(week: Week) -> str:
    """"Four of five this week." Never a word about the days without."""
    n, target = week.count, week.target
    if n < target:
        return f"{number(n).capitalize()} of {number(target)} this week."
    if n == target:
        return f"{number(n).capitalize()} of {number(target)} this week. That is your rhythm."
    return f"{number(n).capitalize()} days this week, beyond your aim of {number(target)}."


def strip_text(week: Week) -> str:
    """The week as text for ``kiosk rhythm``: Mon [x]  Tue [ ] ... with today marked."""
    parts = []
    for i, (_, state) in enumerate(week.marks()):
        box = {"done": "[x]", "today": "[ ]", "rest": "[ ]", "ahead": " . "}[state]
        name = DAY_NAMES[i]
        parts.append(f"{name}{'*' if week.monday + timedelta(days=i) == week.today else ' '}{box}")
    return "  ".join(parts)
