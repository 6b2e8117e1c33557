"""Builds a running kiosk from the config: picks the adapters, wires them, runs the loop.

Every degraded mode (no GPIO, no speaker, no screen, no TTS, damaged history, bad config) is
detected here, logged once, and told to the user once, and the kiosk carries on.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kiosk.app import App
from kiosk.clock import Clock, FakeClock, RealClock
from kiosk.coaching import (
    make_gentle,
    make_levels,
    make_planner,
    make_terms,
    program_allows,
    program_setup,
    progress_settings,
    replays,
    safety_setup,
)
from kiosk.config import Config
from kiosk.core.data.model import Button
from kiosk.core.data.records import Record
from kiosk.core.data.view import View
from kiosk.core.flows.kiosk import Kiosk, RitualSetup
from kiosk.core.presses.buttons import ButtonTracker
from kiosk.core.reports import usb
from kiosk.devices import (
    Devices,
    Inbox,
    Leds,
    Notifier,
    NullLeds,
    NullVoice,
    PrintVoice,
    Screen,
    StickProgram,
    Voice,
)
from kiosk.errors import ConfigError, KioskWarning
from kiosk.io.buttons import Buttons, make_factory
from kiosk.store.atomic import AtomicJSONStorage
from kiosk.store.lock import ForeignDataDir
from kiosk.store.writer import HistoryWriter, SaveResult

if TYPE_CHECKING:
    from kiosk.sim import SimUser
    from kiosk.ui.display import Display

log = logging.getLogger(__name__)


def make_tracker(cfg: Config, *, shutdown: bool) -> ButtonTracker:
    b = cfg.buttons
    return ButtonTracker(
        bounce=b.bounce_ms / 1000.0,
        hold={Button.GREEN: b.hold_seconds, Button.AMBER: b.hold_seconds,
              Button.RED: b.red_hold_seconds},
        stuck=b.stuck_seconds,
        chord=cfg.shutdown.hold_seconds if shutdown else None,
    )


@dataclass
class Options:
    mock: bool = False
    display: str = "fullscreen"  # fullscreen | windowed | headless
    data_dir: Path | None = None
    demo: bool = False
    day: date | None = None
    # The ritual schedule runs, except in the plain demo (one session, whatever the time):
    # `kiosk demo --at HH:MM` turns it on to show a ritual falling due.
    schedule: bool | None = None
    at: time | None = None  # the demo's time of day (default: now)
    out: TextIO = field(default_factory=lambda: sys.stdout)
    terminal: bool = False  # keys from stdin, each spoken line printed (headless mock mode)
    timeline: bool = False  # demo: print the breath timeline and the presses, not each line
    screening: bool = False  # demo: a screening on demand at start, then the demo ends
    size: tuple[int, int] = (800, 480)  # the window (and headless surface), e.g. 480x320


class Notices:
    """Collects what the user must be told at start-up, and logs each once."""

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def tell(self, text: str, *, speak: bool = True, logged: bool = False) -> None:
        if not logged:
            log.warning("%s", text)
        if speak and text not in self.spoken:
            self.spoken.append(text)


@dataclass(frozen=True)
class Given:
    """Devices handed in instead of the ones the runtime would open: tests pass their twins
    (a ``RecordingVoice``, a ``RecordingScreen``...) here. Whatever is not given is opened as
    usual. The buttons and LEDs are always gpiozero's, on ``pins`` when given (a test's
    ``MockFactory``, whose pins it drives), else on the Pi's pins, or mock pins off a Pi. The
    kiosk closes what it is given, as it closes what it opened."""

    voice: Voice | None = None
    screen: Screen | None = None
    leds: Leds | None = None
    notifier: Notifier | None = None
    pins: Any = None  # a gpiozero pin factory
    # How the history reaches the card: a test's storage twin (a full, slow or failing card)
    storage: type[AtomicJSONStorage] | None = None
    # What opens the voice and the display in place of kiosk.io.voice.open_voice and
    # kiosk.ui.display.open_display (same arguments): a twin that warns as they do when a
    # device is missing, so the degraded modes are told exactly as for real hardware.
    open_voice: Callable[..., Voice] | None = None
    open_display: Callable[..., Display] | None = None


# What a degraded kiosk tells the person, in plain words; the technical reason goes to the log.
NO_SOUND = "There is no sound card, so the kiosk is silent. Every line is shown on the screen."
NO_TTS = ("The speech engine is not working, so new lines are not spoken. "
          "Every line is shown on the screen.")
NO_DISPLAY = "No screen was found, so the kiosk runs by voice and buttons only."
# ...and with no screen either, nothing is shown: the person must hear that the kiosk is mute.
NO_SOUND_NO_SCREEN = ("There is no sound card and no screen, so the kiosk cannot tell you "
                      "anything. Please fit a speaker.")
NO_TTS_NO_SCREEN = ("The speech engine is not working and there is no screen, so new lines "
                    "are neither spoken nor shown. Please ask for help.")


def build(
    cfg: Config, opts: Options, notices: Notices, clock: Clock, given: Given = Given()
) -> App:
    """Raises ``StorageError`` when the history cannot be written by this process at all: for
    the demo whenever it cannot be opened, for the kiosk when root would write in another
    user's data directory. A kiosk that merely cannot save just now runs on (writer.py)."""
    data_dir = opts.data_dir or cfg.data_dir
    inbox: Inbox = queue.SimpleQueue()
    closers: list[Callable[[], None]] = []

    notifier = given.notifier or _open_notifier()
    writer, records = _open_history(cfg, data_dir, inbox, notices, demo=opts.demo,
                                    starting=notifier.starting,
                                    storage=given.storage or AtomicJSONStorage)
    factory, gpio_note = ((given.pins, None) if given.pins is not None
                          else make_factory(opts.mock or opts.demo))
    if gpio_note:
        notices.tell(gpio_note, speak="GPIO is not available" in gpio_note)
    closers.append(factory.close)
    pins = {Button.GREEN: cfg.buttons.green, Button.AMBER: cfg.buttons.amber,
            Button.RED: cfg.buttons.red}
    buttons = Buttons(pins, factory, clock.now, inbox)
    screen = given.screen or _open_screen(opts, notices, cfg.display.fps, given.open_display)
    # Lines are shown on a screen, or printed in the terminal of `kiosk run --headless --mock`.
    shown = (opts.display != "headless" and NO_DISPLAY not in notices.spoken) or opts.terminal
    voice = given.voice or _open_voice(cfg, opts, data_dir, notices, shown=shown,
                                       opener=given.open_voice)
    leds = given.leds or _open_leds(cfg, factory)

    shutdown = cfg.shutdown.enabled and not (opts.mock or opts.demo)
    scheduled = opts.schedule if opts.schedule is not None else not opts.demo
    # Planning starts from the store's snapshot, so start-up, GREEN and RED never replay years.
    base = writer.base
    rituals = RitualSetup(cfg.rituals, cfg.library, make_levels(cfg, base), scheduled=scheduled,
                          allows=program_allows(cfg))
    tracker = make_tracker(cfg, shutdown=shutdown)
    # The session paces by the real length of each rendered line (kiosk/core/words/speech.py).
    settings = replace(cfg.session, spoken=SpokenLengths(voice))
    # The nonce keeps ids apart between runs; os.urandom, as `secrets` costs start-up 5 ms.
    kiosk = Kiosk(make_planner(cfg, base), settings, records=records, t0=clock.now(),
                  wall0=_wall0(clock, opts), shutdown_enabled=shutdown,
                  nonce=os.urandom(3).hex(), rituals=rituals,
                  earlier_pain=writer.earlier_pain, earlier_checkins=_checkins(base),
                  earlier_days=writer.earlier_days, earlier=writer.recent,
                  safety=safety_setup(cfg), gentle=make_gentle(cfg, base), holds=tracker.hold,
                  progress=progress_settings(cfg), signature=cfg.signature,
                  screen_at_boot=opts.screening, sessions_before=_sessions_before(base),
                  terms=make_terms(cfg), programs=program_setup(cfg))
    if opts.terminal:
        from kiosk.io.terminal import TerminalKeys

        keys = TerminalKeys(sys.stdin, inbox)
        print(keys.HELP, file=opts.out, flush=True)
        closers.append(keys.close)
    devices = Devices(buttons=buttons, voice=voice, writer=writer, screen=screen, leds=leds,
                      notifier=notifier, closers=closers)
    return App(kiosk, tracker, devices, clock, inbox,
               keyboard=(opts.mock or opts.demo) and screen.takes_keys, animate=not opts.demo,
               power_off=power_off if shutdown else None, usb=usb_runner(cfg, data_dir),
               read_program=stick_reader(cfg))


def stick_reader(cfg: Config) -> Callable[[], StickProgram]:
    """Reads the clinician's program from the stick, at the USB export's mount."""
    def read() -> StickProgram:
        from kiosk.stick import read_program

        return read_program(cfg.usb.mount, require_mount=cfg.usb.require_mount)

    return read


USB_TIMEOUT = 900.0  # only a stick that hangs takes this long; ten years take seconds


def usb_runner(cfg: Config, data_dir: Path) -> Callable[[], usb.Outcome]:
    """The menu's "Copy to USB": `kiosk export --usb` as a child process, so the report's
    drawing and its CPU never share the loop's interpreter, and at a lower priority. It reads
    the history as any reader does, so the kiosk's saves go on while it copies."""

    def run() -> usb.Outcome:
        cmd = [sys.executable, "-m", "kiosk", "--config", cfg.source, "--data-dir",
               str(data_dir), "export", "--usb"]
        env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=env, stdin=subprocess.DEVNULL)
        try:
            os.setpriority(os.PRIO_PROCESS, child.pid, 10)
        except OSError:
            pass  # the unit's system call filter may refuse it; the copy runs all the same
        try:
            out, err = child.communicate(timeout=USB_TIMEOUT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            log.warning("kiosk export --usb took over %.0f s and was stopped", USB_TIMEOUT)
            return usb.Outcome.FAILED
        if child.returncode:
            log.warning("kiosk export --usb: exit %d: %s", child.returncode, err.strip())
        return usb.from_exit_code(child.returncode)

    return run


def _checkins(base: Any) -> list[int]:
    """The last check-ins the store's snapshot holds (as many as the bad-day rule reads)."""
    from kiosk.core.coach.progression import Progress

    return list(base.checkins) if isinstance(base, Progress) else []


def _sessions_before(base: Any) -> bool:
    """Whether the store's snapshot has replayed any session (those before its window)."""
    from kiosk.core.coach.progression import Progress

    return isinstance(base, Progress) and base.count > 0


class SpokenLengths:
    """The voice's measured line lengths, as the core reads them (``SessionSettings.spoken``)."""

    def __init__(self, voice: Voice) -> None:
        self._voice = voice

    def get(self, text: str, /) -> float | None:
        return self._voice.seconds(text)


DEMO_DAY_TIME = time(10, 0)  # `kiosk demo --date D` without --at


def _wall0(clock: Clock, opts: Options) -> datetime:
    if opts.day is not None:
        return datetime.combine(opts.day, clock.wall().time())
    return clock.wall()


def _open_history(
    cfg: Config, data_dir: Path, inbox: Inbox, notices: Notices, *, demo: bool = False,
    starting: Callable[[str], None] | None = None,
    storage: type[AtomicJSONStorage] = AtomicJSONStorage,
) -> tuple[HistoryWriter, list[Record]]:
    from kiosk.store import writer as w

    def on_result(result: SaveResult) -> None:
        # Runs on the writer thread: only hand the words over. A plain "saved" is not worth
        # interrupting for; a failure, or a late success after one, is.
        if result.message and (not result.ok or result.message != w.SAVED):
            inbox.put(result.message)

    def on_step(step: str) -> None:
        log.info("history: %s", step)
        if starting is not None:
            starting(f"Bringing the history up to date ({step})")

    writer = HistoryWriter.open(data_dir, keep_backups=cfg.storage.backups, on_result=on_result,
                                replays=replays(cfg), on_step=on_step, storage=storage)
    if writer.open_error is not None and (demo or isinstance(writer.open_error, ForeignDataDir)):
        writer.close()
        raise writer.open_error
    if writer.open_error is not None:
        notices.tell(str(writer.open_error), speak=False)  # for the log: the cause, in full
    if writer.recovery is not None:
        notices.tell(writer.recovery.message)
    return writer, writer.records()


def _open_screen(
    opts: Options, notices: Notices, fps: int, opener: Callable[..., Display] | None = None
) -> Screen:
    from kiosk.ui.display import open_display
    from kiosk.ui.window import Window

    mode = "headless" if opts.demo else opts.display
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KioskWarning)
        display = (opener or open_display)(mode, size=opts.size)
    if caught:  # open_display has logged why; the person is told what it means
        notices.tell(NO_DISPLAY, logged=True)
    return Window.on(display, fps=fps)


def _open_voice(
    cfg: Config, opts: Options, data_dir: Path, notices: Notices, *, shown: bool = True,
    opener: Callable[..., Voice] | None = None,
) -> Voice:
    """The voice; when it cannot speak, the person is told what that means, which depends on
    whether lines are ``shown`` on a screen."""
    from kiosk.io import voice as v

    if opts.demo:
        return NullVoice() if opts.timeline else PrintVoice(opts.out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KioskWarning)
        out = (opener or v.open_voice)(
            voice=cfg.voice.voice, rate=cfg.voice.rate, volume=cfg.voice.volume,
            data_dir=data_dir, echo=opts.out if opts.terminal else None,
            engine=cfg.voice.engine, model=cfg.voice.model,
            length_scale=cfg.voice.length_scale)
    for w in caught:
        text = str(w.message)
        notices.tell(text, speak=False)  # the technical reason, for the log
        if text.startswith(v.NEURAL_UNAVAILABLE):
            continue  # espeak-ng speaks every line: nothing the person needs to hear
        no_sound = text.startswith(v.NO_AUDIO)
        if shown:
            notices.tell(NO_SOUND if no_sound else NO_TTS, logged=True)
        else:
            notices.tell(NO_SOUND_NO_SCREEN if no_sound else NO_TTS_NO_SCREEN, logged=True)
    return out


def _open_leds(cfg: Config, factory: Any) -> Leds:
    if not (cfg.leds.status or cfg.leds.breath):
        return NullLeds()
    from kiosk.io.leds import Leds as GpioLeds

    return GpioLeds(status=cfg.leds.status or None, breath=cfg.leds.breath or None,
                    factory=factory)


def _open_notifier() -> Notifier:
    from kiosk.io.watchdog import Notifier as SystemdNotifier

    return SystemdNotifier.from_env()


def power_off() -> None:
    """Shut the Pi down cleanly (allowed for the kiosk user by the polkit rule in systemd/)."""
    try:
        subprocess.run(["systemctl", "poweroff"], check=False, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        log.error("could not power off: %s", exc)


# --- the two ways to run --------------------------------------------------------------------
SETTINGS_UNREADABLE = (
    "The settings file could not be read, so the standard settings are used. "
    "Please ask whoever looks after the kiosk to run kiosk check."
)
SETTINGS_INVALID = (
    "Some settings were not valid, so their standard values are used. "
    "Please ask whoever looks after the kiosk to run kiosk check."
)


EXERCISES_UNREADABLE = (
    "The exercise list could not be read, so the standard exercises are used. "
    "Please ask whoever looks after the kiosk to run kiosk check."
)
RITUALS_INVALID = (
    "Some daily rituals could not be read, so they are left out. "
    "Please ask whoever looks after the kiosk to run kiosk check."
)


def config_notices(
    problems: Sequence[ConfigError], notices: Notices, source: str, rituals: str = ""
) -> None:
    """Log every config problem; tell the user once, in plain words, what it means for them."""
    for problem in problems:
        notices.tell(str(problem), speak=False)
    settings = [p for p in problems if p.file == source]
    if any(p.file == rituals for p in problems):
        notices.tell(RITUALS_INVALID)
    others = [p for p in problems if p.file not in (source, rituals)]
    if any(p.key == "(file)" for p in settings):
        notices.tell(SETTINGS_UNREADABLE)
    elif settings:
        notices.tell(SETTINGS_INVALID)
    if others:
        notices.tell(EXERCISES_UNREADABLE)


def start_kiosk(
    cfg: Config, opts: Options, problems: Sequence[ConfigError], clock: Clock,
    given: Given = Given(),
) -> App:
    notices = Notices()
    config_notices(problems, notices, cfg.source, cfg.rituals.source)
    app = build(cfg, opts, notices, clock, given)
    app.start(notices.spoken)
    return app


def run_kiosk(cfg: Config, opts: Options, problems: Sequence[ConfigError]) -> int:
    app = start_kiosk(cfg, opts, problems, RealClock())
    app.run()
    return 0


class Timeline:
    """``kiosk demo --timeline``: one line per breath, its channels as fields, and one per
    press, so the rhythm can be checked without listening. Fields with nothing are left out:

        t=12.30 breath=in rep=2 side=left say="Breathe in as you bring it back." tone=inhale
        t=14.10 press=amber
    """

    def __init__(self, out: TextIO, t0: float) -> None:
        self.out, self.t0 = out, t0

    def effect(self, eff: Any) -> None:
        from kiosk.core.data.events import Paced

        if not isinstance(eff, Paced):
            return
        fields = [f"t={eff.at - self.t0:.2f}", f"breath={eff.breath}"]
        if eff.rep is not None:
            fields.append(f"rep={eff.rep}")
        if eff.side:
            fields.append(f"side={eff.side}")
        if eff.hold:
            fields.append(f"hold={eff.hold:g}")
        if eff.say:
            fields.append('say="' + " ".join(eff.say).replace('"', "'") + '"')
        if eff.tone:
            fields.append(f"tone={eff.tone}")
        print(" ".join(fields), file=self.out)

    def press(self, button: Button, t: float) -> None:
        print(f"t={t - self.t0:.2f} press={button.value}", file=self.out)


# What a screen waits for, in words, for the demo whose presses ran out there.
WAITING = {"answer": "an answer", "choice": "an answer", "offer": "an answer",
           "probe": "a rating", "rating": "a rating", "pain": "a pain rating",
           "ready": "GREEN when ready", "continue": "a press to go on"}


def left_waiting(view: View) -> str:
    """The demo's presses ran out on ``view``: what was left unanswered ("" on the home
    screen). Nothing is answered in the script's place: a question cut short leaves no
    answer, and a round of questions or a movement check cut short is not saved at all."""
    if view.screen == "home":
        return ""
    waiting = WAITING.get(view.awaiting or "", "")
    return (f'demo: the presses ended on "{view.title}"'
            + (f", waiting for {waiting}" if waiting else "") + ": no answer is made up for it")


def run_demo(
    cfg: Config, opts: Options, user: SimUser, *, max_seconds: float = 4 * 3600,
    clock: FakeClock | None = None,
) -> int:
    """One whole session (or, with ``opts.at``, the ritual due then), headless, mock pins,
    accelerated clock; finishes in seconds."""
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    now = datetime.now().replace(microsecond=0)
    # A demo of a given day runs at ten in the morning (unless --at says when): its session
    # then never crosses midnight into the next day, whatever the hour it is run at.
    when = opts.at or (DEMO_DAY_TIME if opts.day is not None else now.time())
    start = datetime.combine(opts.day or now.date(), when)
    # The calendar ends at 9999-12-31: a demo of that day starts early enough to end on it.
    if clock is None:
        clock = FakeClock(min(start, datetime.max.replace(microsecond=0)
                              - timedelta(seconds=max_seconds + 3600)))
    notices = Notices()
    app = build(cfg, opts, notices, clock)
    # Who answers, beside the transcript on stdout rather than in it.
    print(user.answering(), file=sys.stderr, flush=True)
    timeline = Timeline(opts.out, clock.now()) if opts.timeline else None
    if timeline is not None:
        app.observer = timeline.effect

    def move(button: Button, down: bool) -> None:
        app.press_pin(button, down)
        if timeline is not None and down:
            timeline.press(button, clock.now())

    from kiosk.sim import Hands

    hands = Hands(move, app.tracker.hold)
    ran_out = False
    with app:
        if threading.current_thread() is threading.main_thread():
            # SIGTERM ends the demo as it ends the kiosk: through the one close path, so what
            # was saved is on disk. Simulated time never waits for a signal, so check for it.
            signal.signal(signal.SIGTERM, app.stop)
        app.start(notices.spoken)
        t_end = clock.now() + max_seconds
        # The sitting ends with the session, unless questions follow it (a check-out that
        # rose asks the emergency group, docs/safety.md): those are answered first.
        while ((app.finished == 0 or app.kiosk.view.screen == "question")
               and clock.now() < t_end and not app.stopping):
            if user.out_of_presses and not hands.busy:
                # The script is done: close as Esc does, keeping what was rated.
                ran_out = True
                print("presses ran out", file=opts.out, flush=True)
                left = left_waiting(app.view)
                if left:
                    print(left, file=opts.out, flush=True)
                break
            clock.advance(0.05)
            hands.move_due(clock.now())
            app.step()
            hands.follow(user, app.view, clock.now())
        hands.let_go()
    pending = set(app.dev.writer.pending_ids)
    for sid in app.saved:
        what = app.saved_kinds.get(sid, "session")
        if sid in app.saved_answers:
            what = "safety-answers"
        if sid in pending:
            print(f"NOT saved: {what} {sid} (see the messages above)", file=opts.out)
        else:
            print(f"saved: {what} {sid} in {opts.data_dir or cfg.data_dir}", file=opts.out)
    if app.kiosk.view.screen == "advice":  # the safety answers stopped exercise: say why
        for line in app.kiosk.view.lines:
            print(f"advice: {line}", file=opts.out)
    if app.finished == 0 and not ran_out:
        why = "was stopped (SIGTERM)" if app.stopping else "did not finish"
        print(f"kiosk demo: the session {why}", file=sys.stderr)
        return 143 if app.stopping else 1
    return 1 if pending else 0
