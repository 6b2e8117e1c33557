"""The shell: wires the adapters (buttons, voice, screen, store, LEDs, watchdog) to the core.

Only this module's main loop draws, speaks and saves. Other threads (gpiozero callbacks, the
TTS renderer, the history writer) only put items on ``inbox``. The loop sleeps on that queue, so
a press wakes it at once (low button-to-cue latency). Unasked, it wakes only when something is
due: a frame the screen needs, a blink, a held button's hold time, a queued line, a watchdog ping.
An idle home screen wakes it once a second (``benchmarks/bench_idle.py`` measures it).
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType

from kiosk.clock import Clock
from kiosk.core.coach.safety import SafetyCheck
from kiosk.core.data.events import (
    CopyToUsb,
    Effect,
    Event,
    Finished,
    Hush,
    Notice,
    PowerOff,
    ProgramFound,
    ReadUsbProgram,
    Save,
    Say,
    Show,
    Tick,
    Tone,
    WallClock,
)
from kiosk.core.data.model import Button, Plan
from kiosk.core.data.records import PainEntry, Record, RitualRecord, ScreeningRecord
from kiosk.core.data.view import View, evolve
from kiosk.core.flows.kiosk import Kiosk
from kiosk.core.presses.buttons import ButtonTracker
from kiosk.core.reports import usb as usb_words
from kiosk.core.words.catalogue import catalogue
from kiosk.devices import (
    Devices,
    Edge,
    EndOfInput,
    Inbox,
    InboxItem,
    Key,
    Quit,
    StickProgram,
    Typed,
)

log = logging.getLogger(__name__)

KEYS = {"g": Button.GREEN, "1": Button.GREEN, "a": Button.AMBER, "2": Button.AMBER,
        "r": Button.RED, "3": Button.RED}
# With the keyboard as the buttons (mock mode in a window): the home screen's first line, and
# the hint after a key that is no button (issue 30: the window teaches its keys).
KEY_LINE = "Keys: g GREEN, a AMBER, r RED"  # held down, a key holds its button
KEY_HINT_SECONDS = 4.0  # as long as the hint after a press with no role (core/flows/kiosk.py)
# Keys that only change another (shift, ctrl...), never a wrong key on their own.
MODIFIER_WORDS = ("shift", "ctrl", "alt", "meta", "super", "lock", "compose", "mode")


def key_hint(name: str) -> tuple[str, ...]:
    """What the window shows after a key that is no button."""
    return (f'"{name}" is not a button key.', KEY_LINE)
FAULT = (
    "Sorry, something went wrong. If it happens again the kiosk restarts; "
    "your sessions are saved."
)
LAST_WORDS_STEP = 0.05  # seconds between looks at the voice while a last line is said
LAST_WORDS_STEPS = 80  # at most four seconds of it: systemd's stop timeout runs meanwhile
MAX_FAULTS = 20  # in a row: a fault that repeats every pass is not passing
BUSY_WAIT = 0.05  # longest sleep in a session, with a key or button down: paces reps and holds
CLOCK_READING = 60.0  # seconds between readings of the wall clock
IDLE_WAIT = 1.0  # longest sleep with nothing due: the home screen changes at midnight at most
NO_READER = "The USB stick could not be read. Nothing has changed. Try again, or try another stick."


class App:
    def __init__(
        self,
        kiosk: Kiosk,
        tracker: ButtonTracker,
        devices: Devices,
        clock: Clock,
        inbox: Inbox,
        *,
        keyboard: bool = False,
        animate: bool = True,
        power_off: Callable[[], None] | None = None,
        usb: Callable[[], usb_words.Outcome] | None = None,
        read_program: Callable[[], StickProgram] | None = None,
    ) -> None:
        self.kiosk = kiosk
        self.tracker = tracker
        self.dev = devices
        self.clock = clock
        self.inbox = inbox
        self.keyboard = keyboard
        self.animate = animate
        self.power_off = power_off
        # Copies the report and exports to the USB stick and says how it went (runtime.py runs
        # `kiosk export --usb` as a child process). Never on the loop's thread: see _copy_to_usb.
        self.usb = usb
        self._usb_job: threading.Thread | None = None
        # Reads backcare-program.toml from the stick (kiosk/usb.py read_program), on its own
        # thread as the copy is: a stick that hangs never stops the loop.
        self.read_program = read_program
        self.view: View = kiosk.view
        self.stopping = False
        self.finished = 0
        self.saved: list[str] = []  # ids of records handed to the writer, in order
        self.saved_kinds: dict[str, str] = {}  # id -> session | ritual
        self.saved_answers: set[str] = set()  # those of them that are safety answers
        self.saved_pain: set[str] = set()  # and those that are pain log entries
        self._dirty = True
        self._key_hint: tuple[str, ...] = ()  # after a key that is no button: the keys
        self._key_hint_until = float("-inf")
        self._key_hinted = False
        self._closed = False
        self._next_ping = 0.0
        self._power_off_at: float | None = None
        self._next_clock_check = 0.0
        self._faults = 0
        self._prepared_plan: Plan | None = None
        self._releases: list[tuple[float, Button]] = []  # typed keys: when to let go
        self._typed: list[Typed] = []  # keys typed while another is still down
        self._woken: list[InboxItem] = []  # the item that woke the loop, handled first
        self._lock = threading.Lock()
        # Sees every effect before the devices do (``kiosk demo --timeline`` prints the beats).
        self.observer: Callable[[Effect], None] | None = None

    # --- life cycle ---------------------------------------------------------------------------
    def start(self, notices: Sequence[str] = ()) -> None:
        now = self.clock.now()
        for name in Button:
            self._feed(self.tracker.initial(name, self.dev.buttons.is_down(name), now))
        # What went wrong at start-up comes first, before the welcome: the caption shows the
        # lines in the order they are said, and this is what the person most needs to know.
        for text in notices:
            self._feed([Notice(text, now)])
        self._dispatch(self.kiosk.boot())
        self._read_wall_clock(now)
        self.dev.notifier.ready()
        # Rendering the day's lines ahead is background work: it starts once systemd knows the
        # kiosk is up. A line said before it is rendered jumps the queue (kiosk/io/voice.py).
        # So is reading the last months for the history screens, on the writer's thread.
        self._prepare_voice()
        self.dev.writer.warm()

    def run(self) -> None:
        """Loop until asked to stop (SIGTERM, window closed, Escape in mock mode)."""
        self._install_signals()
        try:
            while not self.stopping:
                self.guarded_step()
                self._wait()
        finally:
            self.close()

    def guarded_step(self) -> None:
        """A step that survives a passing fault. The person is told once, not left in silence;
        a fault that repeats is raised so systemd restarts the kiosk (saved sessions are safe,
        and the unit stops restarting after a few tries instead of looping)."""
        try:
            self.step()
            self._faults = 0
        except Exception:
            self._faults += 1
            log.exception("the kiosk's main loop failed (%d in a row)", self._faults)
            if self._faults == 1:
                self._tell(FAULT)
            if self._faults >= MAX_FAULTS:
                raise

    def _tell(self, text: str) -> None:
        try:
            self.dev.voice.hush()
            self.dev.voice.say(text)
        except Exception:
            log.exception("could not say %r", text)

    def step(self) -> None:
        """One pass: read inputs, advance the core, play, light and draw. Never blocks."""
        now = self.clock.now()
        self._read_keyboard()
        self._release_typed(now)
        self._drain(now)
        self._feed(self.tracker.tick(now))
        self._feed([Tick(now)])
        self._prepare_voice()
        self.dev.voice.update()
        self.dev.leds.update(self.view, now)
        self._draw(now)
        self._watchdog(now)
        self._read_wall_clock(now)
        if self._power_off_at is not None and now >= self._power_off_at:
            self._power_off_at = None
            self.stopping = True
            if self.power_off is not None:
                self.power_off()

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.stopping = True
        self.inbox.put(None)  # wake the loop

    def close(self) -> None:
        """The one close path: safe twice, from ``finally``, ``with`` or SIGTERM."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.dev.notifier.stopping()
        self._checkpoint()
        for close in (
            self.dev.writer.close,  # first: the session must be on disk before anything else
            self.dev.voice.close,
            self.dev.buttons.close,
            self.dev.leds.close,
            self.dev.screen.close,
            *self.dev.closers,
        ):
            try:
                close()
            except Exception:
                log.exception("closing %s failed", close)
            if close == self.dev.writer.close and self.dev.writer.lost:
                from kiosk.store.writer import NOT_SAVED  # only when it happens

                self._say_before_closing(NOT_SAVED)

    def _say_before_closing(self, text: str) -> None:
        """Say ``text`` and let it be heard before the voice closes (bounded: systemd waits)."""
        self._tell(text)
        try:
            for _ in range(LAST_WORDS_STEPS):
                self.dev.voice.update()
                if not self.dev.voice.speaking:
                    return
                time.sleep(LAST_WORDS_STEP)
        except Exception:
            log.exception("could not say %r", text)

    def _checkpoint(self) -> None:
        """Closing mid-session keeps every rated rep: the kiosk hands over a checkpoint (or
        says there was nothing to keep) before the writer, which saves it, is closed."""
        try:
            effects = self.kiosk.close()
            for eff in effects:
                if isinstance(eff, Say):
                    log.warning("%s", eff.text)
            self._dispatch(effects)
        except Exception:
            log.exception("could not keep the session in progress")

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- inputs ---------------------------------------------------------------------------------
    def _drain(self, now: float) -> None:
        while True:
            try:
                item = self._woken.pop(0) if self._woken else self.inbox.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, Edge):
                self._feed(self.tracker.edge(item.button, item.down, item.t))
            elif isinstance(item, str):
                self._feed([Notice(item, now)])
            elif isinstance(item, Typed):
                self._typed.append(item)
                self._press_typed(now)
            elif isinstance(item, EndOfInput):
                self.stop()
            elif isinstance(item, StickProgram):
                self._feed([ProgramFound(item.text, item.problem, now)])

    def _press_typed(self, now: float) -> None:
        """The next key typed in a terminal: press its mock pin, let go after a tap or a whole
        hold. Keys are typed one after another, so one waits for the last to be let go: two
        buttons down at once would be read as an ambiguous press."""
        if self._releases or not self._typed:
            return
        key = self._typed.pop(0)
        self.press_pin(key.button, True)
        hold = self.tracker.hold[key.button] + 0.2 if key.hold else 0.15
        self._releases.append((now + hold, key.button))

    def _release_typed(self, now: float) -> None:
        due = [r for r in self._releases if r[0] <= now]
        for item in due:
            self._releases.remove(item)
            self.press_pin(item[1], False)
        if due:
            self._press_typed(now)

    def _wait(self) -> None:
        """Sleep until an input arrives or something is due."""
        try:
            item = self.inbox.get(timeout=max(0.001, self.due_in(self.clock.now())))
        except queue.Empty:
            return
        if item is not None:
            # Handled first by the next step's drain: put back at the end of the queue it would
            # be handled after whatever arrived behind it, and two keys would swap places.
            self._woken.append(item)

    def due_in(self, now: float) -> float:
        """Seconds until the loop has something to do that no input will wake it for."""
        busy = (
            self.keyboard  # key presses come through pygame's queue, which only polling reads
            or bool(self._releases or self._typed)  # typed keys let go and press on a clock
            or self.kiosk.session is not None
            or self.kiosk.ritual is not None  # a ritual paces its moves like a session
            or any(self.tracker.is_down(b) for b in Button)
            or self._power_off_at is not None
            or self.dev.voice.speaking  # the next queued line starts when this one ends
        )
        if busy:
            return BUSY_WAIT
        due = [IDLE_WAIT, self._next_ping - now, self._next_clock_check - now]
        if self.animate:
            due.append(self.dev.screen.next_frame_in(self.view, now))
        due.append(self.dev.leds.next_change_in(self.view, now))
        return min(due)

    def _read_keyboard(self) -> None:
        for item in self.dev.screen.inputs():
            if isinstance(item, Quit):
                self.stop()
            elif isinstance(item, Key) and self.keyboard:
                if item.down and item.name == "escape":
                    self.stop()
                name = KEYS.get(item.name)
                if name is not None:
                    self.press_pin(name, item.down)
                elif item.down and item.name != "escape" and not any(
                        w in item.name for w in MODIFIER_WORDS):
                    self._key_hint = key_hint(item.name)
                    self._key_hint_until = self.clock.now() + KEY_HINT_SECONDS

    def press_pin(self, name: Button, down: bool) -> None:
        """Move a button, as a keyboard key or the simulated user does (mock pins)."""
        self.dev.buttons.press(name, down)

    # --- the core and its effects ------------------------------------------------------------
    def _feed(self, events: list[Event]) -> None:
        for event in events:
            self._dispatch(self.kiosk.handle(event))

    def _dispatch(self, effects: list[Effect]) -> None:
        for eff in effects:
            if self.observer is not None:
                self.observer(eff)
            if isinstance(eff, Say):
                self.dev.voice.say(eff.text, interrupt=eff.interrupt)
            elif isinstance(eff, Tone):
                self.dev.voice.tone(eff.name)
            elif isinstance(eff, Hush):
                self.dev.voice.hush()
            elif isinstance(eff, Show):
                self.view = eff.view
                self._dirty = True
            elif isinstance(eff, Save):
                self.dev.writer.save(eff.record)  # a checkpoint, then the final record
                if eff.record.id not in self.saved:
                    self.saved.append(eff.record.id)
                    self.saved_kinds[eff.record.id] = _kind(eff.record)
                if isinstance(eff.record, SafetyCheck):
                    self.saved_answers.add(eff.record.id)
                if isinstance(eff.record, PainEntry):
                    self.saved_pain.add(eff.record.id)
            elif isinstance(eff, Finished):
                self.finished += 1
            elif isinstance(eff, PowerOff):
                self._power_off_at = self.clock.now() + 4.0  # let the goodbye be heard
            elif isinstance(eff, CopyToUsb):
                self._copy_to_usb()
            elif isinstance(eff, ReadUsbProgram):
                self._read_program()

    def _read_program(self) -> None:
        """Read the program on the stick on its own thread; what was found comes back through
        the inbox, as the copy's outcome does."""
        read = self.read_program

        def job() -> None:
            try:
                found = read() if read is not None else StickProgram(None, NO_READER)
            except Exception:
                log.exception("reading the program on the USB stick failed")
                found = StickProgram(None, NO_READER)
            self.inbox.put(found)

        threading.Thread(target=job, name="usb-program", daemon=True).start()

    def _copy_to_usb(self) -> None:
        """Start the copy on its own thread; its outcome comes back through the inbox as a
        line to say, as every other thread's news does. The loop goes on meanwhile, and so do
        the history's saves: the copy only reads the history, as any reader may."""
        if self._usb_job is not None and self._usb_job.is_alive():
            self.inbox.put(usb_words.BUSY)
            return
        copy = self.usb

        def job() -> None:
            try:
                outcome = copy() if copy is not None else usb_words.Outcome.FAILED
            except Exception:
                log.exception("copying to the USB stick failed")
                outcome = usb_words.Outcome.FAILED
            self.inbox.put(usb_words.words(outcome))

        self._usb_job = threading.Thread(target=job, name="usb-copy", daemon=True)
        self._usb_job.start()

    # --- output -------------------------------------------------------------------------------
    def _draw(self, now: float) -> None:
        screen = self.dev.screen
        hinted = now < self._key_hint_until
        if hinted != self._key_hinted:  # the wrong key's hint came or went
            self._key_hinted, self._dirty = hinted, True
        view = self.shown(now)
        if self._dirty or (self.animate and screen.needs_frame(view, now)):
            screen.draw(view, now)
            self._dirty = False

    def shown(self, now: float) -> View:
        """The view as the screen draws it: with the keyboard as the buttons, the home screen
        names the keys first, and a key that is no button is answered with the keys."""
        view = self.view
        if not self.keyboard:
            return view
        if view.screen == "home":
            view = evolve(view, lines=(KEY_LINE, *view.lines))
        if now < self._key_hint_until:
            view = evolve(view, hint=self._key_hint)
        return view

    def _prepare_voice(self) -> None:
        """Render today's lines ahead of time, again whenever the plan changes (a new day, a
        bad-day re-plan after check-in), so no line waits on the speech engine when it is due."""
        session = self.kiosk.session
        plan = session.plan if session is not None else self.kiosk.plan
        if plan is not self._prepared_plan:
            self._prepared_plan = plan
            self.dev.voice.prepare([*catalogue(plan, settings=self.kiosk.settings),
                                    *self.kiosk.safety_lines()])

    def _read_wall_clock(self, now: float) -> None:
        """Read the wall clock once a minute, for the ritual schedule (kiosk.core.coach.schedule).

        The core tells a jump (NTP, an RTC after boot, daylight saving) from the passing of
        time by the monotonic clock. Sessions keep the day read at start-up, so a jump never
        reorders them, splits a day or looks like days away; a restart takes the new date.
        """
        if now < self._next_clock_check:
            return
        self._next_clock_check = now + CLOCK_READING
        self._feed([WallClock(self.clock.wall(), now)])
        if self.kiosk.last_jump:
            log.warning("the wall clock jumped by %+.0f s; the ritual schedule follows it, "
                        "sessions keep the date read at start-up", self.kiosk.last_jump)

    def _watchdog(self, now: float) -> None:
        n = self.dev.notifier
        if now < self._next_ping:
            return
        n.ping()
        self._next_ping = now + (n.interval() or 10.0)

    def _install_signals(self) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)


def _kind(record: Record) -> str:
    """How the demo names a saved record: session, pain entry or ritual."""
    if isinstance(record, RitualRecord):
        return "ritual"
    if isinstance(record, PainEntry):
        return "pain entry"
    if isinstance(record, ScreeningRecord):
        return "signature"
    return "session"
