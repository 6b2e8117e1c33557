"""Kill a saving process at random moments, hundreds of times: history is never lost or torn.

SIGKILL stops the process between any two instructions, which is what a power cut does to the
program; it does not drop the kernel's page cache, so this tests the atomic replace and the
"announce only after the save returned" contract, not the fsyncs (they follow POSIX practice).

Each kill's moment comes from the saver's own progress, never from a guessed time: a quarter of
the kills land while the history is still opening; the rest after a random number of announced
saves (none to five), a random fraction of the way into the next save, as long as this run's
own last save took. A slow or busy machine makes the test slower, not different. ``make test``
runs a short version; ``make soak`` the full one.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from power_cut_child import KEEP_BACKUPS, day_of, expected

from kiosk.store.months import FOLDER, WholeHistory, months_in
from kiosk.store.records import parse_history
from tests.lengths import count

KILLS = count(short=40, full=300)
HUNG = 300.0  # seconds without a line from the child: only a hung child is that quiet
CHILD = Path(__file__).with_name("power_cut_child.py")
ROOT = Path(__file__).resolve().parents[2]


class Child:
    """The fork server, with its stdout read line by line under a time limit."""

    def __init__(self, data_dir: Path, stderr: Any) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(CHILD.parent)]))
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(data_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            bufsize=0,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self._out = self.proc.stdout.fileno()
        self._in = self.proc.stdin
        self._buffer = b""

    def send(self, line: str) -> None:
        self._in.write((line + "\n").encode())

    def read_until(self, prefix: str, timeout: float = HUNG) -> tuple[list[str], str]:
        """Lines up to the first starting with ``prefix``: (lines before it, that line)."""
        before: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\n", 1)
                line = raw.decode()
                if line.startswith(prefix):
                    return before, line
                before.append(line)
            ready, _, _ = select.select([self._out], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(self._out, 65536) if ready else b""
            if not chunk:
                raise AssertionError(f"child silent or gone waiting for {prefix!r}: {before}")
            self._buffer += chunk

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)


class Ledger:
    """What the children announced as saved, checked against the disk after every kill."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.order: list[str] = []  # first announcement order = save order
        self.records: dict[str, dict[str, Any]] = {}
        self.checks = 0
        self.kills_mid_saving = 0  # kills that landed after the batch had saved something

    def note(self, lines: list[str]) -> None:
        self.kills_mid_saving += any(line.startswith("saved") for line in lines)
        for line in lines:
            word, _, rest = line.partition(" ")
            assert word in ("saved", "opened", "child"), f"child said: {line}"
            if word == "saved" and rest not in self.records:
                self.order.append(rest)
                self.records[rest] = expected(rest)

    def verify(self, batch: int) -> None:
        """Every month on disk reads whole (and each of its backups); together they hold every
        announced session once, in save order. Batches move on a day each, so months close
        under the kills too."""
        root = self.data_dir / FOLDER
        on_disk: list[Any] = []
        for month in months_in(root):
            path = root / month / "history.json"
            if path.exists():
                on_disk += parse_history(path.read_bytes()).values()  # loads, or raises
            for backup in (root / month / "backups").glob("*.json"):
                parse_history(backup.read_bytes())
        saved = {r.id: r for r in on_disk}
        assert len(saved) == len(on_disk), "a session is stored twice"
        for sid in self.order:
            assert saved.get(sid) == self.records[sid], f"session {sid} lost or torn"
        in_order = [r.id for r in on_disk if r.id in self.records]
        assert in_order == self.order
        with WholeHistory.open(self.data_dir, keep_backups=KEEP_BACKUPS, now=day_of(batch)) as h:
            assert h.recovery is None
            # The journal is written before the file: a kill between the two leaves one save,
            # never announced, that the start rolls forward. Never more than that one.
            opened = [r.id for r in h.sessions()]
            assert opened[:len(on_disk)] == [r.id for r in on_disk]
            assert len(opened) - len(on_disk) in (0, 1)
        self.checks += len(self.order)


@pytest.mark.slow
@pytest.mark.soak
def test_sigkill_at_random_moments_never_loses_an_announced_session(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    data_dir = tmp_path / "data"
    ledger = Ledger(data_dir)
    planned_mid_saving = planned_saves = 0
    started = time.monotonic()
    with open(tmp_path / "child.err", "w+") as err:
        child = Child(data_dir, err)
        try:
            child.read_until("ready")
            for batch in range(KILLS):
                child.send(f"fork {batch} {'writer' if batch % 2 else 'history'}")
                lines, line = child.read_until("child")
                pid = int(line.split()[1])
                if rng.random() < 0.75:  # mostly mid-saving; sometimes while still opening
                    saves = rng.randint(0, 5)
                    lines += wait_for_saves(child, saves, rng)
                    planned_mid_saving += saves > 0
                    planned_saves += saves
                os.kill(pid, signal.SIGKILL)
                more, dead = child.read_until(f"dead {pid}")
                status = int(dead.split()[2])
                assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                    f"the saver died by itself: {err.seek(0) or err.read()}"
                )
                ledger.note(lines + more)
                ledger.verify(batch)
            child.send("quit")
        finally:
            child.close()
    elapsed = time.monotonic() - started
    print(
        f"\npower cut: {KILLS} kills ({ledger.kills_mid_saving} mid-saving), "
        f"{len(ledger.order)} sessions announced, "
        f"{ledger.checks} session checks after kills, {elapsed:.1f} s"
    )
    # Every kill planned after a save came after it, whatever the machine's speed; and every
    # announced session was checked again after each later kill.
    assert ledger.kills_mid_saving >= planned_mid_saving > 0
    assert len(ledger.order) >= planned_saves // 2 > 0  # some were the same session saved again
    assert ledger.checks >= KILLS


def wait_for_saves(child: Child, saves: int, rng: random.Random) -> list[str]:
    """Lines up to ``saves`` announced saves, then a random part of how long a save takes here.

    The last save's own duration (from "opened", or from the save before it, to its "saved")
    sets the scale, so the kill lands at a random point inside the next save on any machine.
    """
    lines, _ = child.read_until("opened")
    last = time.monotonic()
    took = 0.0
    for _ in range(saves):
        more, line = child.read_until("saved")
        lines += [*more, line]
        now = time.monotonic()
        took, last = now - last, now
    time.sleep(rng.uniform(0.0, took))
    return lines
