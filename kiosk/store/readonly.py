"""The history as the command-line readers see it: read-only, and never in the kiosk's way.

``kiosk history``, ``plan``, ``export`` and ``check`` run beside a kiosk that may be saving at
that very moment, often as another user (root, by sudo). So they open nothing for writing, take
no lock and make no file: no backup, no clean-up of temp files (they may be a save in progress),
no repair. A damaged file is read the way the kiosk would repair it, in memory, and the reader
says that the kiosk will repair it when it next starts.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.data.records import Record, SessionRecord, sessions_of
from kiosk.errors import StorageError
from kiosk.store import months
from kiosk.store.atomic import kind_of
from kiosk.store.backups import Backups
from kiosk.store.history import FILENAME
from kiosk.store.layout import OnMonth
from kiosk.store.load import Damage, load, reader_note
from kiosk.store.months import needs_migration


@dataclass(frozen=True)
class Snapshot:
    """Every record, oldest first, and what the reader should tell the user, if anything."""

    records: list[Record]
    note: str | None = None
    notes: tuple[str, ...] = ()  # the same, one by one (``kiosk check``: a line each)

    @property
    def sessions(self) -> list[SessionRecord]:
        return sessions_of(self.records)


def read_history(data_dir: Path) -> Snapshot:
    """Read the history in ``data_dir`` without changing anything there.

    Raises ``StorageError``, with one line naming the path and the fix, when the data directory
    or the history file cannot be read at all.
    """
    notes: list[str] = []
    with collector_paused():
        records = list(stream_history(data_dir, notes))
    return Snapshot(records, "; ".join(notes) or None, tuple(notes))


@contextmanager
def collector_paused() -> Iterator[None]:
    """For a command that reads the whole history into memory: no cycle collection meanwhile.

    Ten years are hundreds of thousands of small objects, none of them in a cycle, and the
    cycle collector walks them again and again as they pile up: a fifth of ``kiosk report``'s
    time in year ten. Reference counting still frees everything as usual. Not for the kiosk's
    own process: the switch is global, and it runs for years."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def stream_history(
    data_dir: Path, notes: list[str], *, since: str | None = None,
    on_month: OnMonth | None = None,
) -> Iterator[Record]:
    """Every record in ``data_dir``, oldest first, read as it is yielded (month by month in the
    monthly layout, months.py), changing nothing. What the reader should tell the user is
    added to ``notes``; ``StorageError`` as for ``read_history``. ``since`` (YYYY-MM) leaves
    out the months before it (the single-file layout has no months: all of it is read).
    ``on_month(month, n, total)`` is told as each month is begun (months.stream)."""
    try:
        mode = os.stat(data_dir).st_mode
    except FileNotFoundError:
        notes.append(f"{data_dir}: no data folder yet, so no sessions (the kiosk makes it when "
                     "it first starts)")
        return
    except OSError as e:
        raise StorageError(f"{data_dir}: cannot open the data folder ({e.strerror}); "
                           "run this as the kiosk's user, or give --data-dir") from e
    if not stat.S_ISDIR(mode):
        raise StorageError(f"{data_dir} is {kind_of(mode)}, not a folder; give --data-dir "
                           "(or [storage] data_dir) the kiosk's data folder")
    if not os.access(data_dir, os.R_OK | os.X_OK):
        raise StorageError(f"{data_dir}: cannot read the data folder "
                           f"({os.strerror(errno.EACCES)}); run this as the kiosk's user "
                           "(sudo -u kiosk kiosk ...)")
    if not needs_migration(data_dir):
        yield from months.stream(data_dir, notes, since=since, on_month=on_month)
        return
    # The single-file layout: a kiosk that has not started since it was split into months.
    loaded = load(data_dir / FILENAME, Backups(data_dir / "backups"))
    if loaded.problem is not None:
        notes.append(reader_note(data_dir / FILENAME, loaded))
    if months.months_in(data_dir / months.FOLDER):
        # An old single file beside the months (an older kiosk run again, a copy put back):
        # the months are the history; the file's records they lack are shown after them, and
        # the kiosk adds them to the months when it next starts (months.migrate).
        seen: set[str] = set()
        for record in months.stream(data_dir, notes, since=since, on_month=on_month):
            seen.add(record.id)
            yield record
        extra = [r for r in loaded.records.values() if r.id not in seen]
        notes.append(Damage(
            f"{data_dir / FILENAME}: an old single-file history beside {months.FOLDER}/, "
            f"with {len(extra)} record(s) the months lack; showing the months and those; the "
            "kiosk adds them to the months and moves the file into history/ when it next "
            "starts, and nothing has been changed now"))
        yield from extra
        return
    yield from loaded.records.values()
