"""The kiosk as systemd runs it: READY and watchdog pings, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
HUNG = 120.0  # seconds: only a kiosk that hangs is this slow to start, ping or stop


def receive(sock: socket.socket, want: str, seconds: float) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            got += sock.recv(4096).decode().splitlines()
        except TimeoutError:
            break
        if want in got:
            break
    return got


def test_ready_watchdog_and_sigterm_close_everything_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    env = dict(os.environ, NOTIFY_SOCKET=str(path), WATCHDOG_USEC="1000000",
               SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path / "data"),
         "run", "--headless", "--mock"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert "READY=1" in receive(sock, "READY=1", HUNG), "the kiosk told systemd it is ready"
        pings = [m for m in receive(sock, "WATCHDOG=1", HUNG) if m == "WATCHDOG=1"]
        assert pings, "the main loop pings the watchdog"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=HUNG)  # it stops by itself: systemd would kill it
        assert "STOPPING=1" in receive(sock, "STOPPING=1", HUNG)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    leftovers = [p for p in (tmp_path / "data").rglob("*") if ".tmp" in p.name]
    assert not leftovers, "no half-written files are left behind"
