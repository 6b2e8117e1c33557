"""What the history screens draw, as plain data: the last weeks of reps, pain (with the days of
leg symptoms) and rhythm. Pure.

Each chart is a small frozen dataclass built from the typed records and a day; the ui package
only draws it (kiosk/ui/charts.py), so the numbers on the screens are tested here, with tables,
and are the same numbers the weekly summary says and ``kiosk history`` prints.

A chart covers whole weeks, Monday to Sunday, ending with the week that holds the day: eight of
them by default. Records are walked once, newest first, and the walk stops long before ten years
of history, so a screen costs the same in the tenth year as in the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kiosk.core.coach.legs import NONE, leg_days
from kiosk.core.data.records import PainEntry, Record, SessionRecord, sessions_of

WEEKS = 8  # the window of every history screen
# Records are in save order, which follows the calendar unless the clock was once wrong. The
# walk back stops only after this many days before the window, so a clock that jumped back a
# little never hides a session from its chart.
SLACK_DAYS = 62


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def window(day: date, weeks: int = WEEKS) -> tuple[date, date]:
    """First and last day of the ``weeks`` whole weeks that end with the week holding ``day``."""
    sunday = monday_of(day) + timedelta(days=6)
    return monday_of(day) - timedelta(weeks=weeks - 1), sunday


def recent(records: Sequence[Record], since: date) -> list[Record]:
    """The records dated on or after ``since``, oldest first, walking back from the newest."""
    out: list[Record] = []
    stop = since - timedelta(days=SLACK_DAYS)
    for record in reversed(records):
        day = day_of(record)
        if day >= since:
            out.append(record)
        elif day < stop:
            break
    out.reverse()
    return out


def family_name(family: str, ladders: Mapping[str, tuple[str, Sequence[str]]]) -> str:
    """The family's name from the library; for one no longer there, its id in words."""
    if family in ladders:
        return ladders[family][0]
    return family.replace("-", " ").replace("_", " ").capitalize()


def day_of(record: Record) -> date:
    if isinstance(record, SessionRecord):
        return record.plan_date
    at = getattr(record, "at", None)
    return at.date() if isinstance(at, datetime) else date.min


def something_done(session: SessionRecord) -> bool:
    """A session counts once a rep was rated, or it reached its end."""
    return session.ended_by == "complete" or any(
        s.reps for ex in session.exercises for s in ex.sets
    )


def practice_days(records: Iterable[Record]) -> set[date]:
    """The days with a session in which something was done."""
    return {r.plan_date for r in records if isinstance(r, SessionRecord) and something_done(r)}


# --- clean reps per exercise ---------------------------------------------------------------------
@dataclass(frozen=True)
class RepPoint:
    """One session's work on one exercise: its clean reps, on which rung of the ladder."""

    day: date
    clean: int
    rung: int  # 1 for the easiest variation of the family's ladder
    variation: str  # the variation's name, as the session saved it


@dataclass(frozen=True)
class ExerciseChart:
    family: str
    # The exercise as the voice names it: the latest variation's name ("Arm reach on all
    # fours"), not the family's ("Bird-dog"), so the chart and the sessions agree.
    name: str
    first: date
    last: date
    points: tuple[RepPoint, ...]
    rungs: int  # how many rungs the ladder has (at least the highest reached)

    @property
    def best(self) -> int:
        return max((p.clean for p in self.points), default=0)


def clean_by_family(session: SessionRecord) -> dict[str, tuple[int, str, str]]:
    """family -> (clean reps over all its sets, variation id, variation name), for the
    exercises with at least one set; skipped and unreached ones are left out."""
    out: dict[str, tuple[int, str, str]] = {}
    for ex in session.exercises:
        if not ex.sets:
            continue
        clean = sum(s.clean_reps for s in ex.sets)
        before = out.get(ex.family, (0, ex.variation, ex.name))[0]
        out[ex.family] = (before + clean, ex.variation, ex.name)
    return out


def exercise_charts(
    records: Sequence[Record],
    day: date,
    ladders: Mapping[str, tuple[str, Sequence[str]]],
    weeks: int = WEEKS,
) -> tuple[ExerciseChart, ...]:
    """One chart per exercise family done in the window, in the order ``ladders`` lists them
    (families no longer in the library follow, by id). ``ladders`` maps a family id to its name
    and its variation ids, easiest first."""
    first, last = window(day, weeks)
    points: dict[str, list[RepPoint]] = {}
    for r in recent(records, first):
        if not isinstance(r, SessionRecord) or not first <= r.plan_date <= last:
            continue
        for family, (clean, variation, vname) in clean_by_family(r).items():
            ladder = ladders.get(family, (family, ()))[1]
            rung = ladder.index(variation) + 1 if variation in ladder else 1
            points.setdefault(family, []).append(RepPoint(r.plan_date, clean, rung, vname))
    order = [f for f in ladders if f in points] + sorted(f for f in points if f not in ladders)
    return tuple(
        ExerciseChart(
            family=f,
            name=points[f][-1].variation or family_name(f, ladders),
            first=first,
            last=last,
            points=tuple(points[f]),
            rungs=max([len(ladders.get(f, (f, ()))[1])] + [p.rung for p in points[f]]),
        )
        for f in order
    )


# --- pain ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PainPoint:
    """A session's check-in and check-out (either may be missing), or a logged rating."""

    day: date
    before: int | None
    after: int | None
    logged: bool = False  # a rating from the pain log, outside any session (kept in ``after``)


@dataclass(frozen=True)
class PainChart:
    first: date
    last: date
    points: tuple[PainPoint, ...]
    weekly: tuple[float | None, ...]  # the mean of every rating in each week, oldest first
    # The days with leg symptoms at check-in (kiosk.core.coach.legs): (day, "one" | "both").
    legs: tuple[tuple[date, str], ...] = ()

    @property
    def ratings(self) -> int:
        return sum((p.before is not None) + (p.after is not None) for p in self.points)


def pain_ratings(point: PainPoint) -> list[int]:
    return [v for v in (point.before, point.after) if v is not None]


def pain_points(records: Iterable[Record], first: date, last: date) -> list[PainPoint]:
    out = []
    for r in records:
        if isinstance(r, SessionRecord) and first <= r.plan_date <= last:
            if r.pain_before is not None or r.pain_after is not None:
                out.append(PainPoint(r.plan_date, r.pain_before, r.pain_after))
        elif isinstance(r, PainEntry) and first <= r.at.date() <= last:
            out.append(PainPoint(r.at.date(), None, r.pain, logged=True))
    return out


def mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def pain_chart(records: Sequence[Record], day: date, weeks: int = WEEKS) -> PainChart:
    """Every pain rating of the window, and the mean of each week's ratings as the trend."""
    first, last = window(day, weeks)
    inside = recent(records, first)
    points = pain_points(inside, first, last)
    by_week: list[list[int]] = [[] for _ in range(weeks)]
    for p in points:
        by_week[(p.day - first).days // 7].extend(pain_ratings(p))
    legs = tuple((d, how) for d, how in leg_days(sessions_of(inside))
                 if how != NONE and first <= d <= last)
    return PainChart(first, last, tuple(points), tuple(mean(w) for w in by_week), legs)


# --- the weekly rhythm as a calendar -------------------------------------------------------------
DAY_STATES = ("done", "rest", "today", "ahead")


@dataclass(frozen=True)
class Calendar:
    first: date  # a Monday
    today: date
    target: int  # days a week aimed for
    days: tuple[tuple[str, ...], ...]  # one row per week, oldest first; a state per day

    def count(self, week: int) -> int:
        return sum(state == "done" for state in self.days[week])


def calendar(active: Iterable[date], today: date, target: int, weeks: int = WEEKS) -> Calendar:
    """Each day of the window: done, today (not yet done), rest (a day gone by with nothing:
    never called missed) or ahead. A day after today is never done, whatever the records say."""
    first, _ = window(today, weeks)
    done = set(active)
    rows = []
    for w in range(weeks):
        row = []
        for d in range(7):
            day = first + timedelta(days=7 * w + d)
            if day > today:
                row.append("ahead")
            elif day in done:
                row.append("done")
            else:
                row.append("today" if day == today else "rest")
        rows.append(tuple(row))
    return Calendar(first, today, target, tuple(rows))
