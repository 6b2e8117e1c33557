"""One writer per data directory; readers never need the lock and never write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from store_samples import real_record

from kiosk.store.history import MonthFile
from kiosk.store.lock import DataDirBusy, DataDirLock, ForeignDataDir
from kiosk.store.readonly import read_history


def test_a_second_writer_is_refused_with_words_while_the_first_is_open(tmp_path: Path) -> None:
    with MonthFile.open(tmp_path) as first:
        first.add(real_record("a"))
        with pytest.raises(DataDirBusy, match="another kiosk is saving sessions here"):
            MonthFile.open(tmp_path)
        assert [s.id for s in read_history(tmp_path).sessions] == ["a"]  # readers may
    with MonthFile.open(tmp_path) as second:  # closing let the next writer in
        assert [s.id for s in second.sessions()] == ["a"]


def test_the_lock_is_no_file_and_a_dropped_history_gives_it_back(tmp_path: Path) -> None:
    MonthFile.open(tmp_path).add(real_record("a"))  # never closed, then garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "history.json"]
    DataDirLock(tmp_path).release()


def test_a_writer_can_wait_for_the_lock(tmp_path: Path) -> None:
    held = DataDirLock(tmp_path)
    with pytest.raises(DataDirBusy):
        DataDirLock(tmp_path, wait=0.2, poll=0.05)
    held.release()
    DataDirLock(tmp_path, wait=0.2).release()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder to another user")
def test_root_never_writes_into_another_users_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with MonthFile.open(data) as history:
        history.add(real_record("a"))
    for path in [data, *data.rglob("*")]:
        os.chown(path, 4242, 4242)
    before = sorted((p.name, p.stat().st_uid) for p in data.rglob("*"))
    with pytest.raises(ForeignDataDir, match="belongs to user 4242.*run this as that user"):
        MonthFile.open(data)
    assert sorted((p.name, p.stat().st_uid) for p in data.rglob("*")) == before
    assert [s.id for s in read_history(data).sessions] == ["a"]  # reading is fine
