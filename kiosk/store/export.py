"""Exports for a clinician: the whole history as JSON, one CSV row per set, or a FHIR R4 Bundle.

Each takes the records in save order, one at a time (a ``Sink``; the history streamed month by
month), and writes as it goes: ten years of history never sit in memory whole. docs/data.md
describes the formats and the columns.
A CSV is opened in a spreadsheet, so no cell may start a formula (``escape_cell``), and
``write_file`` makes sure an export goes where it was asked to go, readable by its owner only.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import stat
import tempfile
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

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

# The table a spreadsheet opens: one row per thing done, ``record`` saying what kind of row it
# is. A session's sets fill the session columns; every other kind has columns of its own, so a
# filter on ``record`` (or a glance along a row) never reads a safety answer as a set of reps.
SESSION_COLUMNS = (
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
OTHER_COLUMNS = (
    "pain",  # a pain-log rating; a safety round's or a screening probe's rating
    "asked_because",  # a safety round or a movement check: why it was asked
    "question", "question_group", "answer", "answered_with", "safety_outcome",
    "seen_by_clinician",
    "probe", "probe_side", "probe_rating", "screening",
    "activity", "score",
    "ritual", "ritual_outcome", "ritual_rating", "steps_done",
    "note",
)
CSV_COLUMNS = ("record", "id", "date", *SESSION_COLUMNS, *OTHER_COLUMNS)
# What ``record`` says: the kind of row, in words.
ROW_KINDS = {SessionRecord: "session", SafetyCheck: "safety answer", PainEntry: "pain log",
             ScreeningRecord: "movement check", RitualRecord: "ritual", PsfsRecord: "PSFS",
             ProgramRecord: "program"}
REP_LETTERS = {"clean": "C", "slipped": "S"}


class Sink(Protocol):
    """One export being written: a record at a time, in save order, then ``finish``. So the
    history is read once, month by month, whatever the format, and the USB copy feeds every
    format (and the report) from the same single read."""

    def add(self, record: Record) -> None: ...

    def finish(self) -> None: ...


class JsonSink:
    """The sessions, and (when there are any) the rounds of safety answers, the rituals
    (offered, run, snoozed, skipped), the pain log entries, the PSFS rounds and the movement
    signatures and the clinician's programs, as saved: one JSON document written a session at
    a time (a history of years never sits in memory whole), exactly as
    ``json.dump(..., indent=2)`` would lay it out."""

    def __init__(self, fp: TextIO) -> None:
        self._fp = fp
        self._first = True
        # The other kinds are far fewer than sessions: kept to go after them, each under its key.
        self._others: dict[str, list[object]] = {key: [] for key in _OTHER_KEYS.values()}
        fp.write(f'{{\n  "schema": {SCHEMA_VERSION},\n  "sessions": [')

    def add(self, record: Record) -> None:
        if not isinstance(record, SessionRecord):
            key = _OTHER_KEYS.get(type(record))
            if key is not None:
                self._others[key].append(encode(record))
            return
        text = json.dumps(encode(record), indent=2)
        self._fp.write(("\n" if self._first else ",\n") + textwrap.indent(text, "    "))
        self._first = False

    def finish(self) -> None:
        fp = self._fp
        fp.write("]" if self._first else "\n  ]")
        for key, found in self._others.items():
            if found:  # a history from before safety answers, rituals, the pain log, the PSFS
                # or the movement signature exports as it always did
                text = json.dumps(found, indent=2)
                fp.write(f',\n  "{key}": ' + textwrap.indent(text, "  ")[2:])
        fp.write("\n}\n")


def write_json(records: Iterable[Record], fp: TextIO) -> None:
    """The whole history as one JSON document (``JsonSink``)."""
    _drain(records, JsonSink(fp))


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


class FhirSink:
    """The FHIR R4 Bundle (kiosk/core/reports/fhir.py), written a resource at a time, byte for
    byte as ``json.dump(bundle, indent=2, ensure_ascii=False)`` lays out the whole Bundle.

    The Bundle's id is made from how many records it holds, which a stream knows only at its
    end, and it comes before the entries. So either ``count`` is given (a stream read twice, as
    a pipe must be), or ``fp`` can seek: the id is written as a placeholder of the same length
    and put right once the last record is in."""

    def __init__(self, fp: TextIO, units: Mapping[str, str] | None = None,
                 now: datetime | None = None, *, count: int | None = None,
                 plans: Plans | None = None) -> None:
        if count is None and not can_seek_back(fp):
            raise ValueError("a FHIR export to a stream that cannot seek needs its count")
        self._fp = fp
        self._units = units or {}
        self._generated = now or datetime.now()
        self._when = fhir.timestamp(local_time)
        self._count = 0
        self._given = count
        # Each clinician's program loaded, with the sessions done under it, per family: its
        # CarePlan is written once the next program (or the end) is reached. Without ``plans``
        # (a reader of the program's text) no CarePlan is written.
        self._plans = plans
        self._program: tuple[ProgramRecord, dict[str, list[str]]] | None = None
        head = fhir.bundle_head(count or 0, generated=self._generated, localize=local_time)
        before, after = _json_head(head)
        fp.write(before)
        self._id_at = None if count is not None else fp.tell()
        fp.write(head["id"] + after + ',\n  "entry": [\n')
        self._write(fhir.patient_entry())

    def add(self, record: Record) -> None:
        self._count += 1
        if isinstance(record, ProgramRecord) and self._plans is not None:
            self._care_plan(ended=record.at)
            self._program = (record, {})
        elif isinstance(record, SessionRecord) and self._program is not None:
            done = self._program[1]
            for ex in record.exercises:
                if ex.sets and not ex.skipped:
                    urls = done.setdefault(ex.family, [])
                    if not urls or urls[-1] != fhir.session_url(record.id):
                        urls.append(fhir.session_url(record.id))
        for url, resource in fhir.resources(record, self._when, self._units):
            self._fp.write(",\n")
            self._write(fhir.entry(url, resource))

    def _care_plan(self, *, ended: datetime | None) -> None:
        """The CarePlan of the program in force so far, if there is one, once it ends."""
        if self._program is None or self._plans is None:
            return
        record, outcomes = self._program
        spec = self._plans(record)
        self._program = None
        if spec is not None:
            self._fp.write(",\n")
            self._write(fhir.entry(*fhir.care_plan(record, spec, ended=ended,
                                                   outcomes=outcomes, when=self._when)))

    def finish(self) -> None:
        fp = self._fp
        self._care_plan(ended=None)
        fp.write("\n  ]\n}\n")
        if self._given is not None and self._given != self._count:
            raise ValueError(f"the FHIR Bundle was told {self._given} records and given "
                             f"{self._count}: the history changed while it was read")
        if self._id_at is not None:
            fp.seek(self._id_at)
            fp.write(fhir.bundle_id(self._count, self._generated))
            fp.seek(0, os.SEEK_END)

    def _write(self, entry: dict[str, Any]) -> None:
        text = json.dumps(entry, indent=2, ensure_ascii=False)
        # Only at "\n": str.splitlines (and textwrap) would also cut at a U+2028 inside a
        # string, which ensure_ascii=False leaves as it is.
        self._fp.write("\n".join("    " + line for line in text.split("\n")))


Plans = Callable[[ProgramRecord], "fhir.PlanSpec | None"]  # a program's text, read for its plan


def _json_head(head: Mapping[str, Any]) -> tuple[str, str]:
    """The Bundle's opening as ``json.dump`` writes it, cut around its id's value: the text
    before the id and the text after it (the entries follow)."""
    text = json.dumps(head, indent=2, ensure_ascii=False)
    assert text.endswith("\n}")
    marker = json.dumps(head["id"])
    at = text.index(marker) + 1
    return text[:at], text[at + len(head["id"]):-2]


def write_fhir(records: Iterable[Record], fp: TextIO, units: Mapping[str, str] | None = None,
               now: datetime | None = None, *, count: int | None = None,
               plans: Plans | None = None) -> None:
    """The FHIR R4 Bundle, streamed (``FhirSink``), with each local time given its offset."""
    _drain(records, FhirSink(fp, units, now, count=count, plans=plans))


def local_time(at: datetime) -> datetime:
    """A naive local time with this machine's offset at that moment (summer time included)."""
    return at.astimezone() if at.tzinfo is None else at


def sink(fmt: str, fp: TextIO, units: Mapping[str, str] | None = None, *,
         count: int | None = None, plans: Plans | None = None) -> Sink:
    """The writer of one export in format ``fmt`` (one of FORMATS). ``count``: how many
    records will come, for a FHIR Bundle written where it cannot seek back (``FhirSink``)."""
    if fmt == "fhir":
        return FhirSink(fp, units, count=count, plans=plans)
    if fmt == "csv":
        return CsvSink(fp)
    return JsonSink(fp)


def write(fmt: str, records: Iterable[Record], fp: TextIO,
          units: Mapping[str, str] | None = None, *, count: int | None = None,
          plans: Plans | None = None) -> None:
    """One export in format ``fmt`` (one of FORMATS), written as the records come (streamed
    month by month): none of them holds the history in memory."""
    _drain(records, sink(fmt, fp, units, count=count, plans=plans))


def _drain(records: Iterable[Record], out: Sink) -> None:
    for record in records:
        out.add(record)
    out.finish()


class CsvSink:
    """The table (``CSV_COLUMNS``): open ``fp`` with ``newline=""``, as the csv module asks,
    so rows end in CRLF only.

    A session is one row per set (an exercise with no sets one row, so none vanishes); a round
    of safety answers one row per answer; a movement check one row per probe and side; a pain
    log entry, a ritual, one row; a PSFS round one row per activity (docs/data.md)."""

    def __init__(self, fp: TextIO) -> None:
        self._writer = csv.writer(fp)
        self._writer.writerow(CSV_COLUMNS)

    def add(self, record: Record) -> None:
        kind = ROW_KINDS.get(type(record))
        if kind is None:
            return
        for cells in _ROWS[type(record)](record):
            row: list[object] = [kind, record.id, *[""] * (len(CSV_COLUMNS) - 2)]
            for column, value in cells.items():
                row[_AT[column]] = value
            self._writer.writerow([escape_cell(cell) for cell in row])

    def finish(self) -> None:
        pass


def write_csv(records: Iterable[Record], fp: TextIO) -> None:
    """The whole history as one table (``CsvSink``)."""
    _drain(records, CsvSink(fp))


_AT = {column: i for i, column in enumerate(CSV_COLUMNS)}
Cells = dict[str, object]  # column -> value; the columns not named stay empty


def _session_rows(session: SessionRecord) -> Iterator[Cells]:
    head: Cells = {"date": session.plan_date.isoformat(), "pain_before": session.pain_before,
                   "pain_after": session.pain_after, "session_ended_by": session.ended_by}
    if not session.exercises:
        yield head
    for ex in session.exercises:
        what: Cells = {**head, "family": ex.family, "variation": ex.variation,
                       "target": ex.target, "change": ex.change, "reason": ex.reason,
                       "skipped": "yes" if ex.skipped else "no"}
        if not ex.sets:
            # A skipped or never-reached exercise still gets a row, so no session vanishes.
            yield what
        number = Counter[str | None]()  # sets are numbered per side: left 1, right 1, left 2, ...
        for s in ex.sets:
            number[s.side] += 1
            reps = "".join(REP_LETTERS[r] for r in s.reps)
            yield {**what, "set": number[s.side], "side": s.side, "reps": reps,
                   "clean_reps": s.clean_reps, "set_ended_by": s.ended_by}


def _safety_rows(check: SafetyCheck) -> Iterator[Cells]:
    """A round of safety answers: one row per question, its answer and how it was given
    (green, amber, red, timeout)."""
    seen = "" if check.seen is None else "yes" if check.seen == "green" else "no"
    head: Cells = {"date": check.day.isoformat(), "pain": check.pain,
                   "asked_because": str(check.reason), "safety_outcome": str(check.outcome),
                   "seen_by_clinician": seen}
    if not check.answers:
        yield head
    for a in check.answers:
        yield {**head, "question": a.question, "question_group": str(a.group),
               "answer": "yes" if a.yes else "no", "answered_with": str(a.how)}


def _screening_rows(r: ScreeningRecord) -> Iterator[Cells]:
    """A movement check: one row per probe and side, its rating (easy, stiff, painful,
    skipped), and the pain rating given after RED."""
    head: Cells = {"date": r.day.isoformat(), "asked_because": str(r.reason),
                   "screening": "complete" if r.complete else "ended early"}
    if not r.results:
        yield head
    for p in r.results:
        yield {**head, "probe": p.probe, "probe_side": p.side, "probe_rating": p.rating,
               "pain": p.pain}


def _ritual_rows(r: RitualRecord) -> Iterator[Cells]:
    """A ritual: one row, the rung it builds on in ``family`` and ``variation``."""
    yield {"date": r.at.isoformat(timespec="minutes"), "family": r.family,
           "variation": r.variation, "ritual": r.name, "ritual_outcome": str(r.outcome),
           "ritual_rating": r.rating, "steps_done": r.steps_done}


def _psfs_rows(r: PsfsRecord) -> Iterator[Cells]:
    """A PSFS round: one row per activity, as the clinician wrote it, and its score."""
    at = r.at.isoformat(timespec="minutes")
    if not r.scores:
        yield {"date": at}
    for s in r.scores:
        yield {"date": at, "activity": s.activity, "score": s.score}


def _pain_rows(entry: PainEntry) -> Iterator[Cells]:
    """A pain-log entry: its date and time, its rating and what the person was doing."""
    yield {"date": entry.at.isoformat(timespec="minutes"), "pain": entry.pain,
           "note": entry.note}


def _program_rows(r: ProgramRecord) -> Iterator[Cells]:
    """A clinician's program loaded: when, and from where (its text is in the JSON export)."""
    how = "going back to the one before" if r.source == "previous" else f"from {r.source}"
    yield {"date": r.at.isoformat(timespec="minutes"),
           "note": f"clinician's program loaded {how}" if r.text.strip() else
           "back to the kiosk's default program"}


_ROWS: dict[type, Callable[[Any], Iterator[Cells]]] = {
    ProgramRecord: _program_rows,
    SessionRecord: _session_rows, SafetyCheck: _safety_rows, PainEntry: _pain_rows,
    ScreeningRecord: _screening_rows, RitualRecord: _ritual_rows, PsfsRecord: _psfs_rows}


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
    with atomic_text(out) as fp:
        write(fp)


@contextmanager
def atomic_text(out: Path) -> Iterator[TextIO]:
    """A text file (UTF-8, ``newline=""``) that becomes ``out`` only when the block ends
    without an error: written under a new temporary name beside it (O_EXCL, 0600), synced,
    then renamed over ``out``; on any failure the temporary file is removed and ``out`` is as
    it was. The file can seek: a FHIR Bundle puts its id right at the end (``FhirSink``)."""
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
            yield fp
            fp.flush()
            os.fsync(fp.fileno())  # the data before the rename: a power cut leaves old or new
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def can_seek_back(fp: TextIO) -> bool:
    """Whether text written to ``fp`` can be overwritten in place: a file, or a buffer, but
    not a pipe, a terminal, or a file opened to append (``>>``), where every write lands at
    the end whatever the position."""
    try:
        if not fp.seekable():
            return False
        return not fcntl.fcntl(fp.fileno(), fcntl.F_GETFL) & os.O_APPEND
    except (OSError, ValueError, io.UnsupportedOperation):  # no descriptor: a StringIO
        return fp.seekable()


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
