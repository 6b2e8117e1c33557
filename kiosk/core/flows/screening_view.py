"""What each phase of the screening shows (one builder per phase), and the signature grid.

Built from what the screening shows (``Shown``), so that the screening (kiosk/core/flows/
screening.py) imports this module and this one never imports it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from kiosk.core.coach.signature import Probe, SignatureSetup, results_by_probe
from kiosk.core.data.model import Button
from kiosk.core.data.records import ScreeningRecord
from kiosk.core.data.view import GridRow, Pacer, View
from kiosk.core.presses.pain_input import PainInput

INTRO_BUTTONS = {Button.GREEN: "Begin", Button.AMBER: "Not now", Button.RED: "Not now"}
READY_BUTTONS = {Button.GREEN: "Ready", Button.AMBER: "Leave out", Button.RED: "Pain"}
RATE_BUTTONS = {Button.GREEN: "Easy", Button.AMBER: "Stiff", Button.RED: "Painful"}
PAIN_BUTTONS = {Button.GREEN: "Raise (hold: confirm)", Button.AMBER: "Lower",
                Button.RED: "Hold: end"}


@dataclass(frozen=True)
class Turn:
    """One probe on one side (``side`` None: a probe done once)."""

    probe: Probe
    side: str | None


class Shown(Protocol):
    """What a screening's screen is built from."""

    @property
    def phase(self) -> StrEnum: ...
    @property
    def setup(self) -> SignatureSetup: ...
    @property
    def current(self) -> Turn | None: ...
    @property
    def index(self) -> int: ...
    @property
    def turns(self) -> list[Turn]: ...
    @property
    def pacer(self) -> Pacer | None: ...
    @property
    def pain(self) -> PainInput: ...
    @property
    def page(self) -> int: ...
    @property
    def change_lines(self) -> list[str]: ...
    @property
    def caption(self) -> str: ...
    def record(self) -> ScreeningRecord: ...


Screening = Shown


# Probes of the signature grid on one screen: seven and their header were 15 px capitals on
# a 3.5" 480x320 panel. Three a screen, each on two lines (kiosk/ui/widgets.py), take 19 px
# there, readable at 2 m (docs/screens.md).
GRID_ROWS = 3


def grid_pages(record: ScreeningRecord, setup: SignatureSetup) -> list[tuple[GridRow, ...]]:
    """The grid a screen at a time, at most ``GRID_ROWS`` rows each and as even as they go
    (seven: three, two, two), in the probes' order."""
    rows = grid_of(record, setup)
    pages = -(-len(rows) // GRID_ROWS) or 1
    out, start = [], 0
    for i in range(pages):  # the first pages take one more while rows are left over
        end = start + len(rows) // pages + (1 if i < len(rows) % pages else 0)
        out.append(rows[start:end])
        start = end
    return out


def grid_of(record: ScreeningRecord, setup: SignatureSetup) -> tuple[GridRow, ...]:
    """A row per probe of ``setup``, in its order; probes the record does not have are left
    out (a probe added to the config after this screening)."""
    found = results_by_probe(record)
    rows = []
    for p in setup.probes:
        got = found.get(p.id)
        if got is None:
            continue
        label = p.label[:1].upper() + p.label[1:]
        if p.sides:
            left, right = got.get("left"), got.get("right")
            rows.append(GridRow(label, left.rating if left else None,
                                right.rating if right else None))
        else:
            both = got.get(None)
            rows.append(GridRow(label, both=both.rating if both else None, sided=False))
    return tuple(rows)


def _intro(s: Screening) -> View:
    minutes = s.setup.minutes()
    return View(screen="screening", title="Check how you move",
                lines=(f"{len(s.setup.probes)} movements, about {minutes} minutes.",
                       "GREEN: easy   AMBER: stiff   RED: painful"),
                buttons=dict(INTRO_BUTTONS), awaiting="start")


def _turn(
    s: Screening, awaiting: str | None, buttons: dict[Button, str], lines: tuple[str, ...]
) -> View:
    turn = s.current
    assert turn is not None
    return View(screen="probe", title=turn.probe.name(turn.side), lines=lines,
                set_label=f"{s.index + 1} of {len(s.turns)}", buttons=buttons,
                awaiting=awaiting, probe=turn.probe.id, side=turn.side)


def _setup(s: Screening) -> View:
    turn = s.current
    assert turn is not None
    setup, _ = turn.probe.lines(turn.side)
    return _turn(s, "ready", dict(READY_BUTTONS), setup)


def _move(s: Screening) -> View:
    turn = s.current
    assert turn is not None
    _, steps = turn.probe.lines(turn.side)
    view = _turn(s, None, {Button.RED: "Pain"}, tuple(step.say for step in steps))
    # Its own screen name keeps the breathing circle's place for the whole movement.
    return replace(view, screen="probe-move", pacer=s.pacer)


def _rate(s: Screening) -> View:
    return _turn(s, "probe", dict(RATE_BUTTONS),
                 ("How was that?", "Easy and smooth, stiff or limited, or painful?"))


def _pain(s: Screening) -> View:
    turn = s.current
    title = turn.probe.name(turn.side) if turn else "Pain"
    return View(screen="probe-pain", title=title, lines=("0 = none, 10 = worst",),
                pain=s.pain.value, buttons=dict(PAIN_BUTTONS), awaiting="pain")


def result_pages(s: Screening) -> int:
    """The result's screens: the grid's pages, then what changed (when anything did)."""
    return len(grid_pages(s.record(), s.setup)) + (1 if s.change_lines else 0)


def _result(s: Screening) -> View:
    grids = len(grid_pages(s.record(), s.setup))
    if s.page >= grids:
        return View(screen="signature", title="What changed", lines=tuple(s.change_lines),
                    buttons={Button.GREEN: "Go on"}, awaiting="continue", caption=s.caption)
    go_on = "Next" if s.page + 1 < result_pages(s) else "Go on"
    return signature_view(s.record(), s.setup, page=s.page, buttons={Button.GREEN: go_on})


def signature_view(record: ScreeningRecord, setup: SignatureSetup, *, page: int = 0,
                   buttons: dict[Button, str] | None = None) -> View:
    """The signature screen: a page of the left/right grid, a row per probe, and which page
    of how many when there are more."""
    pages = grid_pages(record, setup)
    return View(screen="signature", title="How you move", buttons=dict(buttons or {}),
                awaiting="continue", grid=pages[page],
                set_label=f"{page + 1} of {len(pages)}" if len(pages) > 1 else None)


def _done(s: Screening) -> View:
    return View(screen="screening", title="Check how you move", lines=())


BUILDERS: dict[str, Callable[[Screening], View]] = {
    "intro": _intro,
    "setup": _setup,
    "move": _move,
    "rate": _rate,
    "pain": _pain,
    "result": _result,
    "done": _done,
}


def view_of(s: Screening) -> View:
    return BUILDERS[s.phase.value](s)
