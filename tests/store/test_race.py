"""The kiosk saves while `kiosk history`, `plan`, `export` and `check` run beside it: no race.

A reader used to clean up "stale" temp files, so a reader that ran while a save was between
writing its temp file and renaming it deleted the save, and the session was lost. Here the disk is
made slow at exactly that moment: the fsync of each temp file waits until the test has run every
reader command to the end, as separate processes. Waiting on that event, not on a guessed sleep,
makes every save meet every reader, however fast or slow the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from store_samples import Results, real_record

from kiosk.store.atomic import AtomicJSONStorage
from kiosk.store.readonly import read_history
from kiosk.store.writer import HistoryWriter

ROOT = Path(__file__).resolve().parents[2]
READERS = [
    ["history"],
    ["plan", "--date", "2026-11-26"],
    ["export", "--format", "csv"],
    ["export", "--format", "json"],
    ["check"],
]
SAVES = 3


class SlowDisk:
    """The fsync of a history temp file stops until the test lets it go on."""

    def __init__(self) -> None:
        self.in_fsync = threading.Semaphore(0)
        self.go_on = threading.Semaphore(0)

    def storage(self) -> type[AtomicJSONStorage]:
        disk = self

        class SlowStorage(AtomicJSONStorage):
            @staticmethod
            def fsync(fd: int) -> None:
                name = os.readlink(f"/proc/self/fd/{fd}")
                if Path(name).name.startswith(".history.json."):
                    disk.in_fsync.release()
                    assert disk.go_on.acquire(timeout=120), "the test never let the save go on"
                os.fsync(fd)

        return SlowStorage


def run_reader(data_dir: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name an fd")
def test_readers_mid_save_lose_nothing_and_change_nothing(tmp_path: Path) -> None:
    disk = SlowDisk()
    results = Results()
    writer = HistoryWriter.open(tmp_path, on_result=results, storage=disk.storage())
    try:
        for n in range(SAVES):
            writer.save(real_record(f"s{n}", f"2026-11-2{n}T09:00:00"))
            assert disk.in_fsync.acquire(timeout=60), "the save never reached its fsync"
            # In the open month's folder (store/months.py).
            temps = sorted(tmp_path.glob("history/*/.history.json.*.tmp"))
            assert temps, "the save's temp file should be there while it is fsync'd"
            for args in READERS:
                done = run_reader(tmp_path, args)
                assert "Traceback" not in done.stderr + done.stdout, done.stderr
                if args[0] != "check":  # check also judges the audio and GPIO of this machine
                    assert done.returncode == 0, (args, done.stderr)
                assert sorted(tmp_path.glob("history/*/.history.json.*.tmp")) == temps, (
                    f"kiosk {args[0]} touched the save in progress"
                )
            disk.go_on.release()
            assert results.wait_for(n + 1, timeout=60)[n].ok
    finally:
        for _ in range(SAVES):
            disk.go_on.release()  # a failed assertion must not leave the writer waiting
        writer.close()
    assert [r.ok for r in results.items] == [True] * SAVES
    assert [s.id for s in read_history(tmp_path).sessions] == [f"s{n}" for n in range(SAVES)]
