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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from kiosk.core.data.model import Family, Library, Variation
from kiosk.core.data.records import ProgramRecord


@dataclass(frozen=True)
class Limits:
    """What a clinician's program allows of one family: its first and last variation (ids in
    the library; None: the ladder's own ends) and a cap on the reps (or minutes) of any rung."""

    first: str | None = None
    last: str | None = None
    max_reps: int | None = None


@dataclass(frozen=True)
class Program:
    """The families a session works on, in the order written; ``follows``: a family that enters
    when the one named reaches its top rung (the default program's chain).

    A clinician's program (issue 28, docs/program.md) also bounds each family (``limits``) and
    leaves out every rung that loads an avoided direction, is done in an avoided position, or
    (``avoid_loads``) carries a load. ``since``: when it was loaded (None: config/program.toml);
    a session saved before it was planned under another program, so the replay goes on from
    where that session was done (kiosk.core.coach.steps.anchor)."""

    families: tuple[str, ...]
    follows: Mapping[str, str] = field(default_factory=dict)
    clinician: bool = False  # a clinician's own program: no other family is ever offered
    # family -> the rung (a variation id) a new family starts on; not named: its first rung.
    # The highest a family ever starts: the movement signature may only start it lower.
    starts: Mapping[str, str] = field(default_factory=dict)
    limits: Mapping[str, Limits] = field(default_factory=dict)  # family id -> its bounds
    avoid_directions: frozenset[str] = frozenset()
    avoid_positions: frozenset[str] = frozenset()
    avoid_loads: bool = False
    since: datetime | None = None
    loads_kg: Mapping[str, float] = field(default_factory=dict)  # a clinician's own kilos

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

    def rungs(self, family: Family) -> tuple[int, ...]:
        """The indexes of the family's variations this program allows, easiest first: from its
        first to its last, without an avoided direction, position or load. Empty when none is
        left (the program's check says so)."""
        limits = self.limits.get(family.id, Limits())
        ids = [v.id for v in family.ladder]
        lo = ids.index(limits.first) if limits.first in ids else 0
        hi = ids.index(limits.last) if limits.last in ids else len(ids) - 1
        return tuple(k for k in range(lo, hi + 1) if self.allows(family.ladder[k]))

    def allows(self, v: Variation) -> bool:
        """Whether a variation is free of everything this program avoids."""
        return not (self.avoid_directions.intersection(v.directions)
                    or v.position in self.avoid_positions
                    or (self.avoid_loads and (bool(v.load) or v.position == "loaded")))

    def cap(self, family_id: str) -> int | None:
        return self.limits.get(family_id, Limits()).max_reps

    def key(self) -> list[Any]:
        """What a replay depends on, for the snapshot key."""
        key: list[Any] = [list(self.families), sorted(self.follows.items()), self.clinician,
                          sorted(self.starts.items())]
        limits = sorted((f, [x.first, x.last, x.max_reps]) for f, x in self.limits.items())
        more = [limits, sorted(self.avoid_directions), sorted(self.avoid_positions),
                self.avoid_loads, None if self.since is None else self.since.isoformat(),
                sorted(self.loads_kg.items())]
        # The default program's key as it was before a clinician's fields, so its snapshots fit.
        return key + more if more != [[], [], [], False, None, []] else key


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
    # How a clinician's program saved in the history reads (kiosk.config.program.reader): the
    # rhythm under it, from this one. None: programs in the history are not read (a replay of
    # sessions alone, as before issue 28).
    read: ProgramReader | None = field(default=None, compare=False, repr=False)

    def key(self) -> list[Any]:
        """What a replay depends on, for the snapshot key."""
        program = None if self.program is None else self.program.key()
        return [program, list(self.away_days), self.wait_hurts, self.wait_of,
                sorted((f, d.isoformat()) for f, d in self.cleared.items()), self.meet_after,
                self.flare_rise, self.walk_away_minutes]

    def text(self) -> str:
        return json.dumps(self.key())


ProgramReader = Callable[["Rhythm", ProgramRecord], "Rhythm"]


def shaped_families(program: Program | None) -> frozenset[str]:
    """The families whose ladders a program bounds: its own, and those it lets follow."""
    if program is None:
        return frozenset()
    return frozenset(program.families) | frozenset(program.follows.values())


@dataclass(frozen=True)
class Terms:
    """What the kiosk says and counts from the clinician's program in force, besides its
    families (docs/program.md). All empty for config/program.toml."""

    record: str | None = None  # the ProgramRecord's id; None: config/program.toml
    at: datetime | None = None  # when it was loaded
    source: str = ""  # usb | file | previous
    sessions_per_week: int | None = None  # replaces [rhythm] weekly_target
    review_on: date | None = None
    cleared_on: date | None = None  # the safety questions' background group, cleared
    contact: str = ""  # said after "contact your clinician"
    note: str = ""  # said once


REVIEW_DUE = "Your program is due for review with your clinician."


def note_line(note: str) -> str:
    return f"Your clinician's note: {note}" if note else ""


def program_notes(terms: Terms, session_days: Sequence[datetime], today: date) -> tuple[str, ...]:
    """What a plan says from the program (its notes): once a week, from the review date on,
    that it is due for review (in the week's first session); and a note from a program loaded
    by `kiosk program load` in the first session after it (the menu said it when it was
    accepted). ``session_days``: when each saved session started."""
    notes: list[str] = []
    monday = today - timedelta(days=today.weekday())
    if terms.review_on is not None and today >= terms.review_on and not any(
            monday <= s.date() <= today for s in session_days):
        notes.append(REVIEW_DUE)
    if terms.note and terms.at is not None and terms.source == "file" and not any(
            s >= terms.at for s in session_days):
        notes.append(note_line(terms.note))
    return tuple(notes)


def with_contact(text: str, contact: str) -> str:
    """A line that sends the person to their clinician, with how to reach them."""
    if contact and "contact your clinician" in text.lower() and contact not in text:
        return f"{text} {contact if contact.endswith(('.', '!', '?')) else contact + '.'}"
    return text


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
