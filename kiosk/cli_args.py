"""The `kiosk` command's arguments: every subcommand, its options and their help, and the
readers that turn a typed value (a date, a size, a time of day) into its type or one clear
line."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time
from pathlib import Path


def _weeks(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 104:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of weeks, 1 to 104")
    return int(text)


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-25") from None
    from kiosk.core.data.years import FIRST_YEAR, LAST_YEAR

    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # the store's calendar: anything else is damage
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years the kiosk keeps; give "
                                         f"a day from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31")
    return day


def _size(text: str) -> tuple[int, int]:
    w, _, h = text.lower().partition("x")
    if not (w.isdigit() and h.isdigit() and 160 <= int(w) <= 4000 and 120 <= int(h) <= 4000):
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 800x480")
    return int(w), int(h)


def _hhmm(text: str) -> time:
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time like 08:00") from None


def _years(text: str) -> float:
    try:
        years = float(text)
    except ValueError:
        years = -1.0
    if not 0 < years <= 50:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of years from 0.01 to 50")
    return years


def _per_day(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 5:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 to 5 sessions a day")
    return int(text)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk", description="Back-care exercise kiosk")
    p.add_argument("--config", help="kiosk.toml to use (default: packaged config/kiosk.toml)")
    p.add_argument("--data-dir", type=Path, help="where history lives (default: from config)")
    p.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the kiosk")
    run.add_argument("--mock", action="store_true", help="mock GPIO; keys g/a/r drive buttons")
    run.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    run.add_argument("--headless", action="store_true",
                     help="no screen: voice and buttons only (with --mock in a terminal, keys "
                          "g a r press and G A R hold, and each spoken line is printed)")
    run.add_argument("--demo-data", action="store_true",
                     help="keep this run's history in the demo directory, apart from the real "
                          "one (make run does this)")
    run.add_argument("--size", type=_size, default=(800, 480),
                     help="the window's size, WxH (default 800x480; 480x320 previews a 3.5\" "
                          "panel); fullscreen uses the panel's own")

    demo = sub.add_parser("demo", help="one whole simulated session, headless, in seconds")
    who = demo.add_mutually_exclusive_group()
    who.add_argument("--user", choices=("steady", "slipping", "sore", "stiff-left", "stuck",
                                        "flare", "red-flag", "leg-symptoms"),
                     default="steady",
                     help="the simulated person: steady rates every rep clean, slipping lets "
                          "the technique slip after a few reps, sore presses RED for pain on "
                          "the bird-dog, stiff-left rates the left hip rotation and left rib "
                          "expansion stiff in a screening, stuck rates clean up to one rep "
                          "below the target, flare checks in at two and out at nine, "
                          "red-flag answers yes to a safety question, leg-symptoms has "
                          "symptoms below the knee in one leg from its third day "
                          "(default: steady)")
    who.add_argument("--presses", help="exact presses: g a r press, G A R hold (e.g. 'gGg'); "
                                       "when they run out the demo closes, keeping what was "
                                       "rated")
    demo.add_argument("--date", type=_date, help="run as of this day (YYYY-MM-DD), at ten in the "
                      "morning unless --at says when")
    demo.add_argument("--timeline", action="store_true",
                      help="print each breath (voice, tone, rep, side) and each press, timed")
    demo.add_argument("--screening", action="store_true",
                      help="check how the person moves (a screening on demand), then stop")
    demo.add_argument("--at", type=_hhmm, help="start idle at this time of day (HH:MM); a ritual "
                      "due then is offered, started with GREEN, rated and saved")

    plan = sub.add_parser("plan", help="print today's plan with the reason for each change")
    plan.add_argument("--date", type=_date, help="plan for this day (YYYY-MM-DD)")

    sub.add_parser("signature", help="print the latest movement signature, its asymmetries, "
                                     "and the changes since the one before")
    rituals = sub.add_parser("rituals", help="list the daily rituals: times, open or not, and why")
    rituals.add_argument("--date", type=_date, help="as of this day (YYYY-MM-DD)")
    rhythm = sub.add_parser("rhythm", help="print this week's days and the count against the aim")
    rhythm.add_argument("--date", type=_date, help="the week of this day (YYYY-MM-DD)")

    sub.add_parser("history", help="print the saved sessions")
    export = sub.add_parser("export", help="export the history")
    export.add_argument("--format", choices=("json", "csv", "fhir"), default="json",
                        help="json: every record as one document; csv: one row per set; "
                             "fhir: a FHIR R4 Bundle (default: json)")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.add_argument("--usb", action="store_true",
                        help="write the report and every format to the USB stick ([usb] path in "
                             "config) and say how it went")
    sub.add_parser("check", help="validate config; report display, audio, TTS and GPIO")
    report = sub.add_parser("report", help="write the clinician's report: report.html and charts")
    report.add_argument("--out", type=Path, required=True, help="folder for report.html and PNGs")
    report.add_argument("--since", type=_date, help="first day (default: 12 weeks back)")
    report.add_argument("--until", type=_date, help="last day (default: today)")
    summary = sub.add_parser("summary", help="print the weekly summary exactly as it is spoken")
    summary.add_argument("--date", type=_date, help="the week that holds this day (YYYY-MM-DD)")
    screens = sub.add_parser("screens", help="render every screen (and the history's) to PNGs")
    screens.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    screens.add_argument("--size", type=_size, default=(800, 480), help="WxH, e.g. 480x320")
    screens.add_argument("--date", type=_date, help="as of this day (YYYY-MM-DD)")
    rehearse = sub.add_parser(
        "rehearse", help="play the real rules forward on a simulated person, writing nothing")
    rehearse.add_argument("--weeks", type=_weeks, default=12, help="how many weeks (default 12)")
    rehearse.add_argument("--days", default="mon,wed,fri",
                          help="the days sessions happen: mon,wed,fri (any days), N-per-week, "
                               "or every-other-day (default: mon,wed,fri)")
    rehearse.add_argument("--user", choices=("steady", "slipping", "sore", "stuck", "flare"),
                          default="steady", help="the simulated person, as in kiosk demo")
    rehearse.add_argument("--format", choices=("text", "csv"), default="text",
                          help="text: a table a clinician reads; csv: one row per family per "
                               "week (default: text)")
    rehearse.add_argument("--program", type=Path, metavar="FILE",
                          help="a clinician's program file to play forward (docs/program.md)")
    program = sub.add_parser("program", help="a clinician's program: template, check, load, "
                             "show (docs/program.md)")
    actions = program.add_subparsers(dest="action", required=True,
                                     help="template, check FILE, load FILE|--previous, show")
    actions.add_parser("template", help="print a commented template: every family, its rungs "
                       "and tags")
    checked = actions.add_parser("check", help="check a program file: one line per problem")
    checked.add_argument("file", help="the program file, e.g. backcare-program.toml")
    loaded = actions.add_parser("load", help="check a program file and keep it as the program "
                                "in force (the kiosk must not be running)")
    loaded.add_argument("file", nargs="?", help="the program file")
    loaded.add_argument("--previous", action="store_true",
                        help="go back to the version before the one in force")
    actions.add_parser("show", help="the program in force, its versions and what each changed")
    sim = sub.add_parser("simulate", help="write years of made-up history into a new data dir")
    sim.add_argument("--years", type=_years, required=True, help="how many years of use")
    sim.add_argument("--per-day", type=_per_day, default=2, help="sessions on a usual day")
    sim.add_argument("--seed", type=int, default=1, help="the same seed gives the same history")
    sim.add_argument("--end", type=_date, help="the last day (YYYY-MM-DD; default: yesterday)")
    for sp in (run, demo, plan, rituals, rhythm, export, sim, summary, screens, report, rehearse,
               sub.choices["history"], sub.choices["check"], sub.choices["signature"], program,
               *actions.choices.values()):
        sp.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    # Every command that reads the history can read the demo's, as `kiosk run --demo-data`
    # and `make run` write it: after a try-out, `kiosk history --demo-data` shows it.
    for sp in (plan, rituals, rhythm, export, summary, screens, report, sub.choices["history"],
               sub.choices["check"], sub.choices["signature"]):
        sp.add_argument("--demo-data", action="store_true",
                        help="read the demo's history (kiosk demo, make run), not the real one")
    return p
