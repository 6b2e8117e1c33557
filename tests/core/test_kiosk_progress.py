"""The kiosk's progress features, pure: the menu, the history screens, the weekly summary said at
the week's first session, and the PSFS asked before a session when it is due."""

from __future__ import annotations

from datetime import datetime

from kiosk.core.data.events import Effect, Event, Hold, Press, Release, Save, Say, Tick
from kiosk.core.data.model import Button
from kiosk.core.data.records import PsfsRecord, Record, SessionRecord
from kiosk.core.flows.history_screens import ProgressSettings
from kiosk.core.flows.kiosk import Kiosk
from kiosk.core.reports.weekly import EMERGENCY_REMINDER
from kiosk.sim import SimUser
from tests.core.helpers import FAST, Run, fixed_planner, library
from tests.core.progress_samples import LADDERS, exercise, session

G, A, R = Button.GREEN, Button.AMBER, Button.RED
ACTS = ("carry the shopping", "sit through a film")


def kiosk(records: list[Record], *, acts: tuple[str, ...] = ()) -> Kiosk:
    return Kiosk(fixed_planner(library()), FAST, records=records, t0=0.0,
                 wall0=datetime(2026, 11, 26, 9), nonce="t",
                 progress=ProgressSettings(LADDERS, 5, acts, 4))


class Driver:
    def __init__(self, k: Kiosk) -> None:
        self.k, self.t, self.out = k, 0.0, k.boot()

    def __call__(self, *events: Event) -> list[Effect]:
        got: list[Effect] = []
        for e in events:
            got += self.k.handle(e)
        self.out += got
        return got

    def press(self, b: Button) -> list[str]:
        self.t += 1
        return said(self(Press(b, self.t), Release(b, self.t + 0.1)))

    def hold(self, b: Button) -> list[str]:
        self.t += 2
        return said(self(Press(b, self.t), Hold(b, self.t + 1.5),
                         Release(b, self.t + 1.6, held=True)))


def said(effects: list[Effect]) -> list[str]:
    return [e.text for e in effects if isinstance(e, Say)]


WEEK = [
    session("2026-11-17", exercise("bridge", 9), before=4, after=4),
    session("2026-11-23", exercise("bridge", 10), before=3, after=3),
    session("2026-11-25", exercise("bridge", 11), before=3, after=3),
]


def test_hold_amber_opens_the_menu_and_this_week_says_the_summary() -> None:
    d = Driver(kiosk(list(WEEK)))
    assert d.hold(A)[-1].startswith("Menu. Your progress.")
    assert d.k.view.screen == "menu"
    assert d.press(A) == ["This week."]
    (summary,) = d.press(G)
    assert summary == ("This week: two sessions. Bridge went from nine to eleven clean reps. "
                       f"Pain averaged three, down from four. {EMERGENCY_REMINDER}")
    assert d.k.view.screen == "home" and d.k.session is None


def test_the_history_screens_move_with_green_and_red_goes_home() -> None:
    d = Driver(kiosk(list(WEEK)))
    d.hold(A)
    first = d.press(G)[-1]
    # The exercise as the sessions named it (the variation), not its family.
    assert first.startswith("Your progress. Bridge 1. Last session, eleven clean reps")
    titles = [d.k.view.title]
    for _ in range(3):
        d.press(G)
        titles.append(d.k.view.title)
    assert titles == ["Bridge 1: clean reps", "Pain, last 8 weeks", "Your weekly rhythm",
                      "Bridge 1: clean reps"]
    assert d.k.view.chart is not None
    assert d.press(A)[0].startswith("This week: two sessions.")
    d.press(R)
    assert d.k.view.screen == "home"
    d.press(G)  # GREEN on home still starts a session
    assert d.k.session is not None


def test_the_menu_never_starts_a_session_and_red_goes_back() -> None:
    d = Driver(kiosk(list(WEEK)))
    d.hold(A)
    d.press(R)
    assert d.k.view.screen == "home" and d.k.session is None


def test_the_psfs_is_asked_before_the_session_when_due_and_saved() -> None:
    d = Driver(kiosk(list(WEEK), acts=ACTS))
    lines = d.press(G)
    assert d.k.view.screen == "psfs" and d.k.session is None
    assert "everyday activities" in lines[0]
    assert lines[1].startswith("Carry the shopping. It is set to five.")
    d.press(G)
    d.hold(G)  # six
    d.hold(G)  # five
    saved = [e.record for e in d.out if isinstance(e, Save)]
    assert [(s.activity, s.score) for r in saved if isinstance(r, PsfsRecord)
            for s in r.scores] == [("carry the shopping", 6), ("sit through a film", 5)]
    assert d.k.session is not None  # straight on to the check-in
    assert any(line.startswith("First, how is your back?") for line in said(d.out))
    # asked, so not due again for four weeks: the next GREEN on home goes straight to a session
    assert any(isinstance(r, PsfsRecord) for r in d.k.records)


def test_no_activities_in_config_means_no_questions() -> None:
    d = Driver(kiosk(list(WEEK)))
    d.press(G)
    assert d.k.session is not None and d.k.view.screen != "psfs"


def test_last_week_is_said_once_at_the_end_of_the_weeks_first_session() -> None:
    last_week = [session("2026-11-17", exercise("bridge", 9), before=4, after=4),
                 session("2026-11-19", exercise("bridge", 10), before=4, after=3)]
    run = Run(SimUser("steady"), records=last_week, day="2026-11-23").until_finished()
    assert any(isinstance(r, SessionRecord) for r in run.saved)
    week_lines = [s for s in run.said if s.startswith("Last week:")]
    assert week_lines == ["Last week: two sessions. Bridge went from nine to ten clean reps. "
                          f"Pain averaged four. {EMERGENCY_REMINDER}"]
    # A second session the same week: nothing more about last week
    again = Run(SimUser("steady"), records=[*last_week, *run.saved],
                day="2026-11-24").until_finished()
    assert not [s for s in again.said if s.startswith("Last week:")]


def test_a_quiet_last_week_is_not_reported() -> None:
    run = Run(SimUser("steady"), records=[], day="2026-11-23").until_finished()
    assert not [s for s in run.said if "week" in s.lower() and s.startswith("Last")]


def test_idle_ticks_in_the_history_screens_change_nothing() -> None:
    d = Driver(kiosk(list(WEEK)))
    d.hold(A)
    d.press(G)
    view = d.k.view
    assert said(d(Tick(500.0))) == [] and d.k.view == view
