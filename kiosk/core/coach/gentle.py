"""The gentle path: on a high-pain day, only breathing and gentle mobility. Pure.

At a check-in of ``gentle_from`` (7) or more, once the safety questions are all "no", the
session offers this plan instead of today's: for each exercise the person already knows, its
easiest variation that the config marks ``gentle = true``, at its start reps. Nothing loaded
(the loader refuses ``gentle`` on a loaded variation) and nothing new: a family never done, or
whose gentle variation lies above where the person is on its ladder, is left out. With nothing
left, the session is the breathing alone, and that is fine.

Sessions on this path are not evidence for a step up (``kiosk.core.coach.progression`` skips
exercises
whose change is ``gentle``), so a calm day at the easiest rung never adds load the next day.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from kiosk.core.coach import rotation
from kiosk.core.coach.program import Program
from kiosk.core.data.model import Family, Library, Plan, PlannedExercise, Variation
from kiosk.core.words.phrases import plural

CHANGE = "gentle"


class Known(Protocol):
    """What the gentle path needs to know of each family: where the person is on its ladder
    and whether they have done it. ``kiosk.core.coach.progression.ExerciseState`` has this shape."""

    @property
    def family(self) -> Family: ...
    @property
    def variation(self) -> Variation: ...
    @property
    def sessions(self) -> int: ...


def gentle_variation(family: Family, current: Variation) -> Variation | None:
    """The easiest gentle rung at or below ``current``, or None."""
    for v in family.ladder:  # easiest first, up to and including where the person is
        if v.gentle:
            return v
        if v.id == current.id:
            return None
    return None


def gentle_plan(
    library: Library, states: Mapping[str, Known], plan: Plan, *, most: int,
    program: Program | None = None,
) -> Plan:
    """Today's gentle plan: the families of ``plan`` first (it is their turn), then the others
    in library order, at most ``most``, each at its gentle variation, done from the floor up.
    Under a clinician's ``program``, only its families, on the variations it allows."""
    order = [p.family.id for p in plan.exercises]
    order += [f.id for f in library.families if f.id not in order]
    if program is not None and program.clinician:
        order = [f for f in order if f in program.families]
    chosen: list[PlannedExercise] = []
    for fid in order:
        state = states.get(fid)
        if state is None or state.sessions == 0 or len(chosen) >= most:
            continue
        v = gentle_variation(state.family, state.variation)
        if v is not None and program is not None and program.clinician:
            allowed = program.rungs(state.family)
            v = v if any(state.family.ladder[k].id == v.id for k in allowed) else None
        if v is not None:
            reason = f"{state.family.name}: {v.name}, {plural(v.start_reps, 'rep')}, gently today."
            chosen.append(PlannedExercise(state.family, v, v.start_reps, reason, CHANGE))
    library_index = {f.id: i for i, f in enumerate(library.families)}
    chosen.sort(key=lambda p: (rotation.position_rank(p.variation.position),
                               library_index[p.family.id]))
    return Plan(plan.date, tuple(chosen), (NOTE,))


NOTE = "A high-pain day: breathing and gentle movement only, nothing loaded and nothing new."
