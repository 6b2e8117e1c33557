"""Micro-progressions: each exercise's level, derived from history, and today's plan.

Nothing is stored beside the history. Every call replays the saved sessions in order and works
each exercise's level out again, so a restored backup or a deleted session can never disagree
with a stored level. The rules, their thresholds and worked examples are in docs/progression.md.
In short, for each exercise family:

* A new exercise starts on the first rung of its ladder, at its start reps.
* A pain event steps back one variation before the exercise is done again, even the same day.
* Any other step happens at most once per calendar day, when the exercise is first planned that
  day, and only from the days before it: after a break, re-enter one micro-step lower; else,
  after early frays, step back one micro-step; else, after clean sessions, step up one.
* On a bad day (check-in pain well above the recent median) nothing steps up, and the plan uses
  the variation below.

Pure: no I/O and no clock. ``today`` is passed in, and a session's day is its ``plan_date``.
History arrives as typed records (``kiosk.core.data.records``), already checked by the store's
codec.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, ClassVar, Protocol

from kiosk.core.coach import rotation
from kiosk.core.coach.signature import Tuning, sides_behind
from kiosk.core.data.model import (
    Change,
    Family,
    Library,
    Plan,
    PlannedExercise,
    SessionSettings,
    Variation,
)
from kiosk.core.data.records import SCHEMA_VERSION, ExerciseRecord, PainEvent, SessionRecord
from kiosk.core.words.phrases import duration, number

CHANGES = tuple(Change)
BAD_DAY_NOTE = "Pain is higher than usual today: nothing steps up, each exercise is a step easier."


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


# --- the ladder as a line of micro-steps ---------------------------------------------------
@dataclass(frozen=True)
class Ladder:
    """A family's ladder laid out as micro-steps: every rep count of every variation, in order.

    Level 0 is the first variation at its start reps. One level up is one more rep or, at a
    variation's max reps, the next variation at its start reps. Levels are plain numbers, so
    "a level never leaves its ladder" is a clamp at both ends.
    """

    family: Family
    steps: tuple[tuple[int, int], ...]  # (index of the variation in the ladder, reps)

    @classmethod
    def of(cls, family: Family) -> Ladder:
        steps = tuple(
            (k, reps)
            for k, v in enumerate(family.ladder)
            for reps in range(v.start_reps, v.max_reps + 1)
        )
        return cls(family, steps)

    @property
    def top(self) -> int:
        return len(self.steps) - 1

    def variation(self, level: int) -> Variation:
        return self.family.ladder[self.steps[level][0]]

    def reps(self, level: int) -> int:
        return self.steps[level][1]

    def up(self, level: int) -> int:
        return min(level + 1, self.top)

    def down(self, level: int) -> int:
        return max(level - 1, 0)

    def rung(self, level: int) -> int:
        """Which variation of the ladder a level is on (0: the first)."""
        return self.steps[level][0]

    def entry(self, level: int) -> int:
        """The level of this level's variation at its start reps."""
        k = self.rung(level)
        return next(i for i, (kk, _) in enumerate(self.steps) if kk == k)

    def at(self, level: int, reps: int) -> int:
        """The level of this level's variation at ``reps`` (clamped to its range)."""
        k, v = self.rung(level), self.variation(level)
        return self.steps.index((k, min(max(reps, v.start_reps), v.max_reps)))

    def variation_below(self, level: int) -> int:
        """The variation below this one, at its start reps; on the first rung, its start reps.

        Start reps rather than the same count: after pain, or on a bad day, the easier
        variation should also feel easy, not be a new test of endurance.
        """
        k = self.steps[level][0]
        below = [kk for kk, _ in self.steps if kk < k]
        rung = below[-1] if below else k
        return next(i for i, (kk, _) in enumerate(self.steps) if kk == rung)


# --- reading history -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Entry:
    """One exercise family in one saved session, reduced to what the rules look at."""

    family: str
    done: bool  # had sets and was not skipped: a session of this exercise
    offered: bool  # done or skipped: it had its turn in the rotation
    clean: bool  # every set reached the target with every rep clean
    early: bool  # a set frayed before fray_fraction of the target
    pain: bool  # a pain event on this exercise
    reached: int | None = None  # clean reps of the shortest set that frayed early
    at: tuple[str, int] | None = None  # (variation id, target) it was done at


@dataclass(frozen=True)
class _Record:
    index: int  # position in the history list: the order sessions were really done in
    day: date  # the calendar day it counts for (see _effective_day)
    checkin: int | None
    entries: tuple[_Entry, ...]


def _effective_day(plan_date: date, last: date | None, today: date) -> date:
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


def _entries(session: SessionRecord, fray_fraction: float) -> tuple[_Entry, ...]:
    hurt = _pain_families(session.pain_events)
    entries = [e for e in (_entry(x, hurt, fray_fraction) for x in session.exercises) if e]
    seen = {e.family for e in entries}
    # A pain event on a family with no exercise entry still counts: pain is never dropped.
    entries += [_Entry(f, False, False, False, False, True) for f in sorted(hurt - seen)]
    return tuple(entries)


def _pain_families(events: Iterable[PainEvent]) -> set[str]:
    # RED during the breathing primer is saved with the first exercise's family (the session
    # has not reached any exercise yet), but that exercise did not cause it: skip "primer".
    return {e.family for e in events if e.family is not None and e.phase != "primer"}


def _entry(ex: ExerciseRecord, hurt: set[str], fray_fraction: float) -> _Entry | None:
    if ex.target < 1:
        return None
    # (clean reps, every rep clean, how it ended) of each set, counted from the ratings
    results = [(s.reps.count("clean"), all(r == "clean" for r in s.reps), s.ended_by)
               for s in ex.sets]
    if ex.change == "gentle":
        # Done at the gentle path's easiest rung on a high-pain day (kiosk.core.coach.gentle): not
        # evidence for a step and not the family's turn in the rotation; its pain still counts.
        pain = ex.family in hurt or any(end == "pain" for _, _, end in results)
        return _Entry(ex.family, False, False, False, False, pain)
    done = bool(results) and not ex.skipped
    target = ex.target
    clean = done and all(ok and n >= target and end != "pain" for n, ok, end in results)
    frays = [n for n, _, end in results if end == "fray" and n < fray_fraction * target]
    early = done and bool(frays)
    pain = ex.family in hurt or any(end == "pain" for _, _, end in results)
    return _Entry(ex.family, done, done or ex.skipped, clean, early, pain,
                  min(frays) if early else None, (ex.variation, ex.target))


def _bad_day(checkin: int | None, earlier: Sequence[int], rules: ProgressionRules) -> bool:
    """Check-in pain ``bad_day_rise`` or more above the median of the recent check-ins."""
    recent = earlier[-max(1, rules.bad_day_window):]
    if checkin is None or not recent:
        return False
    return checkin - statistics.median(recent) >= rules.bad_day_rise


# --- replaying one family ------------------------------------------------------------------
@dataclass
class _Day:
    """What one calendar day showed about one exercise. Several sessions on a day add up to
    one day, so that a second or third session never speeds anything up."""

    day: date
    sessions: int = 0  # sessions that count as evidence: done, and not on a bad day
    clean: bool = True  # every counted session was clean
    early: bool = False  # a counted session frayed early
    pain: bool = False  # any pain event, counted or not
    reached: int | None = None  # fewest clean reps in a set that frayed early that day


@dataclass(frozen=True)
class _Cause:
    kind: str  # advance | fray | reenter | pain
    count: int = 0  # advance: clean days; fray: early days in a row; reenter: days away
    of: int = 0  # advance: days looked at


# When several steps happen between two sessions, the reason names the weightiest.
_WEIGHT = {"advance": 0, "fray": 1, "reenter": 2, "pain": 3}


@dataclass
class _Track:
    ladder: Ladder
    level: int | None = None  # None: never planned yet
    # A personal floor: a target below the variation's start reps, after early frays. Only ever
    # set at the variation's entry level, and gone once the target climbs back to start reps.
    floor: int | None = None
    day: date | None = None  # the last day whose step has been taken
    done_at: tuple[int, int] | None = None  # (level, target) it was last done at
    done_day: date | None = None
    done: int = 0
    offered: int = -1  # history index of the last session that offered it
    cause: _Cause | None = None  # why the level moved since it was last done
    since: list[_Day] = field(default_factory=list)  # evidence since the level last moved
    recent: list[_Day] = field(default_factory=list)  # every day done or hurt, for the window

    @property
    def target(self) -> int:
        level = self.level or 0
        return self.floor if self.floor is not None else self.ladder.reps(level)

    def move(self, level: int, cause: _Cause, floor: int | None = None) -> None:
        if floor is not None and floor >= self.ladder.reps(level):
            floor = None
        if (level, floor) == (self.level, self.floor):
            return
        self.level, self.floor = level, floor
        self.since.clear()  # evidence earned at the old level has been used
        if self.cause is None or _WEIGHT[cause.kind] >= _WEIGHT[self.cause.kind]:
            self.cause = cause

    def copy(self, *, days: bool = True) -> _Track:
        """A copy to change; ``days=False`` shares the _Day objects (for ``_start_day``, which
        moves levels and drops evidence but never changes a day)."""
        def copied(ds: list[_Day]) -> list[_Day]:
            if not days:
                return list(ds)
            return [_Day(d.day, d.sessions, d.clean, d.early, d.pain, d.reached) for d in ds]

        return _Track(self.ladder, self.level, self.floor, self.day, self.done_at,
                      self.done_day, self.done, self.offered, self.cause, copied(self.since),
                      copied(self.recent))

    def snapshot(self, keep: int) -> TrackSnapshot:
        """``keep``: how many counted days back the rules ever look (see ``_kept``)."""
        return TrackSnapshot(
            self.level, self.floor, self.day, self.done_at, self.done_day, self.done,
            self.offered, self.cause, tuple(replace(d) for d in _kept(self.since, keep)),
            tuple(replace(d) for d in _kept(self.recent, keep)))

    def restore(self, saved: TrackSnapshot) -> None:
        """Where ``saved`` had got to; ValueError when it does not fit this ladder."""
        top = self.ladder.top
        self.level = _level(saved.level, top)
        self.floor = saved.floor
        self.day = saved.day
        if saved.done_at is None:
            self.done_at = None
        else:
            level = _level(saved.done_at[0], top)
            self.done_at = (level if level is not None else 0, saved.done_at[1])
        self.done_day = saved.done_day
        self.done = saved.done
        self.offered = saved.offered
        if saved.cause is not None and saved.cause.kind not in _WEIGHT:
            raise ValueError(f"unknown cause {saved.cause.kind!r}")
        self.cause = saved.cause
        self.since = [replace(d) for d in saved.since]  # copies: a replay changes its days
        self.recent = [replace(d) for d in saved.recent]


    def note(self, day: date, *, counted: bool, entry: _Entry) -> None:
        for days in (self.since, self.recent):
            if not days or days[-1].day != day:
                days.append(_Day(day))
            d = days[-1]
            d.pain = d.pain or entry.pain
            if counted:
                d.sessions += 1
                d.clean = d.clean and entry.clean
                d.early = d.early or entry.early
                if entry.reached is not None:
                    d.reached = min(entry.reached, d.reached if d.reached is not None
                                    else entry.reached)


# --- snapshots: where a replay has got to, as the store keeps it ---------------------------
# Plain dataclasses, written and read by the store's one codec (kiosk/store/records.py
# to_json, from_json), which checks every field by its type. A field added here with a
# default reads from older snapshots as that default.
@dataclass(frozen=True)
class TrackSnapshot:
    """One family's replay: a ``_Track`` without its ladder, and only the days still read."""

    level: int | None
    floor: int | None
    day: date | None
    done_at: tuple[int, int] | None
    done_day: date | None
    done: int
    offered: int
    cause: _Cause | None
    since: tuple[_Day, ...]
    recent: tuple[_Day, ...]


@dataclass(frozen=True)
class ProgressSnapshot:
    """Where a replay of the history has got to (``Progress.snapshot``), under ``key``."""

    key: str
    count: int
    last: date | None
    latest: date | None
    checkins: tuple[int, ...]
    bad_days: tuple[date, ...]
    tracks: dict[str, TrackSnapshot]

def _kept(days: list[_Day], keep: int) -> list[_Day]:
    """The days from the ``keep``-th last counted one on. The rules walk back from the end and
    stop after ``advance_window`` counted days (or ``fray_sessions``), so nothing before that
    day is ever read again."""
    counted = 0
    for i in range(len(days) - 1, -1, -1):
        if days[i].sessions:
            counted += 1
            if counted == keep:
                return days[i:]
    return days


def _level(value: Any, top: int) -> int | None:
    if value is None:
        return None
    if not 0 <= _whole(value) <= top:
        raise ValueError(f"level {value} is off the ladder")
    return int(value)


def _start_day(
    t: _Track, day: date, bad: bool, rules: ProgressionRules, first: int | None = None
) -> None:
    """Take the day's one step, the first time the exercise is planned on ``day``. A family
    done for the first time starts where it was done (``first``): the first rung, unless the
    movement signature started it higher (kiosk.core.coach.signature)."""
    if t.day == day:
        return
    t.day = day
    if t.level is None:
        t.level = first or 0
        return
    level = t.level
    gap = (day - t.done_day).days if t.done_day is not None else 0
    if gap >= rules.reentry_days:
        t.since.clear()  # what was shown before a break says little about today
        if t.floor is not None:
            t.move(level, _Cause("reenter", gap), max(rules.floor_reps, t.floor - 1))
        else:
            t.move(t.ladder.down(level), _Cause("reenter", gap))
    elif frayed := _frayed(t.since, rules):
        _to_floor(t, frayed, rules)
    elif not bad and (earned := _earned(t, rules)) is not None:
        if t.floor is not None:
            t.move(level, earned, t.floor + 1)  # climbs back one rep at a time
        else:
            t.move(t.ladder.up(level), earned)


def _to_floor(t: _Track, frayed: int, rules: ProgressionRules) -> None:
    """Early frays, ``fray_sessions`` days in a row: the target comes down to what those days
    did cleanly (the lower of them, never below ``floor_reps``). When even the floor frays,
    the family steps back a variation, at its start reps; on the first rung it stays put."""
    level, target = t.level or 0, t.target
    reached = [d.reached for d in _last_counted(t.since, frayed) if d.reached is not None]
    cause = _Cause("fray", frayed)
    if target <= rules.floor_reps:
        if t.ladder.rung(level) > 0:
            t.move(t.ladder.variation_below(level), cause)
        else:
            t.since.clear()  # the bottom of the ladder: the signal has been heard
        return
    new = min(target - 1, max(rules.floor_reps, min(reached, default=rules.floor_reps)))
    start = t.ladder.variation(level).start_reps
    if new >= start:
        t.move(t.ladder.at(level, new), cause)
    else:
        t.move(t.ladder.entry(level), cause, new)


def _frayed(since: Sequence[_Day], rules: ProgressionRules) -> int:
    """``fray_sessions`` days in a row, at this level, that frayed early; else 0."""
    n = max(1, rules.fray_sessions)
    last = _last_counted(since, n)
    return n if len(last) == n and all(d.early for d in last) else 0


def _last_counted(days: Sequence[_Day], n: int) -> list[_Day]:
    """The last ``n`` days with counted sessions, newest first (fewer if there are fewer).
    Walking back from the end keeps a long history cheap: a plan looks at a few days only."""
    found: list[_Day] = []
    for d in reversed(days):
        if d.sessions:
            found.append(d)
            if len(found) == n:
                break
    return found


def _earned(t: _Track, rules: ProgressionRules) -> _Cause | None:
    """An advance, if ``advance_needed`` of the last ``advance_window`` days were clean at
    this level and none of them (nor any day between them) had a pain event."""
    window: list[_Day] = []
    for d in reversed(t.recent):
        if d.pain:
            return None
        if d.sessions:
            window.append(d)
            if len(window) >= rules.advance_window:
                break
    if not window:
        return None
    # Only days at this level count; the reason names those ("two of your last three").
    mine = [d for d in _last_counted(t.since, len(window)) if d.day >= window[-1].day]
    if t.ladder.rung(t.level or 0) < rules.quick_rungs:
        # The quicker start: on the first rungs, where the work is easy, one clean day at this
        # level is enough, as long as it is the latest one.
        if mine and mine[0].clean:
            return _Cause("advance", 1, 1)
        return None
    clean = sum(1 for d in mine if d.clean)
    if clean >= max(1, rules.advance_needed):
        return _Cause("advance", clean, len(mine))
    return None


def _replay_entry(
    t: _Track, rec: _Record, e: _Entry, bad: bool, rules: ProgressionRules,
    starts: frozenset[str] = frozenset(),
) -> None:
    if e.offered:
        t.offered = rec.index
    if not (e.done or e.pain):
        return  # skipped, or never reached: not a session of this exercise
    # A family starts where its first session did it, when that is a rung the signature's
    # rules may start it on (``starts``); anything else starts on the first rung, so a session
    # saved while the clock was wrong (or an odd record) can never start a ladder higher.
    first = None
    if t.level is None and e.done and e.at is not None and e.at[0] in starts:
        first = _level_of(t.ladder, e.at)
    _start_day(t, rec.day, bad, rules, first)
    if e.done:
        t.done_at, t.done_day, t.cause = (t.level or 0, t.target), rec.day, None
        t.done += 1
    # A session on a bad day was done at an easier variation: only its pain counts.
    t.note(rec.day, counted=e.done and not bad, entry=e)
    if e.pain and t.level is not None:
        # Back a variation, at its start reps, but never to more reps than now: pain never
        # leads to more load, not even on an easier movement.
        below = t.ladder.variation_below(t.level)
        t.move(below, _Cause("pain"), min(t.target, t.ladder.reps(below)))
        t.since.clear()  # answered once, even on the first rung where it cannot go lower


def _level_of(ladder: Ladder, at: tuple[str, int] | None) -> int | None:
    """The level of a variation at a target, as a session saved it; None if not on the ladder."""
    if at is None:
        return None
    rung = next((k for k, v in enumerate(ladder.family.ladder) if v.id == at[0]), None)
    if rung is None:
        return None
    entry = next(i for i, (k, _) in enumerate(ladder.steps) if k == rung)
    return ladder.at(entry, at[1])


@dataclass(frozen=True)
class _Replay:
    tracks: dict[str, _Track]
    bad_today: bool


@dataclass
class Progress:
    """A replay of the history so far, that more sessions can be fed into.

    A full replay is ``Progress.start(library, rules)``, fed every session, then ``finish``.
    A long history need not be replayed every time: ``snapshot`` says where a replay has got
    to (the store keeps one such snapshot per closed month), ``from_snapshot`` takes it back, and
    feeding it the sessions saved since gives exactly the plan a full replay would give, as
    long as ``today`` is not before ``latest`` (tests/core/test_progress.py shows this).

    ``feed`` changes this object; ``finish`` and ``copy`` do not.
    """

    library: Library
    rules: ProgressionRules
    tracks: dict[str, _Track]
    checkins: list[int] = field(default_factory=list)  # every check-in pain, in order
    bad_days: set[date] = field(default_factory=set)
    count: int = 0  # records fed so far, well-formed or not: the next one's history index
    last: date | None = None  # the effective day of the last well-formed record
    latest: date | None = None  # the latest plan_date fed, as saved
    # family -> the rungs the movement signature's rules may start it on
    # (kiosk.core.coach.signature)
    starts: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def start(cls, library: Library, rules: ProgressionRules) -> Progress:
        """Before the first session: every exercise new."""
        tracks = {f.id: _Track(Ladder.of(f)) for f in library.families if f.ladder}
        return cls(library, rules, {fid: t for fid, t in tracks.items() if t.ladder.steps})

    def feed(self, sessions: Iterable[SessionRecord], today: date | None = None) -> Progress:
        """Replay ``sessions`` (history records, oldest first) on top of what was fed before.

        ``today`` only matters for sessions dated after it (see ``_effective_day``); leave it
        out when every session fed is in the past, as when a closed month is snapshotted.
        """
        rules = self.rules
        for session in sessions:
            index = self.count
            self.count += 1
            plan_date = session.plan_date
            self.latest = plan_date if self.latest is None else max(self.latest, plan_date)
            self.last = _effective_day(plan_date, self.last, today or date.max)
            rec = _Record(index, self.last, session.pain_before,
                          _entries(session, rules.fray_fraction))
            if _bad_day(rec.checkin, self.checkins, rules):
                self.bad_days.add(rec.day)
            if rec.checkin is not None:
                self.checkins.append(rec.checkin)
            for e in rec.entries:
                if e.family in self.tracks:
                    _replay_entry(self.tracks[e.family], rec, e, rec.day in self.bad_days, rules,
                                  self.starts.get(e.family, frozenset()))
        return self

    def finish(self, today: date, checkin_pain: int | None) -> _Replay:
        """Each exercise's step for ``today``, on a copy: this replay can still be fed."""
        bad_today = today in self.bad_days or _bad_day(checkin_pain, self.checkins, self.rules)
        tracks = {fid: t.copy(days=False) for fid, t in self.tracks.items()}
        for t in tracks.values():
            _start_day(t, today, bad_today, self.rules)
        return _Replay(tracks, bad_today)

    def copy(self) -> Progress:
        """An independent copy, to feed without changing this one."""
        return replace(
            self,
            tracks={fid: t.copy() for fid, t in self.tracks.items()},
            checkins=list(self.checkins),
            bad_days=set(self.bad_days),
        )

    # --- snapshots ---------------------------------------------------------------------------
    @staticmethod
    def key(
        library: Library, rules: ProgressionRules,
        starts: Mapping[str, frozenset[str]] | None = None,
    ) -> str:
        """What a snapshot depends on besides the history: the ladders, the thresholds, and the
        rungs the signature's rules may start a family on (a first session there counts as
        started there, so a change of those rules changes the replay).

        A snapshot made under another key is not used; the replay is rebuilt from the records.
        """
        ladders = [
            (f.id, [(v.id, v.start_reps, v.max_reps) for v in f.ladder]) for f in library.families
        ]
        names = ("advance_window", "advance_needed", "fray_fraction", "fray_sessions",
                 "reentry_days", "bad_day_rise", "bad_day_window", "floor_reps", "quick_rungs")
        thresholds = [getattr(rules, n) for n in names]
        begun = sorted([fid, sorted(rungs)] for fid, rungs in (starts or {}).items() if rungs)
        text = json.dumps([REPLAY_FORMAT, SCHEMA_VERSION, ladders, thresholds, begun])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def snapshot(self) -> ProgressSnapshot:
        """Where this replay has got to: only as much of the past as the rules will still read."""
        rules = self.rules
        keep = max(1, rules.advance_window, rules.fray_sessions)
        return ProgressSnapshot(
            key=Progress.key(self.library, rules, self.starts),
            count=self.count,
            last=self.last,
            latest=self.latest,
            checkins=tuple(self.checkins[-max(1, rules.bad_day_window):]),
            # Effective days never go back, so no later record or today looks before `last`.
            bad_days=tuple(sorted(d for d in self.bad_days
                                  if self.last is None or d >= self.last)),
            tracks={fid: t.snapshot(keep) for fid, t in self.tracks.items()},
        )

    @classmethod
    def from_snapshot(
        cls, saved: ProgressSnapshot, library: Library, rules: ProgressionRules,
        starts: Mapping[str, frozenset[str]] | None = None,
    ) -> Progress | None:
        """The replay a snapshot saved, or None when it was made under another key or does not
        fit these ladders: then replay the records instead."""
        if saved.key != Progress.key(library, rules, starts):
            return None
        progress = cls.start(library, rules)
        progress.starts = starts or {}
        if set(saved.tracks) != set(progress.tracks):
            return None
        try:
            for fid, t in progress.tracks.items():
                t.restore(saved.tracks[fid])
        except (TypeError, ValueError):
            return None
        progress.count = saved.count
        progress.last = saved.last
        progress.latest = saved.latest
        progress.checkins = list(saved.checkins)
        progress.bad_days = set(saved.bad_days)
        return progress


# The shape and meaning of a saved replay (ProgressSnapshot), part of its key: raise it whenever
# either changes. 2: personal floors, the (level, target) last done, and each day's fewest clean
# reps in an early fray. 3: a family starts where its first session did it (a signature may
# start it above the first rung). 4: written by the store's codec (days and causes as objects).
REPLAY_FORMAT = 4


def _whole(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not a whole number")
    return int(value)


def _replay_from(
    base: Progress | None,
    library: Library,
    sessions: Iterable[SessionRecord],
    today: date,
    rules: ProgressionRules,
    checkin_pain: int | None,
    starts: Mapping[str, frozenset[str]] | None = None,
) -> _Replay:
    progress = base.copy() if base is not None else Progress.start(library, rules)
    if starts:
        progress.starts = starts
    return progress.feed(sessions or [], today).finish(today, checkin_pain)


# --- the public result -------------------------------------------------------------------
@dataclass(frozen=True)
class ExerciseState:
    """Where one exercise stands today, before check-in, and why it moved (if it did)."""

    family: Family
    variation: Variation
    target: int
    level: int  # micro-steps above the first variation's start reps
    top: int  # the highest level on this ladder
    change: str  # same | advance | back | reenter | new (bad-day is only ever in a plan)
    reason: str  # one spoken sentence; empty when change is "same"
    sessions: int  # sessions of this exercise so far (done, not skipped)
    last_done: date | None  # effective day of the last of them


def _state(t: _Track) -> ExerciseState:
    level = t.level if t.level is not None else 0
    change, reason = _explain(t, (level, t.target))
    return ExerciseState(
        family=t.ladder.family,
        variation=t.ladder.variation(level),
        target=t.target,
        level=level,
        top=t.ladder.top,
        change=change,
        reason=reason,
        sessions=t.done,
        last_done=t.done_day,
    )


def _explain(t: _Track, now: tuple[int, int]) -> tuple[Change, str]:
    """The change and its spoken reason. The reason never names the exercise: it is said right
    after the exercise's own name (the variation, as on the screen), and numbers are words."""
    if t.done_at is None:
        return Change.NEW, "New for you, so we start gently."
    if now == t.done_at or t.cause is None:
        return Change.SAME, ""
    up = now > t.done_at  # (level, target): a floor sits below its level's start reps
    change = Change.ADVANCE if up else (
        Change.REENTER if t.cause.kind == "reenter" else Change.BACK)
    return change, _sentence(f"{_what(t.ladder, t.done_at, now)}, because {_why(t.cause)}.")


def _what(ladder: Ladder, before: tuple[int, int], after: tuple[int, int]) -> str:
    v = ladder.variation(after[0])
    reps = _reps(after[1], v)
    if ladder.rung(before[0]) != ladder.rung(after[0]):
        if after > before:
            return f"on to {_lower(v.name)}, {_step_words(v)}{reps}"
        return f"back to {_lower(v.name)}, {reps}"
    if after > before:
        return f"up from {number(before[1])} to {reps}"
    return f"back to {reps}"


def _step_words(v: Variation) -> str:
    """What the new rung changes, when the ladder says so: "the hold grows to two breaths, "."""
    return f"{v.step_note}, " if v.step_note else ""


def _why(c: _Cause) -> str:
    if c.kind == "pain":
        return "it hurt last time"
    if c.kind == "reenter":
        return f"it has been {duration(c.count)}"
    if c.kind == "fray":
        if c.count == 1:
            return "your technique slipped early last time"
        return f"your technique slipped early {number(c.count)} times in a row"
    if c.count == c.of == 1:
        return "your last session was clean"
    if c.count == c.of:
        return f"your last {number(c.of)} sessions were {'all ' if c.of > 2 else ''}clean"
    return f"{number(c.count)} of your last {number(c.of)} sessions were clean"


def _reps(n: int, v: Variation) -> str:
    """A dose in words, in the variation's unit: "nine reps", "three minutes"."""
    unit = "minute" if v.unit == "minutes" else "rep"
    return f"{number(n)} {unit}" + ("" if n == 1 else "s")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(name: str) -> str:
    return name[:1].lower() + name[1:]


def exercise_states(
    library: Library,
    sessions: Sequence[SessionRecord],
    today: date,
    cfg: ProgressionRules,
    *,
    base: Progress | None = None,
    starts: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, ExerciseState]:
    """Each family's variation and target for ``today``, in library order, derived from
    ``sessions`` (history records, oldest first; with ``base``, those saved after it).
    Check-in pain is not known here, so the bad-day rule only shows if an earlier session
    today already made it a bad day. ``starts``: the rungs the signature's rules may start a
    family on (``Tuning.allowed``), so a first session there is read where it was done."""
    replay = _replay_from(base, library, sessions, today, cfg, None, starts)
    return {fid: _state(t) for fid, t in replay.tracks.items()}


def plan_for_day(
    library: Library,
    sessions: Sequence[SessionRecord],
    today: date,
    cfg: ProgressionRules,
    settings: SessionSettings,
    checkin_pain: int | None = None,
    *,
    base: Progress | None = None,
    tuning: Tuning | None = None,
) -> Plan:
    """Today's plan: ``exercises_min`` to ``exercises_max`` families, least recently offered
    first, as many as fit ``session_minutes``, each at its derived level with its reason.

    Call it with ``checkin_pain=None`` for the home screen, and again with the check-in pain
    once it is known. Check-in never changes which exercises are planned or their order, only
    how hard they are: on a bad day each takes the variation below.

    ``base`` is a replay of the older history (a snapshot); ``sessions`` are then only the
    sessions saved after it. ``base`` is not changed.

    ``tuning`` is what the latest movement signature changes (kiosk.core.coach.signature): families
    held back, the ones put first, the rung a new family starts on, the side done first and
    its extra reps. It never adds a family, and a family already done keeps its level.
    """
    tune = tuning or Tuning()
    replay = _replay_from(base, library, sessions, today, cfg, checkin_pain, tune.allowed)
    states = {fid: _started(_state(t), t.ladder, tune) for fid, t in replay.tracks.items()}
    held = _held(states, tune)
    early = {f: i for i, f in enumerate(tune.early)}
    order = rotation.rotation_order([f for f in states if f not in held],
                                    {f: t.offered for f, t in replay.tracks.items()},
                                    first=tune.early)
    least = min(cfg.exercises_min, len(order))
    chosen = rotation.fit(
        order,
        lambda fid: rotation.exercise_seconds(states[fid].variation, states[fid].target, settings),
        least=least,
        most=max(least, cfg.exercises_max),
        budget=rotation.session_budget(cfg.session_minutes, settings),
    )
    library_index = {fid: i for i, fid in enumerate(states)}
    # Up from the floor, never back down; within a position the signature's families first.
    chosen.sort(key=lambda f: (rotation.position_rank(states[f].variation.position),
                               early.get(f, len(early)), library_index[f]))
    items = tuple(
        _tuned(_planned(states[f], replay.tracks[f].ladder, replay.bad_today), tune)
        for f in chosen
    )
    notes: tuple[str, ...] = (BAD_DAY_NOTE,) if replay.bad_today else ()
    notes += tuple(_held_notes(held, states))
    names = {f.id: f.name for f in library.families}
    found = sides_behind(sessions, names, BEHIND_SESSIONS)
    behind = tuple((b.name, b.side) for b in found)
    notes += tuple(b.line for b in found)
    return Plan(today.isoformat(), items, notes, behind)


BEHIND_SESSIONS = 3  # a side behind in this many sessions in a row is said and shown


def _started(s: ExerciseState, ladder: Ladder, tune: Tuning) -> ExerciseState:
    """A new family the signature starts on another rung: that rung, at its start reps."""
    vid = tune.start.get(s.family.id)
    if s.change is not Change.NEW or vid is None or vid == s.variation.id:
        return s
    level = _level_of(ladder, (vid, 0))
    if level is None:
        return s
    return replace(s, variation=ladder.variation(level), target=ladder.reps(level), level=level)


def _held(states: dict[str, ExerciseState], tune: Tuning) -> dict[str, str]:
    """Families the signature holds back today, each with why: its probe hurt, or (with a
    ``max_position``) its rung today is past the position that is comfortable for now."""
    held = {f: r for f, r in tune.held.items() if f in states}
    if tune.max_position is not None:
        cap = rotation.position_rank(tune.max_position)
        for f, s in states.items():
            if f not in held and rotation.position_rank(s.variation.position) > cap:
                held[f] = tune.position_reason
    return held


def _held_notes(held: dict[str, str], states: dict[str, ExerciseState]) -> list[str]:
    """One note per reason: the families it holds back, then why."""
    by_reason: dict[str, list[str]] = {}
    for f, reason in held.items():
        by_reason.setdefault(reason, []).append(states[f].family.name)
    return [f"Waiting for now: {', '.join(names)}. {reason}" for reason, names in
            by_reason.items()]


def _tuned(p: PlannedExercise, tune: Tuning) -> PlannedExercise:
    """The side done first, its extra reps, and the signature's reason after the plan's."""
    fid = p.family.id
    why = tune.reasons.get(fid, "")
    if not why:
        return p
    side = tune.sides.get(fid)
    sided = p.variation.side in ("each", "alternate")
    reason = f"{p.reason} {why}" if p.reason else why
    if side is None or not sided:
        return replace(p, reason=reason)
    return replace(p, reason=reason, first_side=side.first, extra_reps=side.extra)


def _planned(s: ExerciseState, ladder: Ladder, bad_today: bool) -> PlannedExercise:
    if not bad_today or s.change is Change.NEW:  # a new exercise already starts on the first rung
        return PlannedExercise(s.family, s.variation, s.target, s.reason, s.change)
    level = ladder.variation_below(s.level)
    v, reps = ladder.variation(level), min(ladder.reps(level), s.target)  # never more load
    what = _reps(reps, v) if v == s.variation else f"{v.name}, {_reps(reps, v)}"
    reason = _sentence(f"{what} today, because your pain is higher than usual.")
    return PlannedExercise(s.family, v, reps, reason, Change.BAD_DAY)



@dataclass(frozen=True)
class Replays:
    """How the store starts a replay, and takes one back from a snapshot, for one config."""

    library: Library
    rules: ProgressionRules
    # The rungs the signature's rules may start a family on (kiosk.runtime.replays): a full
    # replay in the planner uses them, so every snapshot's replay does too.
    starts: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def start(self) -> Progress:
        progress = Progress.start(self.library, self.rules)
        progress.starts = self.starts
        return progress

    snapshot_type: ClassVar[type[ProgressSnapshot]] = ProgressSnapshot  # what load() takes

    def load(self, saved: ProgressSnapshot) -> Progress | None:
        return Progress.from_snapshot(saved, self.library, self.rules, self.starts)
