"""The clinician's report: the history of a period as plain facts, then as one offline HTML page.

Pure: typed records in, a ``Report`` (plain data) out, and ``to_html`` turns it into a string.
The shell (kiosk/report.py) draws the charts to PNG files and writes the page beside them.

The page loads nothing: no script, no font, no stylesheet or image from the network; the charts
are files in the same folder, and the only links are to the cited sources. A print stylesheet
fits the period on one or two A4 pages; the whole history follows as an appendix.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kiosk.core.coach.change import pain_change
from kiosk.core.coach.legs import NONE, WORDS, leg_days
from kiosk.core.coach.rhythm import active_days
from kiosk.core.coach.safety import SafetyCheck
from kiosk.core.data.records import (
    PainEntry,
    PainEvent,
    PsfsRecord,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
)
from kiosk.core.flows.psfs import flags
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
    appendix: tuple[SessionRecord | PainEntry | PsfsRecord, ...]
    charts: tuple[Chart, ...] = field(default=())
    # Exercises set aside because they kept hurting, until a clinician clears them (issue 26):
    # (exercise, why).
    waiting: tuple[tuple[str, str], ...] = field(default=())
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


def build(
    records: Sequence[Record], *, since: date, until: date, generated: datetime, target: int,
    names: Mapping[str, str] | None = None, waiting: Sequence[tuple[str, str]] = (),
) -> Report:
    """The report of ``since``..``until`` (both included). ``names``: family id -> its name.
    ``waiting``: the exercises that wait for a clinician, as the plan lists them."""
    names = names or {}
    inside = [r for r in records if since <= day_of(r) <= until]
    sessions = [r for r in inside if isinstance(r, SessionRecord)]
    return Report(
        since=since, until=until, generated=generated,
        program=_program(sessions),
        weeks=_weeks(inside, since, until),
        target=target,
        steps=_steps(sessions),
        progression=_progression(sessions, names),
        pain_overall=_pain_overall(_weeks(inside, since, until)),
        psfs=_psfs(records, since, until),
        events=_events(inside),
        safety=tuple(r for r in inside if isinstance(r, SafetyCheck)),
        sides=_sides(sessions, names),
        signature=signature_rows(inside),
        appendix=tuple(r for r in records
                       if isinstance(r, SessionRecord | PainEntry | PsfsRecord)),
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


# --- the page -----------------------------------------------------------------------------------
# One font with the charts: the page's face, DejaVu Sans, from copies beside the page
# (PAGE_FONTS, written by kiosk/report.py when the kiosk has them), the charts drawn in its bold
# (kiosk/ui/charts.py: PRINT). So a clinician's browser without DejaVu shows the same face.
PAGE_FONTS = ("report-sans.ttf", "report-sans-bold.ttf")
STYLE = """
@font-face { font-family: "Report Sans"; src: url("report-sans.ttf"); font-weight: normal; }
@font-face { font-family: "Report Sans"; src: url("report-sans-bold.ttf"); font-weight: bold; }
body { font: 11pt/1.4 "Report Sans", "DejaVu Sans", Arial, sans-serif; color: #111;
       margin: 1.5em auto;
       max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.5em; margin: 0 0 .2em; } h2 { font-size: 1.15em; margin: 1.2em 0 .3em;
     border-bottom: 1px solid #999; }
table { border-collapse: collapse; margin: .3em 0; } td, th { border: 1px solid #bbb;
        padding: .15em .45em; text-align: left; vertical-align: top; }
th { background: #eee; } td:first-child { white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.key { display: flex; gap: 2em; flex-wrap: wrap; } .key div { font-size: 1.1em; }
.key b { font-size: 1.6em; display: block; }
.flag { font-weight: bold; } figure { margin: .5em 0; } figure img { max-width: 100%; }
figcaption { font-size: .9em; color: #333; } .note { color: #333; font-size: .9em; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  h2 { break-after: avoid; } tr, figure { break-inside: avoid; }
  .appendix { break-before: page; } a { color: inherit; text-decoration: none; }
  figure img { max-height: 62mm; }
}
"""


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (the charts are image files beside it)."""
    r = report
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # Nothing may load from anywhere but this folder: a policy the browser enforces.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'img-src \'self\'; font-src \'self\'; style-src \'unsafe-inline\'">',
        f"<title>Back-care kiosk report, {r.since} to {r.until}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Back-care kiosk: report for the clinician</h1>",
        f'<p class="note">{r.since:%d %b %Y} to {r.until:%d %b %Y}. Made by the kiosk on '
        f"{r.generated:%d %b %Y %H:%M}. The kiosk guides exercise; it does not diagnose.</p>",
        _key_figures(r),
        _section("Program", _program_html(r)),
        _section("Charts", _charts_html(r)) if r.charts else "",
        _section("Pain", _pain_html(r)),
        _section("PSFS (Patient-Specific Functional Scale)", _psfs_html(r)),
        _section("Adherence and weekly rhythm", _rhythm_html(r)),
        _section("Pain events, pain log and stops", _events_html(r)),
        _section("Leg symptoms", _legs_html(r)),
        _section("Safety answers", _safety_html(r)),
        _section("Per side and signature", _sides_html(r)),
        _appendix_html(r),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _section(title: str, body: str) -> str:
    return f"<section><h2>{escape(title)}</h2>\n{body}</section>"


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[int] = ()
           ) -> str:
    if not rows:
        return '<p class="note">None in this period.</p>'
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = []
    for row in rows:
        cells = "".join(
            f'<td{" class=n" if i in numeric else ""}>{_cell(c)}</td>' for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return escape(str(value))


def _key_figures(r: Report) -> str:
    figures = [("sessions", r.sessions), ("days practised", r.days),
               ("clean reps", r.clean_reps), ("weeks", len(r.weeks))]
    cells = "".join(f'<div><b id="{k.replace(" ", "-")}">{v}</b>{k}</div>' for k, v in figures)
    said = (f"In short: {r.sessions} sessions on {r.days} days, {r.clean_reps} clean reps, "
            f"over {len(r.weeks)} weeks (the weekly aim is {r.target} days).")
    return f'<div class="key">{cells}</div><p>{said}</p>'


def _program_html(r: Report) -> str:
    program = _table(["Exercise", "Target", "Why this dose"],
                     [(n, t, why) for n, t, why in r.program], numeric=[1])
    moves = _table(["Exercise", "At the start", "Now", "Steps up", "Steps back", "Latest reason"],
                   [(p.name, p.start, p.now, p.advances, p.backs, p.reason)
                    for p in r.progression], numeric=[3, 4])
    waits = ""
    if r.waiting:
        waits = ("<p><b>Waiting for your review</b> (it kept hurting: RED for pain in three of "
                 "its last five sessions; it comes back a rung lower once cleared in "
                 "config/program.toml):</p>"
                 + _table(["Exercise", "Why"], list(r.waiting)))
    return (f"<p>As planned at the latest session:</p>{program}{waits}"
            f"<p>Progression in this period, per exercise (each change, with its reason, is "
            f"in the appendix):</p>{moves}")


def _charts_html(r: Report) -> str:
    return "".join(
        f'<figure><img src="{escape(c.file)}" alt="{escape(c.alt)}">'
        f"<figcaption>{escape(c.title)}</figcaption></figure>" for c in r.charts)


def _pain_html(r: Report) -> str:
    rows = [(f"{w.monday:%Y-%m-%d}", w.ratings, w.pain,
             f'<span class="flag">{w.change}</span>' if w.change else "")
            for w in r.weeks if w.ratings]
    table = _table(["Week of", "Ratings", "Mean pain (0-10)", "Against the week before"],
                   rows, numeric=[1, 2]).replace("&lt;span class=&quot;flag&quot;&gt;",
                                                 '<span class="flag">').replace(
                                                     "&lt;/span&gt;", "</span>")
    return (f"<p>{escape(r.pain_overall)}</p>{table}"
            '<p class="note">Ratings are check-ins, check-outs and the pain log. A meaningful '
            "change is 2 points or 30 % of the earlier mean (Farrar et al., Pain 2001;94:149-158; "
            'Ostelo et al., Spine 2008;33:90-94; <a href="https://doi.org/10.1016/'
            'S0304-3959(01)00349-9">doi</a>).</p>')


def _psfs_html(r: Report) -> str:
    if not r.psfs:
        return '<p class="note">No PSFS round in this period (activities are set in '\
               "config; the kiosk asks every few weeks).</p>"
    rows = []
    for rec, found in r.psfs:
        scores = "; ".join(f"{s.activity}: {s.score}" for s in rec.scores)
        rows.append((rec.at, scores, rec.mean, " / ".join(found) or "-"))
    return _table(["When", "Activities (0 unable - 10 as before)", "Mean", "Meaningful change"],
                  rows, numeric=[2]) + (
        '<p class="note">Meaningful: 2 points in the mean, 3 in one activity (Stratford et al., '
        "Physiotherapy Canada 1995;47:258-263; Abbott and Schmitt, JOSPT 2014;44:560-564).</p>")


def _rhythm_html(r: Report) -> str:
    rows = [(f"{w.monday:%Y-%m-%d}", w.sessions, f"{w.days} of {r.target}", w.clean_reps)
            for w in r.weeks]
    return _table(["Week of", "Sessions", "Days practised", "Clean reps"], rows,
                  numeric=[1, 3])


def _events_html(r: Report) -> str:
    return _table(["When", "What", "Pain", "Where"],
                  [(e.at, e.kind, e.pain, e.where) for e in r.events], numeric=[2])


def _legs_html(r: Report) -> str:
    """The days with pain, tingling, numbness or weakness below the knee, and how many days
    were answered at all (a day with none is counted, not listed)."""
    if not r.legs:
        return ('<p class="note">Not asked in this period (the leg question is asked at '
                "check-in unless [safety] leg_question = false).</p>")
    days = [(d, WORDS[how]) for d, how in r.legs if how != NONE]
    said = (f"Leg symptoms on {len(days)} of the {len(r.legs)} days asked "
            "(pain, tingling, numbness or weakness below the knee, at check-in).")
    table = _table(["Day", "Where"], [(f"{d:%Y-%m-%d}", where) for d, where in days])
    return (f'<p id="leg-days">{escape(said)}</p>{table}'
            '<p class="note">Asked as in NICE CKS, Sciatica (lumbar radiculopathy), and Finucane '
            "et al., JOSPT 2020;50:350-372. Both legs asks the emergency questions.</p>")


def _safety_html(r: Report) -> str:
    rows: list[tuple[object, ...]] = []
    for c in r.safety:
        yes = ", ".join(a.question for a in c.answers if a.yes) or "none"
        why = str(c.reason)
        if c.seen is not None:  # the follow-up of an emergency or urgent "yes"
            why += ": seen by a clinician" if c.seen == "green" else ": not seen by a clinician"
        rows.append((c.at, why, str(c.outcome), len(c.answers), yes))
    return _table(["When", "Why asked", "Outcome", "Questions", "Answered yes"], rows,
                  numeric=[3])


def _sides_html(r: Report) -> str:
    sides = _table(["Exercise", "Sessions", "Left clean reps", "Right clean reps"],
                   [(s.name, s.sessions, s.left, s.right) for s in r.sides], numeric=[1, 2, 3])
    signature = (_table(["Screening and probe", "Each side"], r.signature) if r.signature else
                 '<p class="note">No movement signature recorded yet.</p>')
    return sides + signature


def _appendix_html(r: Report) -> str:
    rows: list[tuple[object, ...]] = []
    for rec in r.appendix:
        if isinstance(rec, SessionRecord):
            what = "; ".join(
                f"{ex.name} {'skipped' if ex.skipped else sum(s.clean_reps for s in ex.sets)}"
                for ex in rec.exercises)
            rows.append((rec.started_at, "session", rec.pain_before, rec.pain_after,
                         rec.clean_reps, rec.ended_by, what))
        elif isinstance(rec, PainEntry):
            rows.append((rec.at, "pain log", None, rec.pain, None, "", rec.note))
        else:
            scores = "; ".join(f"{s.activity}: {s.score}" for s in rec.scores)
            rows.append((rec.at, "PSFS", None, None, None, "", scores))
    table = _table(["When", "Kind", "Pain before", "Pain after", "Clean reps", "Ended",
                    "Exercises"], rows, numeric=[2, 3, 4])
    steps = _table(["Day", "Exercise", "Change", "Reason"],
                   [(s.day, s.name, s.change, s.reason) for s in r.steps])
    return (f'<section class="appendix"><h2>Appendix: every change of the program in this '
            f"period</h2>\n{steps}\n<h2>Appendix: the whole history ({len(rows)} entries)"
            f"</h2>\n{table}</section>")
