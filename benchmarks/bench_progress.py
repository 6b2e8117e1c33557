"""How long each history screen and the weekly summary take with ten years of history.

A plain script, not a test: ``python benchmarks/bench_progress.py [--years 10] [--data-dir D]``.
The history comes from ``kiosk simulate`` (through the real store) when this kiosk has it, and
is read once, as the kiosk holds it in memory; without ``simulate`` a made-up history of the
same size is built in memory instead, and the script says so. Targets on the development
machine: each history screen built and drawn within 100 ms, the weekly summary within 50 ms.
For a Pi Zero 2 W run it under ``/work/shared/tools/slow-cpu --share 0.2 --``. It prints; it
never asserts. ``--smoke``: a tenth of a year, each timing twice; exits 1 when it measured
nothing (no records, no screen drawn; benchmarks/smoke.py), never because of a target.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pygame  # noqa: E402

from benchmarks import smoke  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.core.data.records import (  # noqa: E402
    ExerciseRecord,
    PainEntry,
    Record,
    SessionRecord,
    SetRecord,
)
from kiosk.core.flows.history_screens import TARGET, history_views, ladders_of  # noqa: E402
from kiosk.core.reports.weekly import weekly_summary  # noqa: E402
from kiosk.ui.screen import Screen  # noqa: E402

END = date(2026, 11, 26)
REPEATS = 15
PANELS = ((800, 480), (480, 320))


def simulated(years: float, data_dir: Path | None) -> tuple[list[Record], str]:
    from kiosk.store.readonly import read_history

    if data_dir is None or not data_dir.exists():
        data_dir = data_dir or Path(tempfile.mkdtemp(prefix="bench-progress-")) / "data"
        cmd = [sys.executable, "-m", "kiosk", "simulate", "--years", str(years),
               "--end", END.isoformat(), "--data-dir", str(data_dir)]
        run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if run.returncode != 0:
            return made_up(years), "made up in memory (this kiosk has no `kiosk simulate`)"
    # As the kiosk's readers read it: the monthly store (MonthFile read only the old single file,
    # so this benchmark timed an empty history after the move to months).
    return read_history(data_dir).records, f"kiosk simulate --years {years:g} ({data_dir})"


def made_up(years: float) -> list[Record]:
    """About two sessions a day on most days, four exercises each, a pain entry now and then."""
    cfg = load_config().config
    rnd = random.Random(1)
    fams = cfg.library.families[:4]
    out: list[Record] = []
    days = int(365 * years)
    for i in range(days):
        day = END - timedelta(days=days - i)
        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
        if rnd.random() < 0.05:
            out.append(PainEntry(f"p{i}", start + timedelta(hours=9), rnd.randint(1, 7)))
        for n in range(rnd.choice((0, 1, 2, 2))):
            exs = tuple(
                ExerciseRecord(f.id, f.ladder[0].id, f.ladder[0].name, 8, "same", "", False,
                               (SetRecord(None, ("clean",) * 6, 6, "target"),) * 2)
                for f in fams
            )
            at = start + timedelta(hours=6 * n)
            out.append(SessionRecord(f"s{i}-{n}", day, at, at + timedelta(minutes=12), 720.0,
                                     3, 2, "complete", exs, ()))
    return out


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Median and worst of REPEATS runs, in milliseconds."""
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def main() -> int:
    global REPEATS
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--years", type=float, help="years simulated (default 10; --smoke 0.1)")
    args.add_argument("--data-dir", type=Path, help="an existing simulated history to reuse")
    smoke.add_flag(args)
    opts = args.parse_args()
    if opts.years is None:
        opts.years = 0.1 if opts.smoke else 10
    if opts.smoke:
        REPEATS = 2
    pygame.font.init()
    records, source = simulated(opts.years, opts.data_dir)
    ladders = ladders_of(load_config().config.library)
    print(f"history: {len(records)} records, {source}")
    med, worst = timed(lambda: weekly_summary(records, END, ladders))
    print(f"{'weekly summary':<36}median {med:6.1f} ms  worst {worst:6.1f} ms  (target 50)")
    print(f"  {weekly_summary(records, END, ladders)}")
    build_med, build_worst = timed(lambda: history_views(records, END, ladders, TARGET))
    print(f"{'all screens data':<36}median {build_med:6.1f} ms  worst {build_worst:6.1f} ms")
    views = history_views(records, END, ladders, TARGET)
    drawn: list[float] = []
    for size in PANELS:
        surface = pygame.Surface(size)
        for view in views:
            med, worst = timed(lambda v=view, s=surface: Screen(s).draw(v, 0.0))
            drawn.append(med)
            name = f"{view.title} {size[0]}x{size[1]}"
            print(f"{name:<36}median {build_med + med:6.1f} ms  worst {build_worst + worst:6.1f}"
                  f" ms  (data + draw; target 100)")
    if not opts.smoke:
        return 0
    return smoke.check("bench_progress", {
        "records": len(records), "weekly summary ms": timed(
            lambda: weekly_summary(records, END, ladders))[0],
        "screens data ms": build_med, "screens drawn": len(drawn),
        "median draw ms": statistics.median(drawn) if drawn else 0.0})


if __name__ == "__main__":
    sys.exit(main())
