"""Pull the plug on the whole kiosk process, mid-session and mid-save: nothing announced is lost.

`tests/store/test_power_cut.py` kills a saving process 200 times at the storage layer. This test
does it to the real `kiosk demo` process, start to finish (pygame, mock pins, the session, the
writer thread), so the whole program honours "a session announced as saved is on disk, whole".
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.core.records import SessionRecord
from kiosk.store.history import History
from kiosk.store.records import encode

pytestmark = pytest.mark.slow
KILLS = 40


def test_sigkill_of_the_kiosk_process_never_loses_an_announced_session(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    announced: list[str] = []
    killed = finished = 0
    for i in range(KILLS):
        user = rng.choice(["steady", "slipping", "sore"])
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path), "demo",
             "--user", user, "--date", f"2026-11-{1 + i % 28:02d}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        time.sleep(rng.uniform(0.2, 1.4))  # a demo takes about a second: anywhere in it
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        out, _ = proc.communicate(timeout=30)
        finished += proc.returncode == 0
        announced += [line.split()[2] for line in out.splitlines() if line.startswith("saved: ")]
        with History.open(tmp_path) as history:  # it always loads
            records = {r.id: r for r in history.records()}  # sessions and safety answers
        assert history.recovery is None, history.recovery
        for sid in announced:
            assert sid in records, f"record {sid} was announced as saved but is gone"
            encode(records[sid])  # and whole: it writes back out as it was read
    partial = [s for s in records.values()
               if isinstance(s, SessionRecord) and s.ended_by == "interrupted"]
    print(f"\n{killed} kills of the kiosk process, {finished} runs finished, "
          f"{len(announced)} announced sessions checked after every kill, "
          f"{len(partial)} cut-off sessions kept up to their last finished exercise")
    assert killed >= KILLS // 3 and announced, "the test must both kill and let some finish"
