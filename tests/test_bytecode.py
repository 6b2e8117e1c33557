"""The cache of dataclass methods (kiosk/bytecode.py): used when good, ignored when not."""

from __future__ import annotations

import dataclasses
import importlib.util
import marshal
from datetime import datetime
from pathlib import Path

import pytest

from kiosk import bytecode
from kiosk.core.data.records import SessionRecord


def test_the_install_step_caches_the_methods_of_the_kiosks_records(tmp_path: Path) -> None:
    cache = tmp_path / "dc.marshal"
    count = bytecode.write(cache)
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
    bytecode.write(cache)
    assert old not in bytecode.read(cache)


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


def test_dataclasses_compile_through_the_cache() -> None:
    """The hook is live: a dataclass made now takes its methods from the cache, and behaves
    exactly like one compiled from source."""
    assert dataclasses.exec is bytecode._exec  # type: ignore[attr-defined]

    @dataclasses.dataclass(frozen=True)
    class Probe:
        side: str
        reps: int = 3

    a, b = Probe("left"), Probe("left", 3)
    assert a == b and hash(a) == hash(b) and repr(a).endswith("Probe(side='left', reps=3)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.side = "right"  # type: ignore[misc]
    assert any("reps" in s and "__init__" in s for s in bytecode._codes)


def test_records_made_with_cached_methods_compare_and_copy_as_before() -> None:
    at = datetime(2026, 11, 28, 9, 0)
    rec = SessionRecord(id="s1", plan_date=at.date(), started_at=at, ended_at=at,
                        duration_s=0.0, pain_before=2, pain_after=2, ended_by="completed",
                        exercises=(), pain_events=())
    assert dataclasses.replace(rec) == rec
    assert rec != dataclasses.replace(rec, pain_after=3)
    assert "pain_after=2" in repr(rec)


def test_the_cache_is_read_with_the_first_kiosk_dataclass_not_before() -> None:
    """The voices' workers import kiosk modules that make no dataclass: the cache stays on
    disk for them (1.5-2 MB). The kiosk's first record type reads it."""
    import subprocess
    import sys

    script = (
        "import kiosk.io.loudness, kiosk.errors, kiosk.io.piper_worker\n"
        "from kiosk import bytecode\n"
        "print(bytecode._unread is not None, len(bytecode._codes))\n"
        "import kiosk.core.data.records\n"
        "print(bytecode._unread is None, len(bytecode._codes) > 100)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    first, then = done.stdout.splitlines()
    assert first == "True 0"
    # read, when a cache was written for this checkout (make setup does; CI runs it)
    assert then == ("True True" if bytecode.CACHE.exists() else "True False")
