"""The breath timeline: every rep of every exercise, laid out breath by breath.

One timeline drives every channel: the voice says a beat's words, the tones play its breath,
the pacer circle and the breath LED fill and empty with it. They cannot disagree, because
they read the same beats.

The rules the timeline keeps (tests/core/test_breath.py checks them for every variation):

* The breath always alternates, across reps, sets, rests and rituals too. A set starts on an
  in-breath and ends on an out-breath: its lead-in goes from the breath cued last to the one
  before the rep's first ("Breathe in to prepare.", or a whole breath when the rep starts on
  the in-breath), each rep moves on its effort breath, breathes through any hold (whole
  breaths), and comes back on the other breath; a set whose last rep ends on the in-breath
  closes with "Breathe out, and rest.". A rep may start with its way back (``starts = "back"``:
  the standing hip hinge starts standing, so hips back on the in-breath, then forward).
* A walking minute paces no breath: one beat a minute says the time done and left, with no
  breath tones; the person walks at their own breath.
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
WALK_SECONDS = 60.0  # a rep of a walking variation is a minute, walked at the person's own breath


class Role(StrEnum):
    LEAD_IN = "lead-in"  # the breaths before the first movement of a set
    MOVE = "move"  # the movement, on the effort breath
    HOLD = "hold"  # a breath taken while the position is held
    RETURN = "return"  # the way back, on the other breath
    CLOSE = "close"  # the out-breath that ends a set: "Breathe out, and rest."
    WALK = "walk"  # a minute of walking, no breath paced


@dataclass(frozen=True)
class Beat:
    """One breath of a set: its role, its breath, how long it lasts and what is said at its
    start. ``hold_left`` is the hold still to go when the beat starts (holds only), so the
    screen can count the hold down while the pacer keeps breathing."""

    role: Role
    breath: Breath
    seconds: float
    rep: int  # 0 for the lead-in and the close
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
    """Full words on this rep? (A walking minute always says its time.)"""
    if v.unit == "minutes":
        return True
    n = count(v, rep)
    return n == 1 or n % GUIDE_EVERY == 0


def lead_in(
    v: Variation, side: str | None = None, *, name_side: bool = False,
    after: Breath = Breath.OUT,
) -> tuple[Beat, ...]:
    """The breaths before a set's first movement: from the breath cued last (``after``; the
    out-breath when the person has been breathing freely) to the one before the rep's first.
    One breath ("Breathe in to prepare.") or a whole one ("Breathe in to prepare." "And
    breathe out."). With ``name_side`` its words begin with the side. A walk has none."""
    if v.unit == "minutes":
        return ()
    return prepare(v, side, name_side=name_side, after=after)


def prepare(
    v: Variation, side: str | None = None, *, name_side: bool = False,
    after: Breath = Breath.OUT,
) -> tuple[Beat, ...]:
    """The lead-in breaths, for a set or a ritual (see ``lead_in``)."""
    b = v.breath
    first = after.other if after is not Breath.FREE else Breath.IN
    breaths = [first] if first is not b.first else [first, first.other]
    beats = []
    for i, br in enumerate(breaths):
        say = (phrases.lead_in(br, side if name_side else None) if i == 0
               else phrases.and_breathe(br))
        beats.append(Beat(Role.LEAD_IN, br, b.seconds(br), 0, side, (say,),
                          short=(phrases.breath_only(br),)))
    return tuple(beats)


def rep_beats(
    v: Variation, rep: int, set_side: str | None = None, *, first: str | None = None,
    of: int = 0,
) -> tuple[Beat, ...]:
    """The beats of one rep, in order. It starts on its first breath (the effort, or the way
    back for a rep that starts there) and ends on the other, so a rep can follow the lead-in or
    another rep without two breaths of a kind in a row. ``of``: the set's target (a walk says
    the minutes left)."""
    if v.unit == "minutes":
        line = phrases.walk_minute(rep, of)
        return (Beat(Role.WALK, Breath.FREE, WALK_SECONDS, rep, set_side, (line,),
                     short=(line,)),)
    b = v.breath
    side = rep_side(v, rep, set_side, first=first)
    words = guided(v, rep)
    n = count(v, rep)
    back = b.effort.other
    if b.back_first:
        opener = phrases.rep_opener(v, rep, n, side, back, words=words, what=v.back)
        short = (phrases.rep_opener(v, rep, n, side, back, words=False)
                 if words else phrases.breath_only(back))
        beats = [Beat(Role.RETURN, back, b.seconds(back), rep, side, (opener,), short=(short,))]
        say = (phrases.movement_cue(b.effort, v.move),) if words else ()
        beats.append(Beat(Role.MOVE, b.effort, b.seconds(b.effort), rep, side, say,
                          short=(phrases.breath_only(b.effort),) if say else ()))
        return tuple(beats + _holds(v, rep, side, words))
    opener = phrases.rep_opener(v, rep, n, side, b.effort, words=words)
    short = (phrases.rep_opener(v, rep, n, side, b.effort, words=False)
             if words else phrases.breath_only(b.effort))
    beats = [Beat(Role.MOVE, b.effort, b.seconds(b.effort), rep, side, (opener,),
                  short=(short,))]
    beats += _holds(v, rep, side, words)
    say = (phrases.return_cue(v, back),) if words else ()
    beats.append(Beat(Role.RETURN, back, b.seconds(back), rep, side, say,
                      short=(phrases.breath_only(back),) if say else ()))
    return tuple(beats)


def _holds(v: Variation, rep: int, side: str | None, words: bool) -> list[Beat]:
    """The whole breaths held at the end of the movement, counting the hold down."""
    b = v.breath
    beats = []
    left = b.hold_seconds
    for i in range(2 * b.hold_breaths):
        breath = b.effort.other if i % 2 == 0 else b.effort
        say = (phrases.hold_cue(breath, first=i == 0),) if i == 0 or words else ()
        beats.append(Beat(Role.HOLD, breath, b.seconds(breath), rep, side, say, left,
                          short=(phrases.breath_only(breath),) if say else ()))
        left -= b.seconds(breath)
    return beats


def close(v: Variation, after: Breath, side: str | None = None) -> tuple[Beat, ...]:
    """The end of a set: an out-breath, "Breathe out, and rest.", when the last breath cued was
    an in-breath, so the next set's "Breathe in to prepare." never follows an in-breath."""
    if after is not Breath.IN:
        return ()
    return (Beat(Role.CLOSE, Breath.OUT, v.breath.exhale, 0, side, (phrases.SET_CLOSE,),
                 short=(phrases.breath_only(Breath.OUT),)),)


def last_breath(beats: tuple[Beat, ...], before: Breath = Breath.OUT) -> Breath:
    """The last paced breath of ``beats`` (``before`` when none is paced: a walk)."""
    paced = [b.breath for b in beats if b.breath is not Breath.FREE]
    return paced[-1] if paced else before


def set_beats(
    v: Variation, reps: int, side: str | None = None, *, after: Breath = Breath.OUT
) -> tuple[Beat, ...]:
    """A whole set of ``reps`` reps with no pause for rating: the lead-in, every rep, and the
    out-breath that closes it."""
    beats = list(lead_in(v, side, after=after))
    for rep in range(1, reps + 1):
        beats += rep_beats(v, rep, side, of=reps)
    return (*beats, *close(v, last_breath(tuple(beats), after), side))


def ritual_beats(v: Variation, steps: tuple[str, ...]) -> tuple[Beat, ...]:
    """A ritual on the breath of the rung it builds on: prepared like a set, then one step on
    each breath, from the rung's first breath (its effort, or its way back for a rung that
    starts there) and alternating, as the rung's rep moves; closed on an out-breath. Step
    ``i`` is the beat with ``rep == i + 1``."""
    b = v.breath
    beats = list(prepare(v))
    br = b.first
    for i, step in enumerate(steps):
        role = Role.MOVE if br is b.effort else Role.RETURN
        beats.append(Beat(role, br, b.seconds(br), i + 1, None,
                          (phrases.movement_cue(br, step),),
                          short=(phrases.breath_only(br),)))
        br = br.other
    return (*beats, *close(v, last_breath(tuple(beats))))


def rep_seconds(v: Variation) -> float:
    """How long one rep's breaths take (the rating comes after)."""
    return sum(beat.seconds for beat in rep_beats(v, 2))
