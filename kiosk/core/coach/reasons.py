"""Why an exercise moved, or stayed, in one spoken sentence. Pure.

The reason never names the exercise: it is said right after the exercise's own name (the
variation, as on the screen), and every number is a word (``phrases.number``).
"""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.core.coach.evidence import ProgressionRules
from kiosk.core.coach.ladder import Ladder
from kiosk.core.coach.track import Cause, _Day, _Track
from kiosk.core.data.model import Change, Variation
from kiosk.core.words.phrases import duration, number

# How far back a break steps (Cause.of for "reenter"), as said.
AWAY_STEPS = {
    1: "we start one step lower",
    2: "we start two steps lower",
    3: "we start this step again from the beginning",
    4: "we restart gently, a step easier",
}
RULES_CHANGED = "The rules have changed; we go on from where you were."


def explain(t: _Track, now: tuple[int, int], rules: ProgressionRules) -> tuple[Change, str]:
    """The change and its spoken reason, from where the family was last done to ``now``
    (level, target)."""
    if t.done_at is None:
        return Change.NEW, "New for you, so we start gently."
    if t.cause is not None and t.cause.kind == "program" and now != t.done_at:
        v = t.ladder.variation(now[0])
        up = (t.ladder.rung(now[0]), now[1]) > (t.cause.count, t.cause.of)
        moved = t.ladder.rung(now[0]) != t.cause.count
        what = f"{lower(v.name)}, {reps(now[1], v)}" if moved else reps(now[1], v)
        return (Change.ADVANCE if up else Change.BACK,
                f"Now {what}, as your clinician's program sets it.")
    if t.cause is not None and t.cause.kind == "cleared" and now == t.done_at:
        v = t.ladder.variation(now[0])
        return Change.SAME, (f"Back now that your clinician has cleared it, at {reps(now[1], v)}"
                             ", its easiest step.")
    if now == t.done_at and t.cause is not None and t.cause.kind == "reenter":
        v = t.ladder.variation(now[0])  # a break, but it was already a step lower than shown
        return Change.SAME, f"It has been {span(t.cause.count)}, so we stay at {reps(now[1], v)}."
    if now == t.done_at or t.cause is None:
        return Change.SAME, staying(t, rules)
    up = now > t.done_at  # (level, target): a floor sits below its level's start reps
    kind = t.cause.kind
    change = Change.ADVANCE if up else (Change.REENTER if kind == "reenter" else Change.BACK)
    v = t.ladder.variation(now[0])
    if kind == "reenter" and not up:
        moved = t.ladder.rung(now[0]) != t.ladder.rung(t.done_at[0])
        what = f"{lower(v.name)}, {reps(now[1], v)}" if moved else reps(now[1], v)
        how = AWAY_STEPS.get(t.cause.of, AWAY_STEPS[1])
        return change, f"It has been {span(t.cause.count)}, so {how}: {what}."
    if kind == "meet" and not up:
        were = "was" if t.cause.count == 1 else "were"
        return change, (f"Now {reps(now[1], v)}: {number(t.cause.count)} {were} clean "
                        f"{times(t.cause.of)} in a row, so the target meets you there.")
    return change, sentence(f"{what_changed(t.ladder, t.done_at, now)}, because "
                            f"{why(t.cause)}.")


def staying(t: _Track, rules: ProgressionRules) -> str:
    """Why an exercise stays where it was last done, said rather than left out."""
    level = t.level or 0
    v = t.ladder.variation(level)
    at = number(t.target) + (" minutes" if v.unit == "minutes" else "")
    if t.flare:
        return (f"Staying at {at}: your pain rose after your last session, so nothing steps "
                "up this time.")
    # Evidence at this level, else (when the bottom of the ladder swallowed it) the last day,
    # when it slipped or hurt.
    last = _last_counted_day(t.since)
    if last is None and t.recent and (t.recent[-1].early or t.recent[-1].pain):
        last = t.recent[-1] if t.recent[-1].sessions else None
    if last is None:
        if t.recent and t.recent[-1].pain:
            return f"Staying at {at}: it hurt last time, and this is its easiest step."
        return f"Staying at {at}."
    if last.middle is not None and not last.clean:
        were = "was" if last.middle == 1 else "were"
        return f"Staying at {at}: {number(last.middle)} {were} clean last time."
    if last.early:
        return f"Staying at {at}: your technique slipped early last time."
    if last.pain:
        return f"Staying at {at}: it hurt last time, and this is its easiest step."
    if last.clean:
        if level >= t.ladder.top:
            if t.ladder.bounded:
                return f"Staying at {at}, as far as your clinician's program goes. Well done."
            return f"Staying at {at}, the top of this exercise. Well done."
        if any(d.pain for d in t.recent[-max(1, rules.advance_window):]):
            return f"Staying at {at}: it hurt not long ago, so we wait for more clean sessions."
        clean = sum(1 for d in t.since if d.sessions and d.clean)
        quick = t.ladder.rung(level) < rules.quick_rungs  # one clean day steps up there
        more = 1 if quick else max(1, rules.advance_needed - clean)
        return f"Staying at {at}: {number(more)} more clean {plural_of(more, 'session')} " \
               "and it steps up."
    return f"Staying at {at}."


def _last_counted_day(days: Sequence[_Day]) -> _Day | None:
    for d in reversed(days):
        if d.sessions:
            return d
    return None


def what_changed(ladder: Ladder, before: tuple[int, int], after: tuple[int, int]) -> str:
    v = ladder.variation(after[0])
    dose = reps(after[1], v)
    if ladder.rung(before[0]) != ladder.rung(after[0]):
        if after > before:
            return f"on to {lower(v.name)}, {step_words(v)}{dose}"
        return f"back to {lower(v.name)}, {dose}"
    if after > before:
        return f"up from {number(before[1])} to {dose}"
    return f"back to {dose}"


def step_words(v: Variation) -> str:
    """What the new rung changes, when the ladder says so: "the hold grows to two breaths, "."""
    return f"{v.step_note}, " if v.step_note else ""


def why(c: Cause) -> str:
    if c.kind == "pain":
        return "it hurt last time"
    if c.kind == "rules":
        return "the rules have changed, and we go on from where you were"
    if c.kind == "program":
        return "your clinician's program sets it"
    if c.kind == "cleared":
        return "it hurt before, and your clinician has cleared it to come back"
    if c.kind == "reenter":
        return f"it has been {span(c.count)}"
    if c.kind == "fray":
        if c.count == 1:
            return "your technique slipped early last time"
        return f"your technique slipped early {number(c.count)} times in a row"
    if c.kind == "meet":
        return f"{number(c.count)} were clean {times(c.of)} in a row"
    if c.count == c.of == 1:
        return "your last session was clean"
    if c.count == c.of:
        return f"your last {number(c.of)} sessions were {'all ' if c.of > 2 else ''}clean"
    return f"{number(c.count)} of your last {number(c.of)} sessions were clean"


def span(days: int) -> str:
    """A break in plain words, as every span is said (``phrases.duration``)."""
    return duration(days)


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{number(n)} times")


def plural_of(n: int, word: str, *, spoken: bool = False) -> str:
    """``word`` for ``n`` of it; with ``spoken``, the number in words before it."""
    w = word if n == 1 else f"{word}s"
    return f"{number(n)} {w}" if spoken else w


def reps(n: int, v: Variation) -> str:
    """A dose in words, in the variation's unit: "nine reps", "three minutes"."""
    unit = "minute" if v.unit == "minutes" else "rep"
    return f"{number(n)} {unit}" + ("" if n == 1 else "s")


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower(name: str) -> str:
    return name[:1].lower() + name[1:]
