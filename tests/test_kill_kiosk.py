"""Pull the plug on the whole kiosk process, mid-session and mid-save: nothing announced is lost.

`tests/store/test_power_cut.py` kills a saving process hundreds of times at the storage layer.
This test does it to the real `kiosk demo` process, start to finish (pygame, mock pins, the
session, the writer thread), so the whole program honours "a session announced as saved is on
disk, whole".

The moment of each kill comes from the run's own progress, never from the clock: the demo prints
a line for everything it says, so a kill lands after a random number of printed lines, anywhere
from the greeting to the last line before "saved:". How many lines a whole demo prints is
measured in this test, by the runs it lets finish (the first, and every fourth); a kill planned
after more lines than a shorter demo prints lets that one finish too. A slow or busy machine
changes how long the test takes, not where the kills land.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.core.data.records import SessionRecord
from kiosk.store.months import WholeHistory
from kiosk.store.records import encode
from tests.lengths import count

pytestmark = [pytest.mark.slow, pytest.mark.soak]
RUNS = count(short=6, full=300)
FINISH_EVERY = 4  # every fourth run is left to finish, and measures how long a demo is
USERS = ("steady", "slipping", "sore")
HUNG = 600.0  # seconds: only a demo that hangs takes this long, even on a Pi Zero


def demo(data_dir: Path, user: str, day: int) -> subprocess.Popen[str]:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               PYTHONUNBUFFERED="1")  # each line reaches the pipe as it is printed
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), "demo",
         "--user", user, "--date", f"2026-11-{1 + day % 28:02d}"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


def run(proc: subprocess.Popen[str], kill_after: int | None) -> tuple[list[str], bool]:
    """Read the demo's lines; SIGKILL it after ``kill_after`` lines. (lines, killed mid-run)."""
    timed_out = threading.Event()

    def give_up() -> None:
        timed_out.set()
        proc.kill()

    hung = threading.Timer(HUNG, give_up)
    hung.start()
    lines: list[str] = []
    killed = False
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if kill_after is not None and len(lines) >= kill_after:
                killed = proc.poll() is None
                proc.kill()
                break
        proc.communicate(timeout=HUNG)
    finally:
        hung.cancel()
    assert not timed_out.is_set(), f"the demo hung for {HUNG:.0f} s after: {lines[-3:]}"
    return lines, killed


def test_sigkill_of_the_kiosk_process_never_loses_an_announced_session(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    announced: list[str] = []
    longest = 0  # lines the longest whole demo printed, as measured here
    killed = finished = 0
    for i in range(RUNS):
        user = USERS[i % len(USERS)] if i < len(USERS) else rng.choice(USERS)
        kill_after = None
        if longest and i % FINISH_EVERY:
            # Up to the longest demo's last line before "saved:"; a shorter demo may finish.
            kill_after = rng.randint(1, longest - 1)
        proc = demo(tmp_path, user, i)
        lines, was_killed = run(proc, kill_after)
        killed += was_killed
        if proc.returncode == 0:
            finished += 1
            longest = max(longest, len(lines))
        else:
            assert was_killed, f"demo {i} failed by itself ({proc.returncode}): {lines[-5:]}"
        announced += [line.split()[2] for line in lines if line.startswith("saved: ")]
        with WholeHistory.open(tmp_path) as history:  # it always loads
            records = {r.id: r for r in history.records()}  # sessions and safety answers
        assert history.recovery is None, history.recovery
        for sid in announced:
            assert sid in records, f"record {sid} was announced as saved but is gone"
            encode(records[sid])  # and whole: it writes back out as it was read
    partial = [s for s in records.values()
               if isinstance(s, SessionRecord) and s.ended_by == "interrupted"]
    print(f"\nkill kiosk: {RUNS} runs of kiosk demo, {killed} killed mid-run, {finished} "
          f"finished; {len(announced)} announced sessions checked after every run; "
          f"{len(partial)} cut-off sessions kept up to their last finished exercise; "
          f"the longest whole demo printed {longest} lines")
    assert killed >= 1 and finished >= 1 and announced, "the test must both kill and let finish"
