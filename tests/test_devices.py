"""The loop through its seams only: a whole session with every device one of its twins.

No pygame, gpiozero or disk here. The buttons put their edges on the inbox, the writer keeps
what it was given, the screen keeps what it drew and the notifier what systemd would hear.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

from kiosk.app import App
from kiosk.clock import FakeClock
from kiosk.coaching import make_planner
from kiosk.config import load_config
from kiosk.core.data.model import Button
from kiosk.core.data.records import SessionRecord
from kiosk.core.flows.kiosk import Kiosk
from kiosk.devices import (
    Devices,
    Inbox,
    Key,
    QueueButtons,
    Quit,
    RecordingNotifier,
    RecordingScreen,
    RecordingVoice,
    RecordingWriter,
)
from kiosk.runtime import make_tracker
from kiosk.sim import SimUser

CFG = load_config(None).config


def _app(devices: Devices, clock: FakeClock, inbox: Inbox, *, keyboard: bool = False) -> App:
    kiosk = Kiosk(make_planner(CFG), CFG.session, records=[], t0=clock.now(), wall0=clock.wall())
    return App(kiosk, make_tracker(CFG, shutdown=False), devices, clock, inbox,
               keyboard=keyboard)


def _twins(clock: FakeClock, inbox: Inbox) -> Devices:
    return Devices(buttons=QueueButtons(inbox, clock.now), voice=RecordingVoice(),
                   writer=RecordingWriter(), screen=RecordingScreen(),
                   notifier=RecordingNotifier(interval=5.0))


def test_a_whole_session_runs_on_twins_and_is_handed_to_the_writer() -> None:
    clock, inbox = FakeClock(datetime(2026, 11, 25, 9, 0)), Inbox()
    dev = _twins(clock, inbox)
    app = _app(dev, clock, inbox)
    user, held = SimUser("steady"), None
    app.start()
    while app.finished == 0 and clock.now() < 4000:
        clock.advance(0.05)
        if held and clock.now() >= held[1]:
            app.press_pin(held[0], False)
            held = None
        app.step()
        if held is None and (act := user.decide(app.view, clock.now())) is not None:
            app.press_pin(act.button, True)
            held = (act.button, clock.now() + (app.tracker.hold[act.button] + 0.2
                                               if act.hold else 0.15))
    app.close()
    assert isinstance(dev.writer, RecordingWriter) and isinstance(dev.voice, RecordingVoice)
    [record] = dev.writer.records
    assert isinstance(record, SessionRecord) and record.ended_by == "complete"
    assert app.saved == [record.id]
    assert "Pain two before, one after." in " ".join(dev.voice.said)
    assert isinstance(dev.screen, RecordingScreen)
    screens = [v.screen for v in dev.screen.drawn]
    assert screens[0] == "home" and "breathing" in screens and screens[-1] == "summary"
    assert isinstance(dev.notifier, RecordingNotifier)
    sent = dev.notifier.sent
    assert sent[0] == "READY=1" and sent[-1] == "STOPPING=1" and "WATCHDOG=1" in sent
    assert dev.writer.closed and dev.voice.closed and dev.screen.closed


def test_missing_devices_are_null_twins_and_the_kiosk_still_runs() -> None:
    clock, inbox = FakeClock(datetime(2026, 11, 25, 9, 0)), Inbox()
    buttons = QueueButtons(inbox, clock.now)
    app = _app(Devices(buttons=buttons), clock, inbox)  # no voice, screen, LEDs, writer...
    app.start()
    app.press_pin(Button.GREEN, True)
    clock.advance(0.1)
    app.step()
    assert app.view.screen == "checkin"
    app.close()


def test_keys_in_the_window_move_the_buttons_and_escape_or_closing_stops() -> None:
    clock, inbox = FakeClock(datetime(2026, 11, 25, 9, 0)), Inbox()
    dev = _twins(clock, inbox)
    assert isinstance(dev.screen, RecordingScreen)
    app = _app(dev, clock, inbox, keyboard=True)
    app.start()
    clock.advance(0.15)
    dev.screen.keys += [Key("g", True)]
    app.step()
    assert dev.buttons.is_down(Button.GREEN)
    clock.advance(0.15)
    dev.screen.keys += [Key("g", False)]
    app.step()
    clock.advance(0.15)
    app.step()
    assert app.view.screen == "checkin"
    dev.screen.keys += [Key("escape", True)]
    app.step()
    assert app.stopping
    app.stopping = False
    dev.screen.keys += [Quit()]
    app.step()
    assert app.stopping
    app.close()


def test_the_loop_and_its_seams_import_no_device_library() -> None:
    code = ("import sys, kiosk.app, kiosk.devices; "
            "print(sorted(m for m in ('pygame', 'gpiozero', 'tinydb', 'pyttsx3') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
