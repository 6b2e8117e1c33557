"""Micro-progressions: each exercise's level, derived from history, and today's plan.

Nothing is stored beside the history. Every call replays the saved sessions in order and works
each exercise's level out again, so a restored backup or a deleted session can never disagree
with a stored level. The rules, their thresholds and worked examples are in docs/progression.md.
The rooms of the rules:

* ``ladder``: a family's ladder as a line of micro-steps.
* ``evidence``: each saved session reduced to what the rules look at.
* ``steps``: one family's state machine, the day's one step and what a session does to it.
* ``reasons``: why it moved or stayed, in one spoken sentence.
* ``plan``: today's plan, the program met every session or in a fixed A/B split.
* here: the replay of the whole history (``Progress``), its snapshot, and the public calls.

Pure: no I/O and no clock. ``today`` is passed in, and a session's day is its ``plan_date``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar

from kiosk.core.coach import plan as planner
from kiosk.core.coach.evidence import (
    DayRecord,
    ProgressionRules,
    bad_day,
    effective_day,
    entries,
    flare,
)
from kiosk.core.coach.ladder import Ladder
from kiosk.core.coach.plan import BAD_DAY_NOTE, BEHIND_SESSIONS, ExerciseState
from kiosk.core.coach.program import Rhythm, shaped_families, with_loads
from kiosk.core.coach.signature import Tuning
from kiosk.core.coach.steps import replay_entry, start_day
from kiosk.core.coach.track import Cause, TrackSnapshot, _Replay, _Track
from kiosk.core.data.model import Change, Family, Library, Plan, SessionSettings
from kiosk.core.data.records import (
    RULES,
    SCHEMA_VERSION,
    ProgramRecord,
    SessionRecord,
    sessions_of,
)

CHANGES = tuple(Change)
__all__ = ["BAD_DAY_NOTE", "BEHIND_SESSIONS", "CHANGES", "ExerciseState", "Ladder", "Progress",
           "ProgressionRules", "Replays", "Rhythm", "exercise_states", "plan_for_day"]


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
    # The rhythm rules (issue 26): see Progress.
    active: date | None = None
    done_last: tuple[str, ...] = ()
    old_last: bool = False
    # The clinician's program in force (issue 28), as saved; None: config/program.toml; and
    # the ids of every program fed so far.
    program: ProgramRecord | None = None
    programs: tuple[str, ...] = ()


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
    rhythm: Rhythm = field(default_factory=Rhythm)
    active: date | None = None  # the person's last day with an exercise done
    done_last: tuple[str, ...] = ()  # the families done in the last session with any done
    old_last: bool = False  # that session was saved under the rules before the rhythm rules
    # A clinician's program fed (issue 28): the record, and the rhythm under it; ``rhythm``
    # stays the config's, which the snapshot's key is made from.
    program: ProgramRecord | None = None
    current: Rhythm | None = None
    applied: tuple[str, ...] = ()  # the ids of every program fed, in order

    @property
    def in_force(self) -> Rhythm:
        """The rhythm the rules follow now: under the newest program fed, else the config's."""
        return self.current if self.current is not None else self.rhythm

    @classmethod
    def start(
        cls, library: Library, rules: ProgressionRules, rhythm: Rhythm | None = None
    ) -> Progress:
        """Before the first session: every exercise new."""
        rhythm = rhythm or Rhythm()
        tracks = {f.id: _Track(_ladder(f, rhythm)) for f in library.families if f.ladder}
        return cls(library, rules, {fid: t for fid, t in tracks.items() if t.ladder.steps},
                   rhythm=rhythm)

    def _start_rungs(self) -> dict[str, frozenset[str]]:
        """The rungs a first session may be read at: the signature's rules', and the start
        rung of a family in the program in force and those below it."""
        program = self.in_force.program
        rungs = program.start_rungs(self.library) if program is not None else {}
        return {f: self.starts.get(f, frozenset()) | rungs.get(f, frozenset())
                for f in {*self.starts, *rungs}}

    def switch(self, record: ProgramRecord) -> None:
        """A clinician's program from here on (issue 28): each family's ladder is bounded as
        it says, and a family that stays keeps its variation and reps where the program allows
        them (else the nearest it allows, never more load); one that leaves keeps its history;
        one never done starts on the program's first variation. Ignored without a reader."""
        read = self.rhythm.read
        if read is None or record.id in self.applied:
            return  # fed again (a snapshot keeps every program, and the window has them)
        self.applied += (record.id,)
        self.program, self.current = record, read(self.rhythm, record)
        for fid, t in self.tracks.items():
            ladder = _ladder(self.library.family(fid), self.current)
            if ladder.steps != t.ladder.steps:
                reshape(t, ladder)

    def feed(
        self, sessions: Iterable[SessionRecord | ProgramRecord], today: date | None = None
    ) -> Progress:
        """Replay ``sessions`` (history records, oldest first) on top of what was fed before;
        a clinician's program among them applies from where it was saved (``switch``).

        ``today`` only matters for sessions dated after it (see ``effective_day``); leave it
        out when every session fed is in the past, as when a closed month is snapshotted.
        """
        rules = self.rules
        starts = self._start_rungs()
        for session in sessions:
            if isinstance(session, ProgramRecord):
                self.switch(session)
                starts = self._start_rungs()  # the new program's
                continue
            index = self.count
            self.count += 1
            plan_date = session.plan_date
            self.latest = plan_date if self.latest is None else max(self.latest, plan_date)
            self.last = effective_day(plan_date, self.last, today or date.max)
            rec = DayRecord(index, self.last, session.pain_before,
                            entries(session, rules.fray_fraction),
                            flare(session, self.in_force.flare_rise), session.rules < RULES)
            if bad_day(rec.checkin, self.checkins, rules):
                self.bad_days.add(rec.day)
                # A bad check-in after a session: that session was a flare after all.
                for fid in self.done_last:
                    self.tracks[fid].flare = True
            if rec.checkin is not None:
                self.checkins.append(rec.checkin)
            if rec.active and self.active is not None:
                gap = (rec.day - self.active).days
                for t in self.tracks.values():  # a break of the person's, for every family
                    if t.level is not None and gap > t.away:
                        t.away = gap
            for e in rec.entries:
                if e.family in self.tracks:
                    replay_entry(self.tracks[e.family], rec, e, rec.day in self.bad_days, rules,
                                 self.in_force, starts.get(e.family, frozenset()))
            if rec.active:
                self.active = rec.day
                self.done_last = tuple(e.family for e in rec.entries
                                       if e.done and e.family in self.tracks)
                self.old_last = rec.old_rules
                for fid in self.done_last if rec.flare else ():
                    self.tracks[fid].flare = True
        return self

    def finish(self, today: date, checkin_pain: int | None) -> _Replay:
        """Each exercise's step for ``today``, on a copy: this replay can still be fed."""
        bad_today = today in self.bad_days or bad_day(checkin_pain, self.checkins, self.rules)
        tracks = {fid: t.copy(days=False) for fid, t in self.tracks.items()}
        away = (today - self.active).days if self.active is not None else 0
        for t in tracks.values():
            start_day(t, today, bad_today, self.rules, self.in_force, away=away)
        return _Replay(tracks, bad_today, self.active, self.old_last, self.in_force)

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
        starts: Mapping[str, frozenset[str]] | None = None, rhythm: Rhythm | None = None,
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
        text = json.dumps([REPLAY_FORMAT, SCHEMA_VERSION, ladders, thresholds, begun,
                           (rhythm or Rhythm()).key()])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def snapshot(self) -> ProgressSnapshot:
        """Where this replay has got to: only as much of the past as the rules will still read."""
        rules = self.rules
        keep = max(1, rules.advance_window, rules.fray_sessions, self.rhythm.meet_after)
        return ProgressSnapshot(
            key=Progress.key(self.library, rules, self.starts, self.rhythm),
            count=self.count,
            last=self.last,
            latest=self.latest,
            checkins=tuple(self.checkins[-max(1, rules.bad_day_window):]),
            # Effective days never go back, so no later record or today looks before `last`.
            bad_days=tuple(sorted(d for d in self.bad_days
                                  if self.last is None or d >= self.last)),
            tracks={fid: t.snapshot(keep) for fid, t in self.tracks.items()},
            active=self.active,
            done_last=self.done_last,
            old_last=self.old_last,
            program=self.program,
            programs=self.applied,
        )

    @classmethod
    def from_snapshot(
        cls, saved: ProgressSnapshot, library: Library, rules: ProgressionRules,
        starts: Mapping[str, frozenset[str]] | None = None, rhythm: Rhythm | None = None,
    ) -> Progress | None:
        """The replay a snapshot saved, or None when it was made under another key or does not
        fit these ladders: then replay the records instead."""
        if saved.key != Progress.key(library, rules, starts, rhythm):
            return None
        progress = cls.start(library, rules, rhythm)
        progress.starts = starts or {}
        if saved.program is not None:
            progress.switch(saved.program)  # its ladders, before the tracks are laid on them
        progress.applied = tuple(saved.programs)
        if set(saved.tracks) != set(progress.tracks):
            return None
        if not all(f in progress.tracks for f in saved.done_last):
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
        progress.active, progress.done_last = saved.active, tuple(saved.done_last)
        progress.old_last = saved.old_last
        return progress


# The shape and meaning of a saved replay (ProgressSnapshot), part of its key: raise it whenever
# either changes. 2: personal floors, the (level, target) last done, and each day's fewest clean
# reps in an early fray. 3: a family starts where its first session did it (a signature may
# start it above the first rung). 4: written by the store's codec (days and causes as objects).
# 5: the rhythm rules (the person's breaks, the middle band, flares, families that wait).
REPLAY_FORMAT = 5


def _ladder(family: Family, rhythm: Rhythm) -> Ladder:
    """A family's ladder as the program bounds it (kiosk.core.coach.program)."""
    program = rhythm.program
    if program is None or family.id not in shaped_families(program):
        return Ladder.of(family)
    if program.loads_kg:
        family = with_loads(Library((family,)), program.loads_kg).families[0]
    rungs = program.rungs(family)
    return Ladder.of(family, rungs, program.cap(family.id)) if rungs else Ladder.of(family)


def reshape(t: _Track, ladder: Ladder) -> None:
    """``t`` on another ladder (a new program): where it was, as the new ladder has it."""
    old = t.ladder
    was = None if t.level is None else (old.variation(t.level).id, t.target)
    t.ladder = ladder
    if t.done_at is not None:  # the reason says the change from where it was last done
        level, target = t.done_at
        t.done_at = (ladder.level_of((old.variation(level).id, target)) or 0, target)
    if was is None:
        return
    level = ladder.level_of(was) or 0
    floor = t.floor if (ladder.variation(level).id == was[0]
                        and level == ladder.entry(level)) else None
    t.level, t.floor = level, (floor if floor is not None and floor < ladder.reps(level)
                               else None)
    if (ladder.variation(level).id, t.target) != was:
        t.since.clear()
        t.met = None
        k = next(i for i, v in enumerate(old.family.ladder) if v.id == was[0])
        t.cause = Cause("program", k, was[1])  # where it was: for the reason (reasons.py)


def _replay_from(
    base: Progress | None,
    library: Library,
    sessions: Iterable[SessionRecord | ProgramRecord],
    today: date,
    rules: ProgressionRules,
    checkin_pain: int | None,
    starts: Mapping[str, frozenset[str]] | None = None,
    rhythm: Rhythm | None = None,
) -> _Replay:
    progress = base.copy() if base is not None else Progress.start(library, rules, rhythm)
    if starts:
        progress.starts = starts
    return progress.feed(sessions or [], today).finish(today, checkin_pain)




def exercise_states(
    library: Library,
    sessions: Sequence[SessionRecord | ProgramRecord],
    today: date,
    cfg: ProgressionRules,
    *,
    base: Progress | None = None,
    starts: Mapping[str, frozenset[str]] | None = None,
    rhythm: Rhythm | None = None,
) -> dict[str, ExerciseState]:
    """Each family's variation and target for ``today``, in library order, derived from
    ``sessions`` (history records, oldest first; with ``base``, those saved after it).
    Check-in pain is not known here, so the bad-day rule only shows if an earlier session
    today already made it a bad day. ``starts``: the rungs the signature's rules may start a
    family on (``Tuning.allowed``), so a first session there is read where it was done."""
    replay = _replay_from(base, library, sessions, today, cfg, None, starts, rhythm)
    return {fid: planner.state_of(t, cfg) for fid, t in replay.tracks.items()}


def plan_for_day(
    library: Library,
    sessions: Sequence[SessionRecord | ProgramRecord],
    today: date,
    cfg: ProgressionRules,
    settings: SessionSettings,
    checkin_pain: int | None = None,
    *,
    base: Progress | None = None,
    tuning: Tuning | None = None,
    rhythm: Rhythm | None = None,
) -> Plan:
    """Today's plan: with a program (``rhythm.program``), every program family, or the half of
    a fixed A/B split whose turn it is when they do not all fit ``session_minutes``; without
    one, ``exercises_min`` to ``exercises_max`` families, least recently offered first, as
    many as fit. Each at its derived level with its reason (kiosk.core.coach.plan).

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
    rhythm = base.rhythm if base is not None and rhythm is None else rhythm or Rhythm()
    replay = _replay_from(base, library, sessions, today, cfg, checkin_pain, tune.allowed,
                          rhythm)
    return planner.build(replay, library, sessions_of(sessions), today, cfg, settings, tune,
                         replay.rhythm or rhythm)


@dataclass(frozen=True)
class Replays:
    """How the store starts a replay, and takes one back from a snapshot, for one config."""

    library: Library
    rules: ProgressionRules
    # The rungs the signature's rules may start a family on (kiosk.coaching.replays): a full
    # replay in the planner uses them, so every snapshot's replay does too.
    starts: Mapping[str, frozenset[str]] = field(default_factory=dict)
    rhythm: Rhythm = field(default_factory=Rhythm)

    def start(self) -> Progress:
        progress = Progress.start(self.library, self.rules, self.rhythm)
        progress.starts = self.starts
        return progress

    snapshot_type: ClassVar[type[ProgressSnapshot]] = ProgressSnapshot  # what load() takes

    def load(self, saved: ProgressSnapshot) -> Progress | None:
        return Progress.from_snapshot(saved, self.library, self.rules, self.starts, self.rhythm)
