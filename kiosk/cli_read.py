"""What the command-line readers share: where the data is, every record read as it comes
(read-only, month by month), and how what a reader met is told, with its exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from kiosk.config import Config
from kiosk.core.data.records import Record
from kiosk.terminal import Progress, say


def _data_dir(args: argparse.Namespace, cfg: Config) -> Path:
    return Path(args.data_dir) if args.data_dir else cfg.data_dir


def _records(
    args: argparse.Namespace, cfg: Config, notes: list[str], *, since: str | None = None,
    progress: Progress | None = None,
) -> Iterator[Record]:
    """Every record, oldest first, read-only and as it is read (month by month): a reader
    never writes, locks or repairs (readonly.py). ``notes`` gathers what to tell the user;
    ``since`` (YYYY-MM) leaves out the months before it; ``progress`` is told each month."""
    from kiosk.store.readonly import stream_history

    def on_month(month: str, n: int, total: int) -> None:
        if progress is not None:
            progress.step(f"reading {month}", n, total)

    yield from stream_history(_data_dir(args, cfg), notes, since=since, on_month=on_month)


DAMAGED = 3  # a reader's exit code: it found damage, and said on stdout what it recovered


def _tell(notes: list[str], out: TextIO | None = None) -> int:
    """Say the readers' notes; the exit code: ``DAMAGED`` when one says the history is damaged.
    What was recovered and what was not goes on stdout (``out``: stderr when stdout is the
    data itself, an export), other notes on stderr."""
    from kiosk.store.load import Damage

    damaged = False
    for note in notes:
        damaged = damaged or isinstance(note, Damage)
        say(f"kiosk: {note}", (out or sys.stdout) if isinstance(note, Damage) else sys.stderr)
    return DAMAGED if damaged else 0


def _units(cfg: Config) -> dict[str, str]:
    """variation id -> reps | minutes, from the library."""
    return {v.id: v.unit for f in cfg.library.families for v in f.ladder}
