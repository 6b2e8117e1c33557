"""Years of made-up but lived-in history, for benchmarks, reports and anyone trying the kiosk.

``kiosk simulate --years N`` invents a person and lives their days: most days one or more
sessions, planned by the real planner, with the reps, slips, pain and check-in ratings such a
person would give; now and then a flare-up (bad days) or a RED press; on some days a rating in
the pain log (RED on the home screen), more often in a flare-up; and breaks of a few days to a
few weeks (holidays, illness), never more than a quarter of the days. The records have the
exact shape the kiosk saves and are saved through the real store.

The same seed always gives the same history. Pure apart from ``write_history``: no clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from kiosk.config import Config
from kiosk.core.coach.progression import Progress, ProgressSnapshot, plan_for_day
from kiosk.core.coach.rotation import exercise_seconds
from kiosk.core.data.model import Plan, PlannedExercise
from kiosk.core.data.records import (
    ExerciseRecord,
    PainEntry,
    PainEvent,
    Record,
    SessionRecord,
    SetRecord,
)
from kiosk.store.records import encode, from_json, to_json

MAX_GAP_SHARE = 0.25  # at most this share of the days are spent away
SESSION_HOURS = (8, 18, 12, 21, 15)  # when the first, second, ... session of a day starts
PAIN_LOG_HOURS = (10, 13, 16, 20)  # when a pain-log rating is given, between sessions
PAIN_LOG_CHANCE = (0.04, 0.35)  # of a pain-log rating on a day: usually, and in a flare-up


@dataclass
class Person:
    """What the simulated person can do, and how their back feels; changes as days go by."""

    rng: random.Random
    usual_pain: int
    skill: dict[str, float] = field(default_factory=dict)  # clean reps they can do, by family
    flare_days: int = 0  # days left of a flare-up (higher check-in pain: bad days)

    def new_day(self) -> None:
        if self.flare_days:
            self.flare_days -= 1
        elif self.rng.random() < 0.015:
            self.flare_days = self.rng.randint(2, 6)
        if self.rng.random() < 0.01:  # over the years the usual pain drifts, both ways
            self.usual_pain = min(6, max(0, self.usual_pain + self.rng.choice((-1, 1))))

    def checkin(self) -> int:
        rise = self.rng.randint(2, 4) if self.flare_days else 0
        return min(10, max(0, self.usual_pain + rise + self.rng.choice((-1, 0, 0, 0, 1))))

    def can_do(self, family: str, target: int) -> int:
        """Clean reps before a slip in one set: around their skill, a little worse when sore."""
        skill = self.skill.setdefault(family, target + self.rng.uniform(-1.0, 3.0))
        got = round(skill + self.rng.gauss(0.0, 1.2) - (1.5 if self.flare_days else 0.0))
        return max(0, got)

    def practise(self, family: str, clean: bool) -> None:
        """Clean practice builds a little skill; a slip costs none."""
        if clean:
            self.skill[family] = self.skill.get(family, 6.0) + self.rng.uniform(0.0, 0.35)


def days_away(rng: random.Random, first: date, last: date) -> set[date]:
    """Breaks of 3 to 21 days, scattered, never more than MAX_GAP_SHARE of all the days."""
    total = (last - first).days + 1
    budget = int(total * MAX_GAP_SHARE * rng.uniform(0.4, 1.0))
    away: set[date] = set()
    tries = 0
    while len(away) < budget and tries < 1000:
        tries += 1
        length = min(rng.choice((3, 4, 5, 7, 8, 10, 14, 21)), budget - len(away))
        start = first + timedelta(rng.randrange(total))
        span = {start + timedelta(i) for i in range(length)}
        if span & away or max(span) > last:
            continue
        away |= span
    return away


def lived_days(
    cfg: Config, *, years: float, per_day: int, seed: int, end: date
) -> Iterator[Record]:
    """Records in save order, for ``years`` of use ending on ``end``: sessions, and now and
    then a pain-log entry between them."""
    rng = random.Random(seed)
    # The pain log draws from its own stream, so a seed's sessions stay what they always were.
    log_rng = random.Random(f"pain-log-{seed}")
    first = end - timedelta(days=max(1, round(years * 365.25)) - 1)
    away = days_away(rng, first, end)
    person = Person(rng, usual_pain=rng.randint(1, 4))
    progress = Progress.start(cfg.library, cfg.progression, cfg.rhythm)
    count = 0
    day = first
    while day <= end:
        person.new_day()
        sessions = 0 if day in away else max(0, per_day - (rng.random() < 0.12))
        entry = None if day in away else _pain_entry(log_rng, person, day, seed)
        for n in range(sessions):
            checkin = person.checkin()
            plan = plan_for_day(cfg.library, [], day, cfg.progression, cfg.session, checkin,
                                base=progress)
            count += 1
            started = datetime.combine(day, datetime.min.time()).replace(
                hour=SESSION_HOURS[n % len(SESSION_HOURS)], minute=rng.randrange(60),
                second=rng.randrange(60))
            record = _session(cfg, person, plan, checkin, started, f"sim{seed}-{count}")
            encode(record)  # checked as the store checks it: a bad one stops here, with why
            progress.feed([record])
            if entry is not None and entry.at < record.started_at:
                yield entry
                entry = None
            yield record
        if entry is not None:
            yield entry
        if day.day == 1:
            # What the store does at the end of each month: keep only what the rules still read.
            saved = from_json(ProgressSnapshot, to_json(progress.snapshot()))
            compact = Progress.from_snapshot(saved, cfg.library, cfg.progression,
                                             rhythm=cfg.rhythm)
            assert compact is not None
            progress = compact
        day += timedelta(days=1)


def _pain_entry(rng: random.Random, person: Person, day: date, seed: int) -> PainEntry | None:
    """A rating in the pain log on ``day``, or None: higher, and likelier, in a flare-up."""
    if rng.random() >= PAIN_LOG_CHANCE[bool(person.flare_days)]:
        return None
    at = datetime.combine(day, datetime.min.time()).replace(
        hour=rng.choice(PAIN_LOG_HOURS), minute=rng.randrange(60), second=rng.randrange(60))
    rise = rng.randint(2, 5) if person.flare_days else rng.randint(0, 2)
    entry = PainEntry(f"pain-{at:%Y%m%dT%H%M%S}-sim{seed}", at,
                      min(10, person.usual_pain + rise))
    encode(entry)  # checked as the store checks it
    return entry


def _session(
    cfg: Config, person: Person, plan: Plan, checkin: int, started: datetime, sid: str
) -> SessionRecord:
    rng = person.rng
    exercises: list[ExerciseRecord] = []
    pain_events: list[PainEvent] = []
    seconds = 60.0 + cfg.session.primer_seconds
    ended_by, pain_after = "complete", None
    for planned in plan.exercises:
        if ended_by != "complete":  # the session ended before this exercise: never reached
            exercises.append(_exercise(planned, [], skipped=False))
            continue
        if rng.random() < 0.03:
            exercises.append(_exercise(planned, [], skipped=True))
            continue
        sets, hurt = _sets(cfg, person, planned)
        seconds += exercise_seconds(planned.variation, planned.target, cfg.session)
        exercises.append(_exercise(planned, sets, skipped=False))
        if hurt:
            rating = min(10, checkin + rng.randint(1, 4))
            pain_events.append(PainEvent(
                at_s=round(seconds, 1), family=planned.family.id,
                variation=planned.variation.id, set=len(sets),
                rep=len(sets[-1].reps), phase="set", pain=rating,
            ))
            if rating - checkin >= 3:
                ended_by, pain_after = "pain", rating
        elif rng.random() < 0.01:
            ended_by = "stop"
    if ended_by == "complete":
        pain_after = min(10, max(0, checkin + rng.choice((-2, -1, -1, 0, 0, 0, 1))))
    seconds = round(seconds + rng.uniform(-30.0, 60.0), 1)
    # To the second, as a session's times are saved (isoformat, no microseconds).
    ended = (started + timedelta(seconds=seconds)).replace(microsecond=0)
    return SessionRecord(
        id=f"{started:%Y%m%dT%H%M%S}-{sid}",
        plan_date=date.fromisoformat(plan.date),
        started_at=started,
        ended_at=ended,
        duration_s=seconds,
        pain_before=checkin,
        pain_after=pain_after,
        ended_by=ended_by,
        exercises=tuple(exercises),
        pain_events=tuple(pain_events),
    )


def _sets(cfg: Config, person: Person, p: PlannedExercise) -> tuple[list[SetRecord], bool]:
    """The sets of one exercise, as the session saves them, and whether RED was pressed."""
    rng = person.rng
    sides: tuple[str | None, ...] = ("left", "right") if p.variation.side == "each" else (None,)
    out: list[SetRecord] = []
    for _ in range(cfg.session.sets):
        for side in sides:
            if rng.random() < (0.04 if person.flare_days else 0.006):
                reps = ["clean"] * rng.randrange(p.target)
                out.append(_set(side, reps, "pain"))
                return out, True
            clean = person.can_do(p.family.id, p.target)
            if clean >= p.target:
                out.append(_set(side, ["clean"] * p.target, "target"))
                person.practise(p.family.id, True)
                continue
            out.append(_set(side, ["clean"] * clean + ["slipped"], "fray"))
            person.practise(p.family.id, False)
            return out, False  # a slip ends the exercise for today
    return out, False


def _set(side: str | None, reps: list[str], ended_by: str) -> SetRecord:
    return SetRecord(side, tuple(reps), reps.count("clean"), ended_by)


def _exercise(p: PlannedExercise, sets: list[SetRecord], *, skipped: bool) -> ExerciseRecord:
    return ExerciseRecord(
        family=p.family.id, variation=p.variation.id, name=p.variation.name, target=p.target,
        change=p.change, reason=p.reason, skipped=skipped, sets=tuple(sets),
    )


class HistoryExists(Exception):
    """The data directory already holds a history: simulating would mix two people."""


@dataclass(frozen=True)
class Written:
    """How many records of each kind ``write_history`` saved."""

    sessions: int
    pain_entries: int


def write_history(
    cfg: Config, data_dir: Path, *, years: float, per_day: int, seed: int, end: date,
    on_month: Callable[[str, int, int], None] | None = None,
) -> Written:
    """Save the simulated history through the real store, a month at a time (ten years are
    never in memory at once); says how many of each kind. ``on_month(month, n, total)`` is
    told as each month is saved: the command's progress line."""
    from kiosk.core.coach.progression import Replays
    from kiosk.store.history import holds_history
    from kiosk.store.months import WholeHistory, month_of

    if holds_history(data_dir):  # checked before opening: opening may repair, and so change
        raise HistoryExists(
            f"{data_dir} already holds a history; give kiosk simulate an empty or new --data-dir"
        )
    from kiosk.core.coach.signature import tuning

    # As the kiosk replays it (kiosk.coaching.replays): the signature's starts included.
    replays = Replays(cfg.library, cfg.progression, dict(tuning(None, cfg.signature).allowed),
                      cfg.rhythm)
    first = end - timedelta(days=max(1, round(years * 365.25)) - 1)
    total = (end.year - first.year) * 12 + end.month - first.month + 1
    sessions = entries = 0
    with WholeHistory.open(data_dir, keep_backups=cfg.storage.backups,
                           replays=replays) as history:
        # One add_many per month, as add_many itself splits a batch (layout.split): the same
        # files as saving the whole history at once.
        month: list[Record] = []
        done = 0
        for record in lived_days(cfg, years=years, per_day=per_day, seed=seed, end=end):
            if month and month_of(record, "") > month_of(month[0], ""):
                done += 1
                if on_month is not None:
                    on_month(month_of(month[0], ""), done, total)
                history.add_many(month)
                month = []
            month.append(record)
            entries += isinstance(record, PainEntry)
            sessions += isinstance(record, SessionRecord)
        if month:
            if on_month is not None:
                on_month(month_of(month[0], ""), done + 1, total)
            history.add_many(month)
    return Written(sessions, entries)
