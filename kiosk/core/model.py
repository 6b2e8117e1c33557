"""Plain, frozen data that describes exercises, settings and today's plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Button(StrEnum):
    """The three physical buttons, named by what they mean as well as by colour."""

    GREEN = "green"  # clean rep / yes / start
    AMBER = "amber"  # technique slipped / no / next
    RED = "red"  # pain / stop

    @property
    def word(self) -> str:
        return self.value.upper()


@dataclass(frozen=True)
class Variation:
    """One rung of an exercise ladder."""

    id: str
    name: str
    position: str  # lying, all-fours, side-lying, seated, standing, loaded
    effort: str  # "exhale" or "inhale": the breath phase that carries the movement
    move: str  # what the effort phase does, e.g. "lift your hips"
    back: str  # what the other phase does, e.g. "lower slowly"
    tempo: tuple[float, float]  # seconds of (inhale, exhale)
    cues: tuple[str, ...]
    start_reps: int
    max_reps: int
    side: str = "none"  # none | alternate (reps alternate sides) | each (a set per side)
    hold: float = 0.0  # seconds held at the end of the effort phase
    gentle: bool = False  # offered on a high-pain day (kiosk.core.gentle); never when loaded


@dataclass(frozen=True)
class Family:
    """An exercise family: a ladder of variations, easiest first."""

    id: str
    name: str
    ladder: tuple[Variation, ...]


@dataclass(frozen=True)
class Library:
    families: tuple[Family, ...]

    def family(self, family_id: str) -> Family:
        for f in self.families:
            if f.id == family_id:
                return f
        raise KeyError(f"no exercise family {family_id!r}")

    def variation(self, variation_id: str) -> tuple[Family, Variation]:
        for f in self.families:
            for v in f.ladder:
                if v.id == variation_id:
                    return f, v
        raise KeyError(f"no exercise variation {variation_id!r}")


@dataclass(frozen=True)
class SessionSettings:
    """Timing of a guided session. All durations are seconds."""

    inhale: float = 4.0
    exhale: float = 6.0
    primer_seconds: float = 60.0
    rating_timeout: float = 12.0
    pain_timeout: float = 30.0
    ready_timeout: float = 45.0
    sets: int = 2
    rest_seconds: float = 30.0
    speech_rate_wpm: int = 150
    pain_rise_stop: int = 2  # a pain rating this many points above check-in ends the session


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise in today's plan, with the reason for any change."""

    family: Family
    variation: Variation
    target: int
    reason: str = ""
    change: str = "same"  # same | advance | back | reenter | bad-day | new


@dataclass(frozen=True)
class Plan:
    date: str  # YYYY-MM-DD
    exercises: tuple[PlannedExercise, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
