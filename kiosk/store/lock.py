"""One writer per data directory: an advisory lock held for as long as the history is open.

The lock is ``flock`` on the data directory itself, so no lock file is ever made, and the kernel
drops it when the process dies, however it dies: a kiosk killed by a power cut or SIGKILL never
leaves a stale lock. Readers (``kiosk history``, ``plan``, ``export``, ``check``) take no lock:
they never write, and the writer replaces files atomically, so a reader always sees a whole file.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from kiosk.errors import StorageError


class DataDirBusy(StorageError):
    """Another process (the kiosk service, or ``kiosk demo``) is writing to the data directory."""


class ForeignDataDir(StorageError):
    """Root was asked to write in another user's data directory, which would leave files there
    that user could not change; the command must run as that user instead."""


class DataDirLock:
    """The writer's lock on ``directory``; ``release()`` is safe to call twice."""

    def __init__(self, directory: Path, *, wait: float = 0.0, poll: float = 0.1) -> None:
        """Take the lock, waiting up to ``wait`` seconds; raise ``DataDirBusy`` if still held."""
        self.directory = directory
        self._fd: int | None = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(poll)
            except OSError:
                self.release()
                raise
        self.release()
        raise DataDirBusy(
            f"{directory}: another kiosk is saving sessions here (the kiosk service or a "
            "kiosk demo); stop it first (sudo systemctl stop kiosk), or give --data-dir "
            "another folder"
        )

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the lock
            self._fd = None

    def __del__(self) -> None:
        # A MonthFile dropped without close() must not keep every later writer out.
        self.release()
