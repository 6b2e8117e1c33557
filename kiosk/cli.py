"""The ``kiosk`` command: run, demo, plan, history, export, check."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from kiosk.check import cmd_check  # noqa: F401  # found by main() as cmd_check
from kiosk.cli_args import parser as parser  # `kiosk.cli.parser`, as tests and docs know it
from kiosk.cli_exports import cmd_export, cmd_report  # noqa: F401  # found by main()
from kiosk.cli_read import DAMAGED as DAMAGED  # a reader's exit code, as tests know it
from kiosk.cli_read import _data_dir, _records, _tell
from kiosk.config import Config, load_config
from kiosk.core.coach.legs import WORDS as LEG_WORDS
from kiosk.core.coach.safety import SafetyCheck
from kiosk.core.data.model import Plan
from kiosk.core.data.records import (
    PainEntry,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
    sessions_of,
)
from kiosk.errors import ConfigError, KioskError, StorageError
from kiosk.terminal import Progress, say

log = logging.getLogger("kiosk")


def main(
    argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run one command; its exit code. ``stdout`` and ``stderr`` stand in for the terminal's
    (a test's twin of a terminal): every line the command writes goes there instead."""
    with contextlib.redirect_stdout(stdout or sys.stdout), \
            contextlib.redirect_stderr(stderr or sys.stderr):
        return _main(argv)


def _main(argv: list[str] | None) -> int:
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
    where = _demo_dir(args)
    try:
        user = SimUser(args.user, presses=args.presses,
                       sore_on=[v.name for v in sore.ladder] if sore else (),
                       day=_demo_day(where, args.date or date.today()))
    except ValueError as exc:
        say(f"kiosk demo: {exc}", sys.stderr)
        return 2
    opts = Options(mock=True, display="headless", data_dir=where, demo=True,
                   day=args.date, at=args.at, schedule=args.at is not None,
                   timeline=args.timeline, screening=args.screening)
    return run_demo(cfg, opts, user)


def _demo_day(where: Path, today: date) -> int:
    """Which day of use this demo is for the simulated person: one more than the days before
    ``today`` with a session in the demo's history (the leg-symptoms person counts them). A
    history that cannot be read counts as none: the demo itself then says what is wrong."""
    from kiosk.store.readonly import stream_history

    try:
        days = {r.plan_date for r in stream_history(where, [])
                if isinstance(r, SessionRecord) and r.plan_date < today}
    except StorageError:
        return 1
    return len(days) + 1


def _window(
    args: argparse.Namespace, cfg: Config, notes: list[str]
) -> tuple[Any, list[Record]]:
    """What a plan for any day needs, read-only: the newest month's snapshot (a replay of the
    older history, or None) and the records after it, with those a snapshot keeps (the
    latest movement signature among them). Year ten costs what year one does.

    The kiosk starts from the same snapshot (runtime.build: the writer's ``base``), whatever
    the day is, a day before the snapshot's latest session included (a clock gone back):
    ``coaching.make_planner`` is the one rule, so ``kiosk plan`` says what the kiosk will do."""
    from kiosk.coaching import replays
    from kiosk.store.months import FOLDER, needs_migration, read_window

    data_dir = _data_dir(args, cfg)
    if needs_migration(data_dir) or not (data_dir / FOLDER).is_dir():
        return None, list(_records(args, cfg, notes))  # one file, or none yet
    base, window, _ = read_window(data_dir, replays(cfg), notes)
    return base, window


def _weekly_target(args: argparse.Namespace, cfg: Config) -> int:
    """The sessions a week aimed for, as the kiosk counts them (Host.week): the clinician's
    program in force sets it, else ``[rituals] weekly_target``. The program is among the
    records a snapshot keeps, so this reads the newest snapshot and the month after it; what
    that read meets is told by the command's own read."""
    from kiosk.coaching import make_terms

    _, window = _window(args, cfg, [])
    return make_terms(cfg)(window).sessions_per_week or cfg.rituals.weekly_target


def cmd_plan(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.coaching import make_planner

    day = args.date or date.today()
    notes: list[str] = []
    base, records = _window(args, cfg, notes)
    plan = make_planner(cfg, base)(records, day, None)
    for line in plan_lines(plan):
        say(line)
    return _tell(notes)


def plan_lines(plan: Plan) -> Iterator[str]:
    """``kiosk plan``'s lines for ``plan``: each exercise, its dose, change and reason."""
    from kiosk.core.words.phrases import dose

    yield f"Plan for {plan.date}:"
    for i, p in enumerate(plan.exercises, start=1):
        side = {"alternate": ", alternating sides", "each": ", each side"}.get(p.variation.side, "")
        if p.first_side is not None and p.variation.side in ("each", "alternate"):
            side += f", {p.first_side} first"
            if p.extra_reps and p.variation.side == "alternate":
                side += f" ({p.side_target(p.first_side)} in all: one more on the {p.first_side})"
            elif p.extra_reps:
                side += f" ({p.side_target(p.first_side)} on the {p.first_side})"
        yield (f"  {i}. {p.family.name}: {p.variation.name}, "
               f"{dose(p.variation, p.target, spoken=False)}{side}  [{p.change}]")
        if p.reason:
            yield f"     {p.reason}"
    for note in plan.notes:
        yield f"  Note: {note}"
    for name, why in plan.waiting:
        yield f"  Waits: {name}: {why}"


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
    from kiosk.coaching import make_levels
    from kiosk.core.coach.rituals import hhmm, how_reached, total_seconds, unlocks

    day = args.date or date.today()
    notes: list[str] = []
    base, records = _window(args, cfg, notes)
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
    week = week_of(day, active_days(records), _weekly_target(args, cfg))
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
    from kiosk.coaching import make_planner

    base, window = _window(args, cfg, [])
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
    from kiosk.report import check_folder
    from kiosk.ui.history import render_history, render_screens

    day, ladders = args.date or date.today(), ladders_of(cfg.library)
    check_folder(args.out)  # as report --out: its own folder is made, never one above it
    notes: list[str] = []
    records = list(_records(args, cfg, notes, since=_read_back(day)))
    code = _tell(notes)
    try:
        args.out.mkdir(exist_ok=True)
        for path in render_history(records, day, ladders, _weekly_target(args, cfg), args.out,
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
    legs = f"  legs: {LEG_WORDS[s.legs]}" if s.legs is not None else ""  # below the knee
    say(f"{s.started_at:%Y-%m-%d %H:%M}  {pain:<14} "
          f"{s.clean_reps:>3} clean reps  ended: {s.ended_by}{legs}")
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


def cmd_rehearse(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    """Weeks of the rules on a simulated person: nothing is read from or written to the data
    directory."""
    from kiosk.rehearse import BadDays, as_csv, as_text, from_config

    text = None
    if args.program is not None:
        from kiosk.config.program import check_file

        checked = check_file(args.program, cfg.library)
        if not checked.ok:
            for problem in checked.problems:
                say(f"kiosk rehearse: --program {problem}", sys.stderr)
            return 2
        text = checked.text
    try:
        result = from_config(cfg, weeks=args.weeks, days=args.days, user=args.user,
                             program=text)
    except BadDays as exc:
        say(f"kiosk rehearse: --days {exc}", sys.stderr)
        return 2
    if args.format == "csv":
        sys.stdout.write(as_csv(result.rows))
        return 0
    names = {f.id: f.name for f in cfg.library.families}
    under = f", under the program {args.program}" if args.program is not None else ""
    say(f"{args.user}, {args.days}, {args.weeks} weeks{under}: where each exercise stood at the "
        "end of each week, and why it changed")
    sys.stdout.write(as_text(result.rows, lambda f: names.get(f, f)))
    return 0


def cmd_program(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    """A clinician's program: template, check, load, show (kiosk/program_cli.py)."""
    from kiosk import program_cli

    return program_cli.cmd(args, cfg, _data_dir(args, cfg))


def cmd_simulate(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:

    from kiosk.simulate import HistoryExists, write_history

    if not args.data_dir:
        say("kiosk simulate: give --data-dir: it never writes into the kiosk's own history",
            sys.stderr)
        return 2
    end = args.end or date.today() - timedelta(days=1)
    progress = Progress("kiosk simulate")
    try:
        written = write_history(cfg, Path(args.data_dir), years=args.years,
                                per_day=args.per_day, seed=args.seed, end=end,
                                on_month=lambda month, n, total: progress.step(
                                    f"saving {month}", n, total))
    except HistoryExists as exc:
        say(f"kiosk simulate: {exc}", sys.stderr)
        return 1
    finally:
        progress.done()
    say(f"simulated {written.sessions} sessions and {written.pain_entries} pain-log entries "
        f"ending {end.isoformat()} in {args.data_dir}")
    return 0


if __name__ == "__main__":  # `python -m kiosk` (kiosk/entry.py) also starts from the cache
    sys.exit(main())
