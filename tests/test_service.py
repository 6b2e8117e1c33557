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
        assert "READY=1" in receive(sock, "READY=1", 30), "the kiosk told systemd it is ready"
        pings = [m for m in receive(sock, "WATCHDOG=1", 3) if m == "WATCHDOG=1"]
        assert pings, "the main loop pings the watchdog"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
        stopped_in = time.monotonic() - t0
        assert "STOPPING=1" in receive(sock, "STOPPING=1", 1)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert stopped_in < 10, "SIGTERM closes devices, history and pygame promptly"
    leftovers = [p for p in (tmp_path / "data").rglob("*") if ".tmp" in p.name]
    assert not leftovers, "no half-written files are left behind"
