"""What the voices' worker processes have in common (kiosk/io/espeak.py, kiosk/io/piper.py)."""

from __future__ import annotations

import signal
import subprocess


def death(proc: subprocess.Popen[bytes]) -> str:
    """How a worker that stopped answering ended, in words for the log: "was killed (out of
    memory?)", "exited with code 1"... Waits up to 5 s for it to end."""
    try:
        code = proc.wait(timeout=5.0)
    except subprocess.TimeoutExpired:
        return "stopped answering"
    if code == -signal.SIGKILL:
        return "was killed (out of memory?)"
    if code < 0:
        return f"died of signal {-code}"
    return f"exited with code {code}"
