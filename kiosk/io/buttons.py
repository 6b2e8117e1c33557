"""The three buttons, through gpiozero only. Callbacks hand raw edges over; nothing else.

gpiozero calls ``when_activated`` / ``when_deactivated`` on its own threads (and a MockPin's
``drive_low()`` calls them synchronously on the caller's thread). So a callback only stamps the
edge with the kiosk clock and puts it on a queue; the main loop turns edges into presses with
the pure ``ButtonTracker``. Hold detection is done there too, on the kiosk clock, rather than with
gpiozero's ``when_held`` thread, so the accelerated demo clock and tests drive it the same way.

Each button is a gpiozero ``DigitalInputDevice``, not a ``Button``: a ``Button`` starts a hold
thread that wakes ten times a second for ever, even with ``when_held`` unused. Three of them made
an idle kiosk wake 30 times a second for nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk import lazy_metadata
from kiosk.core.data.model import Button
from kiosk.devices import Edge, Inbox
from kiosk.errors import HardwareError

log = logging.getLogger(__name__)


def is_raspberry_pi() -> bool:
    """Whether the board says it is a Raspberry Pi. ``KIOSK_DEVICE_MODEL`` names the file that
    says so instead of /proc/device-tree/model (as ``KIOSK_SOUND_CARDS`` does for the sound
    cards): tests hand in a Pi, or no Pi, whatever board they run on."""
    model = Path(os.environ.get("KIOSK_DEVICE_MODEL") or "/proc/device-tree/model")
    try:
        return "raspberry pi" in model.read_text().lower()
    except OSError:
        return False


def make_factory(mock: bool) -> tuple[Any, str | None]:
    """The gpiozero pin factory, and a message when it had to fall back to mock pins.

    On a Pi the real factory (lgpio on a Pi 5) must work; when it does not, the message names
    the fix, and the kiosk runs on mock pins (keyboard) rather than dying in a restart loop.
    """
    lazy_metadata.import_gpiozero()
    from gpiozero.pins.mock import MockFactory

    if mock:
        return MockFactory(), None
    if not is_raspberry_pi() and not os.environ.get("GPIOZERO_PIN_FACTORY"):
        return MockFactory(), "No Raspberry Pi GPIO here: using mock buttons (keys g, a, r)."
    try:
        from gpiozero.pins.lgpio import LGPIOFactory

        return LGPIOFactory(), None
    except Exception as exc:  # ImportError, or lgpio's own error for /dev/gpiochip access
        return MockFactory(), str(
            HardwareError(
                f"GPIO is not available ({exc}). Fix: install lgpio "
                "(pip install 'backcare-kiosk[pi]') and add the kiosk user to the gpio group "
                "(sudo usermod -aG gpio kiosk), then restart."
            )
        )


class Buttons:
    """Three push buttons (pulled up, pressed = low) whose edges land on ``edges``, stamped by
    ``now``. A ``kiosk.devices.Buttons``."""

    def __init__(
        self,
        pins: dict[Button, int],
        factory: Any,
        now: Callable[[], float],
        edges: Inbox,
    ) -> None:
        lazy_metadata.import_gpiozero()
        from gpiozero import DigitalInputDevice

        self.factory = factory
        self._now = now
        self._edges = edges
        self.devices: dict[Button, Any] = {}
        try:
            for name, pin in pins.items():
                dev = DigitalInputDevice(pin, pull_up=True, bounce_time=None,
                                         pin_factory=factory)
                dev.when_activated = self._handler(name, True)
                dev.when_deactivated = self._handler(name, False)
                self.devices[name] = dev
        except Exception:
            self.close()
            raise

    def _handler(self, name: Button, down: bool) -> Callable[[], None]:
        def put() -> None:
            self._edges.put(Edge(name, down, self._now()))

        return put

    def is_down(self, name: Button) -> bool:
        return bool(self.devices[name].is_active)

    def pin(self, name: Button) -> Any:
        """The underlying pin (a MockPin in mock mode, for drive_low / drive_high)."""
        return self.devices[name].pin

    def press(self, name: Button, down: bool) -> None:
        """Drive a mock pin, as a keyboard key or the simulated user does (the buttons pull
        up: a press takes the pin low)."""
        pin = self.pin(name)
        if down:
            pin.drive_low()
        else:
            pin.drive_high()

    def close(self) -> None:
        for dev in self.devices.values():
            try:
                dev.close()
            except Exception:  # closing must never stop the close path
                log.debug("closing %s failed", dev, exc_info=True)
        self.devices = {}
