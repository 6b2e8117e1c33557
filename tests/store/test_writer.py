"""HistoryWriter: the main loop hands sessions over and never waits; nothing is dropped."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from store_samples import Results, real_record

from kiosk.core.data.records import SessionRecord, last_pain
from kiosk.errors import StorageError
from kiosk.store.atomic import AtomicJSONStorage, read_regular
from kiosk.store.lock import DataDirBusy, DataDirLock
from kiosk.store.months import WholeHistory
from kiosk.store.readonly import read_history
from kiosk.store.writer import SAVED_LATE, HistoryWriter

HUNG = 120.0  # seconds: only a hung writer or test takes this long


def _saved_ids(data_dir: Path) -> list[str]:
    return [s.id for s in read_history(data_dir).sessions]


def card(fsync: Callable[[int], None]) -> type[AtomicJSONStorage]:
    """The storage twin of a card whose every fsync is ``fsync``."""

    class Card(AtomicJSONStorage):
        @staticmethod
        def fsync(fd: int) -> None:
            fsync(fd)

    return Card


class Disk:
    """Makes every fsync fail with ``errno`` until ``fix()``: a full or read-only card. The
    writer reaches it through ``storage``, the storage twin handed to ``HistoryWriter.open``."""

    def __init__(self, code: int) -> None:
        self.code = code
        self.broken = True
        self.failures = 0
        self._failed = threading.Condition()
        self._fsync = os.fsync
        self.storage = card(self._maybe_fail)

    def _maybe_fail(self, fd: int) -> None:
        if self.broken:
            with self._failed:
                self.failures += 1
                self._failed.notify_all()
            raise OSError(self.code, os.strerror(self.code))
        self._fsync(fd)

    def wait_for_failures(self, more: int) -> None:
        """Wait until ``more`` further writes have failed (the writer's retries)."""
        with self._failed:
            want = self.failures + more
            assert self._failed.wait_for(lambda: self.failures >= want, HUNG), "no retries"

    def fix(self) -> None:
        self.broken = False


def test_a_saved_session_is_on_disk_and_reported(tmp_path: Path) -> None:
    results = Results()
    with HistoryWriter.open(tmp_path, on_result=results) as writer:
        assert writer.recovery is None
        writer.save(real_record("a"))
        [result] = results.wait_for(1)
    assert (result.id, result.ok, result.message) == ("a", True, "Session saved.")
    assert _saved_ids(tmp_path) == ["a"]


def test_save_returns_at_once_even_while_the_disk_is_slow(
    tmp_path: Path
) -> None:
    # The disk is as slow as a test likes: every fsync waits until the gate opens.
    gate, stuck = threading.Event(), threading.Event()
    synced: list[int] = []
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        stuck.set()
        gate.wait(HUNG)
        real_fsync(fd)
        synced.append(fd)

    writer = HistoryWriter.open(tmp_path, storage=card(slow_fsync))
    for i in range(5):
        writer.save(real_record(f"s{i}"))
        assert stuck.wait(HUNG), "the writer never reached the disk"
    # Every save returned while the writer was still stuck on the disk.
    assert synced == []
    assert [s.id for s in writer.records()] == [f"s{i}" for i in range(5)]  # planning sees them
    gate.set()
    writer.close()
    assert _saved_ids(tmp_path) == [f"s{i}" for i in range(5)]


def test_close_writes_everything_pending_and_is_safe_twice(tmp_path: Path) -> None:
    writer = HistoryWriter.open(tmp_path)
    for i in range(3):
        writer.save(real_record(f"s{i}"))
    writer.close()
    writer.close()
    assert writer.pending_ids == ()
    assert _saved_ids(tmp_path) == ["s0", "s1", "s2"]
    with pytest.raises(StorageError, match="closed"):
        writer.save(real_record("late"))


def test_the_view_replaces_a_resaved_session_and_reads_existing_history(tmp_path: Path) -> None:
    with WholeHistory.open(tmp_path) as history:
        history.add(real_record("old", pain_before=6, pain_after=5))
    with HistoryWriter.open(tmp_path) as writer:
        assert last_pain(writer.records()) == 5
        writer.save(real_record("new", pain_before=4, pain_after=3))
        writer.save(real_record("new", pain_before=4, pain_after=2))
        assert [s.id for s in writer.records()] == ["old", "new"]
        assert last_pain(writer.records()) == 2
    assert _saved_ids(tmp_path) == ["old", "new"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "the storage card is full"),
        (errno.EROFS, "the storage card is read-only"),
        (errno.EACCES, "the storage card is read-only"),
        (errno.EIO, "could not be saved. Please leave"),
    ],
)
def test_a_refusing_disk_is_reported_once_and_the_session_saved_later(
    tmp_path: Path, code: int, words: str
) -> None:
    results = Results()
    disk = Disk(code)
    writer = HistoryWriter.open(tmp_path, on_result=results, retry_every=0.01,
                                storage=disk.storage)
    writer.save(real_record("a"))
    [failed] = results.wait_for(1)
    assert (failed.id, failed.ok, failed.will_retry) == ("a", False, True)
    assert words in failed.message and "saving will be tried again" in failed.message
    disk.wait_for_failures(3)  # several retries fail meanwhile
    assert len(results.items) == 1, "a failure is reported once, not at every retry"
    assert writer.pending_ids == ("a",)
    assert [s.id for s in writer.records()] == ["a"]  # still there for planning
    disk.fix()
    _, saved = results.wait_for(2)
    assert (saved.id, saved.ok) == ("a", True)
    assert "has now been saved" in saved.message
    writer.close()
    assert _saved_ids(tmp_path) == ["a"]


def test_the_next_save_retries_the_earlier_one_first(
    tmp_path: Path
) -> None:
    results = Results()
    disk = Disk(errno.ENOSPC)
    writer = HistoryWriter.open(tmp_path, on_result=results, retry_every=3600,
                                storage=disk.storage)
    writer.save(real_record("a"))
    results.wait_for(1)
    disk.fix()
    writer.save(real_record("b"))
    outcomes = [(r.id, r.ok) for r in results.wait_for(3)]
    assert outcomes == [("a", False), ("a", True), ("b", True)]
    writer.close()
    assert _saved_ids(tmp_path) == ["a", "b"]


def test_close_makes_a_last_attempt(tmp_path: Path) -> None:
    results = Results()
    disk = Disk(errno.EROFS)
    writer = HistoryWriter.open(tmp_path, on_result=results, retry_every=3600,
                                storage=disk.storage)
    writer.save(real_record("a"))
    writer.save(real_record("b"))
    assert [(r.id, r.ok) for r in results.wait_for(2)] == [("a", False), ("b", False)]
    disk.fix()
    writer.close()
    assert _saved_ids(tmp_path) == ["a", "b"]


def test_still_unwritable_at_close_leaves_the_sessions_listed(
    tmp_path: Path
) -> None:
    writer = HistoryWriter.open(tmp_path, retry_every=3600,
                                storage=Disk(errno.ENOSPC).storage)
    writer.save(real_record("a"))
    writer.close()
    assert writer.pending_ids == ("a",)
    assert not list(tmp_path.rglob(".history.json.*"))  # no half-written temp files fill the card


def test_a_broken_record_is_reported_and_kept_out_of_the_plan(tmp_path: Path) -> None:
    results = Results()
    with HistoryWriter.open(tmp_path, on_result=results) as writer:
        writer.save(replace(real_record("bad"), pain_after=11))
        writer.save(real_record("good"))
        bad, good = results.wait_for(2)
        assert [s.id for s in writer.records()] == ["good"]
    assert (bad.id, bad.ok, bad.will_retry) == ("bad", False, False)
    assert "fault in the kiosk" in bad.message and "pain_after" in bad.detail
    assert good.ok
    assert _saved_ids(tmp_path) == ["good"]


def test_an_unreadable_history_degrades_to_memory_until_it_can_be_opened(
    tmp_path: Path,
) -> None:
    with WholeHistory.open(tmp_path) as history:
        history.add(real_record("old"))
    broken = {"yes": True}

    class Flaky(AtomicJSONStorage):
        """A failing card: reading the month's file is an I/O error until it recovers."""

        @staticmethod
        def read_file(path: Path) -> bytes:
            if broken["yes"] and path.name == "history.json":
                raise OSError(errno.EIO, "Input/output error")
            return read_regular(path)

    results = Results()
    writer = HistoryWriter.open(tmp_path, on_result=results, retry_every=0.01, storage=Flaky)
    assert writer.recovery is not None
    assert "cannot be read just now" in writer.recovery.message
    writer.save(real_record("new"))
    writer.save(real_record("old", pain_after=0))  # a correction to a session on disk
    failed = results.wait_for(2)
    assert [(r.id, r.ok, r.will_retry) for r in failed] == [
        ("new", False, True),
        ("old", False, True),
    ]
    broken["yes"] = False
    saved = results.wait_for(4)[2:]
    assert all(r.ok for r in saved)
    records = writer.records()
    sessions = [r for r in records if isinstance(r, SessionRecord)]
    assert sessions == records
    assert [(s.id, s.pain_after) for s in sessions] == [("old", 0), ("new", 1)]
    writer.close()
    assert _saved_ids(tmp_path) == ["old", "new"]


def test_a_busy_data_dir_keeps_sessions_in_memory_until_the_other_writer_leaves(
    tmp_path: Path,
) -> None:
    """Two kiosks on one data directory (the service and a demo): one writes, one waits."""
    with WholeHistory.open(tmp_path) as history:
        history.add(real_record("old"))
    other = DataDirLock(tmp_path)
    results = Results()
    writer = HistoryWriter.open(tmp_path, on_result=results, retry_every=0.01)
    assert isinstance(writer.open_error, DataDirBusy)
    assert "another kiosk is saving sessions here" in str(writer.open_error)
    writer.save(real_record("new"))
    [failed] = results.wait_for(1)
    assert (failed.id, failed.ok, failed.will_retry) == ("new", False, True)
    assert _saved_ids(tmp_path) == ["old"]
    other.release()
    [_, saved] = results.wait_for(2)
    assert saved.ok and saved.message == SAVED_LATE
    writer.close()
    assert _saved_ids(tmp_path) == ["old", "new"]


def test_a_failing_callback_does_not_stop_the_saving(tmp_path: Path) -> None:
    def explode(result: object) -> None:
        raise RuntimeError("shell bug")

    with HistoryWriter.open(tmp_path, on_result=explode) as writer:
        writer.save(real_record("a"))
        writer.save(real_record("b"))
    assert _saved_ids(tmp_path) == ["a", "b"]
