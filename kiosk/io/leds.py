"""LEDs for a kiosk with no screen: a status LED and a breathing LED, through gpiozero.

The status LED is steady when the kiosk is ready and blinks while it waits for a press. The
breathing LED (a PWMLED) brightens through each inhale and dims through each exhale, so the
breath can be followed by eye from across the room, even with the sound off.
"""

from __future__ import annotations

import logging
from typing import Any

from kiosk import lazy_metadata
from kiosk.core.data.view import View

log = logging.getLogger(__name__)
BLINK = 0.5  # seconds on, then off, while waiting for a press
BREATH_STEP = 1 / 30  # seconds between updates of the breathing LED while it follows a breath
OFFER_BLINK = 0.2  # quicker while a ritual is offered: something new asks for an answer


def status_on(view: View, now: float) -> bool:
    if view.awaiting is None:
        return True
    period = OFFER_BLINK if view.awaiting == "offer" else BLINK
    return int(now / period) % 2 == 0


def breath_level(view: View, now: float) -> float:
    """0.0 (dark) to 1.0 (bright), following the breathing pacer; dark when not breathing."""
    p = view.pacer
    if p is None:
        return 0.0
    done = min(1.0, max(0.0, (now - p.started) / p.seconds)) if p.seconds > 0 else 1.0
    if p.phase == "inhale":
        return round(done, 2)
    if p.phase == "exhale":
        return round(1.0 - done, 2)
    return 1.0


class Leds:
    def __init__(self, *, status: int | None, breath: int | None, factory: Any) -> None:
        lazy_metadata.import_gpiozero()
        from gpiozero import LED, PWMLED

        self.status = LED(status, pin_factory=factory) if status else None
        try:
            self.breath = PWMLED(breath, pin_factory=factory) if breath else None
        except Exception:
            if self.status is not None:
                self.status.close()
            raise
        self._last: tuple[bool, float] | None = None

    def update(self, view: View, now: float) -> None:
        state = (status_on(view, now), breath_level(view, now))
        if state == self._last:
            return  # touch the pins only on a change
        self._last = state
        if self.status is not None:
            self.status.value = state[0]
        if self.breath is not None:
            self.breath.value = state[1]

    def next_change_in(self, view: View, now: float) -> float:
        """Seconds until the LEDs would show something else, so the loop can sleep till then."""
        if self.breath is not None and view.pacer is not None:
            return BREATH_STEP
        if self.status is not None and view.awaiting is not None:
            period = OFFER_BLINK if view.awaiting == "offer" else BLINK
            return period - now % period
        return float("inf")

    def close(self) -> None:
        for dev in (self.status, self.breath):
            if dev is not None:
                try:
                    dev.off()
                    dev.close()
                except Exception:
                    log.debug("closing LED failed", exc_info=True)
