"""Events flow into the core; effects flow out. Both are plain frozen dataclasses.

Every event carries ``t``, seconds on the kiosk's monotonic clock. The core never reads a clock
itself, so an accelerated clock in the demo and a fixed one in tests drive the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.core.data.model import Button
from kiosk.core.data.records import Record
from kiosk.core.data.view import View


# --- events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Press:
    """A button went down (already debounced)."""

    button: Button
    t: float


@dataclass(frozen=True)
class Release:
    """A button came up. ``held`` is true when a Hold was already reported for this press."""

    button: Button
    t: float
    held: bool = False


@dataclass(frozen=True)
class Hold:
    """A button has been held down for its hold time."""

    button: Button
    t: float


@dataclass(frozen=True)
class Stuck:
    """A button has been down far longer than any real press: a stuck switch or a loose wire."""

    button: Button
    t: float


@dataclass(frozen=True)
class Chord:
    """GREEN and RED held together for the shutdown time."""

    t: float


@dataclass(frozen=True)
class Tick:
    t: float


@dataclass(frozen=True)
class Notice:
    """Something the user must hear about (history restored, could not save...)."""

    text: str
    t: float


@dataclass(frozen=True)
class WallClock:
    """A reading of the wall clock, taken at monotonic ``t`` (the shell reads it once a minute)."""

    wall: datetime
    t: float


@dataclass(frozen=True)
class ProgramFound:
    """What the shell found on the USB stick for "Load program from USB": the program file's
    text, or None and why not, as one sentence to say (kiosk/core/flows/program.py)."""

    text: str | None
    problem: str
    t: float


Event = Press | Release | Hold | Stuck | Chord | Tick | Notice | WallClock | ProgramFound


# --- effects ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Say:
    """Speak a line. ``interrupt`` cuts off whatever is being said (used by RED)."""

    text: str
    interrupt: bool = False


@dataclass(frozen=True)
class Tone:
    """Play a short tone: inhale, exhale, tick, chime, alert, nope (a press with no role
    here) or held (a hold did its job)."""

    name: str


@dataclass(frozen=True)
class Show:
    view: View


@dataclass(frozen=True)
class Save:
    """Persist a record: a session (a checkpoint, then the finished one), or a pain entry.
    Saving a record whose id is already saved replaces it."""

    record: Record


@dataclass(frozen=True)
class Paced:
    """A breath began: one beat of the breath timeline, as every channel follows it. The
    voice and tones get their own Say and Tone effects; this one is for the record of the
    rhythm (``kiosk demo --timeline``). ``at`` is when the breath began on the kiosk clock."""

    breath: str  # in | out
    at: float
    seconds: float
    rep: int | None = None
    side: str | None = None
    say: tuple[str, ...] = ()
    tone: str = ""
    hold: float = 0.0  # seconds of hold still to go, during a hold


@dataclass(frozen=True)
class Hush:
    """Stop speech and tones at once and drop anything queued."""


@dataclass(frozen=True)
class Finished:
    """The session is over; the shell may return to the home screen."""


@dataclass(frozen=True)
class PowerOff:
    """Shut the machine down cleanly (only ever after the user asked for it)."""


@dataclass(frozen=True)
class CopyToUsb:
    """Copy the report and every export to the USB stick, off the frame loop; the shell
    tells the outcome back as a line to say (kiosk/core/reports/usb.py)."""


@dataclass(frozen=True)
class ReadUsbProgram:
    """Read backcare-program.toml from the top of the USB stick, off the frame loop; the shell
    hands back what it found as a ``ProgramFound`` event."""


Effect = (Say | Tone | Show | Save | Hush | Finished | PowerOff | Paced | CopyToUsb
          | ReadUsbProgram)
