"""A hold is a hold (issue 25, item 7): on every screen where holding a button means something,
a hold whose release arrives before any tick (a late loop) does what the hold does, never what
a press does. The edges go through the real button tracker into the pure kiosk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from kiosk.core.data.events import Effect, Save, Say, Tick
from kiosk.core.data.model import Button
from kiosk.core.data.records import PainEntry, PsfsRecord, ScreeningRecord, SessionRecord
from kiosk.core.flows.history_screens import ProgressSettings
from kiosk.core.flows.kiosk import Kiosk
from kiosk.core.flows.screening import Screening
from kiosk.core.presses.buttons import ButtonTracker
from kiosk.core.words import phrases
from kiosk.sim import SimUser
from tests.core.helpers import FAST, fixed_planner, library
from tests.core.test_kiosk_safety import all_no, until
from tests.core.test_screening import DAY
from tests.core.test_screening import kiosk as screening_kiosk

G, A, R = Button.GREEN, Button.AMBER, Button.RED
LATE = 2.6  # longer than every hold time (RED's is 2.0 s)


class Driver:
    """Edges into the tracker, its events into the kiosk; ticks only when asked for."""

    def __init__(self, k: Kiosk, tracker: ButtonTracker | None = None, t: float = 0.0) -> None:
        self.k, self.t = k, t
        self.tracker = tracker or ButtonTracker()
        self.out: list[Effect] = [] if t else k.boot()

    def feed(self, events: list[Any]) -> None:
        for e in events:
            self.out += self.k.handle(e)

    def wait(self, seconds: float) -> None:
        end = self.t + seconds
        while self.t < end:
            self.t = round(self.t + 0.05, 3)
            self.feed(self.tracker.tick(self.t))
            self.feed([Tick(self.t)])

    def until(self, screen: str, limit: float = 600.0) -> None:
        end = self.t + limit
        while self.k.view.screen != screen:
            assert self.t < end, f"never reached {screen}; at {self.k.view}"
            self.wait(0.05)

    def press(self, b: Button) -> None:
        self.feed(self.tracker.edge(b, True, self.t))
        self.t += 0.15
        self.feed(self.tracker.edge(b, False, self.t))
        self.wait(0.5)

    def hold(self, b: Button) -> None:
        """Down and up again after the hold time, with the loop ticking all along."""
        self.feed(self.tracker.edge(b, True, self.t))
        self.wait(LATE)
        self.feed(self.tracker.edge(b, False, self.t))
        self.wait(0.5)

    def late_hold(self, b: Button) -> None:
        """Down, and up again ``LATE`` seconds later, with no tick between."""
        self.feed(self.tracker.edge(b, True, self.t))
        self.t += LATE
        self.feed(self.tracker.edge(b, False, self.t))
        self.wait(0.5)

    @property
    def said(self) -> list[str]:
        return [e.text for e in self.out if isinstance(e, Say)]

    @property
    def saved(self) -> list[Any]:
        return [e.record for e in self.out if isinstance(e, Save)]


def plain(acts: tuple[str, ...] = ()) -> Driver:
    return Driver(Kiosk(fixed_planner(library()), FAST, records=[], t0=0.0,
                        wall0=datetime(2026, 11, 25, 9), nonce="t",
                        progress=ProgressSettings({}, 5, acts, 4)))


def in_session(d: Driver) -> Driver:
    d.press(G)  # start: the check-in
    assert d.k.view.awaiting == "pain"
    return d


def last_session(d: Driver) -> SessionRecord:
    return [r for r in d.saved if isinstance(r, SessionRecord)][-1]


def test_amber_held_on_the_home_screen_opens_the_menu() -> None:
    d = plain()
    d.late_hold(A)  # its press says the plan, as ever; held, the menu opens
    assert d.k.view.screen == "menu"
    assert d.said[-1] == "Menu. Your progress. GREEN chooses, AMBER: next, RED: back."


def test_green_held_at_the_check_in_confirms_the_pain() -> None:
    d = in_session(plain())
    d.late_hold(G)
    assert d.k.session is not None and d.k.session.pain_before == 0
    assert phrases.pain_confirmed(0) in d.said
    assert d.k.view.screen == "breathing"


def test_red_held_in_the_breathing_ends_the_session_now() -> None:
    d = in_session(plain())
    d.late_hold(G)
    d.late_hold(R)
    assert d.k.session is None and phrases.ENDED_BY_HOLD in d.said
    record = last_session(d)
    assert record.ended_by == "stop" and record.pain_events == ()  # a stop, not a pain report


def test_red_held_in_a_set_ends_the_session_now_and_keeps_no_pain_event() -> None:
    d = in_session(plain())
    d.late_hold(G)
    d.press(A)  # skip the breathing
    d.until("intro")
    d.press(G)  # ready
    d.until("set")
    d.late_hold(R)
    assert d.k.session is None and phrases.ENDED_BY_HOLD in d.said
    record = last_session(d)
    assert record.ended_by == "stop" and record.pain_events == ()
    assert record.exercises[0].sets[0].ended_by == "stop"


def to_intro(d: Driver) -> None:
    in_session(d).hold(G)  # pain zero, confirmed
    d.press(A)  # skip the breathing
    d.until("intro")


def to_set(d: Driver) -> None:
    to_intro(d)
    d.press(G)
    d.until("set")


def to_rest(d: Driver) -> None:
    to_set(d)
    while d.k.view.screen == "set":
        if d.k.view.awaiting == "rating":
            d.press(G)  # clean
        d.wait(0.1)
    assert d.k.view.screen == "rest"


def to_pain(d: Driver) -> None:
    to_intro(d)
    d.press(R)


def to_after_pain(d: Driver) -> None:
    to_pain(d)
    d.hold(G)


def to_paused(d: Driver) -> None:
    to_set(d)
    d.until("silent")  # no rating came: "Are you all right? Press any button."
    d.press(G)  # all right: the set is paused


REACH = {"breathing": lambda d: in_session(d).hold(G), "intro": to_intro, "set": to_set,
         "rest": to_rest, "pain": to_pain, "after_pain": to_after_pain, "paused": to_paused}


@pytest.mark.parametrize("screen", REACH)
def test_red_held_ends_the_session_now_on_every_screen_of_it(screen: str) -> None:
    d = plain()
    REACH[screen](d)
    assert d.k.view.screen == screen
    session = d.k.session
    assert session is not None
    reported = len(session.pain_events)
    said = len(d.said)
    d.late_hold(R)
    assert d.k.session is None and phrases.ENDED_BY_HOLD in d.said[said:]
    record = last_session(d)
    assert record.ended_by == "stop"
    assert len(record.pain_events) == reported  # its press asked for pain: the hold takes it back


def test_green_held_at_the_pain_rating_after_red_and_at_check_out_confirms() -> None:
    d = in_session(plain())
    d.late_hold(G)
    d.press(A)
    d.until("intro")
    d.press(R)  # pain: how much?
    assert d.k.view.awaiting == "pain"
    d.late_hold(G)
    assert d.k.view.screen == "after_pain"
    d.press(G)  # go on: the next exercises, skipped at their intros, then the check-out
    while d.k.view.screen != "checkout":
        d.until("intro")
        d.press(A)
    d.late_hold(G)
    assert d.k.session is None
    record = last_session(d)
    assert record.ended_by == "complete" and record.pain_after == 0
    assert record.pain_events[0].pain == 0


def test_green_held_in_the_pain_log_saves_and_red_held_cancels() -> None:
    d = plain()
    d.press(R)
    assert d.k.view.screen == "painlog"
    d.press(G)  # one
    d.late_hold(G)
    assert [r.pain for r in d.saved if isinstance(r, PainEntry)] == [1]
    assert d.k.view.screen == "home"
    d.press(R)
    d.press(G)
    d.late_hold(R)
    assert phrases.PAIN_LOG_CANCELLED in d.said
    assert len([r for r in d.saved if isinstance(r, PainEntry)]) == 1
    assert d.k.view.screen == "home"


def test_green_held_in_the_psfs_confirms_and_red_held_ends_the_round() -> None:
    d = plain(("carry the shopping", "sit through a film", "walk the dog"))
    d.press(G)
    assert d.k.view.screen == "psfs"
    d.late_hold(G)  # five, confirmed
    assert d.k.view.screen == "psfs" and d.k.view.title == "Sit through a film"
    d.late_hold(R)  # its press lets this one pass; held, the round ends, keeping the answer
    [round_] = [r for r in d.saved if isinstance(r, PsfsRecord)]
    assert [(s.activity, s.score) for s in round_.scores] == [("carry the shopping", 5)]
    assert d.k.session is not None  # on to the check-in, as after any round


def test_red_held_in_the_screening_ends_the_check() -> None:
    r = until(screening_kiosk(SimUser("steady"), records=[all_no(DAY)]),
              lambda r: r.kiosk.view.probe == "forward-bend" and not r.hands.busy)
    d = Driver(r.kiosk, r.tracker, r.t)
    d.late_hold(R)
    [sig] = [s for s in d.k.records if isinstance(s, ScreeningRecord)]
    assert not sig.complete and [p.rating for p in sig.results] == ["easy"]
    assert "The check is ended. What you rated is kept." in d.said
    assert d.k.session is None


def test_green_held_at_a_probe_s_pain_rating_confirms_it() -> None:
    r = until(screening_kiosk(SimUser("steady"), records=[all_no(DAY)]),
              lambda r: r.kiosk.view.probe == "forward-bend" and not r.hands.busy)
    d = Driver(r.kiosk, r.tracker, r.t)
    d.press(R)  # it hurts: how much?
    assert d.k.view.screen == "probe-pain"
    d.press(G)  # one up
    d.late_hold(G)
    assert d.k.view.screen != "probe-pain"
    screening = d.k.top
    assert isinstance(screening, Screening)  # the check goes on
    assert (screening.results[-1].probe, screening.results[-1].pain) == ("forward-bend", 1)
