"""A family's ladder laid out as a line of micro-steps (docs/progression.md). Pure."""

from __future__ import annotations

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



    def at_top_rung(self, level: int) -> bool:
        """On the last variation of the ladder (whatever its reps)."""
        return self.rung(level) == len(self.family.ladder) - 1

    def level_of(self, at: tuple[str, int] | None) -> int | None:
        """The level of a variation at a target, as a session saved it; None if not on the
        ladder."""
        if at is None:
            return None
        rung = next((k for k, v in enumerate(self.family.ladder) if v.id == at[0]), None)
        if rung is None:
            return None
        entry = next(i for i, (k, _) in enumerate(self.steps) if k == rung)
        return self.at(entry, at[1])
