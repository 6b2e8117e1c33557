"""A family's ladder laid out as a line of micro-steps (docs/progression.md). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.core.data.model import Family, Variation


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
    def of(
        cls, family: Family, rungs: Sequence[int] | None = None, cap: int | None = None
    ) -> Ladder:
        """The family's ladder; a clinician's program (kiosk.core.coach.program) may keep only
        some of its variations (``rungs``, their indexes) and cap every rung's reps (``cap``):
        a rung then climbs to the cap, and the next step is the next rung."""
        kept = range(len(family.ladder)) if rungs is None else rungs
        steps = []
        for k in kept:
            v = family.ladder[k]
            top = v.max_reps if cap is None else min(v.max_reps, cap)
            steps += [(k, reps) for reps in range(min(v.start_reps, top), top + 1)]
        return cls(family, tuple(steps))

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
        k = self.rung(level)
        mine = [r for kk, r in self.steps if kk == k]
        return self.steps.index((k, min(max(reps, mine[0]), mine[-1])))

    def variation_below(self, level: int) -> int:
        """The variation below this one, at its start reps; on the first rung, its start reps.

        Start reps rather than the same count: after pain, or on a bad day, the easier
        variation should also feel easy, not be a new test of endurance.
        """
        k = self.steps[level][0]
        below = [kk for kk, _ in self.steps if kk < k]
        rung = below[-1] if below else k
        return next(i for i, (kk, _) in enumerate(self.steps) if kk == rung)



    @property
    def bounded(self) -> bool:
        """A clinician's program stops this ladder short of the family's own top."""
        last = self.family.ladder[-1]
        return bool(self.steps) and self.steps[-1] != (len(self.family.ladder) - 1,
                                                       last.max_reps)

    def at_top_rung(self, level: int) -> bool:
        """On the last variation of the ladder (whatever its reps)."""
        return self.rung(level) == self.steps[-1][0]

    def level_of(self, at: tuple[str, int] | None) -> int | None:
        """The level of a variation at a target, as a session saved it; None if not in the
        family. A variation this ladder leaves out (a clinician's program) is read as the
        nearest one kept below it, at its start reps, or the first one kept: never more load.
        One above the ladder's last is its top."""
        if at is None or not self.steps:
            return None
        rung = next((k for k, v in enumerate(self.family.ladder) if v.id == at[0]), None)
        if rung is None:
            return None
        kept = sorted({k for k, _ in self.steps})
        if rung > kept[-1]:
            return self.top
        if rung not in kept:
            below = [k for k in kept if k < rung]
            entry = next(i for i, (k, _) in enumerate(self.steps)
                         if k == (below[-1] if below else kept[0]))
            return entry
        entry = next(i for i, (k, _) in enumerate(self.steps) if k == rung)
        return self.at(entry, at[1])
