"""What the screen should show, as plain data. The ui package draws it; the core fills it."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.model import Button
from kiosk.core.progress import Calendar, ExerciseChart, PainChart


@dataclass(frozen=True)
class Pacer:
    """The breathing pacer: which phase, when it began (kiosk clock) and how long it lasts."""

    phase: str  # inhale | exhale | hold
    started: float
    seconds: float


@dataclass(frozen=True)
class View:
    screen: str  # home, checkin, breathing, intro, rep, rest, paused, pain, checkout, summary
    title: str
    lines: tuple[str, ...] = ()
    exercise: str | None = None
    set_label: str | None = None
    rep: int | None = None
    target: int | None = None
    clean: int | None = None
    pain: int | None = None  # the big number while pain is being entered
    pacer: Pacer | None = None
    # What each button does right now, in words. A button missing here does nothing.
    buttons: dict[Button, str] = field(default_factory=dict)
    # What the kiosk waits for: start, ready, rating, pain, continue; None while it talks.
    awaiting: str | None = None
    caption: str = ""  # the last spoken line, so a kiosk with no speaker still tells everything
    chart: ExerciseChart | PainChart | Calendar | None = None  # a history screen's chart
    # This week, Monday to Sunday, on the home screen: (day letter, done|today|rest|ahead).
    week: tuple[tuple[str, str], ...] = ()
    week_label: str = ""  # e.g. "This week: 4 of 5"
