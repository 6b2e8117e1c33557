"""Sessions rescued from a damaged history file, and merged with the newest good backup.

A file that fails the checks in records.py is damaged as a whole, but most of it is often fine:
one bad record, a key written twice, a table under the wrong name. Throwing all of it away for
the backup would lose every session saved since that backup. So every record in the file that
passes the checks (or does after an obvious repair) is kept, and merged by session id with the
backup: nothing that can still be read is lost. The damaged file itself is kept as well.

JSON keeps only the last copy of a key that appears twice; here every copy is read.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.core.data.records import Record
from kiosk.core.data.years import outside
from kiosk.errors import RecordError
from kiosk.store.records import DAY_S, MAX_BYTES, decode

Raw = dict[str, Any]


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as the list of its pairs, so that a key written twice keeps every copy."""


@dataclass
class Salvage:
    """What could be read from a damaged file: ``(seq or None, record)`` in file order."""

    records: list[tuple[int | None, Record]] = field(default_factory=list)
    repaired: int = 0  # records kept after a repair (clean reps above the reps, say)
    skipped: int = 0  # records that could not be read; they stay in the damaged file only


def salvage(raw: bytes) -> Salvage:
    """Every session record that can still be read from ``raw``, however the file is damaged."""
    found = Salvage()
    if len(raw) > MAX_BYTES:
        return found  # no kiosk wrote it: read none of it (the codec's bound, records.py)
    try:
        tree = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=_Pairs,
                          parse_constant=_refuse)
    except (ValueError, RecursionError, MemoryError):
        return found  # not JSON at all: only a backup can help
    if not isinstance(tree, _Pairs):
        return found
    for _name, table in tree:  # every table: "sessions", twice, or under another name
        if not isinstance(table, _Pairs):
            continue
        for key, value in table:
            seq = int(key) if re.fullmatch(r"[1-9][0-9]{0,17}", key) else None
            record = _readable(value, found)
            if record is not None:
                found.records.append((seq, record))
    return found


def merge(
    found: Salvage, backup: Mapping[int, Record], journal: Mapping[int, Record] | None = None
) -> dict[int, Record]:
    """The backup's sessions, the salvaged ones and the journal's, one per id, in save order,
    as ``{seq: r}``.

    The damaged file is newer than any backup, so its copy of a session wins; the journal's
    lines are checksummed copies of every save (journal.py), newer still, so theirs win over
    both. Sequence numbers
    are shared by both, so they order the merge; a record without one goes last. The result is
    numbered afresh from 1, keeping that order.
    """
    place: dict[str, float] = {}
    content: dict[str, Record] = {}
    for seq, record in [*backup.items(), *found.records, *(journal or {}).items()]:
        rid = record.id
        key = math.inf if seq is None else float(seq)
        place[rid] = min(place.get(rid, math.inf), key)
        content[rid] = record
    ids = sorted(place, key=lambda rid: place[rid])  # stable: ties keep the order read
    return {seq: content[rid] for seq, rid in enumerate(ids, start=1)}


def _refuse(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _readable(value: object, found: Salvage) -> Record | None:
    """``value`` as a valid record (a repaired one if need be), or None, counted as skipped."""
    if not isinstance(value, _Pairs):
        found.skipped += 1
        return None
    for raw in _copies(value):
        record = _decoded(raw)
        if record is not None:
            return record
    for raw in _copies(value):
        repaired = _repair(raw)
        record = _decoded(repaired) if repaired is not None else None
        if record is not None:
            found.repaired += 1
            return record
    found.skipped += 1
    return None


def _copies(pairs: _Pairs) -> Iterator[Raw]:
    """The record with the last copy of each duplicated field (as JSON reads it), then the first."""
    yield _plain(pairs, last=True)
    if len({k for k, _ in pairs}) != len(pairs):
        yield _plain(pairs, last=False)


def _plain(value: Any, *, last: bool) -> Any:
    if isinstance(value, _Pairs):
        out: Raw = {}
        for k, v in value:
            if last or k not in out:
                out[k] = _plain(v, last=last)
        return out
    if isinstance(value, list):
        return [_plain(v, last=last) for v in value]
    return value


def _decoded(raw: Raw) -> Record | None:
    try:
        record = decode(raw)
    except (RecordError, RecursionError):
        return None
    return None if outside(record) else record  # a date outside the kiosk's years: damage


def _repair(record: Raw) -> Raw | None:
    """Undo the damage whose true value is known; None when there is nothing to repair."""
    changed = False
    for ex in record.get("exercises") or []:
        for s in (ex.get("sets") or []) if isinstance(ex, dict) else []:
            if not (isinstance(s, dict) and isinstance(s.get("reps"), list)):
                continue
            clean = sum(1 for r in s["reps"] if r == "clean")
            if s.get("clean_reps") != clean:
                s["clean_reps"] = clean  # the ratings themselves say how many were clean
                changed = True
    old = record.get("duration_s")
    sane = isinstance(old, int | float) and not isinstance(old, bool) and 0 <= old <= DAY_S
    duration = None if sane else _duration(record)
    if duration is not None:
        record["duration_s"] = duration  # the start and end times say how long it took
        changed = True
    return record if changed else None


def _duration(record: Raw) -> float | None:
    try:
        start = datetime.fromisoformat(record["started_at"])
        end = datetime.fromisoformat(record["ended_at"])
        seconds = (end - start).total_seconds()
    except (KeyError, TypeError, ValueError):
        return None
    return seconds if 0 <= seconds <= DAY_S else None
