"""Reading the history without changing anything: the one path for the kiosk and the readers.

``load()`` reads ``history.json`` and, when it is damaged or missing, works out in memory what
the history should hold: the sessions salvaged from the damaged file merged with the newest
good backup. It writes nothing. The kiosk (MonthFile, holding the data directory's lock) then
sets the damaged file aside and writes the result; ``kiosk history``, ``plan``, ``export`` and
``check`` only show it, and say that the kiosk will repair the file when it next starts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.data.records import Record, SessionRecord, sessions_of
from kiosk.core.data.years import outside
from kiosk.errors import RecordError, StorageError
from kiosk.store.atomic import NotAFile, read_regular
from kiosk.store.backups import Backups
from kiosk.store.journal import Journal
from kiosk.store.journal import read as read_journal
from kiosk.store.records import parse_history
from kiosk.store.salvage import Salvage, merge, salvage
from kiosk.store.seal import is_sealed, trusted

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """What the history holds, and what was wrong with ``history.json`` if anything."""

    records: dict[int, Record]  # {seq: record}, in save order
    problem: str | None = None  # why history.json cannot be used as it is; None when it can
    damaged: bool = False  # history.json is there but unusable: set it aside before writing
    restored_from: Path | None = None  # the backup the sessions came from, if any
    found: Salvage = field(default_factory=Salvage)  # what was read from the damaged file
    journal: Journal = field(default_factory=Journal)  # the month's journal, read on damage
    from_journal: int = 0  # records only the journal still had whole
    changed_since_seal: bool = False  # a sealed month whose file reads, but not as sealed

    @property
    def salvaged(self) -> int:
        return len({r.id for _, r in self.found.records})

    @property
    def sessions(self) -> list[SessionRecord]:
        return sessions_of(self.records.values())


def load(
    path: Path, backups: Backups, journal: Path | None = None, *,
    read: Callable[[Path], bytes] | None = None,
) -> Loaded:
    """Read ``path`` (and, if need be, the backups and the ``journal``, journal.py); raise
    ``StorageError`` only for the disk. ``read`` reads ``path`` (the storage's ``read_file``;
    ``read_regular`` when None)."""
    try:
        raw = (read or read_regular)(path)
    except FileNotFoundError:
        if not backups.newest_first() and (journal is None or not os.path.lexists(journal)):
            return Loaded({})  # the first start: nothing to load
        return _rebuild("the history file is missing", None, backups, journal, damaged=False)
    except NotAFile as e:
        return _rebuild(f"the history {e.strerror}", None, backups, journal, damaged=True)
    except MemoryError:
        return _rebuild("the history file is too big to read", None, backups, journal,
                        damaged=True)
    except OSError as e:
        raise StorageError(
            f"{path}: cannot read the exercise history ({e.strerror}); "
            "check the storage card and the file's permissions"
        ) from e
    try:
        sealed = trusted(path.parent, raw)  # a closed month checked once already (seal.py)
        if sealed is not None:
            return Loaded(sealed)
        records = parse_history(raw)
        for record in records.values():
            wrong = outside(record)  # a year 1 or 9999 is damage: FHIR and plans cannot use it
            if wrong is not None:
                raise RecordError(f"record {record.id}: {wrong}")
        return Loaded(records, changed_since_seal=is_sealed(path.parent))
    except RecordError as e:
        return _rebuild(str(e), raw, backups, journal, damaged=True)
    except (RecursionError, MemoryError):  # nested or sized past what a history can be
        return _rebuild("the history file is nested too deep or too big to read", raw, backups,
                        journal, damaged=True)


def _rebuild(
    problem: str, raw: bytes | None, backups: Backups, journal: Path | None, *, damaged: bool
) -> Loaded:
    """The history to replace a damaged or missing file with; ``raw`` is what could be read.
    The journal's records are the newest copy of each save (journal.py): they win."""
    log.info("history: %s", problem)
    try:
        found = salvage(raw) if raw is not None else Salvage()
    except (RecursionError, MemoryError):
        found = Salvage(skipped=1)
    backup, sessions = _newest_good(backups)
    journaled = Journal()
    if journal is not None:
        try:
            journaled = read_journal(journal)
        except OSError as e:
            log.warning("%s: not usable: %s", journal, e)
            journaled = Journal(problem=f"the journal cannot be read ({e.strerror})",
                                present=True)
    merged = merge(found, sessions, journaled.records)
    have = {r.id for _, r in found.records} | {r.id for r in sessions.values()}
    only = len({r.id for r in journaled.records.values()} - have)
    return Loaded(merged, problem, damaged, backup, found, journaled, only)


def _newest_good(backups: Backups) -> tuple[Path | None, dict[int, Record]]:
    for backup in backups.newest_first():
        try:
            return backup, parse_history(read_regular(backup))
        except (OSError, RecordError, RecursionError, MemoryError) as e:
            log.warning("%s: not usable: %s", backup, e)
    return None, {}


class Damage(str):
    """A reader's note that says the history is damaged: the reader exits non-zero (cli.py)."""


def reader_note(path: Path, loaded: Loaded) -> Damage:
    """What a reader tells the user about a history file it could not use as it is: what was
    recovered, from where, and what could not be."""
    sessions = loaded.sessions
    count = len(loaded.records)
    shown = (f"recovered {count} record{'' if count == 1 else 's'} "
             f"({len(sessions)} session{'' if len(sessions) == 1 else 's'})")
    sources = []
    if loaded.restored_from is not None:
        sources.append(loaded.restored_from.name)
    if loaded.salvaged:
        sources.append(f"{loaded.salvaged} read from the damaged file")
    if loaded.journal.records:
        sources.append(f"{len(loaded.journal.records)} from the journal")
    if sources:
        shown += " from " + " and ".join(sources)
    if loaded.found.repaired:
        shown += f" ({loaded.found.repaired} repaired: impossible values)"
    shown += "; " + lost(loaded)
    repair = "restore" if not loaded.damaged else "set it aside and repair the history"
    return Damage(f"{path}: {loaded.problem}; {shown}; the kiosk will {repair} when it next "
                  "starts, and nothing has been changed now")


def lost(loaded: Loaded) -> str:
    """What could not be recovered, in words: nothing, when the month's journal is whole."""
    if loaded.journal.sound:
        return "nothing saved is lost (the journal holds every save)"
    parts = []
    if loaded.found.skipped:
        parts.append(f"{loaded.found.skipped} unreadable record(s) stay in the damaged file only")
    if loaded.journal.damaged:
        parts.append(f"{loaded.journal.damaged} journal line(s) could not be read")
    if loaded.journal.problem:
        parts.append(loaded.journal.problem)
    if not loaded.journal.present:
        parts.append("there is no journal, so saves after the newest backup may be missing")
    return "not recovered: " + ", ".join(parts) if parts else "nothing unreadable was found"
