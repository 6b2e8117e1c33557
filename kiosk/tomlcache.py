"""The packaged config files, parsed once at install time, like bytecode.

``tomllib`` is pure Python: parsing the packaged ``config/*.toml`` (the exercise library is
most of it) took 12-15 ms of every start here, 60-150 ms on a Pi Zero 2 W, always to the same
result. ``python -m kiosk.precompile`` parses them at install time and stores, for each file,
its exact bytes and what they parse to (``marshal``). ``loads`` hands out the stored result
only for a file whose bytes are exactly those, so an edited file is parsed as it is now: an
entry can be unused, never stale. The cache is ignored whole when it is missing, from another
Python, or damaged, and nothing at run time writes it (the installed kiosk cannot write its code
directory). A file the person edits, such as /etc/backcare-kiosk/kiosk.toml, is simply parsed.
"""

from __future__ import annotations

import marshal
import os
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kiosk.bytecode import PACKAGE, read_dict, write_dict

CACHE = PACKAGE / "__pycache__" / f"config.{sys.implementation.cache_tag}.marshal"

_entries: dict[str, tuple[bytes, bytes]] | None = None  # path -> (its bytes, marshalled parse)


def loads(file: Path, data: bytes, cache: Path | None = None) -> dict[str, Any]:
    """``tomllib.loads`` of ``data``, the bytes of ``file``: from the cache (``CACHE`` unless
    given) when it holds exactly these bytes for this file. Raises as ``tomllib`` does (and
    UnicodeDecodeError)."""
    entry = _read(cache).get(os.path.abspath(file))
    if entry is not None and entry[0] == data:
        parsed: dict[str, Any] = marshal.loads(entry[1])  # new objects each time: callers own them
        return parsed
    return tomllib.loads(data.decode("utf-8"))


def _read(cache: Path | None) -> dict[str, tuple[bytes, bytes]]:
    global _entries
    if cache is not None:
        return read(cache)
    if _entries is None:
        _entries = read(CACHE)  # once a process
    return _entries


def read(cache: Path) -> dict[str, tuple[bytes, bytes]]:
    """The cached entries, or none when the file is missing, damaged or from another Python."""
    return {k: v for k, v in read_dict(cache).items() if isinstance(v, tuple) and len(v) == 2
            and all(isinstance(b, bytes) for b in v)}


def write(files: Iterable[Path], cache: Path | None = None) -> int:
    """Parse ``files`` and store them, atomically; returns how many were stored. A file that
    does not parse, or parses to something ``marshal`` cannot hold, is left out: it is parsed
    at each start, as without a cache."""
    global _entries
    if cache is None:
        cache, _entries = CACHE, None  # this process reads it again on next use
    entries: dict[str, tuple[bytes, bytes]] = {}
    for file in files:
        try:
            data = file.read_bytes()
            parsed = tomllib.loads(data.decode("utf-8"))
            entries[os.path.abspath(file)] = (data, marshal.dumps(parsed))
        except (OSError, ValueError, UnicodeDecodeError):  # TOMLDecodeError is a ValueError
            continue
    write_dict(cache, entries)
    return len(entries)
