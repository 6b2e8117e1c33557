"""AtomicJSONStorage: TinyDB on a file that is only ever replaced whole."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from tinydb import TinyDB

from kiosk.store.atomic import AtomicJSONStorage, remove_stale_temps


def test_tinydb_round_trips_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "db.json"  # the directory is created on the first write
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert db.all() == []
        db.insert({"a": 1, "name": "Pont fessier"})
    stored = json.loads(path.read_text("utf-8"))
    assert stored == {"_default": {"1": {"a": 1, "name": "Pont fessier"}}}
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert db.all() == [{"a": 1, "name": "Pont fessier"}]


def test_a_failed_write_leaves_the_old_file_and_no_litter(tmp_path: Path) -> None:
    full = {"on": False}

    class FullCard(AtomicJSONStorage):
        """The storage twin of a card that fills up: once full, no write reaches it."""

        @staticmethod
        def fsync(fd: int) -> None:
            if full["on"]:
                raise OSError(errno.ENOSPC, "No space left on device")
            os.fsync(fd)

    path = tmp_path / "db.json"
    with TinyDB(path, storage=FullCard) as db:
        db.insert({"kept": True})
        before = path.read_bytes()
        full["on"] = True
        with pytest.raises(OSError) as err:
            db.insert({"lost": True})
    assert err.value.errno == errno.ENOSPC
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.json"]  # temp file removed


def test_stale_temp_files_from_a_crash_are_removed(tmp_path: Path) -> None:
    (tmp_path / "db.json").write_text("{}")
    (tmp_path / ".db.json.k2j3.tmp").write_text('{"half')
    (tmp_path / "notes.tmp").write_text("someone else's")
    remove_stale_temps(tmp_path, "db.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.json", "notes.tmp"]
