"""The program and the rhythm's settings: which families a session works on, and the thresholds
of "progress at a human rhythm" (docs/progression.md). Pure: plain data, built by the config
layer (config/program.toml and the [progression] keys) and read by the rules.

* The program is a bounded set of families, met every session, or every second session in a
  fixed A/B split when the session's minutes are short. The rest of the library waits; a family
  enters only when a program family reaches its top rung and the program names what follows it
  (``follows``). A clinician's program (``clinician``) offers no other family at all.
* Absence is the person's: the step back after a break counts the days since their last
  session with an exercise done, and grows with the gap (``away_days``).
* An exercise that keeps hurting waits until a clinician clears it (``cleared``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from kiosk.core.data.model import Library


@dataclass(frozen=True)
class Program:
    """The families a session works on, in the order written; ``follows``: a family that enters
    when the one named reaches its top rung (the default program's chain)."""

    families: tuple[str, ...]
    follows: Mapping[str, str] = field(default_factory=dict)
    clinician: bool = False  # a clinician's own program: no other family is ever offered
    # family -> the rung (a variation id) a new family starts on; not named: its first rung.
    # The highest a family ever starts: the movement signature may only start it lower.
    starts: Mapping[str, str] = field(default_factory=dict)

    def start_rungs(self, library: Library) -> dict[str, frozenset[str]]:
        """Every rung a family may start on under this program (its start rung and each one
        below it, for the signature's ``start`` rule), for the replay to read a first
        session where it was done."""
        out: dict[str, frozenset[str]] = {}
        for fid, vid in self.starts.items():
            ladder = [v.id for f in library.families if f.id == fid for v in f.ladder]
            if vid in ladder:
                out[fid] = frozenset(ladder[:ladder.index(vid) + 1])
        return out


@dataclass(frozen=True)
class Rhythm:
    """The rhythm rules' settings. Defaults are the shipped ones (config/kiosk.toml)."""

    program: Program | None = None  # None: the whole library in turn (the older rotation)
    # The step back after a break, from the person's last session with an exercise done: from
    # [progression] reentry_days one micro-step; from these, two micro-steps, back to the
    # rung's start reps, and a gentle restart a rung lower with a new screening offered.
    away_days: tuple[int, int, int] = (14, 28, 60)
    # RED for pain in this many of a family's last ``wait_of`` sessions: it waits.
    wait_hurts: int = 3
    wait_of: int = 5
    # Family id -> the day a clinician cleared it: a wait begun on or before that day ends.
    cleared: Mapping[str, date] = field(default_factory=dict)
    # Middle-band sessions in a row (clean reps of at least fray_fraction, below target) after
    # which the target meets the person at their clean count.
    meet_after: int = 3
    # A check-out this far above the check-in makes the session a flare ([session]
    # pain_rise_stop).
    flare_rise: int = 2
    # A walk of this many minutes or more happens away from the kiosk: "Did you walk N minutes?"
    walk_away_minutes: int = 7

    def key(self) -> list[Any]:
        """What a replay depends on, for the snapshot key."""
        p = self.program
        program = None if p is None else [list(p.families), sorted(p.follows.items()),
                                          p.clinician, sorted(p.starts.items())]
        return [program, list(self.away_days), self.wait_hurts, self.wait_of,
                sorted((f, d.isoformat()) for f, d in self.cleared.items()), self.meet_after,
                self.flare_rise, self.walk_away_minutes]

    def text(self) -> str:
        return json.dumps(self.key())


def walk_capped(library: Library, cap: int) -> Library:
    """Walking (a family in minutes) climbs to ``cap`` minutes on its top rung."""
    families = []
    for f in library.families:
        top = f.ladder[-1] if f.ladder else None
        if top is not None and top.unit == "minutes" and cap > top.max_reps:
            f = replace(f, ladder=f.ladder[:-1] + (replace(top, max_reps=cap),))
        families.append(f)
    return Library(tuple(families))


def with_loads(library: Library, kilos: Mapping[str, float]) -> Library:
    """Each loaded rung named in ``kilos`` (variation id -> kg) carries its load in kg."""
    if not kilos:
        return library
    return Library(tuple(
        replace(f, ladder=tuple(replace(v, load_kg=float(kilos[v.id])) if v.id in kilos and
                                v.load else v for v in f.ladder))
        for f in library.families
    ))
