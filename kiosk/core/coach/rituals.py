"""Integration rituals: short drills tied to a daily moment, and which of them are open today.

A ritual rehearses the breath and hip strategy of one exercise family inside a move of the day:
lifting the shopping, turning at a desk, reaching into the car. It builds on one rung of that
family's ladder (``builds_on``): it borrows that rung's breath model (tempo, which breath carries
the effort, where a rep starts), so its steps ride the same breath timeline as a set of that
rung (kiosk/core/coach/breath.py), and, if chosen, one of its cues. It opens once the
family's current rung is at least that one, so nobody rehearses a loaded lift before they can
hinge cleanly; a ritual that builds on a first rung is open from the first day. A step back
(after pain) closes it again.

Pure: plain data in and out. The library comes from ``config/rituals.toml`` through
``kiosk.config.load_rituals``; the family's current rung from ``kiosk.core.coach.progression``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kiosk.core.coach import breath
from kiosk.core.data.model import Family, Library, Variation
from kiosk.core.words import phrases
from kiosk.core.words.phrases import speech_seconds

DAY = 24 * 60  # minutes


def hhmm(minute: int) -> str:
    """Minutes after midnight as ``HH:MM``."""
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class Ritual:
    """One drill of 30 to 90 seconds, tied to a daily moment."""

    id: str
    name: str  # spoken when it is offered, e.g. "Grocery bag lift"
    moment: str  # when in the day it belongs, in words, e.g. "when you put the shopping away"
    builds_on: str  # a variation id: its breath and cues are reused; the ritual opens at it
    setup: str  # said first: where to stand, what to hold
    steps: tuple[str, ...]  # movements, each carried by one effort breath
    rounds: int = 1  # the steps are done this many times
    cue: int | None = None  # index of the builds_on variation's cue to say after the setup
    at: tuple[int, ...] = ()  # scheduled times of day, minutes after midnight
    fits: tuple[int, int] | None = None  # the part of the day it suits: [start, end), minutes

    @property
    def all_steps(self) -> tuple[str, ...]:
        """Every step in the order it is done: the steps, ``rounds`` times."""
        return self.steps * self.rounds


@dataclass(frozen=True)
class ScheduleSettings:
    """When offers may be made and how long they wait. Minutes throughout."""

    quiet: tuple[int, int] | None = (22 * 60, 7 * 60 + 30)  # [start, end), may wrap midnight
    snooze_minutes: int = 10
    answer_minutes: int = 2  # no answer within this long skips the ritual
    window_minutes: int = 30  # a ritual still due this long after its time (after a session)

    def is_quiet(self, minute: int) -> bool:
        return self.quiet is not None and in_range(minute, self.quiet)


@dataclass(frozen=True)
class RitualBook:
    """The ritual library, the schedule's settings and the weekly target."""

    rituals: tuple[Ritual, ...] = ()
    schedule: ScheduleSettings = ScheduleSettings()
    weekly_target: int = 5
    source: str = ""  # the file it came from, to name in messages

    def get(self, ritual_id: str) -> Ritual:
        for r in self.rituals:
            if r.id == ritual_id:
                return r
        raise KeyError(f"no ritual {ritual_id!r}")

    def times(self) -> tuple[tuple[str, int], ...]:
        """Every (ritual id, minute of the day) on the schedule, earliest first."""
        return tuple(sorted(((r.id, m) for r in self.rituals for m in r.at), key=lambda x: x[1]))


def in_range(minute: int, span: tuple[int, int]) -> bool:
    """Is ``minute`` in [start, end)? A span whose end is before its start wraps midnight."""
    start, end = span
    if start <= end:
        return start <= minute < end
    return minute >= start or minute < end


# --- what opens a ritual -------------------------------------------------------------------
@dataclass(frozen=True)
class Unlock:
    """Whether a ritual is open today, and why, in words for ``kiosk rituals``."""

    ritual: Ritual
    family: Family
    variation: Variation  # the rung it builds on: its breath and cues
    open: bool
    why: str


def unlocks(
    book: RitualBook, library: Library, current: Mapping[str, str]
) -> dict[str, Unlock]:
    """Each ritual's status, given each family's current variation id (``current``; a family
    not in it has not been done yet, so it stands on its first rung)."""
    out: dict[str, Unlock] = {}
    for r in book.rituals:
        try:
            family, needed = library.variation(r.builds_on)
        except KeyError:  # the library fell back and lost this rung: closed, and said so
            continue
        rungs = [v.id for v in family.ladder]
        at = rungs.index(needed.id)
        now_id = current.get(family.id, rungs[0])
        now = rungs.index(now_id) if now_id in rungs else 0
        if at == 0:
            why = f"open from the first day ({family.name})"
        elif now >= at:
            why = f"open: {family.name} has reached {_lower(needed.name)}"
        else:
            why = (f"opens when {family.name} reaches {_lower(needed.name)} "
                   f"(now: {_lower(family.ladder[now].name)})")
        out[r.id] = Unlock(r, family, needed, now >= at, why)
    return out


def open_ids(status: Mapping[str, Unlock]) -> frozenset[str]:
    return frozenset(rid for rid, u in status.items() if u.open)


def fitting(
    book: RitualBook, minute: int, allowed: Iterable[str], turn: int = 0
) -> Ritual | None:
    """The open ritual for a quick ritual ("A quick ritual" in the menu), taken in turn.

    The best fit for the hour first: among open rituals whose ``fits`` holds the minute, the
    one whose part of the day began most recently (the most particular moment); failing that,
    the open ritual whose part of the day began most recently before now. Then, in turn, every
    open ritual with no time on the schedule (Stairs has no slot and no part of the day, and
    would otherwise never be offered): ``turn`` (the quick rituals offered so far) picks among
    them. None only when no ritual is open at all.
    """
    ok = set(allowed)
    rituals = [r for r in book.rituals if r.id in ok]
    placed = [(r, r.fits) for r in rituals if r.fits is not None]
    inside = [(r, f) for r, f in placed if in_range(minute, f)]
    best = min(inside or placed, key=lambda rf: (minute - rf[1][0]) % DAY)[0] if placed else None
    choices = [*([best] if best else []), *(r for r in rituals if not r.at and r is not best)]
    if not choices:
        return rituals[0] if rituals else None
    return choices[turn % len(choices)]


def how_reached(ritual: Ritual) -> str:
    """How a ritual is offered, in words for ``kiosk rituals``."""
    if ritual.at:
        return "offered at " + " and ".join(hhmm(m) for m in ritual.at)
    if ritual.fits is not None:
        return (f"the quick ritual between {hhmm(ritual.fits[0])} and {hhmm(ritual.fits[1])} "
                "(menu: A quick ritual), in turn with the other unscheduled ones")
    return "the quick ritual (menu: A quick ritual), in turn with the one that fits the hour"


# --- how long a ritual takes, on its breath ---------------------------------------------
def duration(ritual: Ritual, v: Variation, speech: float) -> float:
    """Seconds the ritual takes: the spoken opening (``speech``), then every breath of its
    timeline (kiosk/core/coach/breath.py: the lead-in, one step a breath, the close)."""
    return speech + sum(b.seconds for b in breath.ritual_beats(v, ritual.all_steps))


def step_beats(ritual: Ritual, v: Variation) -> list[tuple[str, breath.Beat]]:
    """Each step, in the order done, with the breath that carries it (its words, its seconds)."""
    steps = ritual.all_steps
    return [(steps[b.rep - 1], b) for b in breath.ritual_beats(v, steps) if b.rep]


def ritual_cue(ritual: Ritual, v: Variation) -> str | None:
    """The cue of the rung it builds on that the ritual says after its setup, if any."""
    return v.cues[ritual.cue] if ritual.cue is not None and ritual.cue < len(v.cues) else None


def opening(ritual: Ritual, v: Variation) -> list[str]:
    """The lines said before the first breath: the name, the setup and the rung's cue."""
    return phrases.ritual_opening(ritual.name, ritual.setup, ritual_cue(ritual, v))


def total_seconds(ritual: Ritual, v: Variation, rate_wpm: int = 150) -> float:
    """How long the ritual takes with a voice of this rate."""
    return duration(ritual, v, sum(speech_seconds(x, rate_wpm) for x in opening(ritual, v)))


def _lower(name: str) -> str:
    return name[:1].lower() + name[1:]
