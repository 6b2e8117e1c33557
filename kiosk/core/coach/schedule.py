"""The ritual schedule: which ritual falls due, told from wall-clock readings. Pure.

The kiosk times everything on the monotonic clock, but a schedule lives on the wall clock
("coffee at eight"). The shell reads the wall clock once a minute and hands each reading here
together with the monotonic time it was taken. Between two readings the wall clock should have
moved exactly as far as the monotonic one; a reading more than ``JUMP_SECONDS`` away from that is
a jump (a Pi with no real-time clock setting its time after boot, a daylight-saving change, a
hand-set clock), not the passing of time.

* Time passing: every scheduled time passed since the last reading falls due.
* A jump (and the first reading, at start-up): only the latest scheduled time at or before the
  new reading falls due, and only if the reading is still inside its window. A jump never fires
  a burst of missed rituals.
* A time already answered (started, snoozed into a new slot, skipped) never falls due again,
  so a clock that jumps back over it, or a restart, does not repeat it: the kiosk seeds
  ``handled`` from the saved ritual records.
* Only the latest due slot is ever offered; anything older still waiting lapses with it.
* Nothing is offered in quiet hours; a slot still waiting when they begin lapses.
* A snooze waits on the passing of time, not on the clock face: a jump moves it along.

The scheduler never decides whether the kiosk is idle: the kiosk asks ``due`` only when it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from kiosk.core.coach.rituals import ScheduleSettings

JUMP_SECONDS = 90.0  # readings a minute apart; more than this off the monotonic clock is a jump
MAX_SCAN_DAYS = 2  # time passing normally never covers more than this between two readings


@dataclass(frozen=True)
class Slot:
    """One offer of a ritual: a scheduled time of a day, or the end of a snooze."""

    ritual: str
    at: datetime  # when it falls due on the wall clock
    planned: datetime  # the scheduled time it belongs to: the key of "answered already"
    snoozes: int = 0

    @property
    def key(self) -> str:
        return slot_key(self.ritual, self.planned)


def slot_key(ritual: str, planned: datetime) -> str:
    return f"{ritual}@{planned.isoformat(timespec='minutes')}"


@dataclass(frozen=True)
class Reading:
    """What one wall-clock reading meant: ``jump`` is 0 when time simply passed."""

    wall: datetime
    jump: float = 0.0
    first: bool = False


class Scheduler:
    def __init__(
        self,
        times: Sequence[tuple[str, int]],
        settings: ScheduleSettings,
        *,
        handled: Iterable[str] = (),
    ) -> None:
        self.times = tuple(times)  # (ritual id, minute of the day)
        self.settings = settings
        self.handled = set(handled)  # slot keys answered already
        self.pending: list[Slot] = []
        self._last: tuple[datetime, float] | None = None
        self._scanned: datetime | None = None  # scheduled times up to here have been looked at

    def wall(self, t: float) -> datetime | None:
        """The wall clock at monotonic ``t``, from the latest reading; None before the first."""
        if self._last is None:
            return None
        wall, at = self._last
        return wall + timedelta(seconds=t - at)

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.settings.window_minutes)

    # --- readings --------------------------------------------------------------------------
    def observe(self, wall: datetime, t: float) -> Reading:
        """Take a wall-clock reading made at monotonic time ``t``."""
        if self._last is None:
            self._last = (wall, t)
            self._after_jump(wall)
            return Reading(wall, first=True)
        last_wall, last_t = self._last
        expected = last_wall + timedelta(seconds=max(0.0, t - last_t))
        jump = (wall - expected).total_seconds()
        self._last = (wall, t)
        if abs(jump) > JUMP_SECONDS:
            self.pending = [_moved(s, jump) for s in self.pending]
            self._after_jump(wall)
            return Reading(wall, jump=jump)
        self._passed(self._scanned or last_wall, wall)
        return Reading(wall)

    def advance(self, t: float) -> None:
        """Let time pass between readings, on the monotonic clock from the latest reading, so
        a ritual falls due on its minute rather than at the next reading."""
        wall = self.wall(t)
        if wall is None or self._scanned is None:
            return
        if wall.replace(second=0, microsecond=0) > self._scanned.replace(second=0, microsecond=0):
            self._passed(self._scanned, wall)

    def _passed(self, since: datetime, until: datetime) -> None:
        start = max(since, until - timedelta(days=MAX_SCAN_DAYS))
        for slot in self._occurrences(start.date(), until.date()):
            if start < slot.at <= until:
                self._add(slot)
        self._scanned = max(until, since)

    def _after_jump(self, wall: datetime) -> None:
        self._scanned = wall
        past = [s for s in self._occurrences(wall.date() - timedelta(days=1), wall.date())
                if s.at <= wall]
        if past:
            latest = max(past, key=lambda s: s.at)
            if wall < latest.at + self.window:
                self._add(latest)

    def _occurrences(self, first: date, last: date) -> list[Slot]:
        out = []
        day = first
        while day <= last:
            for rid, minute in self.times:
                at = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
                out.append(Slot(rid, at, at))
            day += timedelta(days=1)
        return out

    def _add(self, slot: Slot) -> None:
        if slot.key not in self.handled and all(p.key != slot.key for p in self.pending):
            self.pending.append(slot)

    # --- offers ----------------------------------------------------------------------------
    def due(self, wall: datetime, allowed: Iterable[str] | None = None) -> Slot | None:
        """The slot to offer now, when the kiosk is idle: the latest one due, inside its window,
        outside quiet hours, of an open ritual (``allowed``; None: all). Older ones lapse."""
        ok = None if allowed is None else set(allowed)
        live = [s for s in self.pending if s.at <= wall < s.at + self.window]
        waiting = [s for s in self.pending if s.at > wall]
        self.pending = waiting + live
        if not live:
            return None
        if self.settings.is_quiet(wall.hour * 60 + wall.minute):
            self.pending = waiting  # quiet hours: what was waiting lapses, unannounced
            return None
        latest = max(live, key=lambda s: s.at)
        if ok is not None and latest.ritual not in ok:
            self.pending = waiting  # locked today: it lapses without a word
            return None
        return latest

    def answered(self, slot: Slot) -> None:
        """The person started or skipped it (or it was offered and lapsed): never again. Every
        slot due at or before it lapses too: one offer stands for them all."""
        self.handled.add(slot.key)
        self.pending = [s for s in self.pending if s.at > slot.at]

    def snooze(self, slot: Slot, wall: datetime) -> Slot | None:
        """Offer it again ``snooze_minutes`` from now, unless that is in quiet hours: then it
        lapses and None is returned. Either way the slot itself is answered."""
        self.answered(slot)
        again = wall + timedelta(minutes=self.settings.snooze_minutes)
        if self.settings.is_quiet(again.hour * 60 + again.minute):
            return None
        later = Slot(slot.ritual, again, again, slot.snoozes + 1)
        self.pending.append(later)
        return later


def _moved(slot: Slot, seconds: float) -> Slot:
    """A snooze counts real minutes: after a jump it is due as long after as it was before."""
    if slot.snoozes == 0:
        return slot
    at = slot.at + timedelta(seconds=seconds)
    return replace(slot, at=at, planned=at)
