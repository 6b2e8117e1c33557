"""Drive the pure core like a person would, in milliseconds, with no hardware."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from kiosk.core.data.events import Effect, Finished, PowerOff, Save, Say, Tick, Tone
from kiosk.core.data.model import (
    Button,
    Family,
    Library,
    Plan,
    PlannedExercise,
    SessionSettings,
    Variation,
)
from kiosk.core.data.records import Record, SessionRecord
from kiosk.core.flows.kiosk import Kiosk
from kiosk.core.presses.buttons import ButtonTracker
from kiosk.sim import Hands, SimUser

FAST = SessionSettings(primer_seconds=20, rest_seconds=10, sets=2)


def variation(vid: str, *, start: int = 4, top: int = 8, side: str = "none") -> Variation:
    return Variation(
        id=vid, name=vid.replace("-", " ").title(), position="lying", effort="exhale",
        move="lift", back="lower", tempo=(2.0, 3.0), cues=(f"{vid} cue.",),
        start_reps=start, max_reps=top, side=side,
    )


def library() -> Library:
    fams = []
    for fid in ("bridge", "bird-dog", "squat"):
        ladder = tuple(variation(f"{fid}-{i}") for i in range(1, 4))
        fams.append(Family(fid, fid.title(), ladder))
    return Library(tuple(fams))


def fixed_planner(lib: Library, target: int = 4) -> Any:
    def plan(sessions: Sequence[SessionRecord], day: date, pain: int | None) -> Plan:
        items = tuple(PlannedExercise(f, f.ladder[0], target, "") for f in lib.families)
        return Plan(day.isoformat(), items)

    return plan


class Run:
    """A kiosk, a tracker and a simulated user on a shared fake clock."""

    def __init__(self, user: SimUser, *, settings: SessionSettings = FAST, planner: Any = None,
                 records: Sequence[Record] = (), day: str = "2026-11-25",
                 **kiosk: Any) -> None:
        lib = library()
        self.kiosk = Kiosk(planner or fixed_planner(lib), settings, records=records,
                           t0=0.0, wall0=datetime.fromisoformat(f"{day}T09:00:00"),
                           shutdown_enabled=True, **kiosk)
        self.tracker = ButtonTracker()
        self.user = user
        self.t = 0.0
        self.effects: list[Effect] = []
        self.effects += self.kiosk.boot()
        self.hands = Hands(self._edge, self.tracker.hold)

    def _edge(self, button: Button, down: bool) -> None:
        self.feed(self.tracker.edge(button, down, self.t))

    def feed(self, events: list[Any]) -> None:
        for ev in events:
            self.effects += self.kiosk.handle(ev)

    def step(self, dt: float = 0.05) -> None:
        self.t = round(self.t + dt, 3)
        self.hands.move_due(self.t)
        self.feed(self.tracker.tick(self.t))
        self.feed([Tick(self.t)])
        self.hands.follow(self.user, self.kiosk.view, self.t)

    def until_finished(self, limit: float = 3600.0) -> Run:
        started = False
        seen = 0  # effects already looked at for a PowerOff: each is looked at once
        while self.t < limit:
            self.step()
            started = started or self.kiosk.session is not None
            if started and self.kiosk.session is None and not self.hands.busy:
                return self
            if any(isinstance(e, PowerOff) for e in self.effects[seen:]):
                return self
            seen = len(self.effects)
        raise AssertionError(f"session did not finish in {limit} s; last view {self.kiosk.view}")

    @property
    def said(self) -> list[str]:
        return [e.text for e in self.effects if isinstance(e, Say)]

    @property
    def tones(self) -> list[str]:
        return [e.name for e in self.effects if isinstance(e, Tone)]

    @property
    def saved(self) -> list[Record]:
        """What history holds: a later save of the same id replaces the checkpoint before it."""
        by_id: dict[str, Record] = {}
        for e in self.effects:
            if isinstance(e, Save):
                by_id[e.record.id] = e.record
        return list(by_id.values())

    @property
    def saves(self) -> list[Record]:
        return [e.record for e in self.effects if isinstance(e, Save)]

    @property
    def sessions(self) -> list[SessionRecord]:
        """`saved`, for a run that saves only sessions: any other kind of record fails the test."""
        return [_session(r) for r in self.saved]

    @property
    def session_saves(self) -> list[SessionRecord]:
        """`saves`, for a run that saves only sessions: any other kind of record fails the test."""
        return [_session(r) for r in self.saves]

    @property
    def finished(self) -> bool:
        return any(isinstance(e, Finished) for e in self.effects)


def _session(record: Record) -> SessionRecord:
    assert isinstance(record, SessionRecord), f"expected only sessions saved, got {record!r}"
    return record



def _turns() -> list[tuple[str, str | None]]:
    from kiosk.config import DEFAULT_CONFIG, load_config

    cfg = load_config(DEFAULT_CONFIG).config
    return [(p.id, side) for p in cfg.signature.probes
            for side in (("left", "right") if p.sides else (None,))]


def movement_check(ratings: str | None = None) -> str:
    """The presses of a movement check with the packaged config: GREEN to begin, each turn
    GREEN when ready and its rating (``ratings``, a letter per turn; every movement easy by
    default), GREEN past each page of the result's grid (none changed: a first check)."""
    from kiosk.config import DEFAULT_CONFIG, load_config
    from kiosk.core.flows.screening_view import GRID_ROWS

    turns = _turns()
    ratings = ratings if ratings is not None else "g" * len(turns)
    assert len(ratings) == len(turns), f"a rating for each of the {len(turns)} turns"
    probes = len(load_config(DEFAULT_CONFIG).config.signature.probes)
    return " ".join(["g", *("g" + r for r in ratings), "g" * -(-probes // GRID_ROWS)])


def welcome_and_questions() -> str:
    """The presses of a first start's welcome and safety questions with the packaged config:
    GREEN through the welcome, AMBER ("no") to every question; the home screen follows."""
    from kiosk.config import DEFAULT_CONFIG, load_config
    from kiosk.core.coach.safety import GROUPS

    cfg = load_config(DEFAULT_CONFIG).config
    return "g" * len(cfg.wording.about) + " " + "a" * len(cfg.wording.asking(GROUPS)) + " "


def first_start(ratings: str | None = None) -> str:
    """The presses of a first start with the packaged config, up to the session's check-in:
    GREEN through the welcome, AMBER ("no") to every safety question, GREEN at home, then the
    movement check (``movement_check``). ``kiosk demo --presses`` answers every screen with
    the script (issue 30), so a script meant for the session first walks the first start."""
    return welcome_and_questions() + "g " + movement_check(ratings) + " "


def stiff_left_ratings() -> str:
    """The ratings of ``movement_check`` as the stiff-left person gives them (kiosk/sim.py)."""
    from kiosk.sim import STIFF_LEFT

    return "".join("a" if turn in STIFF_LEFT else "g" for turn in _turns())
