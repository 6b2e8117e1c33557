"""The history screens as Views, and the line each one speaks. Pure.

One screen per exercise done in the last eight weeks (clean reps, and the step of its ladder),
then pain, then the weekly rhythm as a calendar. GREEN moves to the next screen, AMBER says the
weekly summary, RED goes home (docs/controls.md). The movement signature gets a screen of its
own once the kiosk records one; it does not yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from kiosk.core.coach.rhythm import active_days
from kiosk.core.data.events import Effect, Event, Hush, Press, Say
from kiosk.core.data.model import Button, Library
from kiosk.core.data.records import Record
from kiosk.core.data.view import View
from kiosk.core.flows.flow import NO_HOLDS
from kiosk.core.reports.progress import (
    WEEKS,
    Calendar,
    ExerciseChart,
    PainChart,
    calendar,
    exercise_charts,
    pain_chart,
    recent,
    window,
)
from kiosk.core.reports.weekly import Ladders, spoken_number, weekly_summary
from kiosk.core.words.phrases import number, plural

BUTTONS = {Button.GREEN: "Next", Button.AMBER: "Hear week", Button.RED: "Home"}
TARGET = 5  # days a week aimed for, until the rituals' weekly aim (issue 15) is in config
CALENDAR_WEEKS = 4  # a month of days: eight rows would not read on a 480x320 panel


def ladders_of(library: Library) -> Ladders:
    """family id -> (its name, its variation ids easiest first), in the library's order."""
    return {f.id: (f.name, tuple(v.id for v in f.ladder)) for f in library.families}


def history_views(
    records: Sequence[Record], day: date, ladders: Ladders, target: int
) -> tuple[View, ...]:
    """Every history screen for the weeks up to ``day``, in the order GREEN moves through."""
    charts: list[ExerciseChart | PainChart | Calendar] = [
        *exercise_charts(records, day, ladders),
        pain_chart(records, day),
    ]
    first, _ = window(day, CALENDAR_WEEKS)
    # A day counts as the weekly rhythm counts it (kiosk/core/coach/rhythm.py): rituals done count
    # too.
    charts.append(calendar(active_days(recent(records, first)), day, target, CALENDAR_WEEKS))
    return tuple(view_of(c) for c in charts)


def view_of(chart: ExerciseChart | PainChart | Calendar) -> View:
    return View(
        screen="history",
        title=title(chart),
        buttons=dict(BUTTONS),
        awaiting="continue",
        caption=spoken(chart),
        chart=chart,
    )


def title(chart: ExerciseChart | PainChart | Calendar) -> str:
    if isinstance(chart, ExerciseChart):
        return f"{chart.name}: clean reps"
    if isinstance(chart, PainChart):
        return f"Pain, last {WEEKS} weeks"
    return "Your weekly rhythm"


def spoken(chart: ExerciseChart | PainChart | Calendar) -> str:
    """What the screen shows, said in a sentence or two, for a kiosk with no screen."""
    if isinstance(chart, ExerciseChart):
        if not chart.points:
            return f"{chart.name}: no sessions in the last {number(WEEKS)} weeks."
        last = chart.points[-1]
        return (f"{chart.name}. Last session, {plural(last.clean, 'clean rep')}, on step "
                f"{number(last.rung)}. Best in {number(WEEKS)} weeks: {number(chart.best)}.")
    if isinstance(chart, PainChart):
        weeks = [m for m in chart.weekly if m is not None]
        if not weeks:
            return f"Pain: no ratings in the last {number(WEEKS)} weeks."
        if len(weeks) == 1:
            return f"Pain averaged {spoken_number(weeks[0])}."
        return (f"Pain averaged {spoken_number(weeks[-1])} in the latest week with ratings, "
                f"and {spoken_number(weeks[0])} in the earliest.")
    done = chart.count(len(chart.days) - 1)
    return (f"Your weekly rhythm: {number(done)} of {number(chart.target)} days this week. "
            "Each filled mark is a day you practised.")


# --- moving through the screens with the buttons ------------------------------------------------
@dataclass(frozen=True)
class ProgressSettings:
    """What the progress features need from config, as plain data."""

    ladders: Ladders = field(default_factory=dict)
    target: int = TARGET
    psfs_activities: tuple[str, ...] = ()
    psfs_every_weeks: int = 4


class Browser:
    """The history screens, one at a time: GREEN next (round again after the last), AMBER the
    weekly summary, RED home. Events in, effects out; ``done`` once RED was pressed."""

    holds = NO_HOLDS
    result = None

    def __init__(self, records: Sequence[Record], day: date, settings: ProgressSettings) -> None:
        self.records, self.day, self.settings = records, day, settings
        self.views = history_views(records, day, settings.ladders, settings.target)
        self.index = 0
        self.done = False
        self.caption = self.views[0].caption

    def start(self) -> list[Effect]:
        return [Hush(), Say(f"Your progress. {self.caption} GREEN: next. AMBER: this week. "
                            "RED: home.")]

    def handle(self, event: Event) -> list[Effect]:
        if not isinstance(event, Press):
            return []
        if event.button is Button.GREEN:
            self.index = (self.index + 1) % len(self.views)
            self.caption = self.views[self.index].caption
        elif event.button is Button.AMBER:
            self.caption = weekly_summary(self.records, self.day, self.settings.ladders)
        else:
            self.done = True
            return [Hush()]
        return [Hush(), Say(self.caption)]

    @property
    def view(self) -> View:
        return replace(self.views[self.index], caption=self.caption)


MENU = ("Your progress", "This week")
USB = "Copy to USB"  # the report and every export onto a USB stick (docs/report.md)
QUICK_RITUAL = "A quick ritual"  # first, when rituals are set up (docs/rituals.md)
ABOUT = "About"  # what the kiosk is (the safety welcome's pages), when the kiosk has them


class Menu:
    """Held AMBER on the home screen: a short list, each item said as it comes up. AMBER the
    next item, GREEN choose it, RED back home. ``chosen`` is set once GREEN chose."""

    holds = NO_HOLDS

    def __init__(self, items: Sequence[str] = MENU) -> None:
        self.items = tuple(items)
        self.index = 0
        self.chosen: str | None = None
        self.done = False

    @property
    def result(self) -> str | None:
        return self.chosen

    def start(self) -> list[Effect]:
        return [Hush(), Say(f"Menu. {self.items[0]}. GREEN chooses, AMBER: next, RED: back.")]

    def handle(self, event: Event) -> list[Effect]:
        if not isinstance(event, Press):
            return []
        if event.button is Button.AMBER:
            self.index = (self.index + 1) % len(self.items)
            return [Hush(), Say(f"{self.items[self.index]}.")]
        self.done = True
        if event.button is Button.GREEN:
            self.chosen = self.items[self.index]
        return [Hush()]

    @property
    def view(self) -> View:
        lines = tuple(("> " if i == self.index else "  ") + item for i, item in
                      enumerate(self.items))
        return View(screen="menu", title="Menu", lines=lines,
                    buttons={Button.GREEN: "Choose", Button.AMBER: "Next", Button.RED: "Back"},
                    awaiting="continue", caption=f"{self.items[self.index]}.")
