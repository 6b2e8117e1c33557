"""How long one session save takes as the history grows: 1, 365 and 3650 sessions.

A plain script, not a test: ``python benchmarks/bench_store.py``. Every save rewrites the whole
file (that is how TinyDB storages work), so its cost grows with the history; this shows by how
much. Run it on the Pi itself for figures that matter; fsync times depend on the SD card.
``--smoke``: histories of 1 and 30 sessions, two saves each; exits 1 unless every save, open and
hand-over was timed (benchmarks/smoke.py; make test runs it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import smoke  # noqa: E402
from kiosk.core.data.records import (  # noqa: E402
    ExerciseRecord,
    PainEvent,
    SessionRecord,
    SetRecord,
)
from kiosk.store.history import MonthFile  # noqa: E402
from kiosk.store.records import encode  # noqa: E402
from kiosk.store.writer import HistoryWriter  # noqa: E402

SIZES = (1, 365, 3650)
SAVES = 5
SMOKE_SIZES = (1, 30)
SMOKE_SAVES = 2


def record(n: int) -> SessionRecord:
    """A typical full session: five exercises, two sets each, one pain stop."""
    start = datetime(2026, 1, 1, 9) + timedelta(days=n)
    exercises = tuple(
        ExerciseRecord(
            family=f"family-{i}",
            variation=f"family-{i}-2",
            name=f"Exercise {i} level 2",
            target=8,
            change="same",
            reason="Two clean sets at target last time",
            skipped=False,
            sets=tuple(
                SetRecord(side, ("clean",) * 8, 8, "target")
                for side in (("left", "right") if i == 3 else (None,))
                for _ in range(2)
            ),
        )
        for i in range(5)
    )
    return SessionRecord(
        id=f"{start:%Y%m%d-%H%M%S}-{n}",
        plan_date=start.date(),
        started_at=start,
        ended_at=start + timedelta(minutes=24),
        duration_s=1440.0,
        pain_before=3,
        pain_after=2,
        ended_by="complete",
        exercises=exercises,
        pain_events=(PainEvent(612.4, "family-2", "family-2-2", 1, 5, "set", 4),),
    )


def seed(data_dir: Path, count: int) -> None:
    """Write a history of ``count`` sessions directly: saving them one by one would take ages."""
    sessions = {str(n + 1): encode(record(n)) for n in range(count)}
    (data_dir / "history.json").write_text(json.dumps({"sessions": sessions}))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def bench(count: int, saves_wanted: int = SAVES) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        seed(data_dir, count)
        size = (data_dir / "history.json").stat().st_size
        t = time.perf_counter()
        history = MonthFile.open(data_dir)
        opened = time.perf_counter() - t
        saves = []
        for n in range(saves_wanted):
            t = time.perf_counter()
            history.add(record(count + n))
            saves.append(time.perf_counter() - t)
        t = time.perf_counter()
        history.sessions()
        listed = time.perf_counter() - t
        history.close()

        done: list[float] = []
        writer = HistoryWriter.open(data_dir, on_result=lambda r: done.append(time.perf_counter()))
        t = time.perf_counter()
        writer.save(record(count + saves_wanted))
        handed_over = time.perf_counter() - t
        writer.close()
        on_disk = done[0] - t if done else float("nan")  # nan: the writer never said
    print(
        f"{count:5d} sessions ({size / 1e6:5.2f} MB): save {ms(statistics.median(saves))}"
        f"  open {ms(opened)}  sessions() {ms(listed)}"
        f"  writer.save() returns in {ms(handed_over)}, on disk after {ms(on_disk)}"
    )
    return {"saves": len(saves), "save ms": statistics.median(saves) * 1000 if saves else 0.0,
            "open ms": opened * 1000, "on disk ms": on_disk * 1000, "file bytes": size}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_flag(ap)
    args = ap.parse_args(argv)
    sizes, saves = (SMOKE_SIZES, SMOKE_SAVES) if args.smoke else (SIZES, SAVES)
    print(f"median of {saves} saves (MonthFile.add: one atomic write with fsync)")
    figures = {f"{count} sessions, {k}": v for count in sizes
               for k, v in bench(count, saves).items()}
    return smoke.check("bench_store", figures) if args.smoke else 0


if __name__ == "__main__":
    sys.exit(main())
