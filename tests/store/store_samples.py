"""Session records for the store tests, made by the real session state machine.

Records come from ``Session.record()`` itself, so the store is tested against exactly what the
kiosk saves: if the core's record changes shape, these tests notice. Imported by the tests and
by the power-cut child process, so it must not need pytest.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from kiosk.core.data.events import Hold, Press, Release, Save
from kiosk.core.data.model import (
    Button,
    Family,
    Plan,
    PlannedExercise,
    SessionSettings,
    Variation,
)
from kiosk.core.data.records import SessionRecord
from kiosk.core.flows.session import Session
from kiosk.store.records import encode
from kiosk.store.writer import SaveResult


def _variation(vid: str, side: str) -> Variation:
    return Variation(
        id=vid,
        name=vid.replace("-", " ").title(),
        position="lying",
        effort="exhale",
        move="lift",
        back="lower",
        tempo=(2.0, 3.0),
        cues=("Ribs down.",),
        start_reps=2,
        max_reps=8,
        side=side,
    )


BRIDGE = Family("bridge", "Bridge", (_variation("bridge-1", "none"),))
SIDE = Family("side-plank", "Side plank", (_variation("side-plank-1", "each"),))
DEAD_BUG = Family("dead-bug", "Dead bug", (_variation("dead-bug-1", "alternate"),))


class _Driver:
    """Presses the buttons of one session, one second apart."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.t = 0.0
        self.saved: list[SessionRecord] = []
        self._keep(session.start())

    def _keep(self, effects: list[Any]) -> None:
        self.saved += [e.record for e in effects if isinstance(e, Save)
                       and isinstance(e.record, SessionRecord)]

    def press(self, button: Button, times: int = 1) -> None:
        for _ in range(times):
            self.t += 1.0
            self._keep(self.s.handle(Press(button, self.t)))
            self._keep(self.s.handle(Release(button, self.t + 0.1)))

    def hold(self, button: Button) -> None:
        self.t += 1.0
        self._keep(self.s.handle(Press(button, self.t)))
        self._keep(self.s.handle(Hold(button, self.t + 1.0)))
        self._keep(self.s.handle(Release(button, self.t + 1.2, held=True)))
        self.t += 1.2


def real_record(
    session_id: str = "s1",
    started_at: str = "2026-11-25T09:00:00",
    *,
    pain_before: int = 2,
    pain_after: int = 1,
) -> SessionRecord:
    """A full session: clean sets, a slipped rep, a RED pain stop, a skip and a check-out."""
    start = datetime.fromisoformat(started_at)
    plan = Plan(
        start.date().isoformat(),
        (
            PlannedExercise(BRIDGE, BRIDGE.ladder[0], 2, "Two clean sets last time", "advance"),
            PlannedExercise(SIDE, SIDE.ladder[0], 2, "", "same"),
            PlannedExercise(DEAD_BUG, DEAD_BUG.ladder[0], 3, "New today", "new"),
        ),
    )
    session = Session(
        plan, SessionSettings(sets=2), t0=0.0, started_at=start, session_id=session_id
    )
    d = _Driver(session)
    d.press(Button.GREEN, pain_before)
    d.hold(Button.GREEN)  # check-in confirmed
    d.press(Button.AMBER)  # skip the breathing primer
    d.press(Button.GREEN)  # bridge: ready
    d.press(Button.GREEN, 2)  # set 1: two clean reps, target met
    d.press(Button.GREEN)  # next set
    d.press(Button.GREEN)
    d.press(Button.AMBER)  # set 2: clean, then slipped: the set and the exercise end
    d.press(Button.GREEN)  # side plank: ready, left side first
    d.press(Button.GREEN)
    d.press(Button.RED)  # pain: stop and rate it
    d.press(Button.GREEN)  # pain one above check-in
    d.hold(Button.GREEN)  # a small rise: go on
    d.press(Button.GREEN)
    d.press(Button.AMBER)  # dead bug: skipped
    d.press(Button.AMBER, pain_before + 1 - pain_after)
    d.hold(Button.GREEN)  # check-out
    *checkpoints, record = d.saved  # saved between exercises, then the final record
    assert all(c.id == record.id for c in checkpoints)
    assert record.ended_by == "complete", "the core changed: update this walk-through"
    return record


def real_json(session_id: str = "s1", started_at: str = "2026-11-25T09:00:00",
              **pain: int) -> dict[str, Any]:
    """``real_record`` as the history file holds it."""
    return encode(real_record(session_id, started_at, **pain))


class Results:
    """Collects SaveResults from the writer thread and lets a test wait for them."""

    def __init__(self) -> None:
        self.items: list[SaveResult] = []
        self._cond = threading.Condition()

    def __call__(self, result: SaveResult) -> None:
        with self._cond:
            self.items.append(result)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float = 120.0) -> list[SaveResult]:
        """Wait until ``count`` results have arrived, and return them all. ``timeout`` only
        ends a hung run."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.items) >= count, timeout):
                raise AssertionError(f"expected {count} save results, got {self.items}")
            return list(self.items)


class WallClock:
    """A wall clock the test sets by hand, to jump days or run backwards."""

    def __init__(self, start: str = "2026-11-25T09:00:00") -> None:
        self.time = datetime.fromisoformat(start)

    def __call__(self) -> datetime:
        return self.time

    def set(self, when: str) -> None:
        self.time = datetime.fromisoformat(when)
