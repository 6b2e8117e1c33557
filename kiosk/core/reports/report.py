"""The clinician's report: the history of a period as plain facts, then as one offline HTML page.

Pure: typed records in, a ``Report`` (plain data) out, and ``to_html`` turns it into a string.
The shell (kiosk/report.py) draws the charts to PNG files and writes the page beside them.

The page loads nothing: no script, no font, no stylesheet or image from the network; the charts
are files in the same folder, and the only links are to the cited sources. A print stylesheet
fits the period on one or two A4 pages; the whole history follows as an appendix.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kiosk.core.coach.change import pain_change
from kiosk.core.coach.legs import leg_days
from kiosk.core.coach.rhythm import active_days
from kiosk.core.coach.safety import SafetyCheck
from kiosk.core.data.records import (
    PainEntry,
    PainEvent,
    ProgramRecord,
    PsfsRecord,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
)
from kiosk.core.flows.psfs import flags
from kiosk.core.reports.prescribed import FirstPage
from kiosk.core.reports.progress import day_of, mean, monday_of
from kiosk.core.words.phrases import number
from kiosk.core.words.plain import printable

DEFAULT_WEEKS = 12
STOPS = ("pain", "stop", "timeout", "interrupted")  # a session that did not end complete


def escape(text: str) -> str:
    """HTML-escaped, without the characters that control a terminal or reorder text."""
    return html.escape(printable(text))


@dataclass(frozen=True)
class Chart:
    """A chart drawn by the shell: its file name beside report.html, and what it shows."""

    file: str
    title: str
    alt: str


@dataclass(frozen=True)
class Week:
    monday: date
    sessions: int
    days: int  # days practised (a session with something done, or a ritual done)
    clean_reps: int
    pain: float | None  # the mean of every rating in the week
    ratings: int
    change: str = ""  # "meaningful fall" | "meaningful rise" | "" against the week before


@dataclass(frozen=True)
class Step:
    """A change of the program: the day, the exercise, what changed and why."""

    day: date
    name: str
    change: str
    reason: str


@dataclass(frozen=True)
class Progress:
    """One exercise family over the period: where it started and stands, and how it moved."""

    name: str
    start: str  # "Supported bridge, 6 reps"
    now: str
    advances: int
    backs: int  # steps back, for pain or slipping technique: never more load after pain
    reason: str  # the latest change's reason


@dataclass(frozen=True)
class Event:
    """A pain event, a pain-log entry or a session that stopped early."""

    at: datetime
    kind: str  # "RED: pain" | "pain log" | "session ended: <how>"
    pain: int | None
    where: str


@dataclass(frozen=True)
class Sides:
    """One exercise done one side at a time, over the period: each side's clean reps."""

    name: str
    sessions: int
    left: int
    right: int


AppendixRow = tuple[object, ...]  # (when, kind, pain before, pain after, clean reps, ended, what)


@dataclass(frozen=True)
class Report:
    since: date
    until: date
    generated: datetime
    program: tuple[tuple[str, int, str], ...]  # (exercise, target, its last change's reason)
    weeks: tuple[Week, ...]
    target: int
    steps: tuple[Step, ...]
    progression: tuple[Progress, ...]
    pain_overall: str  # a sentence: the first and last weeks with ratings, and the change
    psfs: tuple[tuple[PsfsRecord, tuple[str, ...]], ...]  # each round and its flagged changes
    events: tuple[Event, ...]
    safety: tuple[SafetyCheck, ...]
    sides: tuple[Sides, ...]
    signature: tuple[tuple[str, str], ...]  # (label, value) rows; empty until issue 14 records it
    appendix: tuple[AppendixRow, ...]  # the whole history: a row per session, pain log, PSFS
    charts: tuple[Chart, ...] = field(default=())
    # Exercises set aside because they kept hurting, until a clinician clears them (issue 26):
    # (exercise, why).
    waiting: tuple[tuple[str, str], ...] = field(default=())
    first_page: FirstPage | None = None  # "as prescribed" (prescribed.py): the shell adds it
    # Each day the leg question was answered, with its answer: none | one | both (issue 27).
    legs: tuple[tuple[date, str], ...] = field(default=())

    @property
    def sessions(self) -> int:
        return sum(w.sessions for w in self.weeks)

    @property
    def clean_reps(self) -> int:
        return sum(w.clean_reps for w in self.weeks)

    @property
    def days(self) -> int:
        return sum(w.days for w in self.weeks)


def default_period(today: date, weeks: int = DEFAULT_WEEKS) -> tuple[date, date]:
    """The last ``weeks`` whole weeks, Monday to Sunday, ending with the week of ``today``."""
    return monday_of(today) - timedelta(weeks=weeks - 1), today


@dataclass
class Gathered:
    """What the report keeps of a history read once, oldest first, a record at a time: the
    records dated in the report's weeks (Monday of ``since`` to Sunday of ``until``, what the
    tables and charts read), every PSFS round (a few a year; the round before the period still
    compares), the appendix as rows of plain values, and the latest session with exercises
    planned by ``until``. So ten years of history are never in memory at once: only the
    period, and a short row for each record of the appendix."""

    since: date
    until: date
    period: list[Record] = field(default_factory=list)
    psfs: list[PsfsRecord] = field(default_factory=list)
    appendix: list[AppendixRow] = field(default_factory=list)
    latest: SessionRecord | None = None
    # For the first page (prescribed.py): every round of safety answers (a "yes" is resolved
    # later), every program loaded, and each family's dose by ``until``: (variation id, its
    # name, target, the day the current run at that dose began).
    checks: list[SafetyCheck] = field(default_factory=list)
    programs: list[ProgramRecord] = field(default_factory=list)
    doses: dict[str, tuple[str, str, int, date]] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        day = day_of(record)
        if isinstance(record, SafetyCheck):
            self.checks.append(record)
        elif isinstance(record, ProgramRecord):
            self.programs.append(record)
        elif isinstance(record, SessionRecord) and day <= self.until:
            for ex in record.exercises:
                was = self.doses.get(ex.family)
                if was is None or (was[0], was[2]) != (ex.variation, ex.target):
                    self.doses[ex.family] = (ex.variation, ex.name, ex.target, day)
        if monday_of(self.since) <= day <= monday_of(self.until) + timedelta(days=6):
            self.period.append(record)
        if isinstance(record, PsfsRecord):
            self.psfs.append(record)
        if isinstance(record, SessionRecord | PainEntry | PsfsRecord):
            self.appendix.append(appendix_row(record))
        if isinstance(record, SessionRecord) and record.exercises and day <= self.until:
            self.latest = record


def gather(records: Iterable[Record], since: date, until: date) -> Gathered:
    found = Gathered(since, until)
    for record in records:
        found.add(record)
    return found


def build(
    records: Iterable[Record] | Gathered, *, since: date, until: date, generated: datetime,
    target: int, names: Mapping[str, str] | None = None,
    waiting: Sequence[tuple[str, str]] = (),
) -> Report:
    """The report of ``since``..``until`` (both included). ``names``: family id -> its name.
    ``waiting``: the exercises that wait for a clinician, as the plan lists them. ``records``
    is read once, as it comes (``Gathered``), or was gathered already."""
    names = names or {}
    found = records if isinstance(records, Gathered) else gather(records, since, until)
    inside = [r for r in found.period if since <= day_of(r) <= until]
    sessions = [r for r in inside if isinstance(r, SessionRecord)]
    return Report(
        since=since, until=until, generated=generated,
        program=_program(sessions),
        weeks=_weeks(inside, since, until),
        target=target,
        steps=_steps(sessions),
        progression=_progression(sessions, names),
        pain_overall=_pain_overall(_weeks(inside, since, until)),
        psfs=_psfs(found.psfs, since, until),
        events=_events(inside),
        safety=tuple(r for r in inside if isinstance(r, SafetyCheck)),
        sides=_sides(sessions, names),
        signature=signature_rows(inside),
        appendix=tuple(found.appendix),
        waiting=tuple(waiting),
        legs=leg_days(sessions),
    )


def signature_rows(records: Sequence[Record]) -> tuple[tuple[str, str], ...]:
    """The movement signature (issue 14, docs/signature.md): each screening of the period, one
    row per probe with each side's rating side by side, so a clinician sees which side lags."""
    rows: list[tuple[str, str]] = []
    for r in records:
        if not isinstance(r, ScreeningRecord):
            continue
        by_probe: dict[str, list[str]] = {}
        for p in r.results:
            said = p.rating + (f" (pain {p.pain})" if p.pain is not None else "")
            by_probe.setdefault(p.probe, []).append(f"{p.side}: {said}" if p.side else said)
        ended = "" if r.complete else ", ended early"
        for probe, sides in by_probe.items():
            rows.append((f"{r.at:%Y-%m-%d} ({r.reason}{ended}): {probe}", "; ".join(sides)))
    return tuple(rows)


# --- the parts ----------------------------------------------------------------------------------
def _program(sessions: Sequence[SessionRecord]) -> tuple[tuple[str, int, str], ...]:
    """The latest session's exercises, as the plan gave them: the program as it stands."""
    for s in reversed(sessions):
        if s.exercises:
            return tuple((ex.name, ex.target, ex.reason) for ex in s.exercises)
    return ()


def _weeks(records: Sequence[Record], since: date, until: date) -> tuple[Week, ...]:
    days = active_days(records)
    out: list[Week] = []
    monday = monday_of(since)
    while monday <= until:
        sunday = monday + timedelta(days=6)
        week = [r for r in records if monday <= day_of(r) <= sunday]
        sessions = [r for r in week if isinstance(r, SessionRecord)]
        ratings = _ratings(week)
        pain = mean(ratings)
        change = ""
        before = next((w.pain for w in reversed(out) if w.pain is not None), None)
        if pain is not None and before is not None and pain_change(before, pain).meaningful:
            change = "meaningful fall" if pain < before else "meaningful rise"
        out.append(Week(monday, len(sessions), sum(1 for d in days if monday <= d <= sunday),
                        sum(s.clean_reps for s in sessions), pain, len(ratings), change))
        monday += timedelta(weeks=1)
    return tuple(out)


def _ratings(records: Sequence[Record]) -> list[int]:
    """Every pain rating: check-ins, check-outs and the pain log (as the weekly summary)."""
    out: list[int] = []
    for r in records:
        if isinstance(r, SessionRecord):
            out += [p for p in (r.pain_before, r.pain_after) if p is not None]
        elif isinstance(r, PainEntry):
            out.append(r.pain)
    return out


def _pain_overall(weeks: Sequence[Week]) -> str:
    rated = [w for w in weeks if w.pain is not None]
    if not rated:
        return "No pain ratings in this period."
    first, last = rated[0], rated[-1]
    if first is last:
        return f"Pain averaged {first.pain:.1f} in the week of {first.monday:%d %b %Y}."
    assert first.pain is not None and last.pain is not None
    change = pain_change(first.pain, last.pain)
    verdict = ("a meaningful change (2 points or 30 %)" if change.meaningful
               else "not a meaningful change")
    return (f"Pain averaged {first.pain:.1f} in the week of {first.monday:%d %b %Y} and "
            f"{last.pain:.1f} in the week of {last.monday:%d %b %Y}: {verdict}.")


def _steps(sessions: Sequence[SessionRecord]) -> tuple[Step, ...]:
    out: list[Step] = []
    for s in sessions:
        for ex in s.exercises:
            step = Step(s.plan_date, ex.name, ex.change, ex.reason)
            if ex.change != "same" and step not in out[-5:]:  # a day's repeat says nothing new
                out.append(step)
    return tuple(out)


def _progression(sessions: Sequence[SessionRecord], names: Mapping[str, str]
                 ) -> tuple[Progress, ...]:
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    moves: dict[str, list[int]] = {}
    reason: dict[str, str] = {}
    for s in sessions:
        for ex in s.exercises:
            dose = f"{ex.name}, {ex.target}"
            first.setdefault(ex.family, dose)
            last[ex.family] = dose
            m = moves.setdefault(ex.family, [0, 0])
            if ex.change in ("advance", "new"):
                m[0] += 1
            elif ex.change in ("back", "bad-day"):
                m[1] += 1
            if ex.change != "same":
                reason[ex.family] = ex.reason
    return tuple(Progress(names.get(f, f), first[f], last[f], moves[f][0], moves[f][1],
                          reason.get(f, "")) for f in first)


def _psfs(records: Sequence[Record], since: date, until: date
          ) -> tuple[tuple[PsfsRecord, tuple[str, ...]], ...]:
    out = []
    previous: PsfsRecord | None = None
    for r in records:
        if not isinstance(r, PsfsRecord) or not r.scores:
            continue
        if since <= r.at.date() <= until:
            out.append((r, tuple(_flag_text(f.what, f.before, f.after)
                                 for f in flags(previous, r))))
        previous = r
    return tuple(out)


def _flag_text(what: str, before: float, after: float) -> str:
    name = what or "mean of the activities"
    word = "better" if after > before else "worse"
    return f"{name}: {before:.1f} to {after:.1f}, {word} by a meaningful change"


def _pain_where(session: SessionRecord, e: PainEvent) -> str:
    """Where a RED press came, in the words the voice used: the exercise as it was named
    ("Arm reach on all fours"), then the set and rep ("set one, rep three"); never an id."""
    names = {ex.variation: ex.name for ex in session.exercises}
    if e.variation is None:
        return PHASE_WORDS.get(e.phase, e.phase)
    where = names.get(e.variation) or e.variation.replace("-", " ").capitalize()
    if e.set is not None and e.rep is not None:
        where += f", set {number(e.set)}, rep {number(e.rep)}"
    elif e.set is not None:
        where += f", set {number(e.set)}"
    return where


# What a session was doing outside an exercise, for the events table.
PHASE_WORDS = {"primer": "the breathing", "checkin": "the check-in", "held": "the safety steps",
               "checkout": "the check-out", "intro": "getting ready", "rest": "a rest",
               "paused": "a pause", "after_pain": "after a pain stop", "set": "a set",
               "silent": "no answer mid-set"}


def _events(records: Sequence[Record]) -> tuple[Event, ...]:
    out: list[Event] = []
    for r in records:
        if isinstance(r, PainEntry):
            out.append(Event(r.at, "pain log", r.pain, r.note))
        elif isinstance(r, SessionRecord):
            for e in r.pain_events:
                where = _pain_where(r, e)
                out.append(Event(r.started_at + timedelta(seconds=e.at_s), "RED: pain", e.pain,
                                 where))
            if r.ended_by in STOPS and not (r.ended_by == "pain" and r.pain_events):
                out.append(Event(r.ended_at, f"session ended: {r.ended_by}", r.pain_after,
                                 f"{r.clean_reps} clean reps done"))
        elif isinstance(r, RitualRecord) and r.outcome == "stopped":
            out.append(Event(r.at, "ritual stopped", None, r.name))
    # In time order: the records come kind by kind from their month files, and a pain log
    # of the 3rd listed after a stop of the 12th read as if it came later.
    return tuple(sorted(out, key=lambda e: e.at))


def _sides(sessions: Sequence[SessionRecord], names: Mapping[str, str]) -> tuple[Sides, ...]:
    found: dict[str, list[int]] = {}
    for s in sessions:
        for ex in s.exercises:
            left = sum(st.clean_reps for st in ex.sets if st.side == "left")
            right = sum(st.clean_reps for st in ex.sets if st.side == "right")
            if any(st.side for st in ex.sets):
                row = found.setdefault(ex.family, [0, 0, 0])
                row[0] += 1
                row[1] += left
                row[2] += right
    return tuple(Sides(names.get(f, f), n, left, right) for f, (n, left, right) in found.items())


def appendix_row(rec: SessionRecord | PainEntry | PsfsRecord) -> AppendixRow:
    """One line of the appendix, as plain values: all the page needs of the record."""
    if isinstance(rec, SessionRecord):
        what = "; ".join(
            f"{ex.name} {'skipped' if ex.skipped else sum(s.clean_reps for s in ex.sets)}"
            for ex in rec.exercises)
        return (rec.started_at, "session", rec.pain_before, rec.pain_after, rec.clean_reps,
                rec.ended_by, what)
    if isinstance(rec, PainEntry):
        return (rec.at, "pain log", None, rec.pain, None, "", rec.note)
    scores = "; ".join(f"{s.activity}: {s.score}" for s in rec.scores)
    return (rec.at, "PSFS", None, None, None, "", scores)
