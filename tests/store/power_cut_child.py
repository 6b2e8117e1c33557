"""The process test_power_cut.py kills: saves sessions until SIGKILL arrives.

It runs as a fork server so that 200+ kills do not pay 200 interpreter start-ups: the parent
sends ``fork <batch> writer|history``; this process forks a saver and says ``child <pid>``; the
saver opens the history, says ``opened``, then saves sessions in a loop and says
``saved <id>`` only after each save has returned; once the parent has killed it, this process
reaps it and says ``dead <pid> <status>``. Every line is one ``os.write`` to the shared stdout
pipe, so lines from the two processes never interleave mid-line.
"""

from __future__ import annotations

import os
import queue
import sys
from collections.abc import Callable
from datetime import datetime, timedelta

from store_samples import real_record

from kiosk.core.data.records import Record, SessionRecord
from kiosk.store.months import WholeHistory
from kiosk.store.writer import HistoryWriter, SaveResult

KEEP_BACKUPS = 3


def expected(session_id: str) -> SessionRecord:
    """The record saved under ``session_id`` ("b<batch>-<n>"); the parent rebuilds it to compare."""
    batch, n = (int(part) for part in session_id[1:].split("-"))
    when = datetime(2026, 1, 1, 8) + timedelta(days=batch, minutes=n)
    return real_record(session_id, when.isoformat(), pain_before=n % 5 + 1, pain_after=n % 3)


def day_of(batch: int) -> Callable[[], datetime]:
    """Each batch lives on its own day, so daily backups and pruning also run under the kills."""
    return lambda: datetime(2026, 1, 1, 8) + timedelta(days=batch)


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def opener(data_dir: str, batch: int, mode: str) -> Callable[[Record], None]:
    """Open the history one of two ways and return a save that returns once the save is done."""
    if mode == "history":
        history = WholeHistory.open(data_dir, keep_backups=KEEP_BACKUPS, now=day_of(batch))
        if history.recovery:
            say(f"recovered {history.recovery.problem}")
        return history.add
    results: queue.SimpleQueue[SaveResult] = queue.SimpleQueue()
    writer = HistoryWriter.open(
        data_dir, on_result=results.put, keep_backups=KEEP_BACKUPS, now=day_of(batch)
    )
    if writer.recovery:
        say(f"recovered {writer.recovery.problem}")

    def save(record: Record) -> None:
        writer.save(record)
        result = results.get()
        if not result.ok:
            raise RuntimeError(result.detail)

    return save


def save_until_killed(data_dir: str, batch: int, mode: str) -> None:
    save = opener(data_dir, batch, mode)
    say("opened")
    n = 0
    while True:
        sid = f"b{batch}-{n}"
        save(expected(sid))
        say(f"saved {sid}")
        if n % 4 == 3:  # now and then save an earlier session again: it must not duplicate
            again = f"b{batch}-{n - 2}"
            save(expected(again))
            say(f"saved {again}")
        n += 1


def main() -> None:
    data_dir = sys.argv[1]
    say("ready")
    while line := sys.stdin.readline():
        command, *args = line.split()
        if command != "fork":
            break
        pid = os.fork()
        if pid == 0:
            try:
                save_until_killed(data_dir, int(args[0]), args[1])
            finally:
                os._exit(3)  # only on an error: the saver is meant to die by SIGKILL
        say(f"child {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"dead {pid} {status}")


if __name__ == "__main__":
    main()
