"""Clocks: the real one, and a fake one the demo and tests advance by hand.

The kiosk times everything on a monotonic clock and reads the wall clock once, at start-up, to
anchor dates. A wall clock that jumps (a Pi without a real-time clock, before NTP) therefore
never reorders sessions or shortens a rest.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic clock."""

    def wall(self) -> datetime:
        """Local wall-clock time, naive."""

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that only moves when told to: the demo runs a 15-minute session in seconds."""

    def __init__(self, wall0: datetime, t0: float = 1000.0) -> None:
        self.t = t0
        self._t0, self._wall0 = t0, wall0

    def now(self) -> float:
        return self.t

    def wall(self) -> datetime:
        try:
            return self._wall0 + timedelta(seconds=self.t - self._t0)
        except OverflowError:  # simulated past 9999-12-31: the calendar stops there
            return datetime.max

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.t = round(self.t + max(0.0, seconds), 6)

    def jump(self, seconds: float) -> None:
        """Move the wall clock only, as NTP or a real-time clock does after boot."""
        self._wall0 += timedelta(seconds=seconds)
