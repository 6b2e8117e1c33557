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

import importlib.util
import marshal
import os
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kiosk.bytecode import PACKAGE

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
    try:
        data = cache.read_bytes()
    except OSError:
        return {}
    magic = importlib.util.MAGIC_NUMBER
    if not data.startswith(magic):
        return {}
    try:
        loaded = marshal.loads(data[len(magic):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, tuple)
            and len(v) == 2 and all(isinstance(b, bytes) for b in v)}


def write(files: Iterable[Path], cache: Path | None = None) -> int:
    """Parse ``files`` and store them, atomically; returns how many were stored. A file that
    does not parse, or parses to something ``marshal`` cannot hold, is left out: it is parsed
    at each start, as without a cache."""
    import tempfile

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
    cache.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=cache.name, suffix=".tmp")
    try:
        os.chmod(fd, 0o644)  # like the .pyc files beside it: the service's user reads it
        with os.fdopen(fd, "wb") as f:
            f.write(importlib.util.MAGIC_NUMBER)
            marshal.dump(entries, f)
        os.replace(tmp, cache)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(entries)
