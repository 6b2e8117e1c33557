"""The cache of dataclass methods (kiosk/bytecode.py): used when good, ignored when not, and
switched on by the kiosk's entry point only. The pytest process never switches it on (it would
change ``dataclasses`` for every test after), so what needs it runs in a fresh interpreter."""

from __future__ import annotations

import importlib.util
import marshal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import bytecode


def _fresh(script: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


_WRITE = ("from pathlib import Path\nfrom kiosk import bytecode\n"
          "count = bytecode.write(Path({cache!r}))\n")


def test_the_install_step_caches_the_methods_of_the_kiosks_records(tmp_path: Path) -> None:
    cache = tmp_path / "dc.marshal"
    count = int(_fresh(_WRITE.format(cache=str(cache)) + "print(count)")[0])
    codes = bytecode.read(cache)
    assert len(codes) == count > 100
    init = [s for s in codes if "def __init__(" in s and "pain_events" in s and "ended_by" in s]
    assert init, "SessionRecord's __init__ is not in the cache"
    assert oct(cache.stat().st_mode & 0o777) == "0o644"  # the service's user must read it


def test_methods_no_kiosk_makes_any_more_are_dropped_from_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "dc.marshal"
    old = "def __create_fn__():\n def __init__(self, gone): pass\n return __init__"
    cache.write_bytes(importlib.util.MAGIC_NUMBER
                      + marshal.dumps({old: compile(old, "<string>", "exec")}))
    _fresh(_WRITE.format(cache=str(cache)))
    assert old not in bytecode.read(cache)
    assert len(bytecode.read(cache)) > 100


@pytest.mark.parametrize("damage", [
    b"",                                            # an empty file
    b"not marshal at all",                          # no magic number
    importlib.util.MAGIC_NUMBER + b"\x00\x01",      # cut off after the magic
    importlib.util.MAGIC_NUMBER + marshal.dumps([1, 2, 3]),   # the wrong shape
    b"\x00\x00\r\n" + marshal.dumps({"x": compile("1", "<string>", "exec")}),  # other Python
])
def test_a_damaged_or_foreign_cache_is_ignored_whole(tmp_path: Path, damage: bytes) -> None:
    cache = tmp_path / "dc.marshal"
    cache.write_bytes(damage)
    assert bytecode.read(cache) == {}


def test_a_missing_cache_reads_as_empty(tmp_path: Path) -> None:
    assert bytecode.read(tmp_path / "none.marshal") == {}


def test_import_kiosk_changes_nothing_in_the_standard_library() -> None:
    """Importing the kiosk, all of it, even making its gpiozero pins, leaves ``dataclasses``
    and ``importlib.metadata`` as Python ships them (issue 25, item 6)."""
    out = _fresh(
        "import dataclasses, sys, types, pkgutil, importlib\n"
        "import kiosk\n"
        "print('exec' in vars(dataclasses))\n"
        "for m in pkgutil.walk_packages(kiosk.__path__, 'kiosk.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        try: importlib.import_module(m.name)\n"
        "        except ImportError: pass\n"
        "from kiosk.io.buttons import make_factory\n"
        "factory, _ = make_factory(mock=True)\n"
        "meta = sys.modules.get('importlib.metadata')\n"
        "print('exec' in vars(dataclasses), 'gpiozero' in sys.modules,\n"
        "      meta is None or type(meta) is types.ModuleType,\n"
        "      getattr(importlib, 'metadata', meta) is meta)\n"
        "import importlib.metadata as real\n"
        "print(type(real) is types.ModuleType, real.version('gpiozero') != '')\n"
    )
    assert out == ["False", "False True True True", "True True"]


def test_the_entry_point_makes_the_kiosks_dataclasses_through_the_cache() -> None:
    """The kiosk command switches the cache on before any kiosk module makes a dataclass; the
    records it makes behave exactly as compiled from source, and a dataclass of anyone else is
    compiled as Python does."""
    out = _fresh(
        "import dataclasses, sys\n"
        "from kiosk import entry\n"
        "try: entry.main(['--help'])\n"
        "except SystemExit: pass\n"
        "from kiosk import bytecode\n"
        "print(dataclasses.exec is bytecode._exec, bytecode._unread is None,\n"
        "      any('pain_events' in s for s in bytecode._used))\n"
        "from datetime import datetime\n"
        "from kiosk.core.data.records import SessionRecord\n"
        "at = datetime(2026, 11, 28, 9, 0)\n"
        "rec = SessionRecord('s1', at.date(), at, at, 0.0, 2, 2, 'complete', (), ())\n"
        "print(dataclasses.replace(rec) == rec, rec != dataclasses.replace(rec, pain_after=3),\n"
        "      'pain_after=2' in repr(rec), hash(rec) == hash(dataclasses.replace(rec)))\n"
        "@dataclasses.dataclass(frozen=True)\n"
        "class Other:\n"
        "    zzz_other: int\n"
        "print(Other(1) == Other(1), any('zzz_other' in s for s in bytecode._used))\n"
    )
    assert out[-2:] == ["True True True True", "True False"]
    assert out[-3] == "True True True"


def test_the_cache_is_read_with_the_first_kiosk_dataclass_not_before() -> None:
    """The voices' workers import kiosk modules that make no dataclass: the cache stays on
    disk for them (1.5-2 MB). The kiosk's first record type reads it."""
    first, then = _fresh(
        "from kiosk import bytecode\n"
        "bytecode.install()\n"
        "import kiosk.io.loudness, kiosk.errors, kiosk.io.piper_worker\n"
        "print(bytecode._unread is not None, len(bytecode._codes))\n"
        "import kiosk.core.data.records\n"
        "print(bytecode._unread is None, len(bytecode._codes) > 100)\n"
    )
    assert first == "True 0"
    # read, when a cache was written for this checkout (make setup does; CI runs it)
    assert then == ("True True" if bytecode.CACHE.exists() else "True False")
