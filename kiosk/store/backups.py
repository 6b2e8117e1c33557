"""Daily rolling copies of the history file, the way back when the file itself is damaged.

One copy per calendar day, ``backups/history-YYYY-MM-DD.json``, written atomically like the
history itself, and only ever made from a file that has just been read or written whole. The
newest ``keep`` copies are kept, newest by the date in the name. The date comes from the wall
clock, which on a Pi without a real-time clock can be wrong after a power cut; a copy with a
wrong date is still a good copy, it merely sorts in the wrong place until it ages out.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from kiosk.store.atomic import (
    Fsync,
    make_private_dir,
    read_regular,
    remove_stale_temps,
    write_atomically,
)

PATTERN = re.compile(r"history-(\d{4}-\d{2}-\d{2})\.json")


class Backups:
    """The ``backups/`` folder next to a history file."""

    def __init__(self, directory: Path, *, keep: int = 7, fsync: Fsync | None = None) -> None:
        if keep < 1:
            raise ValueError(f"keep_backups = {keep}: keep at least 1 daily backup")
        self.directory = directory
        self.keep = keep
        self._fsync = fsync

    def path_for(self, day: date) -> Path:
        return self.directory / f"history-{day.isoformat()}.json"

    def newest_first(self) -> list[Path]:
        """Every backup file, newest date first."""
        if not self.directory.is_dir():
            return []
        found = [p for p in self.directory.iterdir() if PATTERN.fullmatch(p.name)]
        return sorted(found, key=lambda p: p.name, reverse=True)

    def make_daily(self, source: Path, day: date) -> bool:
        """Make sure ``day`` has a backup, copying ``source`` (known good) if it has none yet.

        Returns whether the day now has one (not when ``source`` does not exist yet). Raises
        ``OSError`` when the copy could not be written; the history itself is unaffected.
        """
        target = self.path_for(day)
        if target.exists():
            return True
        if not source.exists():
            return False
        make_private_dir(self.directory)
        write_atomically(target, read_regular(source), fsync=self._fsync)
        self._prune()
        return True

    def remove_stale_temps(self) -> None:
        remove_stale_temps(self.directory, "history-*.json")

    def _prune(self) -> None:
        for old in self.newest_first()[self.keep :]:
            old.unlink(missing_ok=True)
