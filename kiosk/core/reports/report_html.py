"""The clinician's report as one offline HTML page: ``to_html`` turns a ``Report``
(kiosk/core/reports/report.py, plain data) into a string. Pure; the shell (kiosk/report.py)
writes it beside the chart PNGs.

The page loads nothing: no script, no font, no stylesheet or image from the network; the charts
are files in the same folder, and the only links are to the cited sources. A print stylesheet
fits the period on one or two A4 pages; the whole history follows as an appendix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kiosk.core.coach.legs import NONE, WORDS
from kiosk.core.reports import prescribed
from kiosk.core.reports.report import Report, escape

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
        prescribed.to_html(r.first_page) if r.first_page is not None else "",
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
    rows = r.appendix
    table = _table(["When", "Kind", "Pain before", "Pain after", "Clean reps", "Ended",
                    "Exercises"], rows, numeric=[2, 3, 4])
    steps = _table(["Day", "Exercise", "Change", "Reason"],
                   [(s.day, s.name, s.change, s.reason) for s in r.steps])
    return (f'<section class="appendix"><h2>Appendix: every change of the program in this '
            f"period</h2>\n{steps}\n<h2>Appendix: the whole history ({len(rows)} entries)"
            f"</h2>\n{table}</section>")
