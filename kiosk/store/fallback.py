"""Saves the writer could not finish before the kiosk stopped, kept for the next start.

``HistoryWriter.close`` waits for every queued save up to systemd's stop timeout. A card slow
enough to outlast it (or one that refuses the month's file but not a new small file) leaves
records in memory: they are written here, ``unsaved.json`` in the data directory, atomically
and 0600 like every file the kiosk keeps, and the next start (``WholeHistory``) saves them
into their months, skipping any that reached the disk after all, then removes the file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

from kiosk.core.data.records import Record
from kiosk.errors import RecordError
from kiosk.store.atomic import Fsync, NotAFile, read_regular, write_atomically
from kiosk.store.records import decode, encode

log = logging.getLogger(__name__)

NAME = "unsaved.json"
FORMAT = 1


def path(data_dir: Path) -> Path:
    return data_dir / NAME


def keep(data_dir: Path, records: Iterable[Record], fsync: Fsync | None = None) -> None:
    """Add ``records`` to the fallback file (a newer copy of an id replaces the older one).
    ``OSError`` when it cannot be written, ``RecordError`` for a record the codec refuses."""
    kept = {r.id: r for r in read(data_dir)[0]}
    for r in records:
        kept[r.id] = r
    text = json.dumps({"format": FORMAT, "records": [encode(r) for r in kept.values()]},
                      ensure_ascii=False, allow_nan=False)
    write_atomically(path(data_dir), text.encode("utf-8"), fsync=fsync)


def read(data_dir: Path) -> tuple[list[Record], int]:
    """The records kept in the fallback file, and how many of its entries could not be read."""
    try:
        raw = read_regular(path(data_dir))
    except FileNotFoundError:
        return [], 0
    except NotAFile as e:
        log.warning("%s %s: not read", path(data_dir), e.strerror)
        return [], 1
    try:
        doc = json.loads(raw)
        entries = doc["records"] if isinstance(doc, dict) else None
        if not isinstance(entries, list):
            return [], 1
    except (ValueError, KeyError, TypeError, RecursionError, MemoryError):
        return [], 1
    out: list[Record] = []
    bad = 0
    for entry in entries:
        try:
            out.append(decode(entry))
        except (RecordError, RecursionError):
            bad += 1
    return out, bad
