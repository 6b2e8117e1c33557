"""A session's parts: its phases, how it and its sets end, what it keeps of each exercise and
set as it goes, and the rep in progress. Plain data, shared by the session (``session``), its
exercises (``session_sets``) and its screen (``session_view``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from kiosk.core.coach.breath import Beat
from kiosk.core.data.model import Button, PlannedExercise, SessionSettings
from kiosk.core.data.records import ExerciseRecord, SetRecord
from kiosk.core.data.view import Pacer
from kiosk.core.presses.pain_input import PainInput

ABANDON_AFTER = 15 * 60.0  # a paused session nobody returns to is closed and saved
NEXT_REP_PAUSE = 0.5  # after a rating, before the next rep's movement
# No rating mid-set, twice: "Are you all right?", then "If you are hurt, call for help now."
# once a minute, this many times; then the session closes and is saved.
SILENCE_CALL_EVERY = 60.0
SILENCE_CALLS = 10


class Phase(StrEnum):
    CHECKIN = "checkin"  # pain before
    HELD = "held"  # after check-in, while the kiosk runs its safety steps (docs/safety.md)
    PRIMER = "primer"  # the breathing primer
    INTRO = "intro"  # an exercise is introduced; GREEN when in position
    SET = "set"  # reps, each paced by the breath and rated
    REST = "rest"  # paced breathing between sets
    PAIN = "pain"  # RED was pressed: how much does it hurt?
    AFTER_PAIN = "after_pain"  # that exercise is left for today; GREEN goes on
    SILENT = "silent"  # no rating came mid-set: "Are you all right? Press any button."
    PAUSED = "paused"  # waiting for GREEN or AMBER
    CHECKOUT = "checkout"  # pain after
    DONE = "done"


class EndedBy(StrEnum):
    """How a session ended (the record's ``ended_by``)."""

    COMPLETE = "complete"
    STOP = "stop"
    PAIN = "pain"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"  # a checkpoint: the session was still going


class SetEnd(StrEnum):
    """How a set ended (each set's ``ended_by``)."""

    TARGET = "target"
    FRAY = "fray"
    PAIN = "pain"
    STOP = "stop"
    TIMEOUT = "timeout"


PAIN_PHASES = (Phase.CHECKIN, Phase.PAIN, Phase.CHECKOUT)
# What the buttons do while a pain rating is entered, and while a rep waits for its rating.
PAIN_BUTTONS = {
    Button.GREEN: "Raise (hold: confirm)",
    Button.AMBER: "Lower",
    Button.RED: "Hold: end",
}
RATE_BUTTONS = {Button.GREEN: "Clean rep", Button.AMBER: "Slipped", Button.RED: "Pain / stop"}


@dataclass
class SetResult:
    side: str | None
    reps: list[str] = field(default_factory=list)
    ended_by: str = ""
    number: int = 1  # which set of the exercise (both sides of a set share a number)

    @property
    def clean(self) -> int:
        return sum(1 for r in self.reps if r == "clean")

    def as_record(self) -> SetRecord:
        return SetRecord(self.side, tuple(self.reps), self.clean, str(self.ended_by))


@dataclass
class ExerciseResult:
    planned: PlannedExercise
    sets: list[SetResult] = field(default_factory=list)
    skipped: bool = False
    load: str | None = None  # confirmed by GREEN at Ready on a loaded rung

    def as_record(self) -> ExerciseRecord:
        p = self.planned
        return ExerciseRecord(
            family=p.family.id,
            variation=p.variation.id,
            name=p.variation.name,
            target=p.target,
            change=str(p.change),
            reason=p.reason,
            skipped=self.skipped,
            sets=tuple(s.as_record() for s in self.sets),
            load=self.load,
        )


@dataclass
class Timed:
    """A beat of the timeline placed on the kiosk clock."""

    beat: Beat
    start: float
    started: bool = False


@dataclass
class Rep:
    """The rep in progress: its beats (rep 1 also has the set's lead-in), then the rating."""

    number: int
    beats: list[Timed]
    prompted: int = 0  # 0: not asked yet, 1: asked, 2: asked again

    @property
    def start(self) -> float:
        return self.beats[0].start

    @property
    def end(self) -> float:
        last = self.beats[-1]
        return last.start + last.beat.seconds



class Shown(Protocol):
    """What the session's screen is built from (``session_view.view_of``)."""

    @property
    def phase(self) -> Phase: ...
    @property
    def caption(self) -> str: ...
    @property
    def now(self) -> float: ...
    @property
    def settings(self) -> SessionSettings: ...
    @property
    def current(self) -> ExerciseResult: ...
    pacer: Pacer | None
    pain: PainInput
    pain_before: int | None
    set: SetResult | None
    rep: Rep | None
