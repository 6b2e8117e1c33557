"""The report's first page: the period "as prescribed" (issue 28, item 5). Pure: plain data in,
a ``FirstPage`` out, and ``to_html`` for its part of the page.

What a clinician reads first: the program in force and any change of it in the period; every
red-flag "yes" of the period and how it was resolved; the days with leg symptoms; the flares;
the exercises at their floor or waiting; adherence per week against the sessions aimed for;
and per exercise family the rung now against the first and last the clinician allowed, how
many weeks it has stood at one target, and whether it waits, and why. A review date that has
passed is said at the top.

The shell (kiosk/report.py) reads the clinician's program files with the config's loader and
hands them in as ``Version``s, with the plan of the last day (what waits, each family's rung):
the core never parses a program or plans.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kiosk.core.coach.evidence import flare
from kiosk.core.coach.safety import Group, How, SafetyCheck
from kiosk.core.data.records import SessionRecord
from kiosk.core.reports.progress import monday_of, something_done
from kiosk.core.words.plain import printable


def escape(text: str) -> str:
    return html.escape(printable(text))


@dataclass(frozen=True)
class Bounds:
    """One family as a program allows it: rungs counted from 1, easiest first."""

    family: str  # id
    name: str
    first: int
    last: int
    first_name: str
    last_name: str
    rungs: int  # the ladder's length
    max_reps: int | None = None


@dataclass(frozen=True)
class Version:
    """One version of the program: when it was loaded (None: config/program.toml, before any
    clinician's program) and what it says, in words and numbers."""

    loaded: datetime | None
    source: str  # usb | file | previous | "" for config/program.toml
    families: tuple[Bounds, ...]
    sessions_per_week: int
    review_on: date | None = None
    avoids: tuple[str, ...] = ()  # in words: "bending forward", "weights"
    contact: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        if self.loaded is None:
            return "the kiosk's default program (config/program.toml)"
        how = {"usb": "from a USB stick", "previous": "going back to the previous one",
               "file": "from a file"}.get(self.source, self.source)
        return f"the clinician's program loaded {self.loaded:%d %b %Y %H:%M}, {how}"


@dataclass(frozen=True)
class Standing:
    """Where one family stands on the last day: its rung and target now, since when."""

    variation: str  # id
    name: str
    rung: int  # from 1
    target: int
    since: date  # the first session of the current run at this variation and target


@dataclass(frozen=True)
class RedFlag:
    at: datetime
    groups: tuple[str, ...]  # of the questions answered yes
    questions: tuple[str, ...]
    resolution: str


@dataclass(frozen=True)
class AdherenceWeek:
    monday: date
    sessions: int  # sessions in which something was done
    aimed: int
    running: bool = False  # the week of the last day, not over yet

    @property
    def verdict(self) -> str:
        if self.sessions >= self.aimed:
            return "met"
        return "so far" if self.running else "below the aim"


@dataclass(frozen=True)
class FamilyRow:
    name: str
    now: str  # "Bridge march (rung 3), 10 reps", or "not done yet"
    allowed: str  # "rungs 2 to 5: Supported bridge to Bridge march, at most 12 reps"
    weeks_at_target: int | None
    waits: str  # why, or ""
    at_floor: bool


@dataclass(frozen=True)
class FirstPage:
    program: Version
    changes: tuple[tuple[Version, tuple[str, ...]], ...]  # each version loaded in the period
    review_due: date | None  # the review date, once it has passed
    red_flags: tuple[RedFlag, ...]
    legs_asked: bool  # whether sessions record leg symptoms at all (an older kiosk did not)
    leg_days: tuple[tuple[date, str], ...]
    flares: tuple[tuple[date, int, int], ...]  # (day, check-in, check-out)
    adherence: tuple[AdherenceWeek, ...]
    families: tuple[FamilyRow, ...]
    floor_or_waiting: tuple[tuple[str, str], ...] = field(default=())


def build(
    *, since: date, until: date, versions: Sequence[Version], sessions: Sequence[SessionRecord],
    checks: Sequence[SafetyCheck], cleared_on: date | None, standing: Mapping[str, Standing],
    waiting: Sequence[tuple[str, str]], flare_rise: int,
) -> FirstPage:
    """``versions``: every version of the program, oldest first (the first is the default);
    ``sessions``: those dated in the report's weeks; ``checks``: every round of safety answers
    (a "yes" is resolved later); ``standing``: each family's rung on the last day."""
    current = in_force(versions, until)
    changes = []
    for before, after in zip(versions, versions[1:], strict=False):
        if after.loaded is not None and since <= after.loaded.date() <= until:
            changes.append((after, what_changed(before, after)))
    inside = [s for s in sessions if since <= s.plan_date <= until]
    legs_asked = "legs" in SessionRecord.__dataclass_fields__
    leg_days = [(s.plan_date, LEG_WORDS.get(str(getattr(s, "legs", None)), ""))
                for s in inside if getattr(s, "legs", None) in LEG_WORDS]
    waits = dict(waiting)
    rows = [_family_row(b, standing.get(b.family), waits.get(b.name, ""), until)
            for b in current.families]
    floor = [(r.name, f"at its floor: {r.now}") for r in rows if r.at_floor and not r.waits]
    floor += [(r.name, f"waiting: {r.waits}") for r in rows if r.waits]
    return FirstPage(
        program=current, changes=tuple(changes),
        review_due=current.review_on if current.review_on and current.review_on <= until
        else None,
        red_flags=red_flags(checks, since, until, cleared_on),
        legs_asked=legs_asked, leg_days=tuple(sorted(set(leg_days))),
        flares=tuple((s.plan_date, s.pain_before or 0, s.pain_after or 0) for s in inside
                     if flare(s, flare_rise)),
        adherence=adherence(inside, versions, since, until),
        families=tuple(rows), floor_or_waiting=tuple(floor),
    )


LEG_WORDS = {"one": "one leg", "both": "both legs"}


def in_force(versions: Sequence[Version], day: date) -> Version:
    """The version in force at the end of ``day``: the newest loaded by then."""
    found = versions[0]
    for v in versions[1:]:
        if v.loaded is not None and v.loaded.date() <= day:
            found = v
    return found


def what_changed(before: Version, after: Version) -> tuple[str, ...]:
    """What a new version changed, in words, against the one before it."""
    said: list[str] = []
    old = {b.family: b for b in before.families}
    new = {b.family: b for b in after.families}
    added = [b.name for f, b in new.items() if f not in old]
    gone = [b.name for f, b in old.items() if f not in new]
    if added:
        said.append("added " + ", ".join(added))
    if gone:
        said.append("left out " + ", ".join(gone))
    for f, b in new.items():
        a = old.get(f)
        if a is not None and (a.first, a.last, a.max_reps) != (b.first, b.last, b.max_reps):
            said.append(f"{b.name}: {allowed_words(a)} became {allowed_words(b)}")
    if before.sessions_per_week != after.sessions_per_week:
        said.append(f"sessions a week {before.sessions_per_week} became "
                    f"{after.sessions_per_week}")
    if before.avoids != after.avoids:
        said.append("avoids " + (", ".join(after.avoids) or "nothing"))
    if before.review_on != after.review_on and after.review_on is not None:
        said.append(f"review by {after.review_on:%d %b %Y}")
    return tuple(said) or ("no change to the exercises or the aim",)


def red_flags(checks: Sequence[SafetyCheck], since: date, until: date,
              cleared_on: date | None) -> tuple[RedFlag, ...]:
    """Every round of the period with a "yes", and how it was resolved by ``until``."""
    out = []
    for i, c in enumerate(checks):
        yes = [a for a in c.answers if a.yes]
        if not yes or not since <= c.day <= until:
            continue
        groups = tuple(dict.fromkeys(str(a.group) for a in yes))
        out.append(RedFlag(c.at, groups, tuple(a.question for a in yes),
                           _resolution(c, checks[i + 1:], cleared_on, until)))
    return tuple(out)


def _resolution(c: SafetyCheck, later: Sequence[SafetyCheck], cleared_on: date | None,
                until: date) -> str:
    """As kiosk.core.coach.safety decides it: an emergency or urgent "yes" is resolved by a
    later round in which the person said a clinician had seen them and then answered "no" to
    every emergency and urgent question, or by a clearance dated on or after it; a background
    "yes" by a clearance; an advice "yes" stops nothing."""
    cleared = cleared_on is not None and c.day <= cleared_on <= until
    if c.acute_yes:
        for d in later:
            if d.day > until:
                break
            if d.acute_yes:
                return "not resolved before another urgent or emergency \"yes\" on " \
                       f"{d.day:%d %b %Y}"
            if d.seen is How.GREEN and d.acute_clear:
                return (f"resolved {d.day:%d %b %Y}: the person said a clinician had seen "
                        "them, then answered no to every emergency and urgent question")
        if cleared:
            return f"cleared by the clinician on {cleared_on:%d %b %Y} ([safety] cleared_on)"
        return "NOT RESOLVED: exercise stays stopped until a clinician has seen the person"
    if c.yes_in(Group.BACKGROUND):
        if cleared:
            return f"cleared by the clinician on {cleared_on:%d %b %Y} (cleared_on)"
        return "NOT CLEARED: exercise waits for the clinician's clearance (cleared_on)"
    return "advice: to mention to the clinician; exercise went on"


def adherence(sessions: Sequence[SessionRecord], versions: Sequence[Version], since: date,
              until: date) -> tuple[AdherenceWeek, ...]:
    """Each week of the period: the sessions in which something was done, against the
    sessions a week the program in force at the week's end aimed for."""
    out = []
    monday = monday_of(since)
    while monday <= until:
        sunday = monday + timedelta(days=6)
        done = sum(1 for s in sessions
                   if monday <= s.plan_date <= sunday and since <= s.plan_date <= until
                   and something_done(s))
        aimed = in_force(versions, min(sunday, until)).sessions_per_week
        out.append(AdherenceWeek(monday, done, aimed, running=sunday > until))
        monday += timedelta(weeks=1)
    return tuple(out)


def allowed_words(b: Bounds) -> str:
    """What a program allows of a family, in words: its rungs and a rep cap."""
    span = (f"rung {b.first} ({b.first_name})" if b.first == b.last else
            f"rungs {b.first} to {b.last} ({b.first_name} to {b.last_name})")
    cap = f", at most {b.max_reps} reps" if b.max_reps else ""
    return f"{span} of {b.rungs}{cap}"


def _family_row(b: Bounds, now: Standing | None, waits: str, until: date) -> FamilyRow:
    if now is None:
        return FamilyRow(b.name, "not done yet", allowed_words(b), None, waits, False)
    said = f"{now.name} (rung {now.rung}), target {now.target}"
    weeks = max(0, (until - now.since).days) // 7
    return FamilyRow(b.name, said, allowed_words(b), weeks, waits, now.rung <= b.first)


# --- the page -----------------------------------------------------------------------------------
def to_html(page: FirstPage) -> str:
    """The first page's section: ``<section id="prescribed">``, before everything else."""
    p = page.program
    parts = ['<section id="prescribed"><h2>As prescribed</h2>']
    if page.review_due is not None:
        parts.append(f'<p class="flag" id="review-due">The program was due for review with the '
                     f"clinician on {page.review_due:%d %b %Y}.</p>")
    aims = f"{p.sessions_per_week} sessions a week"
    avoid = f"; avoids {', '.join(p.avoids)}" if p.avoids else ""
    review = f"; review by {p.review_on:%d %b %Y}" if p.review_on else ""
    parts.append(f"<p>In force: {escape(p.label)}. Aim: {aims}{escape(avoid)}{review}."
                 + (f" Contact: {escape(p.contact)}." if p.contact else "")
                 + (f" Note: {escape(p.note)}" if p.note else "") + "</p>")
    if page.changes:
        rows = "".join(f"<li>{escape(v.label)}: {escape('; '.join(said))}.</li>"
                       for v, said in page.changes)
        parts.append(f"<p>Changes of the program in this period:</p><ul>{rows}</ul>")
    else:
        parts.append('<p class="note">No change of the program in this period.</p>')
    parts.append(_table("families", ["Exercise", "Now", "Allowed", "Weeks at this target",
                                     "Waiting"],
                        [(r.name, r.now, r.allowed, r.weeks_at_target, r.waits or "-")
                         for r in page.families]))
    parts.append("<h3>Red flags</h3>" + (_table(
        "red-flags", ["When", "Group", "Answered yes", "How it was resolved"],
        [(f"{f.at:%Y-%m-%d %H:%M}", ", ".join(f.groups), ", ".join(f.questions), f.resolution)
         for f in page.red_flags]) if page.red_flags else
        '<p class="note" id="red-flags">No red-flag question was answered yes in this '
        "period.</p>"))
    parts.append("<h3>Adherence per week</h3>" + _table(
        "adherence", ["Week of", "Sessions done", "Aimed for", ""],
        [(f"{w.monday:%Y-%m-%d}", w.sessions, w.aimed, w.verdict) for w in page.adherence]))
    if not page.legs_asked:
        legs = "Leg symptoms are not recorded by this kiosk's sessions."
    elif page.leg_days:
        legs = "; ".join(f"{d:%d %b}: {what}" for d, what in page.leg_days)
    else:
        legs = "None reported in this period."
    flares = ("; ".join(f"{d:%d %b}: pain {a} after {b}" for d, b, a in page.flares)
              or "None in this period.")
    floor = ("; ".join(f"{n}: {w}" for n, w in page.floor_or_waiting) or "None.")
    parts.append(f'<p id="leg-days"><b>Leg-symptom days:</b> {escape(legs)}</p>'
                 f'<p id="flares"><b>Flares</b> (pain at check-out risen by the stop '
                 f"threshold or more over check-in): {escape(flares)}</p>"
                 f'<p id="floor-or-waiting"><b>At their floor or waiting:</b> {escape(floor)}'
                 "</p></section>")
    return "\n".join(parts)


def _table(ident: str, head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    if not rows:
        return f'<p class="note" id="{ident}">None in this period.</p>'
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{'-' if c is None else escape(str(c))}</td>"
                                    for c in row) + "</tr>" for row in rows)
    return f'<table id="{ident}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'
