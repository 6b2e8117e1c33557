"""The history in monthly parts, so that a save, a start and a plan cost the same in year ten.

Layout, in the data directory::

    history/2026-10/history.json       one month of records: a MonthFile of its own (history.py),
    history/2026-10/backups/...        with its own atomic writes, daily backups and recovery
    history/2026-10/progress.json      the snapshot after this month, once the month is closed
    history/2026-11/history.json       the open month: the only file a save rewrites

A month is a run of records in save order. A record goes into the open month unless its own
month (a session's ``plan_date``) is later; then the open month is closed (its snapshot is
written) and a new month opened. A clock that goes back therefore never reopens an old month:
order is save order, and months sorted by name are in save order too.

Start-up reads only the newest closed month's snapshot and the open month: the snapshot holds
where the progression replay had got to (``Replay``, kiosk.core.coach.progression.Progress) and the
last pain rating. A snapshot that is missing, damaged or made under other ladders is rebuilt
from the records, from the newest good snapshot before it. Old months are read only then, and
by ``kiosk history`` and ``export``, which stream them in order.

A history in the single-file layout (``history.json``, as every kiosk before this wrote it) is
split into months on the first start (``migrate``), crash-safely: see docs/data.md.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TextIO

from kiosk.core.data.records import (
    Record,
    SessionRecord,
    last_pain,
    replayed,
    sessions_of,
)
from kiosk.core.data.years import outside
from kiosk.core.reports.weekly import READ_BACK_DAYS
from kiosk.errors import RecordError, StorageError
from kiosk.store import fallback
from kiosk.store.atomic import (
    AtomicJSONStorage,
    fsync_dir,
    kind_of,
    make_private_dir,
    remove_stale_temps,
)
from kiosk.store.history import MonthFile, Recovery, _lock
from kiosk.store.layout import (  # the layout's names, as every importer knows them
    FOLDER,
    MIGRATED,
    MIGRATED_BACKUPS,
    MONTH,
    SNAPSHOT,
    SNAPSHOT_FILE_FORMAT,
    STAGING,
    WEEK,
    Replay,
    Replays,
    Snapshot,
    _is_folder,
    is_month,
    month_of,
    months_in,
    newest_snapshot,
    next_snapshot,
    odd_entries,
    read_month,
    read_snapshot,
    read_window,
    split,
    stream,
    write_snapshot,
)
from kiosk.store.migration import _free, migrate, needs_migration
from kiosk.store.records import encode
from kiosk.store.seal import SEAL, seal, seal_unsealed

log = logging.getLogger(__name__)

__all__ = [
    "WholeHistory", "migrate", "needs_migration", "FOLDER", "SNAPSHOT", "SNAPSHOT_FILE_FORMAT",
    "MONTH", "MIGRATED", "MIGRATED_BACKUPS", "STAGING", "WEEK", "Replay", "Replays", "Snapshot",
    "next_snapshot", "month_of", "is_month", "months_in", "odd_entries", "split",
    "write_snapshot", "read_snapshot", "newest_snapshot", "read_month", "stream", "read_window"
]


class WholeHistory:
    """The history in ``data_dir``, in monthly parts; the one writer of it while open.

    ``records()`` is the open window: the records a snapshot does not cover (normally the open
    month). ``base`` is the replay up to the window and ``earlier_pain`` the last pain rating
    before it. Without ``replays`` there is no base, and ``records()`` is everything.
    ``every_record()`` streams the whole history, oldest first.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        keep_backups: int = 7,
        now: Callable[[], datetime] = datetime.now,
        replays: Replays | None = None,
        storage: type[AtomicJSONStorage] = AtomicJSONStorage,
        wait_for_lock: float = 0.0,
        on_step: Callable[[str], None] | None = None,
        seal_when_idle: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / FOLDER
        self._keep = keep_backups
        self._now = now
        self._replays = replays
        self._storage = storage
        self._problems: list[Recovery] = []
        self._open: MonthFile | None = None
        self._swept = False  # whether this run has sealed the closed months (_seal)
        # The kiosk seals (and checks, and repairs) closed months only when it is idle, never
        # between a person's session and its save (``idle``); other writers as they close one.
        self._seal_when_idle = seal_when_idle
        self._unchecked: list[str] | None = None  # closed months ``idle`` has still to check
        self.repaired: list[Recovery] = []  # what ``idle`` repaired, for the log and the user
        # The one writer of the whole data directory (each month's MonthFile locks its own too).
        self._lock = _lock(self.data_dir, wait_for_lock)
        try:
            self._start(on_step)
        except BaseException:
            self.close()
            raise

    def _start(self, on_step: Callable[[str], None] | None) -> None:
        self._on_step = on_step or (lambda _: None)
        migrate(self.data_dir, on_step=on_step, problems=self._problems, fsync=self._storage.fsync)
        months = months_in(self.root)
        for month in months[-2:]:  # a snapshot cut off by a crash is in one of these
            remove_stale_temps(self.root / month, SNAPSHOT)
            remove_stale_temps(self.root / month, SEAL)
        self._open_month = months[-1] if months else None
        if self._open_month is not None:
            self._open = self._history(self._open_month)
        snapshot, window = self._catch_up(months[:-1])
        self._snapshot = snapshot
        self.base = snapshot.replay if snapshot else None
        self.earlier_pain = snapshot.last_pain if snapshot else None
        # The days of practice just before the window, for this week's rhythm.
        self.earlier_days: tuple[date, ...] = snapshot.days if snapshot else ()
        self._kept = list(snapshot.kept) if snapshot else []  # not sessions: always shown
        self._window = window  # records of closed months no snapshot covers, oldest first
        # The last weeks of records, for the history screens and summaries (docs/progress.md):
        # the few closed months they reach into, read once, however long the history is, and
        # not here: start-up does not need them (recent()).
        self._closed = months[:-1]
        self._recent_read: tuple[list[Record], date | None] | None = None
        self._recent_lock = threading.Lock()
        self._merge_fallback()
        self.recovery = _one(self._problems)

    def _merge_fallback(self) -> None:
        """Save what the last run kept in its fallback file (fallback.py) into the months, once:
        a record already on disk as it is, or in a closed month, is not saved again."""
        where = fallback.path(self.data_dir)
        if not os.path.lexists(where):
            return
        kept, bad = fallback.read(self.data_dir)
        first = min((month_of(r, self._open_month or self._now().strftime("%Y-%m"))
                     for r in kept), default="")
        on_disk: dict[str, tuple[str, Record]] = {}
        for month in months_in(self.root):
            if month < first:
                continue
            records = (self._open.records() if month == self._open_month and self._open
                       else read_month(self.root / month, self._storage.read_file)[0])
            on_disk.update((r.id, (month, r)) for r in records)
        try:
            for record in kept:
                found = on_disk.get(record.id)
                if found is not None and (found[1] == record or found[0] != self._open_month):
                    continue  # saved after all, or its month is closed: never twice
                try:
                    self.add(record)
                except RecordError as e:  # not a record this kiosk may save: kept aside
                    log.warning("%s: %s", where, e)
                    bad += 1
            if bad:
                os.replace(where, _free(where.with_name(f"{where.name}.corrupt")))
                self._problems.append(Recovery(
                    f"{where}: {bad} unreadable entr{'y' if bad == 1 else 'ies'}",
                    "Some sessions kept when the kiosk last stopped could not be read. "
                    "Please tell whoever looks after the kiosk.", None, None, 0))
            else:
                os.unlink(where)
            fsync_dir(self.data_dir, fsync=self._storage.fsync)
        except OSError as e:  # kept for the next start; the records wait there meanwhile
            log.warning("%s: could not save the records kept there: %s", where, e)
            return
        log.info("%s: %d record(s) kept at the last stop saved", where, len(kept))

    @classmethod
    def open(
        cls,
        data_dir: str | os.PathLike[str],
        *,
        keep_backups: int = 7,
        now: Callable[[], datetime] = datetime.now,
        replays: Replays | None = None,
        storage: type[AtomicJSONStorage] = AtomicJSONStorage,
        wait_for_lock: float = 0.0,
        on_step: Callable[[str], None] | None = None,
        seal_when_idle: bool = False,
    ) -> WholeHistory:
        return cls(data_dir, keep_backups=keep_backups, now=now, replays=replays,
                   storage=storage, wait_for_lock=wait_for_lock, on_step=on_step,
                   seal_when_idle=seal_when_idle)

    # --- reading ----------------------------------------------------------------------------
    def records(self) -> list[Record]:
        """Every record that is not a session, then every record after ``base``: oldest first.
        The sessions before ``base`` are in it (the replay), and ``earlier_pain``."""
        return self._kept + self._window + (self._open.records() if self._open else [])

    def sessions(self) -> list[SessionRecord]:
        """Every session, oldest first, read from every month: for readers, not the kiosk."""
        return sessions_of(self.every_record())

    def every_record(self) -> Iterator[Record]:
        for month in months_in(self.root):
            if month == self._open_month and self._open is not None:
                yield from self._open.records()
            else:
                yield from read_month(self.root / month, self._storage.read_file)[0]

    def last_pain(self) -> int | None:
        window = last_pain(self.records())
        return window if window is not None else self.earlier_pain

    def export_json(self, fp: TextIO) -> None:
        from kiosk.store import export  # only the export commands need it

        export.write_json(self.sessions(), fp)

    def export_csv(self, fp: TextIO) -> None:
        from kiosk.store import export  # only the export commands need it

        export.write_csv(self.sessions(), fp)

    # --- writing ----------------------------------------------------------------------------
    def add(self, record: Record) -> None:
        """Save one record: one atomic write of the open month. The same id again replaces it
        (in the open month: a session's checkpoints and its final save share a month)."""
        encode(record)  # a record the schema refuses is refused before a month is closed
        _in_years(record)
        self._month_for(record).add(record)

    def add_many(self, records: Iterable[Record]) -> int:
        """Save many new records, one write per month: for imports and ``kiosk simulate``."""
        count = 0
        batch = list(records)
        for record in batch:
            _in_years(record)
        for month, part in split(batch):
            history = self._month_for_month(month)
            count += history.add_many(part)
        return count

    def close(self) -> None:
        """Close the open month and let another writer in; safe to repeat."""
        if self._open is not None:
            self._open.close()
        self._lock.release()

    def __enter__(self) -> WholeHistory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- months -------------------------------------------------------------------------------
    def _month_for(self, record: Record) -> MonthFile:
        here = self._open_month
        return self._month_for_month(month_of(record, here or self._now().strftime("%Y-%m")))

    def _month_for_month(self, month: str) -> MonthFile:
        if self._open_month is not None and month < self._open_month:
            month = self._open_month  # a clock gone back never reopens an old month
        if self._open is not None and month == self._open_month:
            return self._open
        if self._open is not None and self._open_month is not None:
            closing, self._open = self._open, None
            self._close_month(self._open_month, closing)
        # From here the closed month is never written again: if the new one cannot be opened,
        # the save fails (and is tried again) with no month open, never into the closed one.
        self._open_month = month
        self._open = self._history(month)
        return self._open

    def _close_month(self, month: str, history: MonthFile) -> None:
        """Write the closed month's snapshot: the replay so far plus this month's sessions."""
        records = self._window + history.records()
        replay = None
        if self._replays is not None:
            replay = (self.base.copy() if self.base is not None else self._replays.start())
            replay.feed(replayed(records))
        snapshot = next_snapshot(month, self._snapshot, records, replay)
        try:
            write_snapshot(self.root / month, snapshot, self._storage.fsync)
        except OSError as e:  # the records are safe; the next start rebuilds the snapshot
            log.warning("%s: could not write the snapshot: %s", self.root / month, e)
        history.close()
        self._seal(month)
        self._snapshot, self.base, self.earlier_pain, self._window = (
            snapshot, replay, snapshot.last_pain, [])
        self.earlier_days, self._kept = snapshot.days, list(snapshot.kept)

    def idle(self) -> bool:
        """One step of the work kept for when the kiosk is idle: check one closed month, repair
        it from its journal and backups if it is damaged (as the readers' warning promises),
        and seal it. Returns whether there is more to do. The first call lists the months."""
        if self._unchecked is None:
            self._unchecked = [m for m in months_in(self.root) if m != self._open_month]
        if not self._unchecked:
            return False
        month = self._unchecked.pop(0)
        if month == self._open_month:
            return bool(self._unchecked)
        if not self._sound(month):
            before = len(self._problems)
            self._read_closed(month)  # opening it repairs it (history.py), under its lock
            for problem in self._problems[before:]:
                log.warning("%s repaired: %s", month, problem.problem)
                self.repaired.append(problem)
            del self._problems[before:]
            seal(self.root / month, self._storage.fsync)  # its old seal fits no more
        seal_unsealed(self.root, [month], self._storage.fsync)
        return bool(self._unchecked)

    def _sound(self, month: str) -> bool:
        """Whether a closed month reads as it is, with no repair to make."""
        try:
            _, note = read_month(self.root / month, self._storage.read_file)
        except StorageError:
            return True  # the disk, not the data: nothing to repair from here
        return note is None

    def _seal(self, month: str) -> None:
        """Seal the month just closed, so that readers of the whole history need not check it
        again (seal.py); the first time in a run, also every closed month without a seal by
        this codec (a history from before seals, or a kiosk updated since). A kiosk that seals
        when idle only notes the month for ``idle``."""
        if self._seal_when_idle:
            if self._unchecked is not None:
                self._unchecked.append(month)
            return
        months = [month] if self._swept else [m for m in months_in(self.root) if m <= month]
        seal_unsealed(self.root, months, self._storage.fsync)
        self._swept = True

    def _history(self, month: str) -> MonthFile:
        if os.path.lexists(self.root) and not _is_folder(self.root):
            raise StorageError(f"{self.root} is {kind_of(os.lstat(self.root).st_mode)}, not a "
                               "folder; move it out of the data folder and restart the kiosk")
        make_private_dir(self.root)
        if os.path.lexists(self.root / month) and not _is_folder(self.root / month):
            self._set_aside_month(month)
        history = MonthFile.open(self.root / month, keep_backups=self._keep, now=self._now,
                               storage=self._storage, journaled=True)
        if history.recovery is not None:
            self._problems.append(history.recovery)
        return history

    def _set_aside_month(self, month: str) -> None:
        """A link, file or FIFO where a month's folder should be: renamed (never followed) to
        a name no month has, and told; the month starts afresh."""
        path = self.root / month
        what = kind_of(os.lstat(path).st_mode)
        target = _free(path.with_name(f"{month}.not-a-folder-{self._now():%Y%m%dT%H%M%S}"))
        os.replace(path, target)
        fsync_dir(self.root, fsync=self._storage.fsync)
        self._problems.append(Recovery(
            f"{path} was {what}, not a folder; set aside as {target.name}",
            "Something that was not part of the exercise history was found in its place and "
            "set aside. Please tell whoever looks after the kiosk.", target, None, 0))

    def _catch_up(self, closed: list[str]) -> tuple[Snapshot | None, list[Record]]:
        """The newest snapshot of the closed months, made from older ones where missing."""
        snapshot, start = newest_snapshot(self.root, closed, self._replays)
        if self._replays is None:
            # No replay to keep: the window is the whole history.
            return None, [r for m in closed for r in self._read_closed(m)]
        todo = closed[start:]
        for n, month in enumerate(todo, 1):
            # Only after an update or a lost snapshot is there more than a month or two to do;
            # at ten years on a Pi Zero that is a minute, and systemd hears how it goes.
            self._on_step(f"progress made again from the records: {month}, {n} of {len(todo)}")
            records = self._read_closed(month)
            replay = snapshot.replay.copy() if snapshot and snapshot.replay else (
                self._replays.start())
            replay.feed(replayed(records))
            snapshot = next_snapshot(month, snapshot, records, replay)
            try:
                write_snapshot(self.root / month, snapshot, self._storage.fsync)
            except OSError as e:
                log.warning("%s: could not write the snapshot: %s", self.root / month, e)
        return snapshot, []

    def recent(self) -> tuple[list[Record], date | None]:
        """The records of the closed months that the last ``READ_BACK_DAYS`` before the open
        month reach into, oldest first, and the first day of the first of them; ``[], None``
        when ``records()`` is the whole history. Read on the first call, from any thread (the
        writer reads them just after start-up, ``HistoryWriter.warm``), then kept."""
        with self._recent_lock:
            if self._recent_read is None:
                self._recent_read = self._recent(self._closed)
            return self._recent_read

    def _recent(self, closed: list[str]) -> tuple[list[Record], date | None]:
        """Read only: a damaged month is repaired when a snapshot needs it, not for a chart."""
        if self._replays is None or self._open_month is None:
            return [], None  # records() is the whole history already
        since = date.fromisoformat(f"{self._open_month}-01") - timedelta(days=READ_BACK_DAYS)
        first = since.isoformat()[:7]
        out: list[Record] = []
        for month in closed:
            if month < first:
                continue
            try:
                records, note = read_month(self.root / month, self._storage.read_file)
            except StorageError as e:
                log.warning("%s: %s", month, e)
                continue
            if note:
                log.warning("%s", note)
            out += records
        return out, date.fromisoformat(f"{first}-01")

    def _read_closed(self, month: str) -> list[Record]:
        """A closed month's records; a damaged one is repaired from its own backups, or read as
        far as it can be, and reported; it never stops today's session."""
        try:
            history = self._history(month)
        except StorageError as e:
            log.warning("%s: %s", month, e)
            self._problems.append(Recovery(str(e), _skipped(month), None, None, 0))
            return []
        try:
            return history.records()
        finally:
            history.close()


def _in_years(record: Record) -> None:
    """Refuse a record dated outside the kiosk's years (``RecordError``): it would be damage."""
    wrong = outside(record)
    if wrong is not None:
        raise RecordError(f"record {record.id}: {wrong}")


def _skipped(month: str) -> str:
    return (f"The exercise history for {month} could not be read. Today's sessions are not "
            "affected. Please tell whoever looks after the kiosk.")


def _one(problems: list[Recovery]) -> Recovery | None:
    """The recoveries of start-up as one, to be told once."""
    if not problems:
        return None
    if len(problems) == 1:
        return problems[0]
    return Recovery(
        "; ".join(p.problem for p in problems),
        " ".join(dict.fromkeys(p.message for p in problems)),
        problems[0].moved_to,
        problems[0].restored_from,
        sum(p.sessions for p in problems),
    )
