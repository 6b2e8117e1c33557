"""The seams between the main loop and its devices: one small Protocol for each, with the
twin that does nothing and the twin that records. No pygame, gpiozero or TinyDB is imported here.

The loop (``kiosk.app``) only ever sees these shapes. The real adapters (``io/``, ``ui/``,
``store/``) have them; so do the twins below, which the runtime uses for a degraded mode (no
speaker, no screen, no LEDs, not under systemd) and tests hand in instead of hardware. A missing
device is its null twin, never None, so the loop never asks what kind of hardware it has.

Other threads (gpiozero callbacks, the history writer) only put items on the loop's ``Inbox``.
"""

from __future__ import annotations

import queue
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TextIO, runtime_checkable

from kiosk.core.data.events import Hush, Say, Tone
from kiosk.core.data.model import Button
from kiosk.core.data.records import Record
from kiosk.core.data.view import View


# --- what other threads hand the loop ------------------------------------------------------------
@dataclass(frozen=True)
class Edge:
    """A raw button edge, stamped with the kiosk clock by the thread that saw it."""

    button: Button
    down: bool
    t: float


@dataclass(frozen=True)
class Typed:
    """A key typed in a terminal (``kiosk run --headless --mock``): press ``button``, and hold
    it with ``hold`` (G A R). The loop presses the mock pin and lets go in time."""

    button: Button
    hold: bool = False


@dataclass(frozen=True)
class EndOfInput:
    """q typed, or the terminal's input ended: close the kiosk as Esc does."""


@dataclass(frozen=True)
class StickProgram:
    """What was found on the USB stick for "Load program from USB": the program's text, or None
    and one sentence saying why not (kiosk/usb.py read_program)."""

    text: str | None
    problem: str = ""


# An edge from the buttons, words to tell the person (from the history writer), a key typed in a
# terminal, a program read from the stick, or None: wake up (``App.stop``).
InboxItem = Edge | str | Typed | EndOfInput | StickProgram | None
Inbox = queue.SimpleQueue[InboxItem]


# --- the shapes ----------------------------------------------------------------------------------
@runtime_checkable
class Voice(Protocol):
    """What the main loop needs from a voice. Every method returns at once."""

    def say(self, text: str, interrupt: bool = False) -> None:
        """Speak ``text`` after the lines already queued; ``interrupt`` cuts them all off first."""

    def tone(self, name: str) -> None:
        """Play one of ``kiosk.io.tones.NAMES``, alongside any speech."""

    def hush(self) -> None:
        """Stop speech and tones now and drop every queued line."""

    def prepare(self, lines: Iterable[str]) -> None:
        """Get these lines ready in the background (e.g. ``catalogue.catalogue(plan)``)."""

    def update(self) -> None:
        """Call once per frame: starts the next queued line when the voice is free."""

    @property
    def speaking(self) -> bool:
        """True while a line plays or waits to play."""

    def seconds(self, text: str) -> float | None:
        """How long ``text`` plays, measured from its rendered file; None until it is rendered
        (the session then estimates it from the words)."""

    def close(self) -> None:
        """Stop and release everything; safe to call twice."""


class Buttons(Protocol):
    """The three buttons. Their edges arrive on the inbox; the loop only asks how they stand."""

    def is_down(self, name: Button) -> bool: ...

    def press(self, name: Button, down: bool) -> None:
        """Move a button as a person would (mock pins: the keyboard, the simulated user)."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class Key:
    """A key went down or up in the kiosk's window; ``name`` as pygame names it ("g", "escape")."""

    name: str
    down: bool


@dataclass(frozen=True)
class Quit:
    """The window was closed."""


ScreenInput = Key | Quit


class Screen(Protocol):
    """Where the loop draws a ``View``, and where keys come from in a window."""

    def needs_frame(self, view: View, now: float) -> bool:
        """Whether something on screen moves at ``now`` (a pacer, a blink)."""

    def next_frame_in(self, view: View, now: float) -> float:
        """Seconds until the next frame is due, for the loop's sleep."""

    def draw(self, view: View, now: float) -> None: ...

    def inputs(self) -> list[ScreenInput]:
        """Keys and window events since the last call (the screen repaints itself when
        uncovered)."""

    @property
    def takes_keys(self) -> bool:
        """Whether keys can come from here: then the loop polls ``inputs()`` for them, as
        nothing wakes it when a key is pressed."""

    def close(self) -> None: ...


class Writer(Protocol):
    """Saves records off the frame loop (``kiosk.store.writer.HistoryWriter``)."""

    def save(self, record: Record) -> None:
        """Queue ``record`` and return at once; saving an id again replaces it."""

    @property
    def pending_ids(self) -> tuple[str, ...]:
        """Records not on disk yet."""

    def warm(self) -> None:
        """Read ahead, off the loop, what the kiosk reads later (``HistoryWriter.warm``)."""

    @property
    def lost(self) -> tuple[str, ...]:
        """After ``close``: records neither saved nor kept for the next start."""

    def close(self) -> None:
        """Write what is pending, then stop; safe to call twice."""


class Leds(Protocol):
    """Status and breathing LEDs, for a kiosk with no screen."""

    def update(self, view: View, now: float) -> None: ...

    def next_change_in(self, view: View, now: float) -> float:
        """Seconds until the LEDs would show something else (a blink), for the loop's sleep."""

    def close(self) -> None: ...


class Notifier(Protocol):
    """Tells systemd how the kiosk is doing (``kiosk.io.watchdog.Notifier``)."""

    def ready(self) -> None: ...

    def ping(self) -> None: ...

    def interval(self) -> float | None:
        """Seconds between pings, or None when no watchdog is armed."""

    def stopping(self) -> None: ...

    def starting(self, status: str) -> None:
        """Still starting, and why: a long first start (a migration, snapshots made again after
        an update) must not be taken for a hung one."""


# --- the twins that do nothing -------------------------------------------------------------------
class NullVoice:
    """Silence, for a kiosk with no audio device: the screen carries every line."""

    def say(self, text: str, interrupt: bool = False) -> None:
        pass

    def tone(self, name: str) -> None:
        pass

    def hush(self) -> None:
        pass

    def prepare(self, lines: Iterable[str]) -> None:
        pass

    def update(self) -> None:
        pass

    @property
    def speaking(self) -> bool:
        return False

    def seconds(self, text: str) -> float | None:
        return None

    def close(self) -> None:
        pass


class NullButtons:
    """No buttons at all: nothing is ever down, and nothing can be pressed."""

    def is_down(self, name: Button) -> bool:
        return False

    def press(self, name: Button, down: bool) -> None:
        pass

    def close(self) -> None:
        pass


class NullScreen:
    """No screen: nothing to draw, no frames to wait for, no keys."""

    takes_keys = False

    def needs_frame(self, view: View, now: float) -> bool:
        return False

    def next_frame_in(self, view: View, now: float) -> float:
        return float("inf")

    def draw(self, view: View, now: float) -> None:
        pass

    def inputs(self) -> list[ScreenInput]:
        return []

    def close(self) -> None:
        pass


class NullWriter:
    """Saves nothing: for a kiosk run that must leave no history behind."""

    def save(self, record: Record) -> None:
        pass

    @property
    def pending_ids(self) -> tuple[str, ...]:
        return ()

    def warm(self) -> None:
        pass

    @property
    def lost(self) -> tuple[str, ...]:
        return ()

    def close(self) -> None:
        pass


class NullLeds:
    """No LEDs wired."""

    def update(self, view: View, now: float) -> None:
        pass

    def next_change_in(self, view: View, now: float) -> float:
        return float("inf")

    def close(self) -> None:
        pass


class NullNotifier:
    """Not under systemd: nobody to tell."""

    def ready(self) -> None:
        pass

    def ping(self) -> None:
        pass

    def interval(self) -> float | None:
        return None

    def stopping(self) -> None:
        pass

    def starting(self, status: str) -> None:
        pass


# --- the twins that record, for tests and the demo -----------------------------------------------
class PrintVoice(NullVoice):
    """Prints ``say: <text>`` for every line, for the demo and for reading logs.

    ``stream`` defaults to whatever ``sys.stdout`` is at the time of each line.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def say(self, text: str, interrupt: bool = False) -> None:
        print(f"say: {text}", file=self._stream or sys.stdout, flush=True)


class RecordingVoice(NullVoice):
    """Records every call, for tests. ``speaking`` can be set to play a long line."""

    def __init__(self) -> None:
        self.calls: list[Say | Tone | Hush] = []
        self.prepared: list[str] = []
        self.updates = 0
        self.closed = False
        self._speaking = False

    def say(self, text: str, interrupt: bool = False) -> None:
        self.calls.append(Say(text, interrupt))

    def tone(self, name: str) -> None:
        self.calls.append(Tone(name))

    def hush(self) -> None:
        self.calls.append(Hush())

    def prepare(self, lines: Iterable[str]) -> None:
        self.prepared.extend(lines)

    def update(self) -> None:
        self.updates += 1

    @property
    def speaking(self) -> bool:
        return self._speaking

    @speaking.setter
    def speaking(self, value: bool) -> None:
        self._speaking = value

    def close(self) -> None:
        self.closed = True

    @property
    def said(self) -> list[str]:
        return [c.text for c in self.calls if isinstance(c, Say)]

    @property
    def tones(self) -> list[str]:
        return [c.name for c in self.calls if isinstance(c, Tone)]


class TeeVoice:
    """Sends every call to several voices: the demo prints each line and still plays it."""

    def __init__(self, *voices: Voice) -> None:
        self.voices = voices

    def say(self, text: str, interrupt: bool = False) -> None:
        for v in self.voices:
            v.say(text, interrupt)

    def tone(self, name: str) -> None:
        for v in self.voices:
            v.tone(name)

    def hush(self) -> None:
        for v in self.voices:
            v.hush()

    def prepare(self, lines: Iterable[str]) -> None:
        lines = list(lines)  # each voice gets the whole list, even from a generator
        for v in self.voices:
            v.prepare(lines)

    def update(self) -> None:
        for v in self.voices:
            v.update()

    @property
    def speaking(self) -> bool:
        return any(v.speaking for v in self.voices)

    def seconds(self, text: str) -> float | None:
        return next((s for v in self.voices if (s := v.seconds(text)) is not None), None)

    def close(self) -> None:
        for v in self.voices:
            v.close()


class QueueButtons(NullButtons):
    """Buttons with no pins: a press puts its edge straight on the inbox, as gpiozero would."""

    def __init__(self, inbox: Inbox, now: Callable[[], float]) -> None:
        self._inbox = inbox
        self._now = now
        self._down: set[Button] = set()

    def is_down(self, name: Button) -> bool:
        return name in self._down

    def press(self, name: Button, down: bool) -> None:
        if down == (name in self._down):
            return  # a pin that does not change makes no edge
        (self._down.add if down else self._down.discard)(name)
        self._inbox.put(Edge(name, down, self._now()))


class RecordingScreen(NullScreen):
    """Keeps every view drawn, and hands the loop the keys a test queues in ``keys``."""

    takes_keys = True

    def __init__(self) -> None:
        self.drawn: list[View] = []
        self.keys: list[ScreenInput] = []
        self.closed = False

    def draw(self, view: View, now: float) -> None:
        self.drawn.append(view)

    def inputs(self) -> list[ScreenInput]:
        out, self.keys = self.keys, []
        return out

    def close(self) -> None:
        self.closed = True


class RecordingWriter(NullWriter):
    """Keeps every record saved, in order, as the history would (a later save of an id
    replaces the earlier one in ``records``)."""

    def __init__(self) -> None:
        self.saves: list[Record] = []
        self.closed = False

    def save(self, record: Record) -> None:
        self.saves.append(record)

    @property
    def records(self) -> list[Record]:
        by_id: dict[str, Record] = {}
        for r in self.saves:
            by_id[r.id] = r
        return list(by_id.values())

    def close(self) -> None:
        self.closed = True


class RecordingLeds(NullLeds):
    """Keeps each (view, time) the LEDs were asked to show."""

    def __init__(self) -> None:
        self.updates: list[tuple[View, float]] = []
        self.closed = False

    def update(self, view: View, now: float) -> None:
        self.updates.append((view, now))

    def close(self) -> None:
        self.closed = True


class RecordingNotifier(NullNotifier):
    """Keeps what systemd would have been told, in order: READY=1, WATCHDOG=1, STOPPING=1, and
    STATUS= while a long start goes on."""

    def __init__(self, interval: float | None = None) -> None:
        self.sent: list[str] = []
        self._interval = interval

    def ready(self) -> None:
        self.sent.append("READY=1")

    def ping(self) -> None:
        self.sent.append("WATCHDOG=1")

    def interval(self) -> float | None:
        return self._interval

    def stopping(self) -> None:
        self.sent.append("STOPPING=1")

    def starting(self, status: str) -> None:
        self.sent.append(f"STATUS={status}")


# --- all of them, as the loop holds them ---------------------------------------------------------
@dataclass
class Devices:
    """The adapters around the core. Each is a real device or one of its twins, so the loop
    never checks what kind of hardware it has."""

    buttons: Buttons = field(default_factory=NullButtons)
    voice: Voice = field(default_factory=NullVoice)
    writer: Writer = field(default_factory=NullWriter)
    screen: Screen = field(default_factory=NullScreen)
    leds: Leds = field(default_factory=NullLeds)
    notifier: Notifier = field(default_factory=NullNotifier)
    closers: list[Callable[[], None]] = field(default_factory=list)  # e.g. the pin factory
