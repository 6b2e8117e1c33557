"""The breath timeline: every rep of every exercise, laid out breath by breath.

One timeline drives every channel: the voice says a beat's words, the tones play its breath,
the pacer circle and the breath LED fill and empty with it. They cannot disagree, because
they read the same beats.

The rules the timeline keeps (tests/core/test_breath.py checks them for every variation):

* The breath always alternates, across reps too. A set opens with one lead-in breath (in to
  prepare, for a movement on the out-breath), each rep moves on its effort breath, breathes
  through any hold (whole breaths: in, then out, or the other way round), and comes back on the
  other breath. The next rep then moves on the effort breath again: never two of one in a row.
* Every spoken cue that starts a breath names it ("Breathe out as you lift your hips.").
* Rep 1, and every ``GUIDE_EVERY``-th count after it, gets the full words; between them a count
  and the breath's name start the rep, and the tones carry the rest.
* Alternating reps are counted in pairs: "Left, three." then "Right, three.".
* Every cue has a short form (``Beat.short``) that still names the breath. The session says it
  when the full cue would run past its breath (kiosk/core/words/speech.py): the breath never waits
  for
  the voice.

Pure: a function of the variation, the rep number and the side. No clock: a beat has seconds,
and the session places the beats on its own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.core.data.model import Breath, Variation
from kiosk.core.words import phrases

GUIDE_EVERY = 3  # full words on rep 1 and on counts 3, 6, 9...
WALK_SECONDS = 60.0  # a rep of a walking variation is a minute of paced breathing


class Role(StrEnum):
    LEAD_IN = "lead-in"  # the one breath before the first movement of a set
    MOVE = "move"  # the movement, on the effort breath
    HOLD = "hold"  # a breath taken while the position is held
    RETURN = "return"  # the way back, on the other breath


@dataclass(frozen=True)
class Beat:
    """One breath of a set: its role, its breath, how long it lasts and what is said at its
    start. ``hold_left`` is the hold still to go when the beat starts (holds only), so the
    screen can count the hold down while the pacer keeps breathing."""

    role: Role
    breath: Breath
    seconds: float
    rep: int  # 0 for the lead-in
    side: str | None = None
    say: tuple[str, ...] = ()
    hold_left: float = 0.0
    short: tuple[str, ...] = ()  # the short form of each line of ``say``, in order

    def cues(self) -> tuple[tuple[str, str], ...]:
        """Each line with its short form ("" where there is none)."""
        shorts = self.short + ("",) * (len(self.say) - len(self.short))
        return tuple(zip(self.say, shorts, strict=True))

    @property
    def tone(self) -> str:
        return self.breath.tone


def count(v: Variation, rep: int) -> int:
    """The number said for ``rep``: alternating reps count pairs (left 3, right 3)."""
    return (rep + 1) // 2 if v.side == "alternate" else rep


def rep_side(
    v: Variation, rep: int, set_side: str | None = None, *, first: str | None = None
) -> str | None:
    """The side a rep works: alternating reps go left, right, left... (or from ``first``, the
    side the movement signature puts first); "each" uses the set's."""
    if v.side == "alternate":
        start, other = ("right", "left") if first == "right" else ("left", "right")
        return start if rep % 2 else other
    return set_side


def guided(v: Variation, rep: int) -> bool:
    """Full words on this rep? A walking minute is one long rep: only the first is guided."""
    if v.unit == "minutes":
        return rep == 1
    n = count(v, rep)
    return n == 1 or n % GUIDE_EVERY == 0


def lead_in(v: Variation, side: str | None = None, *, name_side: bool = False) -> Beat:
    """The breath before a set's first movement: the opposite of the effort breath. With
    ``name_side`` its words begin with the side ("Left side. Breathe in to prepare.")."""
    b = v.breath
    breath = b.effort.other
    say = phrases.lead_in(v, side if name_side else None)
    return Beat(Role.LEAD_IN, breath, b.seconds(breath), 0, side, (say,),
                short=(phrases.breath_only(breath),))


def walk_breaths(v: Variation) -> int:
    """Breath pairs in one minute of a walking variation."""
    b = v.breath
    return max(1, round(WALK_SECONDS / (b.inhale + b.exhale)))


def rep_beats(
    v: Variation, rep: int, set_side: str | None = None, *, first: str | None = None
) -> tuple[Beat, ...]:
    """The beats of one rep, in order. It starts on the effort breath and ends on the other,
    so a rep can follow the lead-in or another rep without two breaths of a kind in a row."""
    if v.unit == "minutes":
        return _walk(v, rep, set_side)
    b = v.breath
    side = rep_side(v, rep, set_side, first=first)
    words = guided(v, rep)
    opener = phrases.rep_opener(v, rep, count(v, rep), side, b.effort, words=words)
    short = (phrases.rep_opener(v, rep, count(v, rep), side, b.effort, words=False)
             if words else phrases.breath_only(b.effort))
    beats = [Beat(Role.MOVE, b.effort, b.seconds(b.effort), rep, side, (opener,),
                  short=(short,))]
    left = b.hold_seconds
    for i in range(2 * b.hold_breaths):
        breath = b.effort.other if i % 2 == 0 else b.effort
        say = (phrases.hold_cue(breath, first=i == 0),) if i == 0 or words else ()
        beats.append(Beat(Role.HOLD, breath, b.seconds(breath), rep, side, say, left,
                          short=(phrases.breath_only(breath),) if say else ()))
        left -= b.seconds(breath)
    back = b.effort.other
    say = (phrases.return_cue(v, back),) if words else ()
    beats.append(Beat(Role.RETURN, back, b.seconds(back), rep, side, say,
                      short=(phrases.breath_only(back),) if say else ()))
    return tuple(beats)


def _walk(v: Variation, rep: int, set_side: str | None) -> tuple[Beat, ...]:
    """A minute of walking: breath pairs, the steps paced by the breath. The minute's count and
    its breath open it; on a guided minute the first pair also says what to do."""
    b = v.breath
    words = guided(v, rep)
    beats: list[Beat] = []
    for i in range(walk_breaths(v)):
        move, back = b.effort, b.effort.other
        if i == 0:
            say_move: tuple[str, ...] = (phrases.rep_opener(v, rep, rep, None, move, words=words),)
            short_move: tuple[str, ...] = (phrases.rep_opener(v, rep, rep, None, move,
                                                              words=False),)
        else:
            say_move = short_move = ()
        say_back = (phrases.return_cue(v, back),) if i == 0 and words else ()
        short_back = (phrases.breath_only(back),) if say_back else ()
        beats.append(Beat(Role.MOVE, move, b.seconds(move), rep, set_side, say_move,
                          short=short_move))
        beats.append(Beat(Role.RETURN, back, b.seconds(back), rep, set_side, say_back,
                          short=short_back))
    return tuple(beats)


def set_beats(v: Variation, reps: int, side: str | None = None) -> tuple[Beat, ...]:
    """A whole set of ``reps`` reps with no pause for rating: the lead-in, then every rep."""
    beats = [lead_in(v, side)]
    for rep in range(1, reps + 1):
        beats += rep_beats(v, rep, side)
    return tuple(beats)


def rep_seconds(v: Variation) -> float:
    """How long one rep's breaths take (the rating comes after)."""
    return sum(beat.seconds for beat in rep_beats(v, 2))
