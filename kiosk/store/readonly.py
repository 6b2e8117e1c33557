"""The history as the command-line readers see it: read-only, and never in the kiosk's way.

``kiosk history``, ``plan``, ``export`` and ``check`` run beside a kiosk that may be saving at
that very moment, often as another user (root, by sudo). So they open nothing for writing, take
no lock and make no file: no backup, no clean-up of temp files (they may be a save in progress),
no repair. A damaged file is read the way the kiosk would repair it, in memory, and the reader
says that the kiosk will repair it when it next starts.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.records import Record, SessionRecord, sessions_of
from kiosk.errors import StorageError
from kiosk.store.atomic import kind_of
from kiosk.store.backups import Backups
from kiosk.store.history import FILENAME
from kiosk.store.load import load


@dataclass(frozen=True)
class Snapshot:
    """Every record, oldest first, and what the reader should tell the user, if anything."""

    records: list[Record]
    note: str | None = None

    @property
    def sessions(self) -> list[SessionRecord]:
        return sessions_of(self.records)


def read_history(data_dir: Path) -> Snapshot:
    """Read the history in ``data_dir`` without changing anything there.

    Raises ``StorageError``, with one line naming the path and the fix, when the data directory
    or the history file cannot be read at all.
    """
    try:
        mode = os.stat(data_dir).st_mode
    except FileNotFoundError:
        return Snapshot([], f"{data_dir}: no data folder yet, so no sessions (the kiosk makes "
                            "it when it first starts)")
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
    loaded = load(data_dir / FILENAME, Backups(data_dir / "backups"))
    records = list(loaded.records.values())
    sessions = loaded.sessions
    if loaded.problem is None:
        return Snapshot(records)
    shown = f"showing {len(sessions)} session{'' if len(sessions) == 1 else 's'}"
    if loaded.restored_from is not None:
        shown += f" from {loaded.restored_from.name}"
        if loaded.salvaged:
            shown += f" and {loaded.salvaged} read from the damaged file"
    elif loaded.salvaged:
        shown += " read from the damaged file"
    if loaded.found.repaired:
        shown += f" ({loaded.found.repaired} repaired: impossible values)"
    if loaded.found.skipped:
        shown += f"; {loaded.found.skipped} unreadable record(s) stay in the damaged file only"
    repair = "restore" if not loaded.damaged else "set it aside and repair the history"
    note = (f"{data_dir / FILENAME}: {loaded.problem}; {shown}; the kiosk will {repair} when it "
            "next starts, and nothing has been changed now")
    return Snapshot(records, note)
