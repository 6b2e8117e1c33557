"""The movement signature: what a screening found, side by side, and how it tunes the program.

A screening (``kiosk.core.flows.screening``) saves a ``ScreeningRecord``: each probe's rating, per
side where there are sides. This module reads it:

* ``asymmetries``: where the left and right were rated differently, and which was stiffer;
* ``changes``: what differs from the screening before ("Left hip rotation: stiff on
  12 October, easy today");
* ``tuning``: the rules of config/signature.toml applied to it. A rule only tunes the
  configured program (order, first side, extra reps on the stiffer side, the rung a new family
  starts on, families held back while their movement hurts); it never adds an exercise. Each
  choice keeps its reason, in words, for ``kiosk plan`` and the voice;
* ``sides_behind``: a side that stayed behind on a one-sided exercise for several sessions.

Pure: records in, plain data out. The rules and probes arrive as frozen dataclasses from the
config loader (``kiosk.config.load_signature``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from kiosk.core.data.records import ProbeResult, ScreeningRecord, SessionRecord
from kiosk.core.words.phrases import number

SIDES = ("left", "right")
# Worst last: a side is "stiffer" when its rating comes later here.
SEVERITY = {"easy": 0, "stiff": 1, "painful": 2}
WORDS = {"easy": "easy", "stiff": "stiff", "painful": "painful", "skipped": "not done"}
WHEN = ("stiff", "painful", "uneven")
# A rule's ``start`` that names no rung: one rung below where the program starts the family
# (never below its first rung).
LOWER = "lower"
MONTHS = ("January February March April May June July August September October November "
          "December").split()


# --- the probes and the rules, as config gives them ----------------------------------------
@dataclass(frozen=True)
class ProbeStep:
    say: str
    seconds: float  # the wait after the line: its breath, or the hold


@dataclass(frozen=True)
class Probe:
    """One movement of the screening, done and rated once, or once per side."""

    id: str
    label: str  # "hip rotation": said after the side, "Left hip rotation"
    sides: bool
    setup: tuple[str, ...]
    steps: tuple[ProbeStep, ...]

    def name(self, side: str | None) -> str:
        """"Left hip rotation", or "Sit to stand" for a probe with no sides."""
        if side is None:
            return self.label[:1].upper() + self.label[1:]
        return f"{side.capitalize()} {self.label}"

    def lines(self, side: str | None) -> tuple[tuple[str, ...], tuple[ProbeStep, ...]]:
        """The setup and the steps with "{side}" filled in."""
        word = side or ""
        return (tuple(s.replace("{side}", word) for s in self.setup),
                tuple(ProbeStep(s.say.replace("{side}", word), s.seconds) for s in self.steps))


@dataclass(frozen=True)
class Rule:
    """One line of the tuning table in config/signature.toml."""

    probe: str
    when: str  # stiff | painful | uneven
    family: str
    reason: str
    early: bool = False
    start: str | None = None  # a variation id of ``family`` (never above the program's), or LOWER
    first_side: str | None = None  # "stiffer"
    extra_reps: int = 0
    hold: bool = False
    max_position: str | None = None
    # With hold: every family whose ladder loads this direction waits (``family`` is then "").
    direction: str | None = None


@dataclass(frozen=True)
class SignatureSetup:
    """The screening's probes, when it falls due, and the tuning rules."""

    probes: tuple[Probe, ...] = ()
    rules: tuple[Rule, ...] = ()
    every_days: int = 28  # 0: only on demand
    first_run: bool = True
    # family -> the directions any of its rungs loads (the exercise library's tags), for the
    # rules that hold back a direction
    loads: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def probe(self, probe_id: str) -> Probe | None:
        return next((p for p in self.probes if p.id == probe_id), None)

    def minutes(self, rate_wpm: int = 150) -> int:
        """About how long a screening takes, to say when offering it."""
        from kiosk.core.words.phrases import speech_seconds

        total = 0.0
        for p in self.probes:
            once = sum(speech_seconds(s, rate_wpm) for s in p.setup) + 6.0  # + getting ready
            once += sum(s.seconds for s in p.steps) + 5.0  # + the rating
            total += once * (2 if p.sides else 1)
        return max(1, round(total / 60))


# --- reading one signature ----------------------------------------------------------------
def rating(record: ScreeningRecord, probe: str, side: str | None) -> str | None:
    """The rating of ``probe`` on ``side`` in ``record``; None when it was not reached."""
    for r in record.results:
        if r.probe == probe and r.side == side:
            return r.rating
    return None


@dataclass(frozen=True)
class Asymmetry:
    probe: str
    stiffer: str  # left | right
    left: str
    right: str

    @property
    def other(self) -> str:
        return "right" if self.stiffer == "left" else "left"


def asymmetries(record: ScreeningRecord) -> list[Asymmetry]:
    """Probes whose two sides were rated differently (both rated), in the screening's order."""
    found: list[Asymmetry] = []
    for probe in dict.fromkeys(r.probe for r in record.results if r.side is not None):
        left, right = rating(record, probe, "left"), rating(record, probe, "right")
        if left in SEVERITY and right in SEVERITY and left != right:
            stiffer = "left" if SEVERITY[left] > SEVERITY[right] else "right"
            found.append(Asymmetry(probe, stiffer, left, right))
    return found


def asymmetry_line(a: Asymmetry, probes: SignatureSetup) -> str:
    p = probes.probe(a.probe)
    label = p.label if p is not None else a.probe
    return f"{label[:1].upper() + label[1:]}: left {WORDS[a.left]}, right {WORDS[a.right]}."


def spoken_date(day: date) -> str:
    """"12 October": how a date is said and shown in a change."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def changes(before: ScreeningRecord, now: ScreeningRecord, probes: SignatureSetup) -> list[str]:
    """Every probe and side rated differently in the two screenings, said plainly:
    "Left hip rotation: stiff on 12 October, easy today". Not reached in either: left out."""
    lines = []
    for r in now.results:
        then = rating(before, r.probe, r.side)
        if then is None or then == "skipped" or r.rating == "skipped" or then == r.rating:
            continue
        p = probes.probe(r.probe)
        name = p.name(r.side) if p is not None else f"{r.side or ''} {r.probe}".strip()
        lines.append(f"{name}: {WORDS[then]} on {spoken_date(before.day)}, "
                     f"{WORDS[r.rating]} today.")
    return lines


# --- tuning the program ---------------------------------------------------------------------
@dataclass(frozen=True)
class SideTuning:
    first: str  # left | right: the stiffer side, done first
    extra: int  # more reps on it


@dataclass(frozen=True)
class Tuning:
    """What a signature changes in the plan, each with its reason. Empty: the plan as ever."""

    early: tuple[str, ...] = ()  # families to put first, in this order
    start: Mapping[str, str] = field(default_factory=dict)  # family -> variation (new only)
    sides: Mapping[str, SideTuning] = field(default_factory=dict)
    held: Mapping[str, str] = field(default_factory=dict)  # family -> why it waits
    max_position: str | None = None  # hold back families past this position today
    position_reason: str = ""
    reasons: Mapping[str, str] = field(default_factory=dict)  # family -> why it is tuned
    # family -> why it starts lower: said only when it does (a new family, above its floor)
    start_reasons: Mapping[str, str] = field(default_factory=dict)
    day: date | None = None  # the signature's date
    # family -> every rung a rule may start it on: how the replay reads a first session there
    allowed: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.early or self.start or self.sides or self.held or self.max_position)


def _fires(rule: Rule, record: ScreeningRecord) -> Asymmetry | bool:
    if rule.when == "uneven":
        return next((a for a in asymmetries(record) if a.probe == rule.probe), False)
    want = rule.when  # stiff | painful
    return any(r.probe == rule.probe and r.rating == want for r in record.results)


def tuning(record: ScreeningRecord | None, setup: SignatureSetup) -> Tuning:
    """The rules of ``setup`` applied to the latest signature ``record`` (None: no tuning).

    Rules are read in order; for one family the first rule that sets a thing wins, and a
    family held back is only held back (nothing else of it matters today)."""
    allowed: dict[str, frozenset[str]] = {}
    for rule in setup.rules:
        if rule.start and rule.start != LOWER:  # LOWER: the program's rungs (Program.start_rungs)
            allowed[rule.family] = allowed.get(rule.family, frozenset()) | {rule.start}
    if record is None:
        return Tuning(allowed=allowed)
    early: list[str] = []
    start: dict[str, str] = {}
    sides: dict[str, SideTuning] = {}
    held: dict[str, str] = {}
    reasons: dict[str, str] = {}
    start_reasons: dict[str, str] = {}
    max_position, position_reason = None, ""
    for rule in setup.rules:
        fired = _fires(rule, record)
        if not fired:
            continue
        stiffer = fired if isinstance(fired, Asymmetry) else None
        reason = rule.reason
        if stiffer is not None:
            reason = reason.replace("{side}", stiffer.stiffer).replace("{other}", stiffer.other)
        if rule.hold and rule.direction is not None:
            # A probe that hurts holds what loads its direction, and nothing else: painful
            # forward bending holds the bending drills, not walking.
            for family, dirs in setup.loads.items():
                if rule.direction in dirs:
                    held.setdefault(family, reason)
            continue
        if rule.hold:
            held.setdefault(rule.family, reason)
            if rule.max_position and max_position is None:
                max_position, position_reason = rule.max_position, reason
            continue
        if rule.start and not (rule.early or rule.first_side):
            start_reasons.setdefault(rule.family, reason)  # only a start: said if it starts lower
        else:
            reasons.setdefault(rule.family, reason)
        if rule.early and rule.family not in early:
            early.append(rule.family)
        if rule.start:
            start.setdefault(rule.family, rule.start)
        if rule.first_side and stiffer is not None:
            sides.setdefault(rule.family, SideTuning(stiffer.stiffer, rule.extra_reps))
    early = [f for f in early if f not in held]
    return Tuning(tuple(early), start, sides, held, max_position, position_reason,
                  {f: r for f, r in reasons.items() if f not in held},
                  {f: r for f, r in start_reasons.items() if f not in held}, record.day,
                  allowed)


def latest(records: Iterable[object]) -> ScreeningRecord | None:
    """The latest signature: the last screening saved that rated anything."""
    found = None
    for r in records:
        if isinstance(r, ScreeningRecord) and any(p.rating != "skipped" for p in r.results):
            found = r
    return found


def due(records: Sequence[object], today: date, setup: SignatureSetup) -> str | None:
    """Why a screening should be offered today: "first-run", "due", or None."""
    last = None
    for r in records:
        if isinstance(r, ScreeningRecord):
            last = r
    if last is None:
        return "first-run" if setup.first_run and setup.probes else None
    if setup.every_days and (today - last.day).days >= setup.every_days:
        return "due"
    return None


# --- sides all the way through ------------------------------------------------------------
def side_clean(session: SessionRecord, family: str) -> dict[str, int] | None:
    """Clean reps per side of ``family`` in ``session`` (sets done one side at a time); None
    when it had no sided sets there."""
    found: dict[str, int] = {}
    for ex in session.exercises:
        if ex.family != family or ex.skipped:
            continue
        for s in ex.sets:
            if s.side in SIDES:
                found[s.side] = found.get(s.side, 0) + s.clean_reps
    return found if len(found) == 2 else None


@dataclass(frozen=True)
class Behind:
    family: str
    name: str  # the family's name
    side: str
    sessions: int

    @property
    def line(self) -> str:
        return (f"{self.name}: your {self.side} side has been behind for "
                f"{number(self.sessions)} sessions. Take it gently, and give it time.")


LOOK_BACK = 60  # sessions: a family not done on both sides since then has nothing to say now


def sides_behind(sessions: Sequence[SessionRecord], names: Mapping[str, str],
                 runs: int = 3) -> list[Behind]:
    """Families where one side had fewer clean reps than the other in each of the last
    ``runs`` sessions that did it on both sides. One pass back over the last ``LOOK_BACK``
    sessions, so a plan over years of history stays as quick as over a week's."""
    last: dict[str, list[dict[str, int]]] = {f: [] for f in names}
    for s in list(sessions[-LOOK_BACK:])[::-1]:
        for family in {ex.family for ex in s.exercises} & last.keys():
            if len(last[family]) < runs and (counts := side_clean(s, family)) is not None:
                last[family].append(counts)
    out: list[Behind] = []
    for family, name in names.items():
        seen = last[family]
        if len(seen) < runs:
            continue
        for side in SIDES:
            other = "right" if side == "left" else "left"
            if all(c[side] < c[other] for c in seen):
                out.append(Behind(family, name, side, runs))
    return out


def results_by_probe(record: ScreeningRecord) -> dict[str, dict[str | None, ProbeResult]]:
    out: dict[str, dict[str | None, ProbeResult]] = {}
    for r in record.results:
        out.setdefault(r.probe, {})[r.side] = r
    return out
