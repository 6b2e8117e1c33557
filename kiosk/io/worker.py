"""What the voices' worker processes have in common (kiosk/io/espeak.py, kiosk/io/piper.py)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from typing import TextIO


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


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End of requests: the worker exits by itself; killed if it will not within 5 s."""
    if proc.stdin is not None:
        try:
            proc.stdin.close()
        except OSError:
            pass  # a dead worker's pipe: nothing left to flush
    try:
        proc.wait(timeout=5.0)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def until_the_kiosk_goes(serve: Callable[[], int], replies: TextIO) -> int:
    """In a worker: ``serve()``'s exit code, or 0 when the kiosk went away mid-line (its end of
    the pipe closed: it was stopped, or killed). Without this, every kiosk stopped while its
    worker rendered left a BrokenPipeError traceback in the journal, for nothing amiss."""
    try:
        return serve()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, replies.fileno())  # the interpreter's last flush goes nowhere, quietly
        return 0
