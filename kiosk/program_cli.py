"""`kiosk program`: a clinician's program from the command line (issue 28, docs/program.md).

    kiosk program template          a commented template: every family, its rungs and tags
    kiosk program check FILE        one line per problem (key, value, what is allowed); exit 1
    kiosk program load FILE         check, say it back, keep it (no kiosk may hold the data)
    kiosk program load --previous   back to the version before the one in force
    kiosk program show              the program in force, its versions and what each changed

A load is a writer: it takes the data directory's lock as the kiosk does, so it is refused,
with one line, while the kiosk runs (stop it first: systemctl stop backcare-kiosk).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from kiosk.config import Config
from kiosk.config.exercises import POSITIONS
from kiosk.config.files import DEFAULT_PROGRAM
from kiosk.config.program import (
    CONTACT_CHARS,
    MOST_REPS,
    NOTE_CHARS,
    STICK_NAME,
    ActiveProgram,
    ProgramFile,
    active_program,
    check_file,
    describe,
    load_program,
    program_record,
)
from kiosk.core.data.model import DIRECTIONS, Library
from kiosk.core.data.records import Record, checksum
from kiosk.errors import ConfigError
from kiosk.terminal import say

PROBLEMS = 1  # exit code: the file has problems (or the history could not take it)


def cmd(args: argparse.Namespace, cfg: Config, data_dir: Path) -> int:
    action = args.action
    if action == "template":
        sys.stdout.write(template(cfg.library))
        return 0
    if action == "check":
        return check(Path(args.file), cfg.library, sys.stdout)
    if action == "show":
        return show(_read(data_dir), cfg.library, sys.stdout)
    if args.previous == bool(args.file):
        say("kiosk program load: give a FILE, or --previous", sys.stderr)
        return 2
    return load(None if args.previous else Path(args.file), cfg, data_dir, sys.stdout)


def template(library: Library) -> str:
    """A program file to copy and fill in: it passes ``check`` as it is."""
    fams = [f.id for f in library.families][:3]
    out = [
        f"# {STICK_NAME}: a clinician's program for the back-care kiosk (docs/program.md).",
        "# Copy it to the top of a USB stick; on the kiosk, hold AMBER for the menu and choose",
        "# \"Load program from USB\". Check it first: kiosk program check FILE",
        "# No name or other personal data is needed; anything written here is kept as written.",
        "",
        "# The families, by id from the list at the end, in the order a session does them.",
        "families = [" + ", ".join(f'"{f}"' for f in fams) + "]",
        "# Sessions a week aimed for, 1 to 7 (replaces the kiosk's own weekly target).",
        "sessions_per_week = 3",
        f"# Movement directions to leave out: {', '.join(DIRECTIONS)}.",
        "# avoid_directions = [\"flexion\"]",
        f"# Positions to leave out: {', '.join(POSITIONS)}.",
        "# avoid_positions = [\"kneeling\"]",
        "# Leave out every rung with a weight or a bag to hold:",
        "# avoid_loads = true",
        "# From this day the kiosk says, once a week, that the program is due for review:",
        "# review_on = 2027-03-01",
        "# The day you cleared the safety questions' background answers (no quotes):",
        "# cleared_on = 2026-12-01",
        f"# Said after \"contact your clinician\" (one line, up to {CONTACT_CHARS} characters):",
        "# contact = \"Ring the practice on 01234 567890\"",
        f"# A short note, said once (up to {NOTE_CHARS} characters):",
        "# note = \"Keep the bridge low for the first two weeks.\"",
        "",
        "# For any family of the program, all optional: the first variation (where it starts),",
        "# the last (it goes no further) and a cap on the reps (minutes for walking, "
        f"1-{MOST_REPS}).",
        f"# [family.{fams[0]}]",
        f"# first = \"{library.family(fams[0]).ladder[0].id}\"",
        f"# last = \"{library.family(fams[0]).ladder[-1].id}\"",
        "# max_reps = 10",
        "",
        "# The library: each family's id and name, then its variations, easiest first:",
        "# id, name, position, reps (or minutes), directions it loads, and any load.",
    ]
    for f in library.families:
        out += ["#", f"# {f.id}: {f.name}"]
        for v in f.ladder:
            unit = "min" if v.unit == "minutes" else "reps"
            tags = ", ".join(v.directions) or "neutral"
            load = f"; holds {v.load}" if v.load else ""
            out.append(f"#   {v.id:<22} {v.name:<28} {v.position:<10} "
                       f"{v.start_reps}-{v.max_reps} {unit:<4} {tags}{load}")
    return "\n".join(out) + "\n"


def check(path: Path, library: Library, out: TextIO) -> int:
    checked = check_file(path, library)
    if not checked.ok:
        for problem in checked.problems:
            say(_line(problem), out)
        return PROBLEMS
    say(f"{path}: ok. As the kiosk will say it:", out)
    for line in checked.words:
        say(f"  {line}", out)
    return 0


def load(path: Path | None, cfg: Config, data_dir: Path, out: TextIO) -> int:
    """Keep the program at ``path`` (None: the previous version) as the program in force."""
    from kiosk.coaching import replays
    from kiosk.store.months import WholeHistory

    checked = None
    if path is not None:  # checked before the history is opened: a bad file touches nothing
        checked = check_file(path, cfg.library)
        if not checked.ok:
            for problem in checked.problems:
                say(_line(problem), out)
            say("kiosk program load: nothing changed", sys.stderr)
            return PROBLEMS
    with WholeHistory.open(data_dir, keep_backups=cfg.storage.backups,
                           replays=replays(cfg)) as history:  # DataDirBusy: the kiosk runs
        found = _active(history.records(), cfg.library)
        if path is None:
            before = found.previous
            if before is None:
                say("kiosk program load --previous: there is no previous program; nothing "
                    "changed", out)
                return PROBLEMS
            text = before.record.text if before.record is not None else ""
            words = (describe(before.file, cfg.library) if before.record is not None else
                     ("Back to the kiosk's own program (config/program.toml).",))
            source = "previous"
        else:
            assert checked is not None
            text, words, source = checked.text, checked.words, "file"
        now = found.current.record
        if now is not None and now.checksum == checksum(text):
            say("This program is already the one in force; nothing changed.", out)
            return 0
        for line in words:
            say(line, out)
        record = program_record(text, datetime.now().replace(microsecond=0), source)
        history.add(record)
    say(f"Kept as the program in force ({record.id}, checksum {record.checksum[:12]}). The "
        "kiosk uses it from its next start.", out)
    return 0


def show(records: Sequence[Record], library: Library, out: TextIO) -> int:
    found = _active(records, library)
    now = found.current
    where = ("config/program.toml (no clinician's program loaded)" if now.record is None
             else f"{now.record.id}, loaded {now.record.at:%Y-%m-%d %H:%M} ({now.record.source})")
    say(f"In force: {where}", out)
    for line in describe(now.file, library):
        say(f"  {line}", out)
    say("", out)
    say("Versions, oldest first:", out)
    before: ProgramFile | None = None
    for n, version in enumerate(found.history, 1):
        r = version.record
        name = ("config/program.toml" if r is None else
                f"{r.at:%Y-%m-%d %H:%M} {r.source:<8} {r.checksum[:12]}")
        said = changes(before, version.file, library) if before is not None else ["the start"]
        say(f"{n:>3}. {name}: {'; '.join(said) or 'no change'}", out)
        before = version.file
    for problem in found.problems:
        say(f"  note: {_line(problem)}", out)
    return 0


def changes(a: ProgramFile, b: ProgramFile, library: Library) -> list[str]:
    """What changed from program ``a`` to ``b``, in a few words each."""
    out: list[str] = []
    pa, pb = a.program, b.program
    added = [f for f in pb.families if f not in pa.families]
    gone = [f for f in pa.families if f not in pb.families]
    if added:
        out.append("added " + ", ".join(added))
    if gone:
        out.append("left out " + ", ".join(gone))
    for f in pb.families:
        if f in pa.families and pa.limits.get(f) != pb.limits.get(f):
            lb = pb.limits.get(f)
            out.append(f"{f} now " + (f"{lb.first or 'start'}..{lb.last or 'top'}"
                                      f"{f', at most {lb.max_reps}' if lb.max_reps else ''}"
                                      if lb is not None else "unbounded"))
    pairs = [("sessions a week", a.sessions_per_week, b.sessions_per_week),
             ("avoids", sorted(pa.avoid_directions | pa.avoid_positions) + (
                 ["loads"] if pa.avoid_loads else []),
              sorted(pb.avoid_directions | pb.avoid_positions) + (
                 ["loads"] if pb.avoid_loads else [])),
             ("review", a.review_on, b.review_on), ("cleared", a.cleared_on, b.cleared_on),
             ("contact", a.contact, b.contact), ("note", a.note, b.note)]
    for what, x, y in pairs:
        if x != y:
            out.append(f"{what} {x or 'none'} -> {y or 'none'}")
    return out


def _active(records: Sequence[Record], library: Library) -> ActiveProgram:
    return active_program(records, library, load_program(DEFAULT_PROGRAM, library))


def _read(data_dir: Path) -> list[Record]:
    from kiosk.store.readonly import stream_history

    notes: list[str] = []
    records = list(stream_history(data_dir, notes))
    for note in notes:
        say(f"kiosk: {note}", sys.stderr)
    return records


def _line(problem: ConfigError) -> str:
    """One problem, one line: the file, the key, the value and what is allowed."""
    return str(problem)
