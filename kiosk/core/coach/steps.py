"""One family's state machine: the day's one step, and what a saved session does to it. Pure.

The rules, in the order they are tried when a family is first planned on a day (at most one
step a day, and only from the days before it; docs/progression.md):

1. A family that waits (it hurt in ``wait_hurts`` of its last ``wait_of`` sessions) moves
   nothing until a clinician clears it; it then comes back where the pain rule left it, a rung
   below where it hurt.
2. After a break (days since the person's last session with an exercise done), it starts
   lower, the further the longer the break.
3. After early frays, ``fray_sessions`` in a row, the target comes down to what was clean.
4. After ``meet_after`` sessions in a row in the middle band (clean reps of at least
   ``fray_fraction`` of the target, but below it), the target meets the clean count, once.
5. After clean sessions (``advance_needed`` of ``advance_window``, or one on the first
   ``quick_rungs``), it steps up, unless today is a bad day or the last session of it was a
   flare.

A pain event steps back one variation at once, even the same day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from kiosk.core.coach.evidence import DayRecord, Entry, ProgressionRules
from kiosk.core.coach.ladder import Ladder
from kiosk.core.coach.program import Rhythm
from kiosk.core.coach.track import Cause

if TYPE_CHECKING:
    from kiosk.core.coach.track import _Day, _Track


def away_steps(gap: int, rules: ProgressionRules, rhythm: Rhythm) -> int:
    """How far a break of ``gap`` days steps back (reasons.AWAY_STEPS): 0 for none."""
    if gap < rules.reentry_days:
        return 0
    two, start, restart = rhythm.away_days
    return 1 if gap < two else 2 if gap < start else 3 if gap < restart else 4


def start_day(
    t: _Track, day: date, bad: bool, rules: ProgressionRules, rhythm: Rhythm,
    first: int | None = None, away: int = 0,
) -> None:
    """Take the day's one step, the first time the exercise is planned on ``day``. A family
    done for the first time starts where it was done (``first``): the first rung, unless the
    movement signature started it higher (kiosk.core.coach.signature). ``away``: days since the
    person's last session with an exercise done, when that is today's gap."""
    if t.day == day:
        return
    t.day = day
    if t.level is None:
        t.level = first or 0
        return
    if t.waits is not None:
        cleared = rhythm.cleared.get(t.ladder.family.id)
        if cleared is None or cleared < t.waits or day < cleared:
            return  # it waits for a clinician: nothing moves meanwhile
        t.waits = None
        t.hurts.clear()
        t.since.clear()
        t.cause = Cause("cleared")
    level = t.level
    gap, t.away = max(t.away, away), 0
    if steps := away_steps(gap, rules, rhythm):
        _reenter(t, gap, steps, rules)
    elif frayed := _frayed(t.since, rules):
        _to_floor(t, frayed, rules)
    elif (met := _middle(t, rhythm)) is not None:
        _meet(t, met, rules, rhythm)
    elif not bad and not t.flare and (earned := _earned(t, rules)) is not None:
        if t.floor is not None:
            t.move(level, earned, t.floor + 1)  # climbs back one rep at a time
        else:
            t.move(t.ladder.up(level), earned)
    if t.saved_at is not None:
        anchor(t)


def _reenter(t: _Track, gap: int, steps: int, rules: ProgressionRules) -> None:
    """Back after a break, further the longer it was: one micro-step, two, the rung's start
    reps (at least three), or a rung lower at its start reps. Never more reps than before."""
    t.since.clear()  # what was shown before a break says little about today
    level, ladder = t.level or 0, t.ladder
    cause = Cause("reenter", gap, steps)
    if t.floor is not None:
        if steps < 4:
            t.move(level, cause, max(rules.floor_reps, t.floor - steps))
        else:
            below = ladder.variation_below(level)
            t.move(below, cause, min(t.floor, ladder.reps(below)))
        return
    start = min(ladder.entry(level), max(0, level - 3))
    new = {1: max(0, level - 1), 2: max(0, level - 2), 3: start}.get(
        steps, min(start, ladder.variation_below(level)))
    t.move(new, cause)


def _to_floor(t: _Track, frayed: int, rules: ProgressionRules) -> None:
    """Early frays, ``fray_sessions`` days in a row: the target comes down to what those days
    did cleanly (the lower of them, never below ``floor_reps``). When even the floor frays,
    the family steps back a variation, at its start reps; on the first rung it stays put."""
    level, target = t.level or 0, t.target
    reached = [d.reached for d in last_counted(t.since, frayed) if d.reached is not None]
    cause = Cause("fray", frayed)
    if target <= rules.floor_reps:
        if t.ladder.rung(level) > 0:
            t.move(t.ladder.variation_below(level), cause)
        else:
            t.since.clear()  # the bottom of the ladder: the signal has been heard
        return
    new = min(target - 1, max(rules.floor_reps, min(reached, default=rules.floor_reps)))
    _lower_target(t, new, cause)


def _lower_target(t: _Track, new: int, cause: Cause) -> None:
    level = t.level or 0
    start = t.ladder.variation(level).start_reps
    if new >= start:
        t.move(t.ladder.at(level, new), cause)
    else:
        t.move(t.ladder.entry(level), cause, new)


def _middle(t: _Track, rhythm: Rhythm) -> int | None:
    """The clean count to meet: ``meet_after`` counted days in a row at this level, each in the
    middle band, and the target not met there already; else None."""
    n = max(1, rhythm.meet_after)
    last = last_counted(t.since, n)
    if len(last) < n or not all(d.middle is not None and not d.clean for d in last):
        return None
    clean = min(d.middle for d in last if d.middle is not None)
    level = t.level or 0
    if t.met is not None and level - max(0, t.ladder.reps(level) - clean) <= t.met:
        return None  # met there before: it holds now, and never loops between two targets
    return clean


def _meet(t: _Track, clean: int, rules: ProgressionRules, rhythm: Rhythm) -> None:
    """The target comes to the clean count (consistent with "perfect capacity"), once: from
    then on it holds there, or climbs, and never loops down again for the same reason."""
    new = max(rules.floor_reps, clean)
    if new < t.target:
        _lower_target(t, new, Cause("meet", clean, max(1, rhythm.meet_after)))
    t.met = _steps_of(t.ladder, t.level or 0, t.target)
    t.since.clear()


def _frayed(since: Sequence[_Day], rules: ProgressionRules) -> int:
    """``fray_sessions`` days in a row, at this level, that frayed early; else 0."""
    n = max(1, rules.fray_sessions)
    last = last_counted(since, n)
    return n if len(last) == n and all(d.early for d in last) else 0


def last_counted(days: Sequence[_Day], n: int) -> list[_Day]:
    """The last ``n`` days with counted sessions, newest first (fewer if there are fewer).
    Walking back from the end keeps a long history cheap: a plan looks at a few days only."""
    found: list[_Day] = []
    for d in reversed(days):
        if d.sessions:
            found.append(d)
            if len(found) == n:
                break
    return found


def _earned(t: _Track, rules: ProgressionRules) -> Cause | None:
    """An advance, if ``advance_needed`` of the last ``advance_window`` days were clean at
    this level and none of them (nor any day between them) had a pain event."""
    window: list[_Day] = []
    for d in reversed(t.recent):
        if d.pain:
            return None
        if d.sessions:
            window.append(d)
            if len(window) >= rules.advance_window:
                break
    if not window:
        return None
    # Only days at this level count; the reason names those ("two of your last three").
    mine = [d for d in last_counted(t.since, len(window)) if d.day >= window[-1].day]
    if t.ladder.rung(t.level or 0) < rules.quick_rungs:
        # The quicker start: on the first rungs, where the work is easy, one clean day at this
        # level is enough, as long as it is the latest one.
        if mine and mine[0].clean:
            return Cause("advance", 1, 1)
        return None
    clean = sum(1 for d in mine if d.clean)
    if clean >= max(1, rules.advance_needed):
        return Cause("advance", clean, len(mine))
    return None


def replay_entry(
    t: _Track, rec: DayRecord, e: Entry, bad: bool, rules: ProgressionRules, rhythm: Rhythm,
    starts: frozenset[str] = frozenset(),
) -> None:
    if e.offered:
        t.offered = rec.index
    if not (e.done or e.pain):
        return  # skipped, or never reached: not a session of this exercise
    # A family starts where its first session did it, when that is a rung the signature's
    # rules may start it on (``starts``); anything else starts on the first rung, so a session
    # saved while the clock was wrong (or an odd record) can never start a ladder higher.
    first = None
    if t.level is None and e.done and e.at is not None and e.at[0] in starts:
        first = t.ladder.level_of(e.at)
    start_day(t, rec.day, bad, rules, rhythm, first)
    if e.done:
        # Where it was done, as saved, when that was under the rules before these.
        t.saved_at = e.at if rec.old_rules and not bad else None
    if e.done:
        t.done_at, t.done_day, t.cause = (t.level or 0, t.target), rec.day, None
        t.done += 1
        t.flare = False  # heard: this session of it is the "next time"
    # A session on a bad day was done at an easier variation: only its pain counts.
    t.note(rec.day, counted=e.done and not bad, entry=e)
    if e.pain and t.level is not None:
        # Back a variation, at its start reps, but never to more reps than now: pain never
        # leads to more load, not even on an easier movement.
        below = t.ladder.variation_below(t.level)
        t.move(below, Cause("pain"), min(t.target, t.ladder.reps(below)))
        t.since.clear()  # answered once, even on the first rung where it cannot go lower
    t.hurts.append(e.pain)
    del t.hurts[:-max(1, rhythm.wait_of)]
    if t.waits is None and sum(t.hurts) >= rhythm.wait_hurts:
        t.waits = rec.day


def anchor(t: _Track) -> None:
    """It was last done under the rules before these (no jump on upgrade): the day's step is
    taken from where it was done, as saved, and goes at most one step either way from there;
    only a pain event on that day may have taken it further back, as it did before."""
    saved = t.ladder.level_of(t.saved_at)
    at = t.saved_at
    t.saved_at = None
    if saved is None or at is None or t.level is None:
        return
    was = _steps_of(t.ladder, saved, at[1])
    now = _steps_of(t.ladder, t.level, t.target)
    hurt = bool(t.recent) and t.recent[-1].pain
    if now > was + 1 or (now < was - 1 and not hurt):
        t.level, t.floor = _from_steps(t.ladder, was + (1 if now > was else -1))
    if (t.level, t.target) != (saved, at[1]) or t.cause is not None:
        t.cause = Cause("rules") if t.cause is None or now != _steps_of(
            t.ladder, t.level, t.target) else t.cause
    t.done_at = (saved, at[1])


def _steps_of(ladder: Ladder, level: int, target: int) -> int:
    """A (level, target) as micro-steps from the bottom; a floor is that many steps lower."""
    return level - max(0, ladder.reps(level) - target)


def _from_steps(ladder: Ladder, steps: int) -> tuple[int, int | None]:
    if steps >= 0:
        return min(steps, ladder.top), None
    return 0, max(1, ladder.reps(0) + steps)
