"""Seals: a closed month's file, checked once, read without the checks ever after.

A closed month never changes, yet every reader of the whole history (``kiosk report``,
``export``, the USB copy) checked every record of every month again, and in year ten that
check is most of the report's time. So the kiosk seals a month when it closes it: it reads
the file back, checks it the way every reader does (``records.parse_history``), and writes
``sealed.json`` beside it with the file's SHA-256 and size and a fingerprint of the codec that
checked it. A reader whose bytes hash to the seal, under the same codec, knows that the full
check would pass again, so it decodes them without the checks (``records.parse_trusted``).

Anything else is read the checked way, exactly as before: no seal, a damaged seal, a file
that changed since (a repair, a restore from backup, a bit flipped on the card) or a kiosk
whose codec checks other things. A seal holds no records, so it can make a read faster but
never different, and it can be deleted at any time. Only the kiosk, the one writer, writes
seals; the command-line readers never write anything (readonly.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from kiosk.core.coach import safety
from kiosk.core.data import fields as core_fields
from kiosk.core.data import records as core_records
from kiosk.core.data.records import Record
from kiosk.core.data.years import outside
from kiosk.errors import RecordError
from kiosk.store import records as codec
from kiosk.store.atomic import Fsync, read_regular, write_atomically

log = logging.getLogger(__name__)

SEAL = "sealed.json"
FORMAT = 1
MONTH_FILE = "history.json"  # history.FILENAME; not imported, as history.py imports load.py


@cache
def fingerprint() -> str:
    """The codec as it checks today: its source, the records' definitions and the rules of their
    fields, and the safety answers' values. Any change to them, however small, unseals every
    month."""
    h = hashlib.sha256()
    for module in (codec, core_records, core_fields):
        h.update(Path(module.__file__ or "").read_bytes())
    for enum in (safety.Group, safety.How, safety.Reason, safety.Outcome):
        h.update(repr([e.value for e in enum]).encode())
    return h.hexdigest()


def trusted(month_dir: Path, raw: bytes) -> dict[int, Record] | None:
    """The records of ``raw`` (``month_dir``'s file) if its seal vouches for them, else None."""
    try:
        seal = json.loads(read_regular(month_dir / SEAL))  # a FIFO or link there is no seal
        if not (isinstance(seal, dict) and seal.get("format") == FORMAT
                and seal.get("size") == len(raw) and seal.get("codec") == fingerprint()
                and seal.get("sha256") == hashlib.sha256(raw).hexdigest()):
            return None
        return codec.parse_trusted(raw)
    except (OSError, ValueError, RecordError, RecursionError, MemoryError):
        return None  # read the checked way, which finds and names the damage


def is_sealed(month_dir: Path) -> bool:
    """Whether ``month_dir`` has a seal made by this codec (its hash is checked on reading)."""
    try:
        seal = json.loads(read_regular(month_dir / SEAL))
        return isinstance(seal, dict) and (seal.get("format"), seal.get("codec")) == (
            FORMAT, fingerprint())
    except (OSError, ValueError, RecursionError, MemoryError):
        return False


def seal(month_dir: Path, fsync: Fsync | None = None) -> bool:
    """Check a closed month's file and seal it; False (and no seal) when it does not pass.
    Call it only for a month nothing writes to any more."""
    try:
        raw = read_regular(month_dir / MONTH_FILE)
        for record in codec.parse_history(raw).values():  # every check a reader makes
            if outside(record):
                raise RecordError(f"record {record.id}: {outside(record)}")
        text = json.dumps({"format": FORMAT, "codec": fingerprint(), "size": len(raw),
                           "sha256": hashlib.sha256(raw).hexdigest()})
    except (OSError, RecordError, RecursionError, MemoryError) as e:  # damaged: repaired later
        log.info("%s: not sealed: %s", month_dir, e)
        return False
    try:
        write_atomically(month_dir / SEAL, text.encode(), fsync=fsync)
    except OSError as e:  # only slower reading: the records are safe, and the save goes on
        log.warning("%s: could not write the seal: %s", month_dir, e)
        return False
    return True


def seal_unsealed(root: Path, months: Sequence[str], fsync: Fsync | None = None) -> int:
    """Seal those of the closed ``months`` under ``root`` that lack a seal by this codec (a
    history from before seals, or a kiosk updated since); returns how many were sealed."""
    return sum(seal(root / m, fsync) for m in months if not is_sealed(root / m))
