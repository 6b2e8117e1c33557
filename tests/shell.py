"""The real shell on a fake clock, with a recording voice: tests press gpiozero mock pins."""

from __future__ import annotations

import io
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pygame

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk import runtime  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402
from kiosk.config import DEFAULT_CONFIG, load_config  # noqa: E402
from kiosk.core.data.model import Button  # noqa: E402
from kiosk.devices import RecordingVoice  # noqa: E402
from kiosk.io.buttons import Buttons as GpioButtons  # noqa: E402
from kiosk.io.buttons import make_factory  # noqa: E402
from kiosk.store.atomic import AtomicJSONStorage  # noqa: E402
from kiosk.ui.window import Window  # noqa: E402


class Shell:
    """The real shell on a fake clock with a recording voice; the test presses mock pins."""

    def __init__(self, data: Path, *, cfg_path: str | None = None, mock: bool = True,
                 wall: datetime = datetime(2026, 11, 25, 9, 0), answered: bool = True,
                 storage: type[AtomicJSONStorage] | None = None) -> None:
        """``answered``: the safety questions were answered "no" that morning, so the kiosk
        starts on its home screen as before they existed (docs/safety.md); False starts fresh,
        with the welcome and the questions. ``storage``: a storage twin (a full card...)."""
        if answered:
            answered_today(data, wall)
        loaded = load_config(cfg_path)
        self.clock = FakeClock(wall)
        self.voice = RecordingVoice()
        self.buttons = loaded.config.buttons
        # The pins the test drives: gpiozero's mock pins, handed in. Without ``mock`` the
        # kiosk looks for the Pi's own, as on a Pi (and falls back to mock pins of its own).
        self.pins: Any = make_factory(mock=True)[0] if mock else None
        opts = runtime.Options(mock=mock, display="headless", data_dir=data, out=io.StringIO())
        self.app = runtime.start_kiosk(loaded.config, opts, loaded.problems, self.clock,
                                       runtime.Given(voice=self.voice, pins=self.pins,
                                                     storage=storage))
        self.app.keyboard = False

    def run(self, seconds: float, dt: float = 0.05) -> None:
        for _ in range(int(round(seconds / dt))):
            self.clock.advance(dt)
            self.app.step()

    def pin(self, button: Button) -> Any:
        """The gpiozero mock pin under ``button``, to drive low (pressed) or high."""
        if self.pins is not None:
            b = self.buttons
            return self.pins.pin({Button.GREEN: b.green, Button.AMBER: b.amber,
                                  Button.RED: b.red}[button])
        buttons = self.app.dev.buttons  # the kiosk's own fall-back mock pins
        assert isinstance(buttons, GpioButtons), "the shell runs on gpiozero's buttons"
        return buttons.pin(button)

    @property
    def surface(self) -> pygame.Surface:
        """What the shell's window shows now."""
        window = self.app.dev.screen
        assert isinstance(window, Window), "the shell draws in a window"
        return window.screen.surface

    def press(self, button: Button, hold: float = 0.15) -> None:
        pin = self.pin(button)
        pin.drive_low()
        self.run(hold)
        pin.drive_high()
        self.run(0.4)

    def until(self, screen: str, limit: float = 600) -> None:
        waited = 0.0
        while self.app.view.screen != screen:
            self.run(0.5)
            waited += 0.5
            assert waited < limit, f"never reached {screen}; at {self.app.view}"

    def into_first_set(self) -> None:
        """From home: start, confirm pain 0, skip the breathing, and begin the first set."""
        if self.app.view.screen == "summary":
            self.press(Button.GREEN)  # back to the home screen
        self.press(Button.GREEN)
        self.press(Button.GREEN, hold=2.0)
        self.press(Button.AMBER)
        self.until("intro")
        self.press(Button.GREEN)
        self.run(1.0)

    def short_session(self) -> None:
        """Into the first set, one clean rep, then hold RED to end."""
        self.into_first_set()
        self.press(Button.GREEN)
        self.press(Button.RED, hold=2.5)
        assert self.app.kiosk.session is None

    def wait_for_line(self, part: str, seconds: float = 120.0) -> list[str]:
        """Step the loop until a line is said, in real time: it comes from a real thread (the
        writer). The kiosk's own clock stands still meanwhile, so a slow machine sees the same
        screens as a fast one. ``seconds`` only ends a hung run."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.app.step()
            found = [s for s in self.said if part in s]
            if found:
                return found
            time.sleep(0.01)
        return []

    @property
    def said(self) -> list[str]:
        return self.voice.said


def answered_today(data: Path, wall: datetime) -> None:
    """A new history holding one round of safety answers, all "no", on ``wall``'s day.

    Written as a file, not through MonthFile, so that a history already there (or a broken one a
    test is about to open) is left alone, and a test that breaks saving still starts."""
    import json

    from kiosk.config import packaged_wording
    from kiosk.core.coach.safety import GROUPS, Answer, How, Reason, SafetyCheck
    from kiosk.store.records import encode

    if (data / "history.json").exists():
        return
    data.mkdir(parents=True, exist_ok=True)
    answers = tuple(Answer(q.id, q.group, How.AMBER) for q in packaged_wording().questions)
    check = SafetyCheck(f"{wall:%Y%m%dT%H%M%S}-seed", wall.date(), wall, Reason.FIRST_RUN,
                        GROUPS, answers)
    seeded = {"1": encode(check), "2": encode(screened(wall))}
    (data / "history.json").write_text(json.dumps({"sessions": seeded}))


def screened(wall: datetime) -> Any:
    """A movement signature, every probe easy, on ``wall``'s day: the first-run screening is
    done, and (all easy) it changes nothing in the plan (docs/signature.md)."""
    from kiosk.config import load_config
    from kiosk.core.data.records import ProbeResult, ScreeningRecord

    setup = load_config(DEFAULT_CONFIG).config.signature
    results = tuple(ProbeResult(p.id, side, "easy") for p in setup.probes
                    for side in (("left", "right") if p.sides else (None,)))
    return ScreeningRecord(f"{wall:%Y%m%dT%H%M%S}-seedm", wall.date(), wall, "first-run",
                           results)
