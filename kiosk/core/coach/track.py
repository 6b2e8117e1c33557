"""One family's replay as data: its level and the days of evidence the rules read (``_Track``),
why it last moved (``Cause``), and what a snapshot keeps of it (``TrackSnapshot``). The rules
that move it are ``steps``; what is said about it, ``reasons``. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from kiosk.core.coach.evidence import Entry
from kiosk.core.coach.ladder import Ladder
from kiosk.core.coach.program import Rhythm


@dataclass(frozen=True)
class Cause:
    # advance | fray | meet | reenter | pain | cleared | program
    kind: str
    # advance: clean days; fray: early days in a row; meet: the clean count met; reenter: days
    # away; program: the index of the variation it was on before a new program
    count: int = 0
    # advance: days looked at; meet: sessions in a row; reenter: how far back (AWAY_STEPS);
    # program: the target it had before
    of: int = 0


# When several steps happen between two sessions, the reason names the weightiest.
WEIGHT = {"rules": 0, "advance": 0, "fray": 1, "meet": 1, "reenter": 2, "pain": 3, "cleared": 4,
          "program": 4}

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
    middle: int | None = None  # fewest clean reps in a middle-band set that day


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
    cause: Cause | None = None  # why the level moved since it was last done
    since: list[_Day] = field(default_factory=list)  # evidence since the level last moved
    recent: list[_Day] = field(default_factory=list)  # every day done or hurt, for the window
    away: int = 0  # the longest break of the person's since it was last done, in days
    # The middle band met the person at this target (as micro-steps from the bottom): it never
    # meets them at it, or below it, again; so a target never loops between two counts.
    met: int | None = None
    flare: bool = False  # its last session was a flare: no step up next time
    hurts: list[bool] = field(default_factory=list)  # pain in each of its last sessions
    waits: date | None = None  # set aside since this day: it kept hurting
    # (variation id, target) it was last done at, as saved, when that was under older rules
    saved_at: tuple[str, int] | None = None

    @property
    def target(self) -> int:
        level = self.level or 0
        return self.floor if self.floor is not None else self.ladder.reps(level)

    def move(self, level: int, cause: Cause, floor: int | None = None) -> None:
        if floor is not None and floor >= self.ladder.reps(level):
            floor = None
        if (level, floor) == (self.level, self.floor):
            return
        self.level, self.floor = level, floor
        self.since.clear()  # evidence earned at the old level has been used
        if self.cause is None or WEIGHT[cause.kind] >= WEIGHT[self.cause.kind]:
            self.cause = cause
        if cause.kind in ("reenter", "pain", "fray", "cleared"):
            self.met = None  # a new start: the middle band may meet the person anywhere

    def copy(self, *, days: bool = True) -> _Track:
        """A copy to change; ``days=False`` shares the _Day objects (for ``start_day``, which
        moves levels and drops evidence but never changes a day)."""
        def copied(ds: list[_Day]) -> list[_Day]:
            if not days:
                return list(ds)
            return [_Day(d.day, d.sessions, d.clean, d.early, d.pain, d.reached, d.middle)
                    for d in ds]

        return _Track(self.ladder, self.level, self.floor, self.day, self.done_at,
                      self.done_day, self.done, self.offered, self.cause, copied(self.since),
                      copied(self.recent), self.away, self.met, self.flare, list(self.hurts),
                      self.waits, self.saved_at)

    def snapshot(self, keep: int) -> TrackSnapshot:
        """``keep``: how many counted days back the rules ever look (see ``_kept``)."""
        return TrackSnapshot(
            self.level, self.floor, self.day, self.done_at, self.done_day, self.done,
            self.offered, self.cause, tuple(replace(d) for d in _kept(self.since, keep)),
            tuple(replace(d) for d in _kept(self.recent, keep)), self.away, self.met,
            self.flare, tuple(self.hurts), self.waits, self.saved_at)

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
        if saved.cause is not None and saved.cause.kind not in WEIGHT:
            raise ValueError(f"unknown cause {saved.cause.kind!r}")
        self.cause = saved.cause
        self.since = [replace(d) for d in saved.since]  # copies: a replay changes its days
        self.recent = [replace(d) for d in saved.recent]
        self.away, self.met, self.flare = saved.away, saved.met, saved.flare
        self.hurts, self.waits, self.saved_at = list(saved.hurts), saved.waits, saved.saved_at

    def note(self, day: date, *, counted: bool, entry: Entry) -> None:
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
                if entry.middle is not None:
                    d.middle = min(entry.middle, d.middle if d.middle is not None
                                   else entry.middle)


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
    cause: Cause | None
    since: tuple[_Day, ...]
    recent: tuple[_Day, ...]
    # The rhythm rules (issue 26): see _Track.
    away: int = 0
    met: int | None = None
    flare: bool = False
    hurts: tuple[bool, ...] = ()
    waits: date | None = None
    saved_at: tuple[str, int] | None = None


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


@dataclass(frozen=True)
class _Replay:
    tracks: dict[str, _Track]
    bad_today: bool
    last_active: date | None = None  # the person's last day with an exercise done
    rules_changed: bool = False  # the last session was saved under the rules before these
    rhythm: Rhythm | None = None  # the rhythm in force: under the newest program replayed


def _whole(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not a whole number")
    return int(value)
