"""Reading the history without changing anything: the one path for the kiosk and the readers.

``load()`` reads ``history.json`` and, when it is damaged or missing, works out in memory what
the history should hold: the sessions salvaged from the damaged file merged with the newest
good backup. It writes nothing. The kiosk (MonthFile, holding the data directory's lock) then
sets the damaged file aside and writes the result; ``kiosk history``, ``plan``, ``export`` and
``check`` only show it, and say that the kiosk will repair the file when it next starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.data.records import Record, SessionRecord, sessions_of
from kiosk.errors import RecordError, StorageError
from kiosk.store.atomic import NotAFile, read_regular
from kiosk.store.backups import Backups
from kiosk.store.records import parse_history
from kiosk.store.salvage import Salvage, merge, salvage
from kiosk.store.seal import trusted

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """What the history holds, and what was wrong with ``history.json`` if anything."""

    records: dict[int, Record]  # {seq: record}, in save order
    problem: str | None = None  # why history.json cannot be used as it is; None when it can
    damaged: bool = False  # history.json is there but unusable: set it aside before writing
    restored_from: Path | None = None  # the backup the sessions came from, if any
    found: Salvage = field(default_factory=Salvage)  # what was read from the damaged file

    @property
    def salvaged(self) -> int:
        return len({r.id for _, r in self.found.records})

    @property
    def sessions(self) -> list[SessionRecord]:
        return sessions_of(self.records.values())


def load(path: Path, backups: Backups) -> Loaded:
    """Read ``path`` (and, if need be, the backups); raise ``StorageError`` only for the disk."""
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        if not backups.newest_first():
            return Loaded({})  # the first start: nothing to load
        return _rebuild("the history file is missing", None, backups, damaged=False)
    except NotAFile as e:
        return _rebuild(f"the history {e.strerror}", None, backups, damaged=True)
    except OSError as e:
        raise StorageError(
            f"{path}: cannot read the exercise history ({e.strerror}); "
            "check the storage card and the file's permissions"
        ) from e
    sealed = trusted(path.parent, raw)  # a closed month checked once already (seal.py)
    if sealed is not None:
        return Loaded(sealed)
    try:
        return Loaded(parse_history(raw))
    except RecordError as e:
        return _rebuild(str(e), raw, backups, damaged=True)


def _rebuild(problem: str, raw: bytes | None, backups: Backups, *, damaged: bool) -> Loaded:
    """The history to replace a damaged or missing file with; ``raw`` is what could be read."""
    log.info("history: %s", problem)
    found = salvage(raw) if raw is not None else Salvage()
    backup, sessions = _newest_good(backups)
    return Loaded(merge(found, sessions), problem, damaged, backup, found)


def _newest_good(backups: Backups) -> tuple[Path | None, dict[int, Record]]:
    for backup in backups.newest_first():
        try:
            return backup, parse_history(read_regular(backup))
        except (OSError, RecordError) as e:
            log.warning("%s: not usable: %s", backup, e)
    return None, {}


def reader_note(path: Path, loaded: Loaded) -> str:
    """What a reader tells the user about a history file it could not use as it is."""
    sessions = loaded.sessions
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
    return (f"{path}: {loaded.problem}; {shown}; the kiosk will {repair} when it next starts, "
            "and nothing has been changed now")
