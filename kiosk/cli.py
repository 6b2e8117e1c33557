"""The ``kiosk`` command: run, demo, plan, history, export, check."""

from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO

from kiosk.config import Config, load_config
from kiosk.core.coach.safety import SafetyCheck
from kiosk.core.data.records import (
    PainEntry,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
    sessions_of,
)
from kiosk.errors import ConfigError, KioskError
from kiosk.terminal import printable, say

log = logging.getLogger("kiosk")


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
                                        "flare", "red-flag"),
                     default="steady",
                     help="the simulated person: steady rates every rep clean, slipping lets "
                          "the technique slip after a few reps, sore presses RED for pain on "
                          "the bird-dog, stiff-left rates the left hip rotation and left rib "
                          "expansion stiff in a screening, stuck rates clean up to one rep "
                          "below the target, flare checks out at pain nine, red-flag answers "
                          "yes to a safety question (default: steady)")
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
    sim = sub.add_parser("simulate", help="write years of made-up history into a new data dir")
    sim.add_argument("--years", type=_years, required=True, help="how many years of use")
    sim.add_argument("--per-day", type=_per_day, default=2, help="sessions on a usual day")
    sim.add_argument("--seed", type=int, default=1, help="the same seed gives the same history")
    sim.add_argument("--end", type=_date, help="the last day (YYYY-MM-DD; default: yesterday)")
    for sp in (run, demo, plan, rituals, rhythm, export, sim, summary, screens, report, rehearse,
               sub.choices["history"], sub.choices["check"], sub.choices["signature"]):
        sp.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    # Every command that reads the history can read the demo's, as `kiosk run --demo-data`
    # and `make run` write it: after a try-out, `kiosk history --demo-data` shows it.
    for sp in (plan, rituals, rhythm, export, summary, screens, report, sub.choices["history"],
               sub.choices["check"], sub.choices["signature"]):
        sp.add_argument("--demo-data", action="store_true",
                        help="read the demo's history (kiosk demo, make run), not the real one")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="kiosk: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    if args.config and (unreadable := _unreadable(args.config)):
        say(f"kiosk: {unreadable}", sys.stderr)
        return 2
    handler = globals()[f"cmd_{args.command}"]
    if getattr(args, "demo_data", False) and args.command != "run":
        if args.data_dir:
            say(f"kiosk {args.command}: give --demo-data or --data-dir, not both", sys.stderr)
            return 2
        from kiosk.config import demo_data_dir

        args.data_dir = demo_data_dir()
        say(f"kiosk {args.command}: reading the demo's history in {args.data_dir}", sys.stderr)
    try:
        loaded = load_config(args.config)
        if args.command not in ("check", "run", "demo"):
            for problem in loaded.problems:  # the command still runs, on the defaults
                say(f"kiosk: config: {problem}", sys.stderr)
        return int(handler(args, loaded.config, list(loaded.problems)))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `kiosk export | head`: the reader left. Quietly stop writing, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (KioskError, OSError) as e:
        # Every failure we can name is one line of words, naming the path and the fix.
        log.info("details", exc_info=True)  # -v adds the traceback to the log
        say(f"kiosk {args.command}: {_words(e)}", sys.stderr)
        return 1
    except Exception as e:  # a bug: still one line, and -v tells the whole story
        log.info("details", exc_info=True)
        say(f"kiosk {args.command}: unexpected error ({type(e).__name__}: {e}); run it again "
            "with -v for the details, and report them", sys.stderr)
        return 70


def _words(error: BaseException) -> str:
    if isinstance(error, KioskError) or not isinstance(error, OSError):
        return str(error)
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}; check the path and its permissions"


def _unreadable(path: str) -> str | None:
    """Why an explicitly given config file cannot be used, in one line; None when it can.

    A file named on the command line that is not there is a typo, not a broken kiosk: every
    command stops here rather than quietly running on the packaged settings."""
    from kiosk.config.files import read_file

    try:
        read_file(Path(path))  # never a FIFO or a device: it would hang every command
        return None
    except OSError as exc:
        return (f"--config {path}: cannot read it ({exc.strerror}); give an existing TOML "
                "file, or leave --config out to use the packaged settings")


def _data_dir(args: argparse.Namespace, cfg: Config) -> Path:
    return Path(args.data_dir) if args.data_dir else cfg.data_dir


def _demo_dir(args: argparse.Namespace) -> Path:
    """A demo never writes into a person's history: without --data-dir it has its own."""
    from kiosk.config import demo_data_dir

    where = Path(args.data_dir) if args.data_dir else demo_data_dir()
    if not args.data_dir:
        print(f"demo: history in {where} (apart from the real history; --data-dir to choose)")
    return where


def cmd_run(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.io.buttons import is_raspberry_pi
    from kiosk.runtime import Options, run_kiosk

    mock = args.mock or not is_raspberry_pi()
    display = "headless" if args.headless else "windowed" if (args.windowed or mock) else (
        "fullscreen")
    data_dir = _demo_dir(args) if args.demo_data else _data_dir(args, cfg)
    # A person trying the screenless kiosk from a terminal: keys in, spoken lines out.
    terminal = display == "headless" and mock and sys.stdin.isatty()
    opts = Options(mock=mock, display=display, data_dir=data_dir, terminal=terminal,
                   size=args.size)
    return run_kiosk(cfg, opts, problems)


def cmd_demo(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.rehearse import SORE_FAMILY
    from kiosk.runtime import Options, run_demo
    from kiosk.sim import SimUser

    for text in problems:
        say(f"kiosk: config: {text}", sys.stderr)
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    sore = next((f for f in cfg.library.families if f.id == SORE_FAMILY), None)
    try:
        user = SimUser(args.user, presses=args.presses,
                       sore_on=[v.name for v in sore.ladder] if sore else ())
    except ValueError as exc:
        say(f"kiosk demo: {exc}", sys.stderr)
        return 2
    opts = Options(mock=True, display="headless", data_dir=_demo_dir(args), demo=True,
                   day=args.date, at=args.at, schedule=args.at is not None,
                   timeline=args.timeline, screening=args.screening)
    return run_demo(cfg, opts, user)


def _records(
    args: argparse.Namespace, cfg: Config, notes: list[str], *, since: str | None = None
) -> Iterator[Record]:
    """Every record, oldest first, read-only and as it is read (month by month): a reader
    never writes, locks or repairs (readonly.py). ``notes`` gathers what to tell the user;
    ``since`` (YYYY-MM) leaves out the months before it."""
    from kiosk.store.readonly import stream_history

    yield from stream_history(_data_dir(args, cfg), notes, since=since)


def _sessions(
    args: argparse.Namespace, cfg: Config, notes: list[str]
) -> Iterator[SessionRecord]:
    for record in _records(args, cfg, notes):
        if isinstance(record, SessionRecord):
            yield record


DAMAGED = 3  # a reader's exit code: it found damage, and said on stdout what it recovered


def _tell(notes: list[str], out: TextIO | None = None) -> int:
    """Say the readers' notes; the exit code: ``DAMAGED`` when one says the history is damaged.
    What was recovered and what was not goes on stdout (``out``: stderr when stdout is the
    data itself, an export), other notes on stderr."""
    from kiosk.store.load import Damage

    damaged = False
    for note in notes:
        damaged = damaged or isinstance(note, Damage)
        say(f"kiosk: {note}", (out or sys.stdout) if isinstance(note, Damage) else sys.stderr)
    return DAMAGED if damaged else 0


def _window(
    args: argparse.Namespace, cfg: Config, day: date, notes: list[str]
) -> tuple[Any, list[Record]]:
    """What a plan for ``day`` needs, read-only: the newest month's snapshot (a replay of the
    older history, or None) and the records after it, with those a snapshot keeps (the
    latest movement signature among them). Year ten costs what year one does."""
    from kiosk.runtime import replays
    from kiosk.store.months import FOLDER, needs_migration, read_window

    data_dir = _data_dir(args, cfg)
    if needs_migration(data_dir) or not (data_dir / FOLDER).is_dir():
        return None, list(_records(args, cfg, notes))  # one file, or none yet
    base, window, _ = read_window(data_dir, replays(cfg), notes)
    if base is not None and base.latest is not None and day < base.latest:
        # A day before the snapshot's: replay the whole history instead (docs/progression.md).
        return None, list(_records(args, cfg, notes))
    return base, window


def cmd_plan(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.runtime import make_planner

    day = args.date or date.today()
    notes: list[str] = []
    base, records = _window(args, cfg, day, notes)
    plan = make_planner(cfg, base)(records, day, None)
    say(f"Plan for {plan.date}:")
    from kiosk.core.words.phrases import dose

    for i, p in enumerate(plan.exercises, start=1):
        side = {"alternate": ", alternating sides", "each": ", each side"}.get(p.variation.side, "")
        if p.first_side is not None and p.variation.side in ("each", "alternate"):
            side += f", {p.first_side} first"
            if p.extra_reps and p.variation.side == "alternate":
                side += f" ({p.side_target(p.first_side)} in all: one more on the {p.first_side})"
            elif p.extra_reps:
                side += f" ({p.side_target(p.first_side)} on the {p.first_side})"
        say(f"  {i}. {p.family.name}: {p.variation.name}, "
            f"{dose(p.variation, p.target, spoken=False)}{side}  [{p.change}]")
        if p.reason:
            say(f"     {p.reason}")
    for note in plan.notes:
        say(f"  Note: {note}")
    for name, why in plan.waiting:
        say(f"  Waits: {name}: {why}")
    return _tell(notes)


def cmd_signature(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    """The latest signature, probe by probe and side by side, its asymmetries, and what
    changed since the screening before it."""
    from kiosk.core.coach.signature import (
        WORDS,
        asymmetries,
        asymmetry_line,
        changes,
        results_by_probe,
    )
    from kiosk.core.data.records import screenings_of

    notes: list[str] = []
    done = [r for r in screenings_of(list(_records(args, cfg, notes)))
            if any(p.rating != "skipped" for p in r.results)]
    code = _tell(notes)
    if not done:
        say("No movement signature yet: the kiosk checks how you move before the first session.")
        return code
    now = done[-1]
    setup = cfg.signature
    how = "" if now.complete else " (ended early)"
    say(f"Movement signature of {now.day.isoformat()}{how}:")
    found = results_by_probe(now)
    for probe_id, sides in found.items():
        p = setup.probe(probe_id)
        label = p.name(None) if p is not None else probe_id
        if None in sides:
            one = sides[None]
            say(f"  {label:<20} {WORDS[one.rating]}" + (f" (pain {one.pain})" if one.pain else ""))
        else:
            cells = []
            for side in ("left", "right"):
                r = sides.get(side)
                word = WORDS[r.rating] if r else "-"
                pain = f" (pain {r.pain})" if r is not None and r.pain else ""
                cells.append(f"{side} {word}{pain}")
            say(f"  {label:<20} {cells[0]:<22} {cells[1]}")
    found_asym = asymmetries(now)
    say("Asymmetries:" if found_asym else "Asymmetries: none, both sides moved alike.")
    for a in found_asym:
        say(f"  {asymmetry_line(a, setup)} Stiffer: {a.stiffer}.")
    if len(done) > 1:
        lines = changes(done[-2], now, setup)
        say(f"Changes since {done[-2].day.isoformat()}:" if lines
            else f"Changes since {done[-2].day.isoformat()}: none.")
        for line in lines:
            say(f"  {line}")
    return code


def cmd_rituals(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.core.coach.rituals import hhmm, how_reached, total_seconds, unlocks
    from kiosk.runtime import make_levels

    day = args.date or date.today()
    notes: list[str] = []
    base, records = _window(args, cfg, day, notes)
    book = cfg.rituals
    status = unlocks(book, cfg.library, make_levels(cfg, base)(sessions_of(records), day))
    s = book.schedule
    quiet = f"{hhmm(s.quiet[0])} to {hhmm(s.quiet[1])}" if s.quiet else "none"
    say(f"Rituals on {day.isoformat()} (quiet hours {quiet}; AMBER snoozes "
          f"{s.snooze_minutes} min; no answer in {s.answer_minutes} min skips):")
    if not status:
        say("  none (see kiosk check)")
    order = sorted(status.values(), key=lambda u: (not u.ritual.at, u.ritual.at[:1]))
    for u in order:
        r = u.ritual
        when = ", ".join(hhmm(m) for m in r.at) or "on request"
        mark = "open  " if u.open else "closed"
        say(f"  {when:<12} {mark} {r.name} ({r.moment}), "
              f"{total_seconds(r, u.variation, cfg.voice.rate):.0f} s")
        say(f"  {'':<12}        {u.why}")
        say(f"  {'':<12}        how: {how_reached(r)}")
    say("Hold AMBER on the home screen for the menu; its first item, A quick ritual, offers the "
        "ritual that fits the time of day, and the unscheduled ones in turn.")
    return _tell(notes)


def cmd_rhythm(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.core.coach.rhythm import active_days, strip_text, week_of

    day = args.date or date.today()
    notes: list[str] = []
    # Only the months the week can be in: a history of years is not read for one week.
    since = (day - timedelta(days=day.weekday())).isoformat()[:7]
    records = sessions_of(_records(args, cfg, notes, since=since))
    week = week_of(day, active_days(records), cfg.rituals.weekly_target)
    say(f"Week of {week.monday.isoformat()}:")
    say(f"  {strip_text(week)}")
    say(f"  {week.count} of {week.target} this week")
    say("  Key: [x] a day with practice, [ ] a day without (so far), . a day ahead, "
        "* today")
    return _tell(notes)


def cmd_history(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    notes: list[str] = []
    shown = sessions = 0
    for r in _records(args, cfg, notes):  # in save order, every kind as it came, month by month
        shown += 1
        sessions += isinstance(r, SessionRecord)
        if isinstance(r, SafetyCheck):
            _print_safety(r)
        elif isinstance(r, RitualRecord):
            _print_ritual(r)
        elif isinstance(r, PainEntry):  # logged from the home screen, between sessions
            say(f"{r.at:%Y-%m-%d %H:%M}  {f'pain {r.pain}':<14} pain log")
        elif isinstance(r, SessionRecord):
            _print_session(r)
        elif isinstance(r, ScreeningRecord):
            _print_screening(r)
    if not shown:
        say("No sessions saved yet.")
    elif sessions:
        say("Key: each set's reps in order: C clean (GREEN), s technique slipped (AMBER); a set "
            "stopped by RED ends at the pain.")
    return _tell(notes)


def _print_screening(r: ScreeningRecord) -> None:
    """A movement signature: when, why, then what was not easy (all easy: said so)."""
    how = "" if r.complete else ", ended early"
    say(f"{r.at:%Y-%m-%d %H:%M}  {'':<14} movement check ({r.reason}{how})")
    odd = [p for p in r.results if p.rating != "easy"]
    for p in odd:
        pain = f" (pain {p.pain})" if p.pain is not None else ""
        say(f"    {p.probe:<20} {p.side or '':<6} {p.rating}{pain}")
    if not odd:
        say("    every movement easy")


def cmd_summary(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.core.flows.history_screens import ladders_of
    from kiosk.core.reports.weekly import weekly_summary

    day = args.date or date.today()
    notes: list[str] = []
    records = list(_records(args, cfg, notes, since=_read_back(day)))
    from kiosk.runtime import make_planner

    base, window = _window(args, cfg, day, [])
    waiting = [name for name, _ in make_planner(cfg, base)(window, day, None).waiting]
    print(weekly_summary(records, day, ladders_of(cfg.library), waiting=waiting))
    return _tell(notes)


def _read_back(day: date) -> str:
    """The first month any history screen or summary for ``day`` reads
    (kiosk/core/reports/weekly.py):
    a history of years is not read for a few weeks of charts."""
    from kiosk.core.reports.weekly import READ_BACK_DAYS

    return (day - timedelta(days=READ_BACK_DAYS)).isoformat()[:7]


def cmd_screens(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from kiosk.core.flows.history_screens import ladders_of
    from kiosk.ui.history import render_history, render_screens

    day, ladders = args.date or date.today(), ladders_of(cfg.library)
    notes: list[str] = []
    records = list(_records(args, cfg, notes, since=_read_back(day)))
    code = _tell(notes)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for path in render_history(records, day, ladders, cfg.rituals.weekly_target, args.out,
                                   args.size):
            print(path)
        for path in render_screens(args.out, args.size):
            print(path)
    except OSError as exc:
        print(f"kiosk screens: cannot write to {args.out}: {exc.strerror}", file=sys.stderr)
        return 1
    return code


def _print_session(s: SessionRecord) -> None:
    pain = f"pain {_dash(s.pain_before)} -> {_dash(s.pain_after)}"
    say(f"{s.started_at:%Y-%m-%d %H:%M}  {pain:<14} "
          f"{s.clean_reps:>3} clean reps  ended: {s.ended_by}")
    for ex in s.exercises:
        reps = " ".join("".join("C" if r == "clean" else "s" for r in st.reps)
                        for st in ex.sets) or ("skipped" if ex.skipped else "-")
        load = f"  with {ex.load}" if ex.load else ""
        say(f"    {ex.name:<34} target {ex.target:>2}  {reps}{load}")


def _print_ritual(r: RitualRecord) -> None:
    what = r.outcome + (f", {r.rating}" if r.rating else "")
    if r.outcome in ("done", "stopped"):
        what += f" ({r.steps_done} steps, {r.duration_s:.0f} s)"
    asked = "" if r.slot else " (asked for)"
    say(f"{r.at:%Y-%m-%d %H:%M}  ritual: {r.name}{asked}  {what}")


def _print_safety(check: SafetyCheck) -> None:
    """A round of safety answers: when, why, what it led to, then each question's answer."""
    pain = f"pain {_dash(check.pain)}"
    say(f"{check.at:%Y-%m-%d %H:%M}  {pain:<14} safety questions "
        f"({check.reason}): {check.outcome}")
    if check.seen is not None:
        seen = "yes" if check.seen == "green" else "no"
        how = "" if check.seen in ("green", "amber") else f" ({check.seen})"
        say(f"    {'follow-up':<10} {'seen by a clinician':<24} {seen}{how}")
    for a in check.answers:
        how = "" if a.how in ("green", "amber") else f" ({a.how})"
        say(f"    {a.group:<10} {a.question:<24} {'yes' if a.yes else 'no'}{how}")


def _dash(v: int | None) -> str:
    return "-" if v is None else str(v)


def cmd_export(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.store import export

    if args.usb:
        if args.out is not None:
            say("kiosk export: --usb writes to the stick; leave --out out", sys.stderr)
            return 2
        return _export_usb(args, cfg)

    if args.out is not None:
        export.check_target(Path(args.out))  # before reading: the mistake is said alone
    notes: list[str] = []
    records = _records(args, cfg, notes)  # read as written: years never sit in memory whole

    def write(fp: Any) -> None:
        export.write(args.format, records, fp, units=_units(cfg))

    if args.out is not None:
        export.write_file(Path(args.out), write)
    elif sys.stdout.isatty():
        buffer = io.StringIO(newline="")
        write(buffer)
        sys.stdout.write(printable(buffer.getvalue()))  # on a screen, no escape sequences
    else:
        write(sys.stdout)  # a pipe or a file gets the export exactly
    # On stdout the export is the data: what was recovered goes to stderr then.
    return _tell(notes, sys.stdout if args.out is not None else sys.stderr)


def _export_usb(args: argparse.Namespace, cfg: Config) -> int:
    """Everything onto the stick; prints what the kiosk would say, exits with the outcome's
    code (kiosk/core/reports/usb.py: EXIT_CODES), so the kiosk can run this as its child."""
    from kiosk.core.reports.usb import EXIT_CODES, words
    from kiosk.store.readonly import collector_paused
    from kiosk.usb import copy_all

    notes: list[str] = []
    with collector_paused():  # a child process of its own, never the kiosk's
        records = list(_records(args, cfg, notes))  # the report's appendix is the whole history
        outcome = copy_all(records, cfg, cfg.usb.mount, now=datetime.now(),
                           require_mount=cfg.usb.require_mount, units=_units(cfg))
    _tell(notes)
    say(words(outcome))
    return EXIT_CODES[outcome]


def cmd_report(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.core.reports.report import default_period
    from kiosk.report import write_report
    from kiosk.store.readonly import collector_paused

    until = args.until or date.today()
    since = args.since or default_period(until)[0]
    if since > until:
        say(f"kiosk report: --since {since} is after --until {until}; give an earlier --since",
            sys.stderr)
        return 2
    notes: list[str] = []
    with collector_paused():
        records = list(_records(args, cfg, notes))  # its appendix is the whole history
        page = write_report(records, cfg, args.out, since=since, until=until,
                            now=datetime.now())
    print(page)
    return _tell(notes)


def _units(cfg: Config) -> dict[str, str]:
    """variation id -> reps | minutes, from the library."""
    return {v.id: v.unit for f in cfg.library.families for v in f.ladder}


def cmd_rehearse(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    """Weeks of the rules on a simulated person: nothing is read from or written to the data
    directory."""
    from kiosk.rehearse import BadDays, as_csv, as_text, from_config

    try:
        result = from_config(cfg, weeks=args.weeks, days=args.days, user=args.user)
    except BadDays as exc:
        say(f"kiosk rehearse: --days {exc}", sys.stderr)
        return 2
    if args.format == "csv":
        sys.stdout.write(as_csv(result.rows))
        return 0
    names = {f.id: f.name for f in cfg.library.families}
    say(f"{args.user}, {args.days}, {args.weeks} weeks: where each exercise stood at the end of "
        "each week, and why it changed")
    sys.stdout.write(as_text(result.rows, lambda f: names.get(f, f)))
    return 0


def cmd_simulate(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:

    from kiosk.simulate import HistoryExists, write_history

    if not args.data_dir:
        say("kiosk simulate: give --data-dir: it never writes into the kiosk's own history",
            sys.stderr)
        return 2
    end = args.end or date.today() - timedelta(days=1)
    try:
        written = write_history(cfg, Path(args.data_dir), years=args.years,
                                per_day=args.per_day, seed=args.seed, end=end)
    except HistoryExists as exc:
        say(f"kiosk simulate: {exc}", sys.stderr)
        return 1
    say(f"simulated {written.sessions} sessions and {written.pain_entries} pain-log entries "
        f"ending {end.isoformat()} in {args.data_dir}")
    return 0


def cmd_check(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.io.buttons import is_raspberry_pi

    ok = True
    print(f"config: {cfg.source}")
    if problems:
        ok = False
        for problem in problems:
            print(f"  PROBLEM {problem}")
        if any(p.key == "(file)" for p in problems):
            print("  the kiosk would use the packaged default settings instead")
        else:
            print("  the kiosk would use the default for each of these keys")
    else:
        print(f"  ok ({len(cfg.library.families)} exercise families, "
              f"{len(cfg.rituals.rituals)} daily rituals)")
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    dri = sorted(str(p) for p in Path("/dev/dri").glob("card*"))
    found = display or ", ".join(dri)
    print(f"display: {'found ' + found if found else 'none (the kiosk runs headless)'}")
    audio, audio_ok = _audio_status()
    print(f"audio: {audio}")
    ok = ok and audio_ok
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")
    print(f"tts: {'espeak-ng at ' + espeak if espeak else 'NOT FOUND (install espeak-ng)'}")
    voice, voice_ok = _voice_status(cfg)
    print(f"voice: {voice}")
    if voice_ok and cfg.voice.engine == "piper":
        room = _room_for_the_cut_voice(cfg, _data_dir(args, cfg))
        if room:
            print(f"  note: {room}")
    ok = ok and voice_ok
    if is_raspberry_pi():
        from kiosk.io.buttons import make_factory

        factory, note = make_factory(False)
        factory.close()
        print(f"gpio: {note or 'ok'}")
        ok = ok and note is None
    else:
        print("gpio: no Raspberry Pi GPIO (mock buttons will be used)")
    data_ok = _check_data_dir(_data_dir(args, cfg))
    say(f"safety: {_safety_status(args, cfg)}")
    return 0 if ok and data_ok else 1


def _voice_status(cfg: Config) -> tuple[str, bool]:
    """Which voice the kiosk will speak in; with the neural voice configured, it is loaded for
    real (a few seconds), and if it cannot be, why. The kiosk would speak in espeak-ng then."""
    if cfg.voice.engine != "piper":
        return "espeak-ng", True
    from kiosk.errors import HardwareError
    from kiosk.io import piper

    why = piper.why_not(cfg.voice.model)
    path = piper.model_path(cfg.voice.model)
    if why is None and path is not None:
        synth = piper.PiperSynth(path, cfg.voice.length_scale)
        try:
            return f"piper ({synth.load()})", True
        except HardwareError as e:
            why = str(e)
        finally:
            synth.close()
    return f"espeak-ng (piper is configured but cannot load: {why})", False


def _room_for_the_cut_voice(cfg: Config, data_dir: Path) -> str | None:
    """Why the neural voice will render whole (in about 30 MB more memory) when the kiosk
    starts: no room in the data directory to cut it in two (kiosk.io.piper_parts); None when
    it is cut already, or there is room. Not a problem: the kiosk speaks all the same."""
    from kiosk.io import piper, piper_parts
    from kiosk.io.tts import cache_dir_for
    from kiosk.io.voice import neural_folders

    model = piper.model_path(cfg.voice.model)
    if model is None:
        return None
    _, parts = neural_folders(cache_dir_for(data_dir), model, cfg.voice.length_scale)
    try:
        if piper_parts.made(model, parts):
            return None
        size = model.stat().st_size
        free = _free_bytes(_nearest_existing(data_dir))
    except OSError:
        return None  # the data directory's own check says what is wrong with it
    if free >= size + FREE_SPACE_NEEDED:
        return None
    return (f"the neural voice is cut in two in {parts} ({size // 2**20} MiB) to render in "
            f"less memory, and {free // 2**20} MiB is free there: it will render whole, in "
            "about 30 MB more, until there is room")


def _free_bytes(path: Path) -> int:
    usage = os.statvfs(path)
    return usage.f_bavail * usage.f_frsize


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


FREE_SPACE_NEEDED = 20 * 1024 * 1024  # years of history and the voice cache, with room to spare


def _check_data_dir(data_dir: Path) -> bool:
    """Print whether the kiosk can keep its history in ``data_dir``; change nothing there."""
    from kiosk.store.readonly import read_history

    say(f"data: {data_dir}")
    problems = _data_dir_problems(data_dir)
    if not problems and data_dir.is_dir():
        try:
            snapshot = read_history(data_dir)
        except KioskError as e:
            problems.append(str(e))
        else:
            if snapshot.notes:
                problems += snapshot.notes
            else:
                say(f"  ok: the history reads ({len(snapshot.sessions)} sessions)")
    for problem in problems:
        say(f"  PROBLEM {problem}")
    return not problems


def _data_dir_problems(data_dir: Path) -> list[str]:
    import stat

    from kiosk.store.atomic import kind_of

    try:
        st = os.lstat(data_dir)
    except FileNotFoundError:
        parent = next(p for p in data_dir.parents if p.exists())
        if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
            say("  not made yet: the kiosk makes it when it first starts")
            return _space_problems(parent)
        return [f"{data_dir} does not exist and cannot be made in {parent}; make it "
                "(install -d -m 0700 -o kiosk -g kiosk ...) or give --data-dir a folder"]
    except OSError as e:
        return [f"{data_dir}: cannot look at it ({e.strerror}); check its permissions"]
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(data_dir) if data_dir.exists() else st
    if not stat.S_ISDIR(st.st_mode):
        return [f"{data_dir} is {kind_of(st.st_mode)}, not a folder; remove it, or give "
                "--data-dir (or [storage] data_dir) a folder"]
    problems = _space_problems(data_dir)
    if os.geteuid() == 0 and st.st_uid != 0:
        # Checked by root for the kiosk's user: that user owns the folder, and everything in
        # it must be theirs too, or the kiosk cannot replace it.
        owner = _user_name(st.st_uid)
        if st.st_mode & 0o300 != 0o300:
            problems.append(f"{data_dir}: its owner {owner} cannot write it; chmod u+rwx it")
        for path in _contents(data_dir):
            if path.lstat().st_uid != st.st_uid:
                problems.append(f"{path} belongs to {_user_name(path.lstat().st_uid)}, not "
                                f"{owner}; the kiosk cannot replace it: "
                                f"chown -R {owner}: {data_dir}")
                break
    elif not os.access(data_dir, os.W_OK | os.X_OK):
        problems.append(f"{data_dir}: this user cannot write it; run check as the kiosk's "
                        "user, or make the folder writable")
    return problems


def _space_problems(path: Path) -> list[str]:
    try:
        usage = os.statvfs(path)
    except OSError as e:
        return [f"{path}: cannot tell the free space ({e.strerror})"]
    if usage.f_flag & os.ST_RDONLY:
        return [f"{path} is on a read-only file system; no session could be saved: remount it "
                "read-write, or give --data-dir a folder on a writable disk"]
    free = usage.f_bavail * usage.f_frsize
    if free < FREE_SPACE_NEEDED:
        return [f"{path}: only {free // 1024} KiB free; the kiosk needs "
                f"{FREE_SPACE_NEEDED // (1024 * 1024)} MiB: free some space"]
    say(f"  ok: {free / 1024**3:.1f} GiB free")
    return []


def _contents(data_dir: Path) -> list[Path]:
    """What the kiosk writes in ``data_dir``: its top level, backups/ and voice-cache/."""
    found = []
    for folder in (data_dir, data_dir / "backups", data_dir / "voice-cache"):
        try:
            found += list(folder.iterdir()) if folder.is_dir() and not folder.is_symlink() else []
        except OSError:
            continue
    return found


def _user_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user {uid}"


def _safety_status(args: argparse.Namespace, cfg: Config) -> str:
    """Whether exercise waits for a clinician's clearance (docs/safety.md)."""
    from kiosk.core.coach.safety import clearance_state
    from kiosk.runtime import safety_checks

    notes: list[str] = []  # the data line above has said what is wrong with the history
    try:
        checks = safety_checks(list(_records(args, cfg, notes)))
    except KioskError:
        checks = []
    return clearance_state(checks, date.today(), cfg.safety.cleared_on)


def _audio_status() -> tuple[str, bool]:
    """The sound card, and whether there is one. The kiosk is led by voice: with no card it
    runs on, silent, showing every line on the screen, which a person 2 m away cannot follow,
    so check names it as a problem. ``KIOSK_SOUND_CARDS`` names the file that lists the cards
    (/proc/asound/cards), for a test to stand in another machine's."""
    cards = Path(os.environ.get("KIOSK_SOUND_CARDS") or "/proc/asound/cards")
    try:
        text = cards.read_text().strip()
    except OSError:
        text = ""
    if not text or "no soundcards" in text:
        return ("PROBLEM no sound card found: the kiosk would run silently, every line shown on "
                "the screen only (and with no screen, nothing to follow); fit a speaker or a "
                "USB sound card, then run kiosk check again", False)
    return "found: " + text.splitlines()[0].strip(), True


if __name__ == "__main__":  # `python -m kiosk` (kiosk/entry.py) also starts from the cache
    sys.exit(main())
