"""The window teaches its keys (issue 30, item 4): with the keyboard as the buttons (mock mode),
the home screen names them first, and a key that is no button is answered on screen with the
keys, for a few seconds. Drawn on a 480x320 surface, and measured as every screen is."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pygame

from kiosk import runtime
from kiosk.app import KEY_HINT_SECONDS, KEY_LINE, App
from kiosk.clock import FakeClock
from kiosk.config import load_config
from kiosk.core.data.view import View
from kiosk.devices import Key, RecordingScreen, RecordingVoice
from kiosk.ui.layout import CAP_PX
from kiosk.ui.screen import Screen
from tests.shell import answered_today
from tests.ui.pixels import smallest_capitals

WALL = datetime(2026, 11, 25, 9, 0)


def start(data: Path, screen: RecordingScreen) -> tuple[App, FakeClock]:
    answered_today(data, WALL)  # home at once
    clock = FakeClock(WALL)
    opts = runtime.Options(mock=True, display="windowed", data_dir=data)
    app = runtime.start_kiosk(load_config().config, opts, [], clock,
                              runtime.Given(voice=RecordingVoice(), screen=screen))
    return app, clock


def run(app: App, clock: FakeClock, seconds: float) -> None:
    for _ in range(round(seconds / 0.05)):
        clock.advance(0.05)
        app.step()


def drawn_at_480(view: View, shots: Path, name: str) -> int:
    screen = Screen(pygame.Surface((480, 320)))
    screen.draw(view, 0.0)
    pygame.image.save(screen.surface, shots / f"keys-{name}_480x320.png")
    return smallest_capitals(screen.surface, screen.text_rects)[0]


def test_the_home_screen_names_the_keys_and_a_wrong_key_is_answered_with_them(
    tmp_path: Path, shots: Path
) -> None:
    screen = RecordingScreen()
    app, clock = start(tmp_path, screen)
    try:
        assert app.keyboard, "mock mode in a window: the keyboard is the buttons"
        run(app, clock, 0.5)
        home = screen.drawn[-1]
        assert home.screen == "home" and home.lines[0] == KEY_LINE
        assert "g GREEN, a AMBER, r RED" in KEY_LINE  # each key named by its button's word
        assert drawn_at_480(home, shots, "home") >= CAP_PX

        screen.keys.append(Key("x", True))  # no button's key
        screen.keys.append(Key("x", False))
        run(app, clock, 0.5)
        hinted = screen.drawn[-1]
        assert hinted.hint[:2] == ('"x" is not a button key.', KEY_LINE)
        assert app.view.screen == "home", "nothing moved on"
        assert drawn_at_480(hinted, shots, "wrong-key") >= CAP_PX
        run(app, clock, KEY_HINT_SECONDS)
        assert screen.drawn[-1].hint == (), "the hint goes after a few seconds"

        screen.keys.append(Key("left shift", True))  # a modifier is no wrong key
        run(app, clock, 0.5)
        assert screen.drawn[-1].hint == ()
        screen.keys.append(Key("g", True))  # GREEN: the session's check-in
        run(app, clock, 0.3)
        screen.keys.append(Key("g", False))
        run(app, clock, 0.5)
        assert app.view.screen == "checkin"
        assert KEY_LINE not in screen.drawn[-1].lines, "the key line is the home screen's"
    finally:
        app.close()


def test_without_the_keyboard_the_home_screen_is_only_the_plan(tmp_path: Path) -> None:
    screen = RecordingScreen()
    app, clock = start(tmp_path, screen)
    try:
        app.keyboard = False  # the Pi's own buttons
        run(app, clock, 0.5)
        assert KEY_LINE not in screen.drawn[-1].lines
    finally:
        app.close()
