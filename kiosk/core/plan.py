"""A starter plan: the first rung of each family at its start reps. Used until history exists
and by tests; ``kiosk.core.progression`` makes the real daily plan."""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.core.model import Library, Plan, PlannedExercise


def starter_plan(library: Library, day: date, count: int = 3) -> Plan:
    items = tuple(
        PlannedExercise(f, f.ladder[0], f.ladder[0].start_reps, change="new")
        for f in library.families[:count]
    )
    return Plan(day.isoformat(), items)


def starter_planner(library: Library) -> Any:
    def plan(sessions: list[dict[str, Any]], day: date, pain: int | None) -> Plan:
        return starter_plan(library, day)

    return plan
