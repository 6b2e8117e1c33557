"""The weekly rhythm: on how many days this week (Monday to Sunday) the back was trained. Pure.

A day counts once it has one session in which something was done, or one completed ritual.
Three sessions on one day are still one day: rhythm beats heroics. A day with nothing is never
called missed or failed; the strip shows it as a plain rest day, and the spoken line only counts
what was done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kiosk.core.phrases import number

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


def active_days(records: Iterable[Mapping[str, Any]]) -> set[date]:
    """The days with a session in which something was done, or with a completed ritual."""
    days: set[date] = set()
    for rec in records:
        day = record_day(rec)
        if day is not None and counts(rec):
            days.add(day)
    return days


def counts(rec: Mapping[str, Any]) -> bool:
    if rec.get("kind") == "ritual":
        return rec.get("outcome") == "done"
    if rec.get("ended_by") == "complete":
        return True
    return any(st.get("reps") for ex in rec.get("exercises", []) or []
               for st in ex.get("sets", []) or [] if isinstance(st, Mapping))


def record_day(rec: Mapping[str, Any]) -> date | None:
    text = rec.get("plan_date") if rec.get("kind") != "ritual" else str(rec.get("at", ""))[:10]
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None


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
