"""The ritual schedule on a fake clock (kiosk/core/coach/schedule.py).

A test walks the FakeClock forward as the kiosk would live through the day: a wall-clock reading
once a minute, and on every reading the idle kiosk asks what is due and answers it at once. What
it asserts is what a person would notice: which rituals were offered, and when.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.clock import FakeClock
from kiosk.core.coach.rituals import ScheduleSettings
from kiosk.core.coach.schedule import Reading, Scheduler, Slot, slot_key

NO_QUIET = ScheduleSettings(quiet=None)
QUIET = ScheduleSettings(quiet=(22 * 60, 7 * 60 + 30))  # 22:00 to 07:30


def m(hhmm: str) -> int:
    h, mi = hhmm.split(":")
    return int(h) * 60 + int(mi)


class Day:
    """A scheduler read once a minute from a fake clock, with an idle kiosk that takes every
    offer (``answer``: start, or snooze) the moment it is made."""

    def __init__(self, start: str, times: dict[str, list[str]],
                 settings: ScheduleSettings = NO_QUIET, *, answer: str = "start",
                 handled: tuple[str, ...] = (),
                 allowed: set[str] | None = None) -> None:
        self.clock = FakeClock(datetime.fromisoformat(start))
        self.sched = Scheduler([(r, m(t)) for r, ts in times.items() for t in ts], settings,
                               handled=handled)
        self.answer = answer
        self.allowed = allowed
        self.busy = False  # a session is running: nothing is asked
        self.offers: list[tuple[str, str]] = []  # (ritual, wall time of the offer, HH:MM)
        self.readings: list[Reading] = []
        self._read()

    def _read(self) -> None:
        self.readings.append(self.sched.observe(self.clock.wall(), self.clock.now()))
        if not self.busy:
            slot = self.sched.due(self.clock.wall(), self.allowed)
            if slot is not None:
                self._offer(slot)

    def _offer(self, slot: Slot) -> None:
        self.offers.append((slot.ritual, self.clock.wall().strftime("%H:%M")))
        if self.answer == "snooze":
            self.sched.snooze(slot, self.clock.wall())
        else:
            self.sched.answered(slot)

    def minutes(self, n: int) -> None:
        for _ in range(n):
            self.clock.advance(60)
            self._read()

    def until(self, when: str) -> None:
        target = datetime.fromisoformat(when)
        while self.clock.wall() < target:
            self.minutes(1)

    def jump(self, seconds: float) -> None:
        """The wall clock moves by itself (RTC after boot, DST, a hand-set clock); the next
        reading comes a minute later, as in the kiosk."""
        self.clock.jump(seconds)
        self.minutes(1)


def test_a_ritual_is_offered_at_its_time_once() -> None:
    d = Day("2026-11-25T07:50", {"coffee": ["08:00"]})
    d.until("2026-11-25T12:00")
    assert d.offers == [("coffee", "08:00")]


def test_midnight_a_ritual_on_each_side_and_one_at_midnight_itself() -> None:
    d = Day("2026-11-25T23:30", {"late": ["23:55"], "midnight": ["00:00"], "early": ["00:10"]})
    d.until("2026-11-26T01:00")
    assert d.offers == [("late", "23:55"), ("midnight", "00:00"), ("early", "00:10")]


def test_every_day_brings_the_schedule_again() -> None:
    d = Day("2026-11-25T07:00", {"coffee": ["08:00"]})
    d.until("2026-11-27T09:00")
    assert d.offers == [("coffee", "08:00")] * 3


def test_clock_jumping_forward_fires_only_the_latest_and_only_within_its_window() -> None:
    """A Pi with no RTC wakes at the time it was switched off, then the clock is set: hours of
    schedule pass in an instant. At most one ritual follows, the latest one still in its window."""
    d = Day("2026-11-25T06:00", {"a": ["08:00"], "b": ["11:00"], "c": ["14:00"], "d": ["14:20"]})
    d.jump(8 * 3600 + 5 * 60)  # 06:01 -> 14:06 + a minute
    assert d.offers == [("c", "14:06")]
    d.until("2026-11-25T15:00")
    assert d.offers == [("c", "14:06"), ("d", "14:20")]


def test_a_jump_past_every_window_fires_nothing() -> None:
    d = Day("2026-11-25T06:00", {"a": ["08:00"], "b": ["11:00"]})
    d.jump(7 * 3600)  # to 13:01: 11:00 is over two hours gone, its 30-minute window long shut
    d.until("2026-11-25T18:00")
    assert d.offers == []


def test_clock_jumping_backwards_never_repeats_an_answered_ritual() -> None:
    d = Day("2026-11-25T07:55", {"coffee": ["08:00"], "desk": ["08:30"]})
    d.until("2026-11-25T08:10")
    d.jump(-2 * 3600)  # to 06:11: the morning runs again on the clock face
    d.until("2026-11-25T09:00")
    assert d.offers == [("coffee", "08:00"), ("desk", "08:30")]


def test_the_first_reading_at_start_up_is_treated_as_a_jump() -> None:
    """Switched on at 08:12: the 08:00 ritual is still in its window, the 06:00 one is not."""
    d = Day("2026-11-25T08:12", {"early": ["06:00"], "coffee": ["08:00"]})
    assert d.readings[0].first
    assert d.offers == [("coffee", "08:12")]


def test_a_ritual_answered_before_a_restart_is_not_offered_again() -> None:
    done = (slot_key("coffee", datetime(2026, 11, 25, 8, 0)),)
    d = Day("2026-11-25T08:05", {"coffee": ["08:00"]}, handled=done)
    d.until("2026-11-25T09:00")
    assert d.offers == []


def test_daylight_saving_starts_the_skipped_hour_fires_at_most_once() -> None:
    """Clocks go forward at 02:00 (naive local time jumps 01:59 -> 03:00). The ritual in the
    lost hour is still offered once if its window is open, and nothing fires twice."""
    d = Day("2026-03-29T01:30", {"night": ["02:30"], "dawn": ["03:20"]},
            ScheduleSettings(quiet=None, window_minutes=45))
    d.until("2026-03-29T01:59")
    d.jump(3600)
    d.until("2026-03-29T04:00")
    assert d.offers == [("night", "03:00"), ("dawn", "03:20")]
    assert any(abs(r.jump - 3600) < 61 for r in d.readings)


def test_daylight_saving_ends_the_repeated_hour_does_not_repeat_rituals() -> None:
    """Clocks go back at 03:00 (02:59 -> 02:00): 02:00 to 03:00 happens twice on the clock face."""
    d = Day("2026-10-25T01:50", {"a": ["02:10"], "b": ["02:40"], "c": ["03:30"]})
    d.until("2026-10-25T02:59")
    d.jump(-3600)
    d.until("2026-10-25T04:00")
    assert d.offers == [("a", "02:10"), ("b", "02:40"), ("c", "03:30")]


def test_time_passing_is_not_mistaken_for_a_jump() -> None:
    d = Day("2026-11-25T07:00", {"coffee": ["08:00"]})
    d.until("2026-11-25T09:00")
    assert all(r.jump == 0 for r in d.readings)


def test_a_ritual_due_during_a_session_waits_and_is_offered_after_it() -> None:
    d = Day("2026-11-25T07:50", {"coffee": ["08:00"]})
    d.busy = True
    d.until("2026-11-25T08:12")
    assert d.offers == []
    d.busy = False
    d.minutes(1)
    assert d.offers == [("coffee", "08:13")]


def test_a_session_that_outlasts_the_window_lets_the_ritual_lapse() -> None:
    d = Day("2026-11-25T07:50", {"coffee": ["08:00"]})
    d.busy = True
    d.until("2026-11-25T08:40")
    d.busy = False
    d.until("2026-11-25T10:00")
    assert d.offers == []


def test_two_rituals_due_during_one_session_are_one_offer_not_a_burst() -> None:
    d = Day("2026-11-25T07:50", {"coffee": ["08:00"], "desk": ["08:10"]})
    d.busy = True
    d.until("2026-11-25T08:15")
    d.busy = False
    d.until("2026-11-25T09:00")
    assert d.offers == [("desk", "08:16")]


def test_nothing_is_offered_in_quiet_hours() -> None:
    d = Day("2026-11-25T21:00", {"late": ["23:00"], "dawn": ["06:00"], "coffee": ["08:00"]},
            QUIET)
    d.until("2026-11-26T09:00")
    assert d.offers == [("coffee", "08:00")]


def test_a_ritual_waiting_when_quiet_hours_begin_lapses() -> None:
    d = Day("2026-11-25T21:40", {"wind-down": ["21:45"]}, QUIET)
    d.busy = True
    d.until("2026-11-25T22:05")
    d.busy = False
    d.until("2026-11-26T07:00")
    assert d.offers == []


def test_a_snooze_asks_again_ten_minutes_later() -> None:
    d = Day("2026-11-25T07:55", {"coffee": ["08:00"]}, answer="snooze")
    d.until("2026-11-25T08:25")
    assert d.offers == [("coffee", "08:00"), ("coffee", "08:10"), ("coffee", "08:20")]


def test_a_snooze_that_runs_into_quiet_hours_lapses() -> None:
    d = Day("2026-11-25T21:40", {"wind-down": ["21:55"]}, QUIET)
    d.until("2026-11-25T21:54")
    d.clock.advance(60)
    d.sched.observe(d.clock.wall(), d.clock.now())
    slot = d.sched.due(d.clock.wall())
    assert slot is not None and slot.ritual == "wind-down"
    assert d.sched.snooze(slot, d.clock.wall()) is None  # 22:05 is in quiet hours
    d.until("2026-11-26T09:00")
    assert d.offers == []


def test_a_snooze_counts_real_minutes_across_a_jump() -> None:
    d = Day("2026-11-25T07:59", {"coffee": ["08:00"]}, answer="snooze")
    d.minutes(1)  # offered at 08:00, snoozed to 08:10
    d.answer = "start"
    d.minutes(4)
    d.jump(3600)  # 08:04 -> 09:05: six minutes of snooze were left; it ends at 09:10
    d.until("2026-11-25T09:20")
    assert d.offers == [("coffee", "08:00"), ("coffee", "09:10")]


def test_a_locked_ritual_lapses_without_a_word() -> None:
    d = Day("2026-11-25T07:55", {"grocery": ["08:00"], "coffee": ["08:20"]},
            allowed={"coffee"})
    d.until("2026-11-25T09:00")
    assert d.offers == [("coffee", "08:20")]
