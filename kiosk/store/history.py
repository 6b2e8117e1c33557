"""The exercise history: every finished session, kept on disk in ``history.json``.

``History`` is the only code that touches the history file. It is not thread-safe: in the kiosk
one ``HistoryWriter`` thread owns it (see writer.py), so the frame loop never waits for a disk.

Order is save order. Each session is stored under a sequence number ``seq`` (its TinyDB document
id) that only ever grows, and ``records()`` sorts by it. Sorting by ``started_at`` instead would
shuffle the history whenever the wall clock jumped, which it does on a Pi without a real-time
clock until the network time arrives (and this kiosk is offline).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from tinydb import TinyDB
from tinydb.table import Document

from kiosk.core.records import Record, SessionRecord, sessions_of
from kiosk.errors import RecordError, StorageError
from kiosk.store import export
from kiosk.store.atomic import AtomicJSONStorage, fsync_dir, remove_stale_temps, write_atomically
from kiosk.store.backups import PATTERN, Backups
from kiosk.store.records import TABLE, encode, parse_history

FILENAME = "history.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovery:
    """What start-up did about a history file it could not use. Tell the user ``message``."""

    problem: str  # what was wrong, for the log: "the file is not valid JSON (...)"
    message: str  # for the user, to be spoken and shown
    moved_to: Path | None  # where the damaged file was set aside, if there was one
    restored_from: Path | None  # the backup now in use; None when history started empty
    sessions: int  # how many sessions the history holds now


def holds_history(data_dir: str | os.PathLike[str]) -> bool:
    """Whether ``data_dir`` has a history in it already, whole, damaged or only as backups."""
    d = Path(data_dir)
    backups = d / "backups"
    return (
        any(d.glob(f"{FILENAME}*"))
        or (backups.is_dir() and any(PATTERN.fullmatch(p.name) for p in backups.iterdir()))
    )


class History:
    """The history in ``data_dir/history.json``, with daily backups in ``data_dir/backups``.

    Opening never fails because of what is in the file: a damaged file is set aside, the newest
    readable backup takes its place (or the history starts empty), and ``recovery`` says so.
    Opening raises ``StorageError`` only when the disk itself lets us down: the file cannot be
    read, or a damaged file cannot be set aside.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        keep_backups: int = 7,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / FILENAME
        self._now = now
        self._backups = Backups(self.data_dir / "backups", keep=keep_backups)
        self._records: dict[int, Record] = {}  # by seq: what the file holds, decoded once
        self._seqs: dict[str, int] = {}  # record id -> seq, so a save needs no extra read
        self.recovery = self._load()
        self._db = TinyDB(self.path, storage=AtomicJSONStorage)
        self._table = self._db.table(TABLE)
        self._backed_up: date | None = None
        self._back_up_daily()

    @classmethod
    def open(
        cls,
        data_dir: str | os.PathLike[str],
        *,
        keep_backups: int = 7,
        now: Callable[[], datetime] = datetime.now,
    ) -> History:
        """Open (and if need be repair) the history; check ``.recovery`` afterwards."""
        return cls(data_dir, keep_backups=keep_backups, now=now)

    # --- reading and writing -------------------------------------------------------------------
    def add(self, record: Record) -> None:
        """Save one record (a session, a pain entry): one atomic write. Saving the same id again
        replaces it.

        Raises ``RecordError`` for a record the schema does not allow, ``OSError`` when the disk
        refuses the write; the file then still holds everything saved before.
        """
        doc = encode(record)
        seq = self._seqs.get(record.id)
        if seq is None:
            seq = max(self._seqs.values(), default=0) + 1
            self._table.insert(Document(doc, doc_id=seq))
        else:
            # A replaced session keeps its place in the order: it is still the same session.
            self._table.update(_replace_with(doc), doc_ids=[seq])
        self._seqs[record.id] = seq
        self._records[seq] = record
        self._back_up_daily()

    def add_many(self, records: Iterable[Record]) -> int:
        """Save many new records at once, in order, with one write: for imports and
        ``kiosk simulate``. Every record is encoded (and so checked) first, so a bad one saves
        none of them. Returns how many were saved."""
        batch = list(records)
        docs = [encode(r) for r in batch]
        ids = {r.id for r in batch}
        if len(ids | set(self._seqs)) != len(batch) + len(self._seqs):
            raise RecordError("add_many saves new records only: an id is already there")
        first = max(self._seqs.values(), default=0) + 1
        self._table.insert_multiple(Document(d, doc_id=first + i) for i, d in enumerate(docs))
        for i, r in enumerate(batch):
            self._seqs[r.id] = first + i
            self._records[first + i] = r
        self._back_up_daily()
        return len(batch)

    def records(self) -> list[Record]:
        """Everything saved, of every kind, in the order it was saved (oldest first)."""
        return [self._records[seq] for seq in sorted(self._records)]

    def sessions(self) -> list[SessionRecord]:
        """Every saved session, in the order they were saved (oldest first)."""
        return sessions_of(self.records())

    def export_json(self, fp: TextIO) -> None:
        """Write every session, safety round and ritual as one JSON document (docs/data.md,
        "Exports")."""
        export.write_json(self.records(), fp)

    def export_csv(self, fp: TextIO) -> None:
        """Write one CSV row per set, and per safety answer (see docs/data.md, "Exports")."""
        export.write_csv(self.records(), fp)

    def close(self) -> None:
        """Close the history. Every save was already on disk when it returned; safe to repeat."""
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- start-up: load, or repair ---------------------------------------------------------------
    def _load(self) -> Recovery | None:
        # One writer at a time: temp files still here were left by a crash, not by a live write.
        remove_stale_temps(self.data_dir, FILENAME)
        self._backups.remove_stale_temps()
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            if not self._backups.newest_first():
                return None  # the first start: nothing to load
            return self._recover("the history file is missing", damaged=False)
        except OSError as e:
            raise StorageError(
                f"{self.path}: cannot read the exercise history ({e.strerror}); "
                "check the storage card and the file's permissions"
            ) from e
        try:
            records = parse_history(raw)
        except RecordError as e:
            return self._recover(str(e), damaged=True)
        self._keep(records)
        return None

    def _keep(self, records: dict[int, Record]) -> None:
        self._records = records
        self._seqs = {r.id: seq for seq, r in records.items()}

    def _recover(self, problem: str, *, damaged: bool) -> Recovery:
        log.warning("%s: %s", self.path, problem)
        moved = self._set_aside() if damaged else None
        for backup in self._backups.newest_first():
            try:
                raw = backup.read_bytes()
                records = parse_history(raw)
            except (OSError, RecordError) as e:
                log.warning("%s: not usable: %s", backup, e)
                continue
            try:
                write_atomically(self.path, raw)
            except OSError as e:
                raise StorageError(
                    f"{self.path}: cannot restore the backup {backup.name} ({e.strerror}); "
                    "make the storage card writable and restart"
                ) from e
            self._keep(records)
            return Recovery(
                problem,
                _restored_message(backup, damaged),
                moved,
                backup,
                len(sessions_of(records.values())),
            )
        return Recovery(problem, _empty_message(damaged), moved, None, 0)

    def _set_aside(self) -> Path:
        """Move the damaged file out of the way, keeping it for whoever looks after the kiosk."""
        stamp = self._now().strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{FILENAME}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{FILENAME}.corrupt-{stamp}-{n}")
        try:
            os.replace(self.path, target)
            fsync_dir(self.data_dir)
        except OSError as e:
            raise StorageError(
                f"{self.path} is damaged and cannot be moved aside ({e.strerror}); "
                "make the storage card writable and restart"
            ) from e
        return target

    def _back_up_daily(self) -> None:
        today = self._now().date()
        if self._backed_up == today:
            return
        try:
            done = self._backups.make_daily(self.path, today)
        except OSError as e:
            # The session itself is saved; the backup is tried again on the next save.
            log.warning("%s: daily backup failed: %s", self._backups.directory, e)
            return
        if done:
            self._backed_up = today


def _replace_with(record: Mapping[str, Any]) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that swaps a document's whole content, dropping fields no longer there."""

    def replace(doc: MutableMapping[str, Any]) -> None:
        doc.clear()
        doc.update(record)

    return replace


def _restored_message(backup: Path, damaged: bool) -> str:
    match = PATTERN.fullmatch(backup.name)
    day = date.fromisoformat(match.group(1)) if match else None
    when = f"the backup of {day.day} {day:%B}" if day else "a backup"
    return (
        f"The exercise history {_what(damaged)}, so it has been restored from {when}. "
        f"Sessions saved after that backup may be missing.{_kept(damaged)}"
    )


def _empty_message(damaged: bool) -> str:
    return (
        f"The exercise history {_what(damaged)} and no backup could be read, "
        f"so a new history has been started.{_kept(damaged)}"
    )


def _what(damaged: bool) -> str:
    return "was damaged" if damaged else "was missing"


def _kept(damaged: bool) -> str:
    return " The damaged file has been kept." if damaged else ""
