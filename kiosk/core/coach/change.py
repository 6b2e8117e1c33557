"""When a change in a score is big enough to matter to the person: the published thresholds.

Pain (0-10 numeric rating): a change of 2 points or 30 % of the starting score (Farrar et al.
2001; Ostelo et al. 2008). PSFS (0-10 per activity, 10 = able as before): 2 points in the mean
of the activities (Abbott and Schmitt 2014: minimum important difference 1.3 to 2.7; Stratford
et al. 1995: detectable change 2), 3 points for a single activity (Stratford et al. 1995, its
detectable change). docs/progress.md gives the full references. Pure.

Only the size is judged here. What the kiosk says about it never diagnoses: a pain that rises
this much sends the person to their clinician, a better score is told as a real change.
"""

from __future__ import annotations

from dataclasses import dataclass

PAIN_POINTS = 2.0
PAIN_FRACTION = 0.30
PSFS_MEAN_POINTS = 2.0
PSFS_ACTIVITY_POINTS = 3.0


@dataclass(frozen=True)
class Change:
    before: float
    after: float
    meaningful: bool

    @property
    def delta(self) -> float:
        return self.after - self.before


def pain_change(before: float, after: float) -> Change:
    """Pain from ``before`` to ``after``: meaningful at 2 points, or at 30 % of ``before``
    (so from a low start, a smaller drop already counts, as the 30 % rule intends), and never
    under one whole point."""
    diff = abs(after - before)
    # A whole point at least: below that, a rating from a low start moves by chance alone.
    by_fraction = before > 0 and diff >= 1 and diff >= PAIN_FRACTION * before - 1e-9
    return Change(before, after, diff >= PAIN_POINTS or by_fraction)


def psfs_change(before: float, after: float, *, single: bool = False) -> Change:
    """A PSFS score from ``before`` to ``after``: the mean of the activities (``single`` False)
    or one activity's score."""
    threshold = PSFS_ACTIVITY_POINTS if single else PSFS_MEAN_POINTS
    return Change(before, after, abs(after - before) >= threshold - 1e-9)
