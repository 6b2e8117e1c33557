"""What the screen should show, as plain data. The ui package draws it; the core fills it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.core.data.model import Button
from kiosk.core.reports.progress import Calendar, ExerciseChart, PainChart


class Screen(StrEnum):
    """Which screen a View is. A StrEnum, so "rest" == Screen.REST for the drawing code."""

    HOME = "home"
    CHECKIN = "checkin"
    BREATHING = "breathing"
    INTRO = "intro"
    SET = "set"
    REST = "rest"
    PAUSED = "paused"
    PAIN = "pain"
    AFTER_PAIN = "after_pain"
    CHECKOUT = "checkout"
    SUMMARY = "summary"


class Awaiting(StrEnum):
    """What the kiosk waits for; a View awaits nothing while it talks or paces a breath."""

    START = "start"
    READY = "ready"
    RATING = "rating"
    PAIN = "pain"
    CONTINUE = "continue"


@dataclass(frozen=True)
class Pacer:
    """The breathing pacer: which phase, when it began (kiosk clock) and how long it lasts.

    During a hold the pacer keeps breathing (inhale, exhale) and ``hold_until`` says when the
    hold ends, so the screen can count it down; ``hold_seconds`` is the whole hold."""

    phase: str  # inhale | exhale | hold
    started: float
    seconds: float
    hold_until: float | None = None
    hold_seconds: float = 0.0


@dataclass(frozen=True)
class HoldRing:
    """A button held where holding it does something: the ring fills from ``started`` over
    ``seconds`` (the button's hold time), so the person sees how long is left."""

    button: Button
    started: float
    seconds: float


@dataclass(frozen=True)
class GridRow:
    """One probe of the movement signature on screen: ``left`` and ``right`` for a probe with
    sides, ``both`` for one without. Each is easy, stiff, painful, skipped, or None (not
    reached)."""

    label: str
    left: str | None = None
    right: str | None = None
    both: str | None = None
    sided: bool = True


@dataclass(frozen=True)
class View:
    screen: str  # a Screen: home, checkin, breathing, intro, set, rest, paused, pain, ...
    title: str
    lines: tuple[str, ...] = ()
    exercise: str | None = None
    set_label: str | None = None
    rep: int | None = None  # the count said for the rep: alternating reps count in pairs
    target: int | None = None
    clean: int | None = None
    pain: int | None = None  # the big number while pain is being entered
    pacer: Pacer | None = None
    # What each button does right now, in words. A button missing here does nothing.
    buttons: dict[Button, str] = field(default_factory=dict)
    # What the kiosk waits for: start, ready, rating, pain, continue; None while it talks.
    awaiting: str | None = None
    caption: str = ""  # the line being spoken, so a kiosk with no speaker still tells everything
    # For a few seconds after a press with no role here: what the buttons do on this screen.
    hint: tuple[str, ...] = ()
    hold: HoldRing | None = None  # a hold in progress
    side: str | None = None  # left | right: the side this rep works
    unit: str = "reps"  # reps | minutes: what ``rep`` and ``target`` count
    chart: ExerciseChart | PainChart | Calendar | None = None  # a history screen's chart
    # This week, Monday to Sunday, on the home screen: (day letter, done|today|rest|ahead).
    week: tuple[tuple[str, str], ...] = ()
    week_label: str = ""  # e.g. "This week: 4 of 5"
    probe: str | None = None  # the screening's probe being done (its id)
    grid: tuple[GridRow, ...] = ()  # the movement signature, a row per probe


_VIEW_FIELDS = frozenset(View.__dataclass_fields__)


def evolve(view: View, **changes: object) -> View:
    """``dataclasses.replace`` for a View, at a fraction of its cost.

    A view is rebuilt on every tick of a session (twenty a second), often through three or four
    replaces; ``replace`` walks every field and runs ``__init__`` each time, which on a Pi Zero
    is most of a frame's core work. A View has no ``__post_init__``, so copying its fields and
    overwriting the changed ones gives the same object. An unknown field name is refused, as
    ``replace`` refuses it.
    """
    unknown = changes.keys() - _VIEW_FIELDS
    if unknown:
        raise TypeError(f"View has no field {sorted(unknown)[0]!r}")
    new = object.__new__(View)
    fields = new.__dict__
    fields.update(view.__dict__)
    fields.update(changes)
    return new
