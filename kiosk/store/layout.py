"""The monthly layout on disk, and reading it: what a month folder is, which months there
are, how records fall into months, the snapshot file of a closed month, and the read-only
readers the command-line tools use. The one writer of the layout is ``months.WholeHistory``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Protocol

from kiosk.core.coach.rhythm import active_days
from kiosk.core.data.records import (
    PainEntry,
    ProgramRecord,
    Record,
    RitualRecord,
    SessionRecord,
    last_pain,
)
from kiosk.core.data.years import FIRST_YEAR, LAST_YEAR
from kiosk.core.reports.weekly import READ_BACK_DAYS
from kiosk.errors import RecordError
from kiosk.store.atomic import (
    Fsync,
    kind_of,
    read_regular,
    write_atomically,
)
from kiosk.store.backups import Backups
from kiosk.store.history import FILENAME
from kiosk.store.journal import JOURNAL
from kiosk.store.load import Damage, load, reader_note
from kiosk.store.records import decode, encode, from_json, load_json, to_json

log = logging.getLogger(__name__)

FOLDER = "history"  # beside the old single file, so the two layouts never share a name
SNAPSHOT = "progress.json"
# The layout of progress.json around the replay (whose own shape is in its key). 2: the last
# week's days of practice, and only its rituals.
SNAPSHOT_FILE_FORMAT = 2
MONTH = re.compile(r"\d{4}-\d{2}")
MIGRATED = "single-file-history.json"  # the old file, kept once split (inside FOLDER)
MIGRATED_BACKUPS = "single-file-backups"
STAGING = ".history-migrating"  # months being split from the single file, before the rename
WEEK = 7  # days of a closed month's end a snapshot remembers for this week's rhythm


class Replay(Protocol):
    """Where a replay of the history has got to (kiosk.core.coach.progression.Progress)."""

    @property
    def latest(self) -> date | None: ...  # the latest day replayed: plans before it need all

    def feed(self, sessions: Iterable[SessionRecord | ProgramRecord]) -> Any: ...
    def copy(self) -> Any: ...
    def snapshot(self) -> object: ...  # a dataclass the store's codec writes


class Replays(Protocol):
    """How to start a replay, and to take one back from a snapshot (None: not usable)."""

    snapshot_type: ClassVar[type[Any]]  # what Replay.snapshot() makes, and load() takes

    def start(self) -> Replay: ...
    def load(self, saved: Any) -> Replay | None: ...


@dataclass(frozen=True)
class Snapshot:
    """What the history held up to the end of a closed month."""

    month: str
    replay: Replay | None  # None when the store was opened without Replays
    last_pain: int | None
    # Every record up to here that is not a session (safety answers, questionnaires, movement
    # checks): few, and the kiosk must see them all (a "yes" years ago still waits for a
    # clinician's clearance). Rituals, the one kind that comes every day, only from the month's
    # last week (``WEEK``): the kiosk reads them for this week's rhythm and today's slots.
    # Pain entries only from the last ``READ_BACK_DAYS``, as far as any screen looks back: the
    # latest rating is ``last_pain``, so a snapshot stays the same size in year ten as in one.
    kept: tuple[Record, ...] = ()
    # The days of practice (a session or a ritual done) in the month's last week: a week that
    # runs over a month's turn counts them, though the sessions are in the replay.
    days: tuple[date, ...] = ()


def next_snapshot(
    month: str, before: Snapshot | None, records: Sequence[Record], replay: Replay | None
) -> Snapshot:
    """The snapshot at the end of ``month``: ``before`` (None at the history's start) plus the
    month's ``records``, whose sessions ``replay`` has been fed."""
    pain = last_pain(records)
    if pain is None and before is not None:
        pain = before.last_pain
    since = _month_end(month) - timedelta(days=WEEK - 1)
    earlier = before.kept if before is not None else ()
    kept = tuple(r for r in (*earlier, *records) if _keeps(r, month))
    days = {*(before.days if before is not None else ()), *active_days(records)}
    return Snapshot(month, replay, pain, kept, tuple(sorted(d for d in days if d >= since)))


def _keeps(record: Record, month: str) -> bool:
    if isinstance(record, SessionRecord):
        return False  # in the replay, and in last_pain
    end = _month_end(month)
    if isinstance(record, RitualRecord):
        return record.at.date() > end - timedelta(days=WEEK)
    if isinstance(record, PainEntry):
        return record.at.date() > end - timedelta(days=READ_BACK_DAYS)
    return True


def _month_end(month: str) -> date:
    first = date.fromisoformat(f"{month}-01")
    return (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)


def month_of(record: Record, fallback: str) -> str:
    """The month a record belongs to by its own date; ``fallback`` for one without a date.

    A session by its plan's day, safety answers by the kiosk's day when asked, and the other
    kinds (pain entries, rituals) by when they happened."""
    if isinstance(record, SessionRecord):
        return record.plan_date.isoformat()[:7]
    day = getattr(record, "day", None)  # safety answers: the kiosk's date when asked
    if isinstance(day, date):
        return day.isoformat()[:7]
    at = getattr(record, "at", None)
    return at.date().isoformat()[:7] if isinstance(at, datetime) else fallback




def is_month(name: str) -> bool:
    """Whether ``name`` is a calendar month, YYYY-MM, within the years the kiosk accepts."""
    return bool(MONTH.fullmatch(name)) and (
        FIRST_YEAR <= int(name[:4]) <= LAST_YEAR and 1 <= int(name[5:]) <= 12)


def _is_folder(path: Path) -> bool:
    """A real folder: never a link to one (lstat), so nothing below the data directory is
    followed elsewhere."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def months_in(root: Path) -> list[str]:
    """The months on disk, oldest first (save order): real folders with a calendar month's
    name. Anything else there is left alone, and named by ``odd_entries``."""
    if not _is_folder(root):
        return []
    return sorted(p.name for p in root.iterdir() if is_month(p.name) and _is_folder(p))


def odd_entries(root: Path) -> list[str]:
    """What in ``root`` looks like a month and is not one the store reads, in words with the
    fix: a month folder that is a link, a file or a FIFO, a name outside the calendar. Also
    ``root`` itself when it is not a real folder."""
    try:
        mode = os.lstat(root).st_mode
    except FileNotFoundError:
        return []
    except OSError as e:
        return [f"{root}: cannot be read ({e.strerror}); check the storage card"]
    if not stat.S_ISDIR(mode):
        return [f"{root} is {kind_of(mode)}, not a folder, so no month in it is read; move "
                "it out of the data folder and restart the kiosk"]
    out = []
    for p in sorted(root.iterdir()):
        if not MONTH.fullmatch(p.name):
            continue
        if not is_month(p.name):
            out.append(f"{p}: {p.name} is not a calendar month between {FIRST_YEAR} and "
                       f"{LAST_YEAR}, so its records are not read; move it out of {root}")
        elif not _is_folder(p):
            out.append(f"{p} is {kind_of(os.lstat(p).st_mode)}, not a folder, so it is not "
                       "read; remove it (the kiosk sets it aside when it next saves that month)")
    return out


def split(records: Sequence[Record]) -> list[tuple[str, list[Record]]]:
    """Records in save order, cut into months the way saving them one by one would."""
    parts: list[tuple[str, list[Record]]] = []
    for r in records:
        here = parts[-1][0] if parts else None
        month = month_of(r, here or date.today().isoformat()[:7])
        if here is None or month > here:
            parts.append((month, [r]))
        else:
            parts[-1][1].append(r)
    return parts


# --- snapshots ---------------------------------------------------------------------------------
def write_snapshot(month_dir: Path, snapshot: Snapshot, fsync: Fsync | None = None) -> None:
    data = {
        "format": SNAPSHOT_FILE_FORMAT,
        "month": snapshot.month,
        "last_pain": snapshot.last_pain,
        "progress": to_json(snapshot.replay.snapshot()) if snapshot.replay is not None else None,
        "kept": [encode(r) for r in snapshot.kept],
        "days": [d.isoformat() for d in snapshot.days],
    }
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    write_atomically(month_dir / SNAPSHOT, text.encode("utf-8"), fsync=fsync)


def read_snapshot(month_dir: Path, replays: Replays | None) -> Snapshot | None:
    """The snapshot of a closed month, or None when it is missing, damaged or not for these
    ladders and thresholds (then it is rebuilt from the records)."""
    try:
        data: Any = load_json(read_regular(month_dir / SNAPSHOT), "the snapshot")  # a file
        if data["format"] != SNAPSHOT_FILE_FORMAT or data["month"] != month_dir.name:
            return None
        pain = data["last_pain"]
        if pain is not None and (type(pain) is not int or not 0 <= pain <= 10):
            return None
        replay = None
        if replays is not None:
            replay = replays.load(from_json(replays.snapshot_type, data["progress"]))
            if replay is None:
                return None
        kept = tuple(decode(r) for r in data["kept"])
        days = tuple(date.fromisoformat(d) for d in data["days"])
        return Snapshot(month_dir.name, replay, pain, kept, days)
    except (OSError, ValueError, KeyError, TypeError, RecordError, RecursionError, MemoryError):
        return None


def newest_snapshot(
    root: Path, closed: list[str], replays: Replays | None
) -> tuple[Snapshot | None, int]:
    """The newest usable snapshot among ``closed`` and the index of the month after it."""
    for i in range(len(closed) - 1, -1, -1):
        snapshot = read_snapshot(root / closed[i], replays)
        if snapshot is not None:
            return snapshot, i + 1
    return None, 0


# --- reading without writing: the command-line readers ---------------------------------------
def read_month(
    month_dir: Path, read: Callable[[Path], bytes] | None = None
) -> tuple[list[Record], str | None]:
    """A month's records without changing anything (what the kiosk would repair it to, if it is
    damaged: load.py). Returns the records and a note when the file could not be used as is.
    ``read`` reads the month's file (the writer's storage's ``read_file``)."""
    path = month_dir / FILENAME
    # StorageError: the disk, not the data
    loaded = load(path, Backups(month_dir / "backups"), month_dir / JOURNAL, read=read)
    if loaded.problem is None and loaded.changed_since_seal:
        return list(loaded.records.values()), Damage(
            f"{path}: changed since the kiosk checked and sealed it (an edit, or a value "
            "flipped on the card); showing it as it is now; the kiosk will check it against "
            "its journal when it next starts, and nothing has been changed now")
    if loaded.problem is None:
        return list(loaded.records.values()), None
    return list(loaded.records.values()), reader_note(path, loaded)


def stream(
    data_dir: Path, notes: list[str] | None = None, *, since: str | None = None
) -> Iterator[Record]:
    """Every record in ``data_dir``, oldest first, month by month, changing nothing; with
    ``since`` (YYYY-MM), only the months from that one on."""
    if notes is not None:
        notes += [Damage(odd) for odd in odd_entries(data_dir / FOLDER)]
    for month in months_in(data_dir / FOLDER):
        if since is not None and month < since:
            continue
        records, note = read_month(data_dir / FOLDER / month)
        if note and notes is not None:
            notes.append(note)
        yield from records


def read_window(
    data_dir: Path, replays: Replays | None, notes: list[str] | None = None
) -> tuple[Replay | None, list[Record], int | None]:
    """What a plan needs, changing nothing: the newest snapshot's replay, the records after it,
    and the last pain before them. Without a usable snapshot, the whole history is the window."""
    root = data_dir / FOLDER
    if notes is not None:
        notes += [Damage(odd) for odd in odd_entries(root)]
    months = months_in(root)
    snapshot, start = newest_snapshot(root, months[:-1], replays)
    window: list[Record] = []
    for month in months[start:]:
        records, note = read_month(root / month)
        window += records
        if note and notes is not None:
            notes.append(note)
    if snapshot is None:
        return None, window, None
    return snapshot.replay, [*snapshot.kept, *window], snapshot.last_pain


