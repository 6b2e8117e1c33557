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
History arrives as typed records (``kiosk.core.records``), already checked by the store's codec.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from kiosk.core import rotation
from kiosk.core.model import Family, Library, Plan, PlannedExercise, SessionSettings, Variation
from kiosk.core.phrases import number
from kiosk.core.records import ExerciseRecord, PainEvent, SessionRecord

CHANGES = ("same", "advance", "back", "reenter", "bad-day", "new")
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


@dataclass(frozen=True)
class _Record:
    index: int  # position in the history list: the order sessions were really done in
    day: date  # the calendar day it counts for (see _effective_day)
    checkin: int | None
    entries: tuple[_Entry, ...]


def _read(sessions: Iterable[SessionRecord], today: date, fray_fraction: float) -> list[_Record]:
    """Each session reduced to what the rules look at, in history order, with its day."""
    records: list[_Record] = []
    last: date | None = None
    for index, session in enumerate(sessions):
        last = _effective_day(session.plan_date, last, today)
        records.append(_Record(index, last, session.pain_before, _entries(session, fray_fraction)))
    return records


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
    done = bool(results) and not ex.skipped
    target = ex.target
    clean = done and all(ok and n >= target and end != "pain" for n, ok, end in results)
    early = done and any(end == "fray" and n < fray_fraction * target for n, _, end in results)
    pain = ex.family in hurt or any(end == "pain" for _, _, end in results)
    return _Entry(ex.family, done, done or ex.skipped, clean, early, pain)


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
    day: date | None = None  # the last day whose step has been taken
    done_level: int | None = None  # the level it was last done at
    done_day: date | None = None
    done: int = 0
    offered: int = -1  # history index of the last session that offered it
    cause: _Cause | None = None  # why the level moved since it was last done
    since: list[_Day] = field(default_factory=list)  # evidence since the level last moved
    recent: list[_Day] = field(default_factory=list)  # every day done or hurt, for the window

    def move(self, level: int, cause: _Cause) -> None:
        if level == self.level:
            return
        self.level = level
        self.since.clear()  # evidence earned at the old level has been used
        if self.cause is None or _WEIGHT[cause.kind] >= _WEIGHT[self.cause.kind]:
            self.cause = cause

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


def _start_day(t: _Track, day: date, bad: bool, rules: ProgressionRules) -> None:
    """Take the day's one step, the first time the exercise is planned on ``day``."""
    if t.day == day:
        return
    t.day = day
    if t.level is None:
        t.level = 0
        return
    level = t.level
    gap = (day - t.done_day).days if t.done_day is not None else 0
    if gap >= rules.reentry_days:
        t.since.clear()  # what was shown before a break says little about today
        t.move(t.ladder.down(level), _Cause("reenter", gap))
    elif frayed := _frayed(t.since, rules):
        t.move(t.ladder.down(level), _Cause("fray", frayed))
    elif not bad and (earned := _earned(t, rules)) is not None:
        t.move(t.ladder.up(level), earned)


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
    clean = sum(1 for d in mine if d.clean)
    if clean >= max(1, rules.advance_needed):
        return _Cause("advance", clean, len(mine))
    return None


def _replay_entry(t: _Track, rec: _Record, e: _Entry, bad: bool, rules: ProgressionRules) -> None:
    if e.offered:
        t.offered = rec.index
    if not (e.done or e.pain):
        return  # skipped, or never reached: not a session of this exercise
    _start_day(t, rec.day, bad, rules)
    if e.done:
        t.done_level, t.done_day, t.cause = t.level, rec.day, None
        t.done += 1
    # A session on a bad day was done at an easier variation: only its pain counts.
    t.note(rec.day, counted=e.done and not bad, entry=e)
    if e.pain and t.level is not None:
        t.move(t.ladder.variation_below(t.level), _Cause("pain"))
        t.since.clear()  # answered once, even on the first rung where it cannot go lower


@dataclass(frozen=True)
class _Replay:
    tracks: dict[str, _Track]
    bad_today: bool


def _replay(
    library: Library,
    sessions: Iterable[SessionRecord],
    today: date,
    rules: ProgressionRules,
    checkin_pain: int | None,
) -> _Replay:
    tracks = {f.id: _Track(Ladder.of(f)) for f in library.families if f.ladder}
    tracks = {fid: t for fid, t in tracks.items() if t.ladder.steps}
    checkins: list[int] = []
    bad_days: set[date] = set()
    for rec in _read(sessions or [], today, rules.fray_fraction):
        if _bad_day(rec.checkin, checkins, rules):
            bad_days.add(rec.day)
        if rec.checkin is not None:
            checkins.append(rec.checkin)
        for e in rec.entries:
            if e.family in tracks:
                _replay_entry(tracks[e.family], rec, e, rec.day in bad_days, rules)
    bad_today = today in bad_days or _bad_day(checkin_pain, checkins, rules)
    for t in tracks.values():
        _start_day(t, today, bad_today, rules)
    return _Replay(tracks, bad_today)


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
    change, reason = _explain(t, level)
    return ExerciseState(
        family=t.ladder.family,
        variation=t.ladder.variation(level),
        target=t.ladder.reps(level),
        level=level,
        top=t.ladder.top,
        change=change,
        reason=reason,
        sessions=t.done,
        last_done=t.done_day,
    )


def _explain(t: _Track, level: int) -> tuple[str, str]:
    name = t.ladder.family.name
    if t.done_level is None:
        return "new", f"{name}: new for you, so we start gently."
    if level == t.done_level or t.cause is None:
        return "same", ""
    up = level > t.done_level
    change = "advance" if up else ("reenter" if t.cause.kind == "reenter" else "back")
    return change, f"{name}: {_what(t.ladder, t.done_level, level)}, because {_why(t.cause)}."


def _what(ladder: Ladder, before: int, after: int) -> str:
    reps = _reps(ladder.reps(after))
    if ladder.steps[before][0] != ladder.steps[after][0]:
        where = "on to" if after > before else "back to"
        return f"{where} {_lower(ladder.variation(after).name)}, {reps}"
    if after > before:
        return f"{ladder.reps(before)} to {reps}"
    return f"back to {reps}"


def _why(c: _Cause) -> str:
    if c.kind == "pain":
        return "it hurt last time"
    if c.kind == "reenter":
        return f"it has been {number(c.count)} days"
    if c.kind == "fray":
        if c.count == 1:
            return "your technique slipped early last time"
        return f"your technique slipped early {number(c.count)} times in a row"
    if c.count == c.of == 1:
        return "your last session was clean"
    if c.count == c.of:
        return f"your last {number(c.of)} sessions were {'all ' if c.of > 2 else ''}clean"
    return f"{number(c.count)} of your last {number(c.of)} sessions were clean"


def _reps(n: int) -> str:
    return f"{n} rep" if n == 1 else f"{n} reps"


def _lower(name: str) -> str:
    return name[:1].lower() + name[1:]


def exercise_states(
    library: Library, sessions: Sequence[SessionRecord], today: date, cfg: ProgressionRules
) -> dict[str, ExerciseState]:
    """Each family's variation and target for ``today``, in library order, derived from
    ``sessions`` (history records, oldest first). Check-in pain is not known here, so the
    bad-day rule only shows if an earlier session today already made it a bad day."""
    replay = _replay(library, sessions, today, cfg, None)
    return {fid: _state(t) for fid, t in replay.tracks.items()}


def plan_for_day(
    library: Library,
    sessions: Sequence[SessionRecord],
    today: date,
    cfg: ProgressionRules,
    settings: SessionSettings,
    checkin_pain: int | None = None,
) -> Plan:
    """Today's plan: ``exercises_min`` to ``exercises_max`` families, least recently offered
    first, as many as fit ``session_minutes``, each at its derived level with its reason.

    Call it with ``checkin_pain=None`` for the home screen, and again with the check-in pain
    once it is known. Check-in never changes which exercises are planned or their order, only
    how hard they are: on a bad day each takes the variation below.
    """
    replay = _replay(library, sessions, today, cfg, checkin_pain)
    states = {fid: _state(t) for fid, t in replay.tracks.items()}
    order = rotation.rotation_order(list(states), {f: t.offered for f, t in replay.tracks.items()})
    least = min(cfg.exercises_min, len(order))
    chosen = rotation.fit(
        order,
        lambda fid: rotation.exercise_seconds(states[fid].variation, states[fid].target, settings),
        least=least,
        most=max(least, cfg.exercises_max),
        budget=rotation.session_budget(cfg.session_minutes, settings),
    )
    library_index = {fid: i for i, fid in enumerate(states)}
    chosen.sort(
        key=lambda f: (rotation.position_rank(states[f].variation.position), library_index[f])
    )
    items = tuple(
        _planned(states[f], replay.tracks[f].ladder, replay.bad_today) for f in chosen
    )
    notes = (BAD_DAY_NOTE,) if replay.bad_today else ()
    return Plan(today.isoformat(), items, notes)


def _planned(s: ExerciseState, ladder: Ladder, bad_today: bool) -> PlannedExercise:
    if not bad_today or s.change == "new":  # a new exercise already starts on the first rung
        return PlannedExercise(s.family, s.variation, s.target, s.reason, s.change)
    level = ladder.variation_below(s.level)
    v, reps = ladder.variation(level), ladder.reps(level)
    what = _reps(reps) if v == s.variation else f"{_lower(v.name)}, {_reps(reps)}"
    reason = f"{s.family.name}: {what} today, because your pain is higher than usual."
    return PlannedExercise(s.family, v, reps, reason, "bad-day")

