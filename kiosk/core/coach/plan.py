"""Today's plan from a replay: which families, in what order, each at its level and why. Pure.

With a program (kiosk.core.coach.program), a session does every program family, or, when the
session's minutes are short, one half of a fixed A/B split (the program's 1st, 3rd, 5th ...
families, then its 2nd, 4th, 6th ...), the half met longest ago first; so each family is met at
least every second session. Without one, families are offered in turn, least recently offered
first, as many as fit (kiosk.core.coach.rotation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from kiosk.core.coach import rotation
from kiosk.core.coach.evidence import ProgressionRules
from kiosk.core.coach.ladder import Ladder
from kiosk.core.coach.program import Program, Rhythm
from kiosk.core.coach.reasons import RULES_CHANGED, explain, lower, reps, sentence
from kiosk.core.coach.signature import LOWER, Tuning, sides_behind
from kiosk.core.data.model import (
    Change,
    Family,
    Library,
    Plan,
    PlannedExercise,
    SessionSettings,
    Variation,
)
from kiosk.core.data.records import SessionRecord

if TYPE_CHECKING:
    from kiosk.core.coach.track import _Replay, _Track

BAD_DAY_NOTE = "Pain is higher than usual today: nothing steps up, each exercise is a step easier."
RESTART_NOTE = ("It has been a long while, so we restart gently. A new movement check is "
                "offered: the menu has it.")
BEHIND_SESSIONS = 3  # a side behind in this many sessions in a row is said and shown


@dataclass(frozen=True)
class ExerciseState:
    """Where one exercise stands today, before check-in, and why it moved (if it did)."""

    family: Family
    variation: Variation
    target: int
    level: int  # micro-steps above the first variation's start reps
    top: int  # the highest level on this ladder
    change: str  # same | advance | back | reenter | new (bad-day is only ever in a plan)
    reason: str  # one spoken sentence
    sessions: int  # sessions of this exercise so far (done, not skipped)
    last_done: date | None  # effective day of the last of them
    waits: date | None = None  # set aside since this day: it kept hurting (docs/progression.md)


def state_of(t: _Track, rules: ProgressionRules) -> ExerciseState:
    level = t.level if t.level is not None else 0
    change, reason = explain(t, (level, t.target), rules)
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
        waits=t.waits,
    )


def build(
    replay: _Replay,
    library: Library,
    sessions: Sequence[SessionRecord],
    today: date,
    cfg: ProgressionRules,
    settings: SessionSettings,
    tune: Tuning,
    rhythm: Rhythm,
) -> Plan:
    """The plan for ``today`` (see ``progression.plan_for_day``)."""
    program_starts = rhythm.program.starts if rhythm.program is not None else {}
    states = {fid: _started(state_of(t, cfg), t.ladder, tune, program_starts.get(fid))
              for fid, t in replay.tracks.items()}
    # The start rule's reason, only where it started a family lower than the program would.
    lowered = {fid for fid, t in replay.tracks.items() if states[fid].level
               < _started(state_of(t, cfg), t.ladder, Tuning(), program_starts.get(fid)).level}
    waiting = {f: s for f, s in states.items() if s.waits is not None}
    held = _held(states, tune)

    def seconds(fid: str) -> float:
        s = states[fid]
        if _away(s.variation, s.target, rhythm):
            return rotation.INTRO_SECONDS  # asked about, not paced at the kiosk
        return rotation.exercise_seconds(s.variation, s.target, settings)

    budget = rotation.session_budget(cfg.session_minutes, settings)
    if rhythm.program is not None:
        members = program_families(rhythm.program, replay.tracks, library)
        members = [f for f in members if f not in waiting]
        # The movement signature's families come every session, first: the default program
        # takes them in; a clinician's program only those it lists.
        first = [f for f in tune.early if f in replay.tracks and f not in waiting
                 and f not in held and (f in members or not rhythm.program.clinician)]
        rest = [f for f in members if f not in first]
        left = budget - sum(seconds(f) for f in first)
        chosen = first + [f for f in todays_half(rest, replay.tracks, seconds, left)
                          if f not in held]
    else:
        order = rotation.rotation_order(
            [f for f in states if f not in held and f not in waiting],
            {f: t.offered for f, t in replay.tracks.items()}, first=tune.early)
        least = min(cfg.exercises_min, len(order))
        chosen = rotation.fit(order, seconds, least=least, most=max(least, cfg.exercises_max),
                              budget=budget)
    early = {f: i for i, f in enumerate(tune.early)}
    library_index = {fid: i for i, fid in enumerate(states)}
    # Up from the floor, never back down; within a position the signature's families first.
    chosen.sort(key=lambda f: (rotation.position_rank(states[f].variation.position),
                               early.get(f, len(early)), library_index[f]))
    items = tuple(
        _tuned(_planned(states[f], replay.tracks[f].ladder, replay.bad_today, rhythm), tune,
               tune.start_reasons.get(f, "") if f in lowered else "")
        for f in chosen
    )
    notes: tuple[str, ...] = (BAD_DAY_NOTE,) if replay.bad_today else ()
    if replay.rules_changed:
        notes += (RULES_CHANGED,)
    causes = [replay.tracks[f].cause for f in chosen]
    if any(c is not None and c.kind == "reenter" and c.of >= 4 for c in causes):
        notes += (RESTART_NOTE,)
    notes += tuple(_held_notes(held, states))
    # Said once: in the plans after the session in which it began to wait.
    notes += tuple(wait_line(s.family.name) for f, s in waiting.items()
                   if replay.last_active is not None and s.waits == replay.last_active)
    names = {f.id: f.name for f in library.families}
    found = sides_behind(sessions, names, BEHIND_SESSIONS)
    behind = tuple((b.name, b.side) for b in found)
    notes += tuple(b.line for b in found)
    waits = tuple((s.family.name, WAIT_WHY) for s in waiting.values())
    return Plan(today.isoformat(), items, notes, behind, waits)


WAIT_WHY = "it kept hurting; it waits until your clinician clears it"


def wait_line(name: str) -> str:
    """ "The bird-dog waits: it hurt three of the last five times. Please mention it to your
    clinician." """
    return (f"The {lower(name)} waits: it hurt three of the last five times. Please mention it "
            "to your clinician.")


def program_families(
    program: Program, tracks: Mapping[str, _Track], library: Library
) -> list[str]:
    """The program's families in its order, each followed by the family it names to follow
    once it has reached its top rung (not with a clinician's program)."""
    out: list[str] = []

    def add(fid: str) -> None:
        if fid in out or fid not in tracks:
            return
        out.append(fid)
        t = tracks[fid]
        after = program.follows.get(fid)
        if (after and not program.clinician and t.level is not None
                and t.ladder.at_top_rung(t.level)):
            add(after)

    for fid in program.families:
        add(fid)
    return out


def todays_half(
    members: list[str], tracks: Mapping[str, _Track], seconds: Callable[[str], float],
    budget: float,
) -> list[str]:
    """Every member when they fit the session's minutes; else the half of the fixed A/B split
    met longest ago (A first)."""
    if sum(seconds(f) for f in members) <= budget:
        return list(members)
    a, b = members[0::2], members[1::2]

    def last(half: list[str]) -> int:
        return max((tracks[f].offered for f in half), default=-1)

    return a if last(a) <= last(b) else b


def _away(v: Variation, target: int, rhythm: Rhythm) -> bool:
    return v.unit == "minutes" and target >= rhythm.walk_away_minutes


def _started(
    s: ExerciseState, ladder: Ladder, tune: Tuning, program_start: str | None = None
) -> ExerciseState:
    """A new family starts on the program's rung for it (``program_start``; else its first),
    at that rung's start reps. The signature's ``start`` rule may start it lower, never higher:
    ``"lower"`` one rung below (never below the first), or a rung at or below the program's."""
    if s.change is not Change.NEW:
        return s
    top = ladder.level_of((program_start, 0)) if program_start else None
    level = top if top is not None else s.level
    rule = tune.start.get(s.family.id)
    if rule == LOWER:
        level = ladder.variation_below(level)
    elif rule is not None:
        wanted = ladder.level_of((rule, 0))
        level = min(level, wanted) if wanted is not None else level
    if level == s.level:
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


def _tuned(p: PlannedExercise, tune: Tuning, started: str = "") -> PlannedExercise:
    """The side done first, its extra reps, and the signature's reason after the plan's
    (``started``: why it starts lower, when it does)."""
    fid = p.family.id
    why = " ".join(w for w in (tune.reasons.get(fid, ""), started) if w)
    if not why:
        return p
    side = tune.sides.get(fid)
    sided = p.variation.side in ("each", "alternate")
    reason = f"{p.reason} {why}" if p.reason else why
    if side is None or not sided:
        return replace(p, reason=reason)
    return replace(p, reason=reason, first_side=side.first, extra_reps=side.extra)


def _planned(
    s: ExerciseState, ladder: Ladder, bad_today: bool, rhythm: Rhythm
) -> PlannedExercise:
    if not bad_today or s.change is Change.NEW:  # a new exercise already starts on the first rung
        return PlannedExercise(s.family, s.variation, s.target, s.reason, s.change,
                               away=_away(s.variation, s.target, rhythm))
    level = ladder.variation_below(s.level)
    v, n = ladder.variation(level), min(ladder.reps(level), s.target)  # never more load
    what = reps(n, v) if v == s.variation else f"{v.name}, {reps(n, v)}"
    reason = sentence(f"{what} today, because your pain is higher than usual.")
    return PlannedExercise(s.family, v, n, reason, Change.BAD_DAY, away=_away(v, n, rhythm))

