"""The exercise history: every finished session, kept on disk in ``history.json``.

``MonthFile`` is the only code that touches the history file. It is not thread-safe: in the kiosk
one ``HistoryWriter`` thread owns it (see writer.py), so the frame loop never waits for a disk.

Order is save order. Each session is stored under a sequence number ``seq`` (its TinyDB document
id) that only ever grows, and ``records()`` sorts by it. Sorting by ``started_at`` instead would
shuffle the history whenever the wall clock jumped, which it does on a Pi without a real-time
clock until the network time arrives (and this kiosk is offline).
"""

from __future__ import annotations

import json
import logging
import os
import pwd
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from tinydb import TinyDB
from tinydb.table import Document

from kiosk.core.data.records import Record, SessionRecord, sessions_of
from kiosk.errors import RecordError, StorageError
from kiosk.store import journal
from kiosk.store.atomic import (
    AtomicJSONStorage,
    fsync_dir,
    make_private_dir,
    remove_stale_temps,
    write_atomically,
)
from kiosk.store.backups import PATTERN, Backups
from kiosk.store.load import Loaded, load
from kiosk.store.lock import DataDirBusy, DataDirLock, ForeignDataDir
from kiosk.store.records import TABLE, encode
from kiosk.store.salvage import Salvage, merge

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
    salvaged: int = 0  # of those, how many were read from the damaged file itself


def holds_history(data_dir: str | os.PathLike[str]) -> bool:
    """Whether ``data_dir`` has a history in it already, whole, damaged or only as backups."""
    d = Path(data_dir)
    backups = d / "backups"
    return (
        any(d.glob(f"{FILENAME}*"))
        or (backups.is_dir() and any(PATTERN.fullmatch(p.name) for p in backups.iterdir()))
        or ((d / "history").is_dir() and any((d / "history").iterdir()))  # months (months.py)
    )


class MonthFile:
    """The history in ``data_dir/history.json``, with daily backups in ``data_dir/backups``.

    An open MonthFile is the one writer of its data directory: it holds the directory's lock
    (lock.py) until ``close()``. Opening never fails because of what is in the file: a damaged
    file is set aside, what can still be read from it is merged with the newest readable backup
    (see salvage.py), and ``recovery`` says so. Opening raises ``StorageError`` only when the
    disk lets us down (the file cannot be read, or a damaged file cannot be set aside), when
    another process holds the lock (``DataDirBusy``), or when root would leave files in another
    user's data directory that that user could not write.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        keep_backups: int = 7,
        now: Callable[[], datetime] = datetime.now,
        storage: type[AtomicJSONStorage] = AtomicJSONStorage,
        wait_for_lock: float = 0.0,
        journaled: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / FILENAME
        # Every save appended to a journal beside the file too (journal.py): the months do.
        self.journal = self.data_dir / journal.JOURNAL if journaled else None
        self._now = now
        self._fsync = storage.fsync
        self._read = storage.read_file
        self._backups = Backups(self.data_dir / "backups", keep=keep_backups, fsync=storage.fsync)
        self._records: dict[int, Record] = {}  # by seq: what the file holds, decoded once
        self._seqs: dict[str, int] = {}  # record id -> seq, so a save needs no extra read
        # A month's folder is inside the data directory: never a link (the data directory
        # itself, holding a single-file history, may be one).
        self._lock = _lock(self.data_dir, wait_for_lock, may_be_link=not journaled)
        try:
            self.recovery = self._load()
            self._db = TinyDB(self.path, storage=storage)
        except BaseException:
            self._lock.release()
            raise
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
        storage: type[AtomicJSONStorage] = AtomicJSONStorage,
        wait_for_lock: float = 0.0,
        journaled: bool = False,
    ) -> MonthFile:
        """Open (and if need be repair) the history; check ``.recovery`` afterwards."""
        return cls(data_dir, keep_backups=keep_backups, now=now, storage=storage,
                   wait_for_lock=wait_for_lock, journaled=journaled)

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
        self._journal([journal.line(seq, record)])
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
        self._journal(journal.line(first + i, r) for i, r in enumerate(batch))
        self._back_up_daily()
        return len(batch)

    def _journal(self, lines: Iterable[bytes]) -> None:
        """Append saves to the journal once the file holds them: a save returns only when both
        copies are on the disk, and a crash between the two leaves the file ahead, which the
        next start writes into the journal (``_reconcile``)."""
        if self.journal is not None:
            journal.append(self.journal, lines, fsync=self._fsync)

    def records(self) -> list[Record]:
        """Everything saved, of every kind, in the order it was saved (oldest first)."""
        return [self._records[seq] for seq in sorted(self._records)]

    def sessions(self) -> list[SessionRecord]:
        """Every saved session, in the order they were saved (oldest first)."""
        return sessions_of(self.records())

    def export_json(self, fp: TextIO) -> None:
        """Write every session, safety round and ritual as one JSON document (docs/data.md,
        "Exports")."""
        from kiosk.store import export  # only the export commands need it

        export.write_json(self.records(), fp)

    def export_csv(self, fp: TextIO) -> None:
        """Write one CSV row per set, per safety answer and per pain entry (docs/data.md)."""
        from kiosk.store import export  # only the export commands need it

        export.write_csv(self.records(), fp)

    def close(self) -> None:
        """Close the history and let another writer in. Every save was already on disk when it
        returned; safe to repeat."""
        self._db.close()
        self._lock.release()

    def __enter__(self) -> MonthFile:
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
        # We hold the lock: temp files still here were left by a crash, not by a live write.
        remove_stale_temps(self.data_dir, FILENAME)
        self._backups.remove_stale_temps()
        loaded = load(self.path, self._backups, self.journal, read=self._read)
        if loaded.problem is None:
            loaded = self._reconcile(loaded)
        self._records = loaded.records
        self._seqs = {r.id: seq for seq, r in loaded.records.items()}
        if loaded.problem is None:
            return None
        log.warning("%s: %s (salvaged %d records, %d of them repaired; %d unreadable, kept in "
                    "the damaged file)", self.path, loaded.problem, loaded.salvaged,
                    loaded.found.repaired, loaded.found.skipped)
        moved = self._set_aside() if loaded.damaged else None
        if loaded.records:
            self._write_whole(loaded)
        self._rewrite_journal(loaded.records)
        return Recovery(
            loaded.problem, recovery_message(loaded), moved, loaded.restored_from,
            len(loaded.sessions), loaded.salvaged,
        )

    def _reconcile(self, loaded: Loaded) -> Loaded:
        """A sound file, checked against its journal: a save the journal has and the file has
        not (a file put back from elsewhere, a value flipped into another valid one) is taken
        from the journal; a journal missing or damaged is written again from the file."""
        if self.journal is None:
            return loaded
        try:
            found = journal.read(self.journal)
        except OSError as e:
            log.warning("%s: cannot read the journal: %s", self.journal, e)
            return loaded
        newer = {seq: r for seq, r in found.records.items()
                 if loaded.records.get(seq) != r}
        if newer:
            merged = merge(Salvage(list(loaded.records.items())), {}, found.records)
            log.warning("%s: %d record(s) taken from the journal", self.path, len(newer))
            return Loaded(merged, "the history file lacked saves its journal holds", False,
                          None, Salvage(list(loaded.records.items())), found, len(newer))
        unjournaled = loaded.records.keys() - found.records.keys()
        if (not found.sound or unjournaled) and (loaded.records or found.present):
            self._rewrite_journal(loaded.records, found)
        return loaded

    def _rewrite_journal(self, records: dict[int, Record], found: journal.Journal | None = None
                         ) -> None:
        if self.journal is None:
            return
        if found is not None and found.problem and os.path.lexists(self.journal):
            # Not a file (a FIFO, a link, a folder): moved aside, never followed or removed.
            with suppress(OSError):
                os.replace(self.journal, _free(self.journal.with_name(
                    f"{journal.JOURNAL}.corrupt-{self._now():%Y%m%dT%H%M%S}")))
        try:
            journal.rewrite(self.journal, records, fsync=self._fsync)
        except OSError as e:  # the file holds every record; the journal is written again later
            log.warning("%s: cannot write the journal: %s", self.journal, e)

    def _write_whole(self, loaded: Loaded) -> None:
        data = {TABLE: {str(seq): encode(r) for seq, r in loaded.records.items()}}
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
        try:
            write_atomically(self.path, text.encode("utf-8"), fsync=self._fsync)
        except OSError as e:
            raise StorageError(
                f"{self.path}: cannot write the repaired history ({e.strerror}); "
                "make the storage card writable and restart"
            ) from e

    def _set_aside(self) -> Path:
        """Move the damaged file out of the way, keeping it for whoever looks after the kiosk."""
        stamp = self._now().strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{FILENAME}.corrupt-{stamp}")
        n = 1
        while os.path.lexists(target):
            n += 1
            target = self.path.with_name(f"{FILENAME}.corrupt-{stamp}-{n}")
        try:
            # rename moves a folder, FIFO or link itself, never what a link points to.
            os.replace(self.path, target)
            fsync_dir(self.data_dir, fsync=self._fsync)
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


def _free(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``...: whichever is not taken (nothing is overwritten)."""
    n, target = 1, path
    while os.path.lexists(target):
        n += 1
        target = path.with_name(f"{path.name}-{n}")
    return target


def _replace_with(record: Mapping[str, Any]) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that swaps a document's whole content, dropping fields no longer there."""

    def replace(doc: MutableMapping[str, Any]) -> None:
        doc.clear()
        doc.update(record)

    return replace


def _lock(data_dir: Path, wait: float, *, may_be_link: bool = True) -> DataDirLock:
    """Make the data directory if need be, check whose it is, and take its writer's lock."""
    try:
        make_private_dir(data_dir, may_be_link=may_be_link)
        owner = data_dir.stat().st_uid
        lock = DataDirLock(data_dir, wait=wait)
    except DataDirBusy:
        raise
    except OSError as e:
        raise StorageError(data_dir_problem(data_dir, e)) from e
    if os.geteuid() == 0 and owner != 0:
        lock.release()
        raise ForeignDataDir(
            f"{data_dir} belongs to {_user(owner)}; files root made there could not be changed "
            f"by that user, so run this as that user (sudo -u {_user(owner)} kiosk ...)"
        )
    return lock


def data_dir_problem(data_dir: Path, error: OSError) -> str:
    """One line for a data directory that cannot be made, opened or written."""
    if isinstance(error, FileExistsError | NotADirectoryError):
        what = f"{data_dir} is not a folder"
        fix = "remove what is there, or give --data-dir (or [storage] data_dir) a folder"
    else:
        what = f"{data_dir}: cannot use it as the data folder ({error.strerror})"
        fix = "make it writable by the kiosk's user, or give --data-dir another folder"
    return f"{what}; {fix}"


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user {uid}"


def recovery_message(loaded: Loaded) -> str:
    """What the user is told about a damaged or missing history, once it has been rebuilt."""
    damaged = loaded.damaged
    if loaded.journal.sound:
        return (f"The exercise history {_what(damaged)}, so it has been repaired from its "
                f"journal; nothing saved was lost.{_kept(damaged)}")
    if loaded.restored_from is not None:
        rescued = (
            f" and the {_sessions(loaded.salvaged)} that could still be read from it"
            if loaded.salvaged else ""
        )
        return (
            f"The exercise history {_what(damaged)}, so it has been restored from "
            f"{_when(loaded.restored_from)}{rescued}. Sessions saved after that backup may be "
            f"missing.{_kept(damaged)}"
        )
    if loaded.salvaged:
        return (
            f"The exercise history was damaged; the {_sessions(loaded.salvaged)} that could "
            f"still be read from it have been kept.{_kept(damaged)}"
        )
    return (
        f"The exercise history {_what(damaged)} and no backup could be read, "
        f"so a new history has been started.{_kept(damaged)}"
    )


def _sessions(n: int) -> str:
    return "one session" if n == 1 else f"{n} sessions"


def _when(backup: Path) -> str:
    match = PATTERN.fullmatch(backup.name)
    day = date.fromisoformat(match.group(1)) if match else None
    return f"the backup of {day.day} {day:%B}" if day else "a backup"


def _what(damaged: bool) -> str:
    return "was damaged" if damaged else "was missing"


def _kept(damaged: bool) -> str:
    return " The damaged file has been kept." if damaged else ""
