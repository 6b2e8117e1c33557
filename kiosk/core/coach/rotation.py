"""Which exercises today, and in what order: a fair rotation, fitted to the session's minutes.

Rhythm beats heroics: every family should come round again regularly, so the least recently
offered go first. The plan then takes as many as fit the session's time (within the configured
minimum and maximum), and orders them so the user works up from the floor, not up and down.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from kiosk.core.coach import breath
from kiosk.core.data.model import SessionSettings, Variation

# From most supported to least: lying down, on the floor, seated, kneeling, standing, carrying a
# load. A ladder climbs this order (tests/core/test_library.py checks the packaged one), and a
# plan is done in it, so nobody gets down on the floor again after standing up.
POSITION_ORDER = ("lying", "side-lying", "all-fours", "seated", "kneeling", "standing", "loaded")

# Rough costs in seconds. They only decide how many exercises fit, so round numbers will do.
INTRO_SECONDS = 25.0  # the spoken introduction and getting into position
RATING_SECONDS = 1.5  # pressing GREEN or AMBER after a rep, and the short pause before the next
CHECK_SECONDS = 60.0  # check-in, check-out and the summary, once per session

T = TypeVar("T")


def position_rank(position: str) -> int:
    """Where a position sits in POSITION_ORDER; an unknown one goes last rather than failing."""
    return POSITION_ORDER.index(position) if position in POSITION_ORDER else len(POSITION_ORDER)


def rep_seconds(v: Variation) -> float:
    """One rep as the session paces it (kiosk/core/coach/breath.py), then the rating."""
    return breath.rep_seconds(v) + RATING_SECONDS


def sets_of(v: Variation, settings: SessionSettings) -> int:
    """Sets of an exercise in a session: a walk is one set of minutes, not several."""
    return 1 if v.unit == "minutes" else settings.sets


def exercise_seconds(v: Variation, target: int, settings: SessionSettings) -> float:
    """About how long one exercise takes: intro, every set (both sides if "each"), the rests,
    and the lead-in and closing breaths of each set."""
    sets = sets_of(v, settings) * (2 if v.side == "each" else 1)
    lead = sum(b.seconds for b in (*breath.lead_in(v), *breath.close(v, v.breath.first.other)))
    return (INTRO_SECONDS + sets * (lead + target * rep_seconds(v))
            + (sets - 1) * settings.rest_seconds)


def session_budget(minutes: int, settings: SessionSettings) -> float:
    """Seconds left for exercises once the check-in, primer and check-out are taken out."""
    return minutes * 60.0 - settings.primer_seconds - CHECK_SECONDS


def rotation_order(
    ids: Sequence[str], last_offered: Mapping[str, int], *, first: Sequence[str] = ()
) -> list[str]:
    """Least recently offered first; never offered before all others; ties keep ``ids`` order,
    except that ids in ``first`` (the movement signature's, in its order) lead a tie.

    ``last_offered`` maps an id to the position in history of the last session that offered
    it. ``sorted`` is stable, so equal keys keep the library's order: the same history always
    gives the same rotation.
    """
    rank = {f: i for i, f in enumerate(first)}
    return sorted(ids, key=lambda i: (last_offered.get(i, -1), rank.get(i, len(rank))))


def fit(
    ordered: Sequence[T], seconds: Callable[[T], float], *, least: int, most: int, budget: float
) -> list[T]:
    """Take items in order while they fit ``budget``: always ``least``, never more than ``most``.

    It stops at the first item that does not fit instead of skipping ahead to a shorter one;
    otherwise a long exercise could be passed over day after day and lose its turn for good.
    """
    chosen: list[T] = []
    used = 0.0
    for item in ordered:
        if len(chosen) >= most:
            break
        cost = seconds(item)
        if len(chosen) >= least and used + cost > budget:
            break
        chosen.append(item)
        used += cost
    return chosen
