"""`kiosk export` (JSON, CSV, FHIR, or everything onto the USB stick) and `kiosk report`: the
commands that write the history out, streamed a month at a time (docs/data.md, "Long jobs")."""

from __future__ import annotations

import argparse
import io
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TextIO, cast

from kiosk.cli_read import _records, _tell, _units
from kiosk.config import Config
from kiosk.errors import ConfigError
from kiosk.terminal import Progress, printable, say


def cmd_export(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.store import export

    if args.usb:
        if args.out is not None:
            say("kiosk export: --usb writes to the stick; leave --out out", sys.stderr)
            return 2
        return _export_usb(args, cfg)

    if args.out is not None:
        export.check_target(Path(args.out))  # before reading: the mistake is said alone
    to_screen = args.out is None and sys.stdout.isatty()
    # An export shown on the terminal would be torn by a progress line redrawn under it.
    progress = Progress("kiosk export", quiet=to_screen)
    notes: list[str] = []
    records = _records(args, cfg, notes, progress=progress)  # years never in memory whole

    def write(fp: TextIO) -> None:
        count = None
        if args.format == "fhir" and not export.can_seek_back(fp):
            # A pipe: the Bundle's id, written first, needs the count; the history is read
            # twice rather than held (export.FhirSink).
            counting = Progress("kiosk export: counting", quiet=to_screen)
            count = sum(1 for _ in _records(args, cfg, [], progress=counting))
        from kiosk.report import plan_specs

        export.write(args.format, records, fp, units=_units(cfg), count=count,
                     plans=plan_specs(cfg))

    try:
        if args.out is not None:
            export.write_file(Path(args.out), write)
        elif to_screen:
            write(cast(TextIO, _Printable(sys.stdout)))  # on a screen, no escape sequences
        else:
            write(sys.stdout)  # a pipe or a file gets the export exactly
    finally:
        progress.done()
    # On stdout the export is the data: what was recovered goes to stderr then.
    return _tell(notes, sys.stdout if args.out is not None else sys.stderr)


class _Printable(io.TextIOBase):
    """Text on its way to a terminal, each piece without what drives the terminal."""

    def __init__(self, screen: TextIO) -> None:
        self._screen = screen

    def write(self, text: str) -> int:
        self._screen.write(printable(text))
        return len(text)

    def writable(self) -> bool:
        return True


def _export_usb(args: argparse.Namespace, cfg: Config) -> int:
    """Everything onto the stick; prints what the kiosk would say, exits with the outcome's
    code (kiosk/core/reports/usb.py: EXIT_CODES), so the kiosk can run this as its child."""
    from kiosk.core.reports.usb import EXIT_CODES, words
    from kiosk.usb import copy_all

    notes: list[str] = []
    progress = Progress("kiosk export --usb")  # the kiosk's child: a pipe, so quiet
    try:
        # No collector_paused here: json.dumps with an indent makes a cycle of closures per
        # call, freed only by the collector (paused, ten years of FHIR took 210 MB).
        records = _records(args, cfg, notes, progress=progress)  # one read feeds every file
        outcome = copy_all(records, cfg, cfg.usb.mount, now=datetime.now(),
                           require_mount=cfg.usb.require_mount, units=_units(cfg))
    finally:
        progress.done()
    _tell(notes)
    say(words(outcome))
    return EXIT_CODES[outcome]


def cmd_report(args: argparse.Namespace, cfg: Config, problems: list[ConfigError]) -> int:
    from kiosk.core.reports.report import default_period
    from kiosk.report import check_folder, write_report
    from kiosk.store.readonly import collector_paused

    until = args.until or date.today()
    since = args.since or default_period(until)[0]
    if since > until:
        say(f"kiosk report: --since {since} is after --until {until}; give an earlier --since",
            sys.stderr)
        return 2
    check_folder(args.out)  # before reading: the mistake is said alone
    notes: list[str] = []
    progress = Progress("kiosk report")
    try:
        with collector_paused():  # its appendix's rows pile up: see readonly.collector_paused
            records = _records(args, cfg, notes, progress=progress)  # read once, not held
            page = write_report(records, cfg, args.out, since=since, until=until,
                                now=datetime.now())
    finally:
        progress.done()
    print(page)
    return _tell(notes)
