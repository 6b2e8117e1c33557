"""Saving sessions off the frame loop: a background thread that owns the WholeHistory.

The main loop calls ``save(record)`` with a typed record (``kiosk.core.data.records``) and carries
on
at once; a writer thread does the disk work
and reports each outcome through ``on_result``. When the disk refuses (full, read-only, gone)
the record stays in memory and is tried again every ``retry_every`` seconds, on the next save
and at close; the failure is reported once per session, and the later success once more.

The main thread reads the history through ``records()``, an in-memory view that already includes
records still waiting to be written, so planning never touches the file.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType

from kiosk.core.data.records import Record
from kiosk.errors import RecordError, StorageError
from kiosk.store import fallback
from kiosk.store.atomic import AtomicJSONStorage
from kiosk.store.history import Recovery
from kiosk.store.months import Replay, Replays, WholeHistory
from kiosk.store.records import encode

log = logging.getLogger(__name__)

SAVED = "Session saved."
SAVED_LATE = "An earlier session that could not be saved has now been saved."
REJECTED = (
    "The session could not be saved because of a fault in the kiosk. "
    "Please tell whoever looks after it."
)
RETRYING = "Please leave the kiosk switched on: saving will be tried again."
WHY = {
    errno.ENOSPC: "the storage card is full",
    errno.EDQUOT: "the storage card is full",
    errno.EROFS: "the storage card is read-only",
    errno.EACCES: "the storage card is read-only",
    errno.EPERM: "the storage card is read-only",
}
UNAVAILABLE = (
    "The exercise history cannot be read just now. You can still exercise; "
    "sessions will be saved once it can be read again."
)

# systemd gives the kiosk this long to stop (TimeoutStopSec in systemd/kiosk.service) before it
# kills it; close() waits for the queue up to STOP_SECONDS less what is left for the rest of the
# shutdown: the fallback file, and saying a save that could not be kept (kiosk/app.py, at most
# 4 s). tests/store/test_failing_card.py checks STOP_SECONDS against the unit.
STOP_SECONDS = 15.0
CLOSE_WAIT = STOP_SECONDS - 5.0
NOT_SAVED = (
    "A session could not be saved and could not be kept for later either. "
    "Please tell whoever looks after the kiosk."
)

_CLOSE = object()
_WARM = object()  # read the recent months ahead (warm)


@dataclass(frozen=True)
class SaveResult:
    """How one save went. ``message`` is for the user; ``detail`` is for the log."""

    id: str
    ok: bool
    message: str
    will_retry: bool = False  # not saved yet, kept in memory and tried again
    detail: str = ""


def _ignore(result: SaveResult) -> None:
    pass


class HistoryWriter:
    """Open the history in ``data_dir`` and save sessions to it from a background thread.

    Opening happens here, on the caller's thread, so do it at start-up and then read
    ``recovery`` for anything to tell the user. ``on_result`` is called from the writer thread:
    hand the result over to the main loop (a queue or a posted event), do not draw or speak there.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        on_result: Callable[[SaveResult], None] = _ignore,
        retry_every: float = 30.0,
        keep_backups: int = 7,
        now: Callable[[], datetime] = datetime.now,
        replays: Replays | None = None,
        storage: type[AtomicJSONStorage] = AtomicJSONStorage,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        # ``on_step`` hears each step of a long first open (a migration, snapshots made again);
        # only that first open, on the caller's thread: a reopen after a failure is quiet.
        def open_history(step: Callable[[str], None] | None = None) -> WholeHistory:
            return WholeHistory.open(data_dir, keep_backups=keep_backups, now=now,
                                     replays=replays, storage=storage, on_step=step,
                                     seal_when_idle=True)

        self._open_history = open_history
        self.base: Replay | None = None  # the replay of the history before records()
        self.earlier_pain: int | None = None  # the last pain rating before records()
        self.earlier_days: tuple[date, ...] = ()  # days of practice just before records()
        self._on_result = on_result
        self._retry_every = retry_every
        self._lock = threading.Lock()  # guards _pending and _view, shared by both threads
        self._pending: dict[str, Record] = {}  # saved by the caller, not yet on disk
        self._view: dict[str, Record] = {}  # everything the main thread may read
        self._reported: set[str] = set()  # ids whose failure was reported (writer thread only)
        self._inbox: queue.Queue[object] = queue.Queue()
        self._closed = False
        self.lost: tuple[str, ...] = ()  # after close: saved nowhere, not even the fallback
        self._idle = False  # warm() was asked for: closed months are checked when idle
        self._data_dir = Path(data_dir)
        self._fsync = storage.fsync
        self._history: WholeHistory | None = None
        self.recovery: Recovery | None = None
        self.open_error: StorageError | None = None  # why the history could not be opened
        self._first: WholeHistory | None = None  # the history opened here: recent() reads it
        try:
            history = self._open_history(on_step)
        except StorageError as e:
            # Keep going without a disk: sessions wait in memory until the history opens (for
            # a busy data directory: until the other writer has closed it).
            log.info("history unavailable: %s", e)  # the caller tells the user (open_error)
            self.open_error = e
            self.recovery = Recovery(str(e), UNAVAILABLE, None, None, 0)
        else:
            self._attach(history)
            self.recovery = history.recovery
            self.base, self.earlier_pain = history.base, history.earlier_pain
            self.earlier_days = history.earlier_days
            self._first = history
        # A daemon, so a disk that hangs for ever cannot stop the kiosk from exiting; the
        # atomic writes mean a write cut short leaves the file as it was.
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._thread.start()

    @classmethod
    def open(
        cls,
        data_dir: str | os.PathLike[str],
        *,
        on_result: Callable[[SaveResult], None] = _ignore,
        retry_every: float = 30.0,
        keep_backups: int = 7,
        now: Callable[[], datetime] = datetime.now,
        replays: Replays | None = None,
        storage: type[AtomicJSONStorage] = AtomicJSONStorage,
        on_step: Callable[[str], None] | None = None,
    ) -> HistoryWriter:
        """Open the history and start the writer; check ``.recovery`` afterwards.

        With ``replays`` the history is read as a snapshot (``base``, ``earlier_pain``) plus
        the records after it (``records()``); without, ``records()`` is all of it."""
        return cls(
            data_dir,
            on_result=on_result,
            retry_every=retry_every,
            keep_backups=keep_backups,
            now=now,
            replays=replays,
            storage=storage,
            on_step=on_step,
        )

    # --- main thread -----------------------------------------------------------------------------
    def save(self, record: Record) -> None:
        """Queue a record for saving and return at once. Saving an id again replaces it."""
        if self._closed:
            raise StorageError("the history writer is closed; open a new HistoryWriter to save")
        rid = record.id  # records are frozen: no copy needed, the caller cannot change this one
        with self._lock:
            self._pending[rid] = record
            try:
                encode(record)
                self._view[rid] = record
            except RecordError:
                pass  # the writer thread reports it; it must not reach the planner either
        self._inbox.put(rid)

    def warm(self) -> None:
        """Read ``recent()`` on the writer thread now, so that no press waits for it. The kiosk
        calls this once it is up: before, it would only slow the start down."""
        if not self._closed:
            self._inbox.put(_WARM)

    def recent(self) -> tuple[list[Record], date | None]:
        """The last closed months' records, for the history screens, and the day they start
        on (``WholeHistory.recent``); ``[], None`` when the history did not open at start.
        Read once, by whichever thread asks first."""
        if self._first is None:
            return [], None
        return self._first.recent()

    def records(self) -> list[Record]:
        """Every record after ``base``, oldest first, including those not yet on disk."""
        with self._lock:
            return list(self._view.values())

    @property
    def pending_ids(self) -> tuple[str, ...]:
        """Sessions not on disk yet: queued, or kept after a failed write."""
        with self._lock:
            return tuple(self._pending)

    def close(self, timeout: float | None = CLOSE_WAIT) -> None:
        """Write what is pending (one last try), then stop the thread. Safe to call twice.

        It waits for every queued save up to ``timeout`` (systemd's stop timeout, less a
        margin); whatever is still not on disk then is written to the fallback file
        (fallback.py), which the next start merges, and stays in ``pending_ids``. A save that
        cannot be kept even there is reported through ``on_result`` (``NOT_SAVED``).
        """
        if self._closed:
            return
        self._closed = True
        self._inbox.put(_CLOSE)
        self._thread.join(timeout)
        with self._lock:
            left = list(self._pending.values())
        if not left:
            return
        try:
            fallback.keep(self._data_dir, left, fsync=self._fsync)
        except (OSError, RecordError) as e:
            log.error("%d record(s) could not be saved nor kept: %s", len(left), e)
            self.lost = tuple(r.id for r in left)
            for record in left:
                self._report(SaveResult(record.id, False, NOT_SAVED, detail=str(e)))
            return
        log.warning("%d record(s) kept in %s for the next start", len(left),
                    fallback.path(self._data_dir))

    def __enter__(self) -> HistoryWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- writer thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            # Sleep until the next save, or only until the next retry while something waits.
            wait = self._retry_every if self.pending_ids else None
            try:
                item = self._inbox.get(timeout=wait)
            except queue.Empty:
                item = None  # time for a retry
            if item is _CLOSE:
                break
            if item is _WARM:
                self._warm()
                self._idle = True
                self._idle_work()
                continue
            self._write_pending()
            self._idle_work()
        self._write_pending()
        if self._history is not None:
            self._history.close()

    def _idle_work(self) -> None:
        """While nothing waits to be saved, check, repair and seal closed months one at a time
        (WholeHistory.idle): never before a person's session is on disk. Only once the kiosk
        is up (``warm``); a month closed later in the run is sealed after the save that closed
        it."""
        while self._idle and self._history is not None and self._inbox.empty():
            if self.pending_ids:
                return
            try:
                if not self._history.idle():
                    return
            except Exception:  # a month that cannot be checked now is checked on the next run
                log.exception("checking the closed months failed")
                return

    def _warm(self) -> None:
        try:
            self.recent()
        except Exception:  # a month that cannot be read is left out when it is read; not here
            log.exception("reading the recent months ahead failed")

    def _write_pending(self) -> None:
        with self._lock:
            batch = list(self._pending.items())
        for i, (rid, record) in enumerate(batch):
            try:
                self._ensure_history().add(record)
            except RecordError as e:
                self._forget(rid, record)
                self._report(SaveResult(rid, False, REJECTED, detail=str(e)))
                continue
            except Exception as e:  # any failure keeps the record for a retry
                log.warning("saving session %s failed: %s", rid, e)
                self._report_failure([r for r, _ in batch[i:]], e)
                return  # the rest would fail the same way; keep their order for the retry
            self._forget(rid, record)
            late = rid in self._reported
            self._reported.discard(rid)
            self._report(SaveResult(rid, True, SAVED_LATE if late else SAVED))

    def _ensure_history(self) -> WholeHistory:
        if self._history is None:
            self._attach(self._open_history())
            assert self._history is not None
            if self._history.recovery:
                log.warning("history reopened: %s", self._history.recovery.problem)
        return self._history

    def _attach(self, history: WholeHistory) -> None:
        """Use ``history``; the view becomes its sessions plus any still waiting in memory."""
        on_disk = {r.id: r for r in history.records()}
        with self._lock:
            # Disk order first; a session saved again while waiting shows its newer version.
            self._view = on_disk | self._view
        self._history = history

    def _forget(self, rid: str, record: Record) -> None:
        with self._lock:
            # A newer save of the same id may have arrived meanwhile; that one still needs writing.
            if self._pending.get(rid) is record:
                del self._pending[rid]

    def _report_failure(self, ids: list[str], error: Exception) -> None:
        why = WHY.get(getattr(error, "errno", None) or 0, "")
        message = f"The session could not be saved{' because ' + why if why else ''}. {RETRYING}"
        for rid in ids:
            if rid not in self._reported:
                self._reported.add(rid)
                self._report(SaveResult(rid, False, message, will_retry=True, detail=str(error)))

    def _report(self, result: SaveResult) -> None:
        try:
            self._on_result(result)
        except Exception:  # a faulty callback must not stop the saving
            log.exception("on_result failed for %s", result)
