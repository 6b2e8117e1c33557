"""Plain, frozen data that describes exercises, settings and today's plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Button(StrEnum):
    """The three physical buttons, named by what they mean as well as by colour."""

    GREEN = "green"  # clean rep / yes / start
    AMBER = "amber"  # technique slipped / no / next
    RED = "red"  # pain / stop

    @property
    def word(self) -> str:
        return self.value.upper()


class Breath(StrEnum):
    """One half of a breath. Work always alternates the two, never two of one in a row."""

    IN = "in"
    OUT = "out"
    FREE = "free"  # no breath is paced (a walking minute): the person breathes at their own pace

    @property
    def other(self) -> Breath:
        if self is Breath.FREE:
            return Breath.FREE
        return Breath.OUT if self is Breath.IN else Breath.IN

    @property
    def tone(self) -> str:
        """The tone (and pacer phase) that carries this breath: "inhale" or "exhale" (none for
        a free breath: walking plays no breath tones)."""
        if self is Breath.FREE:
            return ""
        return "inhale" if self is Breath.IN else "exhale"


class Step(StrEnum):
    """What changes from the rung below to this one: each step up a ladder changes one thing."""

    START = "start"  # the first rung
    REPS = "reps"  # the same movement, a larger rep range
    HOLD = "hold"  # the position is held for more breaths
    TEMPO = "tempo"  # the way back (or the movement) is slower
    RANGE = "range"  # the movement goes further
    LOAD = "load"  # a light weight is added (the person confirms they have it)
    MOVEMENT = "movement"  # a harder version of the movement (less support, a new position)


@dataclass(frozen=True)
class BreathModel:
    """How one rep is breathed: the movement on ``effort``, the way back on the other breath,
    and ``hold_breaths`` whole breaths (in, then out) held at the end of the movement. A rep
    starts with the movement, or (``back_first``) with the way back, for a movement that
    starts where the way back ends: the standing hip hinge starts standing, so its rep pushes
    the hips back on the in-breath, then presses them forward on the out-breath."""

    effort: Breath
    inhale: float  # seconds of each in-breath
    exhale: float  # seconds of each out-breath
    hold_breaths: int = 0
    back_first: bool = False

    @property
    def first(self) -> Breath:
        """The breath a rep starts on."""
        return self.effort.other if self.back_first else self.effort

    def seconds(self, breath: Breath) -> float:
        return self.inhale if breath is Breath.IN else self.exhale

    @property
    def hold_seconds(self) -> float:
        return self.hold_breaths * (self.inhale + self.exhale)


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
    hold_breaths: int = 0  # whole breaths held at the end of the movement
    fray_tip: str = ""  # spoken when a rep slips: the one thing to fix next time
    step: str = "start"  # a Step: what changed from the rung below
    step_note: str = ""  # that change in a few words, for the reason ("the hold grows")
    unit: str = "reps"  # reps | minutes (a "rep" is a minute of paced breathing, e.g. walking)
    load: str = ""  # what to hold, for a loaded rung ("a light weight")
    load_kg: float = 0.0  # its weight in kg, when the program names one (config/program.toml)
    gentle: bool = False  # offered on a high-pain day (kiosk.core.coach.gentle); never when loaded
    # The spinal movement directions the rung loads (DIRECTIONS); empty: the spine stays
    # neutral. A screening probe that hurts holds back what loads its direction (signature.py).
    directions: tuple[str, ...] = ()
    # Where a rep starts: "move" (the movement, on the effort breath) or "back" (the way back
    # first, for a movement that starts at its end position, like the standing hip hinge).
    starts: str = "move"

    @property
    def breath(self) -> BreathModel:
        effort = Breath.OUT if self.effort == "exhale" else Breath.IN
        return BreathModel(effort, self.tempo[0], self.tempo[1], self.hold_breaths,
                           back_first=self.starts == "back")

    @property
    def hold(self) -> float:
        """Seconds the position is held, breathing through it."""
        return self.breath.hold_seconds


DIRECTIONS = ("flexion", "extension", "rotation", "side-bend")


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


class Lengths(Protocol):
    """How long each rendered line plays, in seconds, measured from its file: a ``dict`` in
    tests, the voice's live cache in the kiosk. ``get`` gives None for a line not rendered yet."""

    def get(self, text: str, /) -> float | None: ...


_NO_LENGTHS: dict[str, float] = {}  # never written to: nothing measured, every line estimated


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
    # The real lengths of the rendered lines (kiosk.core.words.speech); none known: all estimated.
    spoken: Lengths = field(default_factory=lambda: _NO_LENGTHS, compare=False, repr=False)


class Change(StrEnum):
    """How today's level of an exercise compares with the last time it was done."""

    SAME = "same"
    ADVANCE = "advance"
    BACK = "back"
    REENTER = "reenter"
    BAD_DAY = "bad-day"
    NEW = "new"


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise in today's plan, with the reason for any change."""

    family: Family
    variation: Variation
    target: int
    reason: str = ""
    change: str = Change.SAME  # a Change (a StrEnum, so records keep plain text)
    # From the movement signature (kiosk.core.coach.signature): the side done first, and the reps
    # added on it (the stiffer side); None: left first, as ever.
    first_side: str | None = None
    extra_reps: int = 0
    # A walk long enough to happen away from the kiosk: the session asks "Did you walk N
    # minutes?" instead of pacing it, and GREEN counts it as done.
    away: bool = False

    def side_target(self, side: str | None) -> int:
        """Clean reps aimed for in a set: the target, plus the extra reps on the stiffer side
        (a set on each side), or one more for an alternating set that starts on it."""
        if not self.extra_reps or self.first_side is None:
            return self.target
        if self.variation.side == "each":
            return self.target + (self.extra_reps if side == self.first_side else 0)
        if self.variation.side == "alternate":
            return self.target + (1 if self.target % 2 == 0 else 0)
        return self.target


@dataclass(frozen=True)
class Plan:
    date: str  # YYYY-MM-DD
    exercises: tuple[PlannedExercise, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    # One-sided exercises where a side stayed behind, session after session: (family name,
    # side), said with the plan and shown on the home screen (kiosk.core.coach.signature).
    behind: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # Exercises that wait for a clinician because they kept hurting: (family name, why).
    waiting: tuple[tuple[str, str], ...] = field(default_factory=tuple)
