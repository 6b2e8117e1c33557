"""Bytecode for the methods that ``@dataclass`` writes, cached on disk like a ``.pyc``.

Python caches the bytecode of every module, but not of the ``__init__``, ``__eq__``,
``__repr__``, ``__hash__`` and ``__setattr__`` methods that ``@dataclass`` generates: it writes
their source and compiles it again in every process. The kiosk's records, events, views and
config are frozen dataclasses, about 130 of them, and compiling their methods was half of the
kiosk's import time (about 0.15 s here, and 5 to 10 times that on a Pi Zero 2 W).

``install()`` (called by the kiosk's entry point, kiosk/entry.py, and never by ``import kiosk``)
has ``dataclasses`` compile through a cache keyed
by the exact source text: the same text always compiles to the same code, so a cached entry
can never be stale, only missing, and a missing one is compiled as before. The cache holds the
interpreter's bytecode magic number, and is ignored whole when it does not match or does not
read back (a cut-off or damaged file), exactly as a stale ``.pyc`` is.

Nothing at run time writes the cache: the installed kiosk cannot write to its code directory
(``ProtectSystem=strict``). ``python -m kiosk.precompile`` writes it, with the modules'
bytecode, at install time (``systemd/install.sh``), in ``make setup``, and before a benchmark
times start-up (``benchmarks/bytecode.py``).
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

PACKAGE = Path(__file__).resolve().parent
CACHE = PACKAGE / "__pycache__" / f"dataclasses.{sys.implementation.cache_tag}.marshal"

_codes: dict[str, CodeType] = {}
_used: set[str] = set()  # the sources this process compiled or found: what write() keeps
_unread: Path | None = None  # the cache, until the first kiosk dataclass reads it


def _exec(source: Any, globals: Any = None, locals: Any = None) -> None:
    """``exec`` as ``dataclasses`` calls it: for a kiosk module's dataclass, with the compile step
    looked up first; for anyone else's, exactly ``exec``."""
    global _unread
    if isinstance(source, str) and str((globals or {}).get("__name__", "")).startswith("kiosk"):
        if _unread is not None:
            # Read when the kiosk makes its first dataclass, not when the cache is switched on:
            # the cache's 1.5-2 MB would only sit in the memory of a process that makes none.
            cache, _unread = _unread, None
            _codes.update(read(cache))
        _used.add(source)
        code = _codes.get(source)
        if code is None:
            code = _codes[source] = compile(source, "<string>", "exec")
        source = code
    builtins.exec(source, globals, locals)


def install(cache: Path = CACHE) -> None:
    """Compile the kiosk's dataclass methods through the cache from now on; the cache is read
    when the first dataclass of a kiosk module is made. Only the kiosk's entry point calls it
    (kiosk/entry.py), and ``write``. Safe to call twice. Whatever is wrong with the file, the
    kiosk imports as it would without."""
    global _unread
    _unread = cache
    dataclasses.exec = _exec  # type: ignore[attr-defined]  # dataclasses finds exec as a global


def uninstall() -> None:
    """Back to ``dataclasses`` as Python ships it."""
    vars(dataclasses).pop("exec", None)


def read(cache: Path) -> dict[str, CodeType]:
    """The cached code, or nothing when the file is missing, damaged or from another Python."""
    return {k: v for k, v in read_dict(cache).items() if isinstance(v, CodeType)}


def read_dict(cache: Path) -> dict[str, object]:
    """The string-keyed dict an install-time cache holds, or
    nothing when the file is missing, damaged or from another Python: as a stale .pyc, the
    whole file is ignored."""
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
    return {k: v for k, v in loaded.items() if isinstance(k, str)}


def write_dict(cache: Path, entries: dict[str, CodeType]) -> None:
    """Write an install-time cache atomically: a reader sees the old file or the new one, never
    half of one. Readable by all, like the .pyc files beside it: the service's user reads it."""
    import tempfile

    cache.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=cache.name, suffix=".tmp")
    try:
        os.chmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(importlib.util.MAGIC_NUMBER)
            marshal.dump(entries, f)
        os.replace(tmp, cache)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(cache: Path = CACHE) -> int:
    """Import every kiosk module (so every dataclass is made once), then write the cache."""
    import importlib
    import pkgutil

    install(cache)
    for module in pkgutil.walk_packages([str(PACKAGE)], "kiosk."):
        if module.name.endswith("__main__"):
            continue  # that one runs the command line
        try:
            importlib.import_module(module.name)
        except ImportError:
            continue  # an optional extra that is not installed (the neural voice)
    # Only what this kiosk made: an update's old methods do not pile up in the file.
    write_dict(cache, {k: _codes[k] for k in sorted(_used)})
    return len(_used)
