"""The month's journal: every save, appended, so that a damaged month loses nothing saved.

``history.json`` is rewritten whole at every save, atomically, so a power cut never leaves half
of it. A card that fails slowly is another matter: a bit flipped, a block zeroed or a file cut
short after the write damages the one copy of the month, and a daily backup holds only the
first save of the day. So every save is also appended to ``journal.jsonl`` beside it, before
the month's file is replaced: one line per save, each with its own checksum::

    1c291ca3 {"seq":4,"record":{...}}

A line is the record as the codec writes it (records.py) under its sequence number; the last
line of a sequence number is its newest save. Damage to one line spoils that line only, and
the CRC-32 tells a flipped bit from a record. ``history.json`` and the journal each hold every
record, so a record is lost only when both copies of it are: the store repairs either from the
other (history.py, load.py).

A journal holds one month, so it stays small; it is rewritten whole (atomically) only after a
repair, and never read when the month's file is sound, except at the open month's start.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.data.records import Record
from kiosk.core.data.years import outside
from kiosk.errors import RecordError
from kiosk.store.atomic import Fsync, NotAFile, fsync_dir, kind_of, read_regular, write_atomically
from kiosk.store.records import decode, encode

JOURNAL = "journal.jsonl"


@dataclass
class Journal:
    """What a journal holds: each sequence number's newest record, and what could not be read."""

    records: dict[int, Record] = field(default_factory=dict)  # {seq: newest save}
    damaged: int = 0  # lines that could not be read (a torn last line included)
    problem: str | None = None  # why the journal itself cannot be used, if it cannot
    present: bool = False  # whether there is a journal at all
    # The last sound line's seq, and what the journal held for that seq before it (None when
    # the line was its first save): the file one save behind looks exactly like this.
    last: tuple[int, Record | None] | None = None

    @property
    def sound(self) -> bool:
        return self.present and self.damaged == 0 and self.problem is None


def line(seq: int, record: Record) -> bytes:
    """One save as a journal line (``RecordError`` for a record the codec refuses)."""
    body = json.dumps({"seq": seq, "record": encode(record)}, ensure_ascii=False,
                      allow_nan=False, separators=(",", ":")).encode("utf-8")
    return b"%08x %s\n" % (zlib.crc32(body), body)


def read(path: Path) -> Journal:
    """The journal at ``path``; never raises for what is in it, only ``OSError`` for the disk
    (a missing journal, or something that is not a file there, is said in the result)."""
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return Journal()
    except NotAFile as e:
        return Journal(problem=f"the journal {e.strerror}", present=True)
    except MemoryError:
        return Journal(problem="the journal is too big to read", present=True)
    found = Journal(present=True)
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        found.damaged += 1  # a line cut short (a power cut during the append)
        lines.pop()
    for one in lines:
        parsed = _parse(one)
        if parsed is None:
            found.damaged += 1
            continue
        seq, record = parsed
        found.last = (seq, found.records.get(seq))
        found.records[seq] = record
    found.records = dict(sorted(found.records.items()))
    return found


def _parse(one: bytes) -> tuple[int, Record] | None:
    crc, _, body = one.partition(b" ")
    try:
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(body):
            return None
        doc = json.loads(body)
        seq = doc["seq"]
        if type(seq) is not int or seq < 1:
            return None
        record = decode(doc["record"])
        return None if outside(record) else (seq, record)
    except (ValueError, KeyError, TypeError, RecordError, RecursionError, MemoryError):
        return None


def append(path: Path, lines: Iterable[bytes], fsync: Fsync | None = None) -> None:
    """Append ``lines`` to the journal and flush them to the disk; ``OSError`` when it cannot.

    Opened with O_NOFOLLOW and O_NONBLOCK, then checked: a link, FIFO or device put in its place
    is refused (``NotAFile``), never followed or waited on."""
    data = b"".join(lines)
    new = not os.path.lexists(path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
                 | os.O_CLOEXEC, 0o600)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFile(errno.EINVAL, f"is {kind_of(mode)}, not a file", str(path))
        if new:
            os.fchmod(fd, 0o600)  # whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        (fsync or os.fsync)(fd)
    finally:
        os.close(fd)
    if new:
        fsync_dir(path.parent, fsync=fsync)


def rewrite(path: Path, records: dict[int, Record], fsync: Fsync | None = None) -> None:
    """Replace the journal with one line per record (after a repair renumbered them)."""
    write_atomically(path, b"".join(line(seq, r) for seq, r in records.items()), fsync=fsync)
