"""The weekly summary, in plain spoken words. Pure.

"This week: four sessions. Bridge went from nine to eleven clean reps. Pain averaged three, down
from four." What went well comes first; a quiet week is told as it is, never as a failure, and
nothing is said about days without a session. A rise in pain big enough to matter (kiosk/core/
change.py) sends the person to their clinician, with no guess about why.

The numbers are the history screens' numbers (kiosk/core/reports/progress.py): a session's clean
reps for
an exercise are the clean reps of all its sets, and a week's pain is the mean of every rating in
it (check-ins, check-outs and the pain log).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.core.coach.change import pain_change
from kiosk.core.data.records import Record, SessionRecord
from kiosk.core.reports.progress import (
    clean_by_family,
    family_name,
    mean,
    monday_of,
    pain_points,
    pain_ratings,
    recent,
    something_done,
)
from kiosk.core.words.phrases import number, plural

# How far back "from" may look for an exercise's last session before the week.
LOOK_BACK_WEEKS = 8
# How far back any history screen or summary reads, from today: last week's summary (said after
# the week's first session) looks LOOK_BACK_WEEKS weeks before last week's Monday. The store reads
# the months this reaches into at start-up, and no more (kiosk/store/months.py).
READ_BACK_DAYS = 7 * (LOOK_BACK_WEEKS + 2)
MOST_GAINS = 2  # named one by one; more are counted, so the summary stays short
FLAT_WEEKS = 3  # an exercise at one target this long is said (issue 26)
NO_BETTER_WEEKS = 6  # pain no better than this many weeks ago: "mention it to your clinician"
NO_BETTER_FROM = 3  # ...when it is at least this (a mean of one or two is left alone)
FLARE_RISE = 2  # a check-out this far above the check-in: pain rose after the session


@dataclass(frozen=True)
class Gain:
    """An exercise that went up this week: more clean reps on the same rung, or a rung up."""

    name: str  # the family's name, e.g. "Bridge"
    before: int
    after: int
    new_step: str | None = None  # the variation's name, when the rung went up


@dataclass(frozen=True)
class WeekFacts:
    monday: date
    sessions: int  # sessions in which something was done
    gains: tuple[Gain, ...]
    pain: float | None  # the mean of the week's ratings
    pain_last_week: float | None
    # Issue 26, the honest summary:
    flat: tuple[str, ...] = ()  # exercises at one target for FLAT_WEEKS weeks
    flares: int = 0  # sessions this week followed by more pain (a flare)
    pain_rising: bool = False  # the weekly mean rose two weeks running
    no_better: bool = False  # pain no better than NO_BETTER_WEEKS weeks ago
    waiting: tuple[str, ...] = ()  # exercises that wait for a clinician (they kept hurting)


Ladders = Mapping[str, tuple[str, Sequence[str]]]  # family id -> (name, variation ids)


def week_facts(
    records: Sequence[Record], day: date, ladders: Ladders, waiting: Sequence[str] = (),
    flare_rise: int = FLARE_RISE,
) -> WeekFacts:
    """``waiting``: the names of the exercises that wait for a clinician (from the plan)."""
    monday = monday_of(day)
    sunday = monday + timedelta(days=6)
    since = monday - timedelta(weeks=LOOK_BACK_WEEKS)
    kept = recent(records, since)
    sessions = [
        r for r in kept if isinstance(r, SessionRecord) and something_done(r)
        and since <= r.plan_date <= sunday
    ]
    this_week = [s for s in sessions if s.plan_date >= monday]
    earlier = [s for s in sessions if s.plan_date < monday]
    this_pain = [v for p in pain_points(kept, monday, sunday) for v in pain_ratings(p)]
    last_monday = monday - timedelta(weeks=1)
    last_pain = [
        v for p in pain_points(kept, last_monday, monday - timedelta(days=1))
        for v in pain_ratings(p)
    ]
    def week_mean(weeks_back: int) -> float | None:
        first = monday - timedelta(weeks=weeks_back)
        points = pain_points(kept, first, first + timedelta(days=6))
        return mean([v for p in points for v in pain_ratings(p)])

    now, before, before_that = mean(this_pain), mean(last_pain), week_mean(2)
    rising = (now is not None and before is not None and before_that is not None
              and now > before > before_that and pain_change(before_that, now).meaningful)
    then = week_mean(NO_BETTER_WEEKS)
    no_better = (now is not None and then is not None and now >= NO_BETTER_FROM
                 and not (now < then and pain_change(then, now).meaningful))
    flares = sum(1 for s in this_week if s.pain_before is not None and s.pain_after is not None
                 and s.pain_after - s.pain_before >= flare_rise)
    gained = gains(earlier, this_week, ladders)
    went_up = {g.name for g in gained}  # more clean reps at one target is still progress
    return WeekFacts(
        monday=monday,
        sessions=len(this_week),
        gains=gained,
        pain=now,
        pain_last_week=before,
        flat=tuple(n for n in flat(sessions, sunday, ladders) if n not in went_up),
        flares=flares,
        pain_rising=rising,
        no_better=no_better,
        waiting=tuple(waiting),
    )


def flat(sessions: Sequence[SessionRecord], sunday: date, ladders: Ladders) -> tuple[str, ...]:
    """Exercises done at one variation and target in every session of the last FLAT_WEEKS
    weeks, the first of them at least FLAT_WEEKS - 1 weeks before the last."""
    first = sunday - timedelta(weeks=FLAT_WEEKS) + timedelta(days=1)
    seen: dict[str, list[tuple[date, str, int]]] = {}
    for s in sessions:
        if first <= s.plan_date <= sunday:
            for ex in s.exercises:
                if ex.sets and not ex.skipped:
                    seen.setdefault(ex.family, []).append((s.plan_date, ex.variation, ex.target))
    out = []
    for family, done in seen.items():
        if len({(v, t) for _, v, t in done}) == 1 and (
                done[-1][0] - done[0][0]).days >= 7 * (FLAT_WEEKS - 1):
            out.append(family_name(family, ladders))
    return tuple(out)


def gains(
    earlier: Sequence[SessionRecord], week: Sequence[SessionRecord], ladders: Ladders
) -> tuple[Gain, ...]:
    """Each exercise whose last session this week beat where it stood before: its last session
    before the week, or else its first session this week."""
    before: dict[str, tuple[int, str, str]] = {}
    for s in earlier:
        before.update(clean_by_family(s))
    start: dict[str, tuple[int, str, str]] = {}
    end: dict[str, tuple[int, str, str]] = {}
    for s in week:
        for family, done in clean_by_family(s).items():
            start.setdefault(family, before.get(family, done))
            end[family] = done
    out = []
    order = [f for f in ladders if f in end] + sorted(f for f in end if f not in ladders)
    for family in order:
        (c0, v0, _), (c1, v1, name1) = start[family], end[family]
        ladder = ladders.get(family, (family, ()))[1]
        name = family_name(family, ladders)
        r0 = ladder.index(v0) if v0 in ladder else -1
        r1 = ladder.index(v1) if v1 in ladder else -1
        if v1 != v0 and r1 > r0 >= 0:
            out.append(Gain(name, c0, c1, new_step=name1))
        elif v1 == v0 and c1 > c0:
            out.append(Gain(name, c0, c1))
    return tuple(out)


def spoken_number(value: float) -> str:
    """A mean as it is said: rounded to the nearest whole number, halves up."""
    return number(int(value + 0.5))


EMERGENCY_REMINDER = ("If you notice numbness between your legs, or new bladder or bowel "
                      "trouble, get emergency care at once.")


def summary_lines(facts: WeekFacts, lead: str = "This week") -> tuple[str, ...]:
    """The summary as short sentences, what went well first."""
    if facts.sessions == 0:
        lines = [f"{lead}: a quiet week, no sessions. Whenever you are ready, GREEN starts one."]
    else:
        lines = [f"{lead}: {plural(facts.sessions, 'session')}."]
    for g in facts.gains[:MOST_GAINS]:
        if g.new_step and g.new_step.lower() != g.name.lower():
            lines.append(f"{g.name} moved up a step, to {g.new_step}.")
        elif g.new_step:
            lines.append(f"{g.name} moved up a step.")
        else:
            reps = plural(g.after, "clean rep")
            lines.append(f"{g.name} went from {number(g.before)} to {reps}.")
    if len(facts.gains) > MOST_GAINS:
        more = len(facts.gains) - MOST_GAINS
        lines.append(f"And {plural(more, 'more exercise')} went up.")
    if facts.flares:
        lines.append(f"{plural(facts.flares, 'session').capitalize()} "
                     f"{'was' if facts.flares == 1 else 'were'} followed by more pain, so "
                     "those exercises hold their level next time.")
    for name in facts.flat:
        lines.append(f"{name} has been at one target for {number(FLAT_WEEKS)} weeks.")
    for name in facts.waiting:
        lines.append(f"{name} waits, because it kept hurting. Please mention it to your "
                     "clinician.")
    if facts.pain is not None:
        week_before = "last week" if lead == "This week" else "the week before"
        lines.extend(pain_lines(facts.pain, facts.pain_last_week, week_before))
    if facts.pain_rising:
        lines.append("Pain has risen two weeks running.")
    if facts.no_better:
        lines.append(f"Pain is no better than {number(NO_BETTER_WEEKS)} weeks ago. Please "
                     "mention it to your clinician.")
    # Every week, whatever it held: the signs that need emergency care (docs/safety.md), so
    # they are heard between the rounds of questions too.
    lines.append(EMERGENCY_REMINDER)
    return tuple(lines)


def pain_lines(now: float, last: float | None, week_before: str = "last week") -> list[str]:
    said = spoken_number(now)
    if last is None:
        return [f"Pain averaged {said}."]
    before = spoken_number(last)
    change = pain_change(last, now)
    if said == before:
        return [f"Pain averaged {said}, the same as {week_before}."]
    if now < last:
        line = f"Pain averaged {said}, down from {before}."
        return [line, "That is a change that matters."] if change.meaningful else [line]
    line = f"Pain averaged {said}, up from {before}."
    if change.meaningful:
        return [line, "If it stays up, please talk to your clinician."]
    return [line]


def weekly_summary(
    records: Sequence[Record], day: date, ladders: Ladders, lead: str = "This week",
    waiting: Sequence[str] = (),
) -> str:
    """The summary for the week (Monday to Sunday) that holds ``day``, as one spoken text."""
    return " ".join(summary_lines(week_facts(records, day, ladders, waiting), lead))


def first_session_of_week(records: Sequence[Record], day: date) -> bool:
    """True until a session with something done has been saved in the week holding ``day``:
    the moment to say how last week went."""
    monday = monday_of(day)
    return not any(
        isinstance(r, SessionRecord) and monday <= r.plan_date <= day and something_done(r)
        for r in recent(records, monday)
    )
