"""Exports for a clinician: the whole history as JSON, one CSV row per set, or a FHIR R4 Bundle.

Both take the records in save order, as an iterable (streamed month by month): the sessions,
the rounds of safety answers, the rituals and the pain entries logged from the home screen.
docs/data.md describes the columns.
A CSV is opened in a spreadsheet, so no cell may start a formula (``escape_cell``), and
``write_file`` makes sure an export goes where it was asked to go, readable by its owner only.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import tempfile
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from kiosk.core.coach.safety import SafetyCheck
from kiosk.core.data.records import (
    SCHEMA_VERSION,
    PainEntry,
    ProgramRecord,
    PsfsRecord,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
)
from kiosk.core.reports import fhir
from kiosk.core.words.plain import printable
from kiosk.errors import StorageError
from kiosk.store.atomic import fsync_dir, kind_of
from kiosk.store.records import decode, encode

FORMATS = ("json", "csv", "fhir")
SUFFIX = {"json": "history.json", "csv": "history.csv", "fhir": "history.fhir.json"}

# A cell starting with one of these is a formula to a spreadsheet (the OWASP list): an exercise
# named =HYPERLINK(...) would become a live link in the clinician's copy.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# What a spreadsheet may also read as the start of a formula: the full-width signs, and any
# of them after leading white space (which some spreadsheets skip).
_FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")

CSV_COLUMNS = (
    "session_id",
    "date",
    "pain_before",
    "pain_after",
    "session_ended_by",
    "family",
    "variation",
    "target",
    "change",
    "reason",
    "skipped",
    "set",
    "side",
    "reps",
    "clean_reps",
    "set_ended_by",
)
REP_LETTERS = {"clean": "C", "slipped": "S"}


def write_json(records: Iterable[Record], fp: TextIO) -> None:
    """The sessions, and (when there are any) the rounds of safety answers, the rituals
    (offered, run, snoozed, skipped), the pain log entries, the PSFS rounds and the movement
    signatures and the clinician's programs, as saved: one JSON document written a session at
    a time (a history of years never sits in memory whole), exactly as
    ``json.dump(..., indent=2)`` would lay it out."""
    fp.write(f'{{\n  "schema": {SCHEMA_VERSION},\n  "sessions": [')
    first = True
    # The other kinds are far fewer than sessions: kept to go after them, each under its key.
    others: dict[str, list[object]] = {key: [] for key in _OTHER_KEYS.values()}
    for record in records:
        if not isinstance(record, SessionRecord):
            key = _OTHER_KEYS.get(type(record))
            if key is not None:
                others[key].append(encode(record))
            continue
        text = json.dumps(encode(record), indent=2)
        fp.write(("\n" if first else ",\n") + textwrap.indent(text, "    "))
        first = False
    fp.write("]" if first else "\n  ]")
    for key, found in others.items():
        if found:  # a history from before safety answers, rituals, the pain log, the PSFS
            # or the movement signature exports as it always did
            text = json.dumps(found, indent=2)
            fp.write(f',\n  "{key}": ' + textwrap.indent(text, "  ")[2:])
    fp.write("\n}\n")


_OTHER_KEYS: dict[type, str] = {SafetyCheck: "safety", RitualRecord: "rituals",
                                PainEntry: "pain_entries", PsfsRecord: "psfs",
                                ScreeningRecord: "screenings", ProgramRecord: "programs"}

JSON_LISTS = ("sessions", "safety", "rituals", "pain_entries", "psfs", "screenings", "programs")


def read_json(fp: TextIO) -> list[Record]:
    """A JSON export read back into records, each checked as the store checks it: what a
    clinic's import, or a move to a new kiosk, would do. Raises ``StorageError`` in words."""
    try:
        doc = json.load(fp)
        if doc.get("schema") != SCHEMA_VERSION:
            raise StorageError(f"this export has schema {doc.get('schema')!r}; this kiosk "
                               f"reads schema {SCHEMA_VERSION}")
        return [decode(raw) for key in JSON_LISTS for raw in doc.get(key, [])]
    except (ValueError, AttributeError, TypeError) as e:
        raise StorageError(f"not a kiosk JSON export ({e})") from e


def write_fhir(records: Sequence[Record], fp: TextIO, units: Mapping[str, str] | None = None,
               now: datetime | None = None) -> None:
    """The FHIR R4 Bundle (kiosk/core/reports/fhir.py), with each local time given its offset."""
    doc = fhir.bundle(records, generated=now or datetime.now(), localize=local_time,
                      units=units)
    json.dump(doc, fp, indent=2, ensure_ascii=False)
    fp.write("\n")


def local_time(at: datetime) -> datetime:
    """A naive local time with this machine's offset at that moment (summer time included)."""
    return at.astimezone() if at.tzinfo is None else at


def write(fmt: str, records: Iterable[Record], fp: TextIO,
          units: Mapping[str, str] | None = None) -> None:
    """One export in format ``fmt`` (one of FORMATS). JSON and CSV are written as the records
    come (streamed month by month); a FHIR Bundle is made whole first."""
    if fmt == "fhir":
        write_fhir(list(records), fp, units)
    elif fmt == "csv":
        write_csv(records, fp)
    else:
        write_json(records, fp)


def write_csv(records: Iterable[Record], fp: TextIO) -> None:
    """Open ``fp`` with ``newline=""``, as the csv module asks, so rows end in CRLF only.

    Sessions come one row per set; a round of safety answers one row per answer, with
    ``family`` = ``safety``, ``variation`` = the question, ``reps`` = yes or no, and how it was
    given (green, amber, red, timeout) in ``set_ended_by``; a pain log entry one row; a ritual
    one row; a PSFS round one row per activity; a movement signature one row per probe and
    side (docs/data.md)."""
    writer = csv.writer(fp)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        if isinstance(record, SessionRecord):
            rows = _rows(record)
        elif isinstance(record, SafetyCheck):
            rows = _safety_rows(record)
        elif isinstance(record, PainEntry):
            rows = iter([_pain_row(record)])
        elif isinstance(record, ScreeningRecord):
            rows = _screening_rows(record)
        elif isinstance(record, RitualRecord):
            rows = iter([_ritual_row(record)])
        elif isinstance(record, PsfsRecord):
            rows = _psfs_rows(record)
        else:
            continue
        writer.writerows([escape_cell(cell) for cell in row] for row in rows)


def _safety_rows(check: SafetyCheck) -> Iterator[list[Any]]:
    head: list[Any] = [check.id, check.day.isoformat(), check.pain, "", f"safety: {check.outcome}"]
    for a in check.answers:
        what = ["safety", a.question, "", str(a.group), str(check.reason), "no"]
        yield head + what + ["", "", "yes" if a.yes else "no", "", str(a.how)]


def _screening_rows(r: ScreeningRecord) -> Iterator[list[Any]]:
    """A movement signature: one row per probe and side, the side in ``side``, the rating
    (easy, stiff, painful, skipped) in ``reps``, a pain rating after RED in ``pain_before``."""
    ended = "screening: " + ("complete" if r.complete else "ended early")
    for p in r.results:
        yield [r.id, r.day.isoformat(), p.pain, "", ended, "screening", p.probe, "", "",
               r.reason, "no", "", p.side or "", p.rating, "", ""]


def _ritual_row(r: RitualRecord) -> list[Any]:
    """A ritual: one row, as a set of one: its rung in ``family`` and ``variation``, its name
    in ``reason``, the rating in ``reps`` and the outcome in ``set_ended_by``."""
    not_done = "yes" if r.outcome in ("snoozed", "skipped") else "no"
    return [r.id, r.at.isoformat(timespec="minutes"), "", "", f"ritual: {r.outcome}", r.family,
            r.variation, "", "", r.name, not_done, "", "", r.rating or "", "", r.outcome]


def _psfs_rows(r: PsfsRecord) -> Iterator[list[Any]]:
    """A PSFS round: one row per activity, the activity in ``variation``, its score in
    ``reps``."""
    for s in r.scores:
        yield [r.id, r.at.isoformat(timespec="minutes"), "", "", "psfs", "psfs", s.activity,
               "", "", "", "no", "", "", s.score, "", ""]


def _pain_row(entry: PainEntry) -> list[Any]:
    """A pain entry in the table: its id, date and time, the rating as ``pain_before``, and
    ``pain-log`` where a session says how it ended; the exercise columns stay empty."""
    head: list[Any] = [entry.id, entry.at.isoformat(timespec="minutes"), entry.pain, "",
                       "pain-log"]
    return head + [""] * (len(CSV_COLUMNS) - len(head))


def escape_cell(value: object) -> str:
    """The cell as text, with a leading ``'`` if it would otherwise start a formula."""
    text = printable("" if value is None else str(value))
    lead = text.lstrip()
    risky = text.startswith(FORMULA_STARTS) or (lead != "" and lead[0] in _FORMULA_SIGNS)
    return "'" + text if risky else text


def write_file(out: Path, write: Callable[[TextIO], object]) -> None:
    """Write an export to ``out`` atomically, mode 0600, or raise ``StorageError`` in words.

    The temporary file beside ``out`` is created with O_EXCL|O_NOFOLLOW, so a link planted at
    its name cannot redirect the export into another file; it is removed on any failure.
    ``out`` itself may be a link: the rename replaces the link, not what it points to.
    """
    check_target(out)
    try:
        # O_EXCL under a random name, 0600: nothing planted beside ``out`` is written through.
        fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        tmp = Path(name)
        os.fchmod(fd, 0o600)
    except OSError as e:
        raise StorageError(f"{out}: cannot write the export ({e.strerror}); choose a file in a "
                           "folder you can write to") from e
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fp:
            write(fp)
            fp.flush()
            os.fsync(fp.fileno())  # the data before the rename: a power cut leaves old or new
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def check_target(out: Path) -> None:
    """Raise ``StorageError`` unless an export can be written to ``out``."""
    if not out.name or out.name in (".", ".."):
        raise StorageError(f"--out {str(out)!r} is not a file name; give a file such as "
                           "history.csv")
    try:
        mode = os.lstat(out).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise StorageError(f"{out}: cannot write the export ({e.strerror})") from e
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise StorageError(f"{out} is {kind_of(mode)}; give --out a file name, or leave it out "
                           "to write to standard output")
    if not out.parent.is_dir():
        raise StorageError(f"{out}: the folder {out.parent} does not exist; make it first, or "
                           "choose a file in another folder")


def _rows(session: SessionRecord) -> Iterator[list[Any]]:
    head: list[Any] = [
        session.id,
        session.plan_date.isoformat(),
        session.pain_before,
        session.pain_after,
        session.ended_by,
    ]
    if not session.exercises:
        yield head + [""] * (len(CSV_COLUMNS) - len(head))
    for ex in session.exercises:
        what = [ex.family, ex.variation, ex.target, ex.change, ex.reason]
        what.append("yes" if ex.skipped else "no")
        if not ex.sets:
            # A skipped or never-reached exercise still gets a row, so no session vanishes.
            yield head + what + [""] * 5
        number = Counter[str | None]()  # sets are numbered per side: left 1, right 1, left 2, ...
        for s in ex.sets:
            number[s.side] += 1
            reps = "".join(REP_LETTERS[r] for r in s.reps)
            yield head + what + [number[s.side], s.side, reps, s.clean_reps, s.ended_by]
