"""How long ``kiosk report`` takes with ten years of history from ``kiosk simulate``.

A plain script, not a test: ``python benchmarks/bench_report.py [--years 10] [--data-dir D]``.
It simulates the history into a temporary folder (or uses ``--data-dir``), then times the real
command, ``kiosk report --out DIR``, as a clinician would run it: reading the history, building
the page, drawing the charts. Target: within 3 s on the development machine. For a Pi Zero 2 W
run it under ``/work/shared/tools/slow-cpu --share 0.2 --``. It prints; it never asserts.
``--smoke``: a tenth of a year, one run each; exits 1 when it measured nothing (no record read,
no report written; benchmarks/smoke.py), never because of the target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks import smoke  # noqa: E402
from benchmarks.bytecode import compile_kiosk  # noqa: E402

KIOSK = Path(sys.executable).with_name("kiosk")
TARGET_S = 3.0
SEAL = "sealed.json"  # kiosk/store/seal.py: a closed month checked once


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--years", type=float, help="years simulated (default 10; --smoke 0.1)")
    p.add_argument("--data-dir", type=Path, help="an existing history (default: simulate one)")
    p.add_argument("--per-day", type=int, default=2, help="sessions a day, as kiosk simulate")
    p.add_argument("--runs", type=int, help="runs of each (default 3; --smoke 1)")
    smoke.add_flag(p)
    args = p.parse_args()
    if args.years is None:
        args.years = 0.1 if args.smoke else 10.0
    if args.runs is None:
        args.runs = 1 if args.smoke else 3
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data_dir or Path(tmp) / "data"
        if args.data_dir is None:
            t = time.perf_counter()
            subprocess.run([str(KIOSK), "--data-dir", str(data), "simulate", "--years",
                            str(args.years), "--per-day", str(args.per_day)],
                           check=True, capture_output=True)
            print(f"simulated {args.years:g} years in {time.perf_counter() - t:.1f} s")
        compile_kiosk()  # as install.sh does: timed from bytecode, as on a Pi
        print(f"load average {os.getloadavg()[0]:.2f} (other programs slow every figure)")
        figures["sealed s"], figures["report bytes"] = _time_report(
            data, Path(tmp), args.runs, "sealed months (as the kiosk leaves them)")
        unsealed = Path(tmp) / "unsealed"
        shutil.copytree(data, unsealed, symlinks=True)
        for stamp in unsealed.glob(f"history/*/{SEAL}"):
            stamp.unlink()
        figures["unsealed s"], _ = _time_report(
            unsealed, Path(tmp), args.runs,
            "no seals (a history before seals: every record checked)")
        figures.update(_parts(data, Path(tmp) / "parts"))
    return smoke.check("bench_report", figures) if args.smoke else 0


def _time_report(data: Path, tmp: Path, runs: int, what: str) -> tuple[float, int]:
    """The median seconds of ``runs`` whole commands, and the size of the page made."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    times = []
    for i in range(runs):
        out = tmp / f"report-{i}"
        t = time.perf_counter()
        subprocess.run([str(KIOSK), "--data-dir", str(data), "report", "--out", str(out)],
                       check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t)
        size = (out / "report.html").stat().st_size
    print(f"kiosk report, whole command, {what}, {runs} runs: median "
          f"{statistics.median(times):.2f} s, worst {max(times):.2f} s "
          f"(target {TARGET_S:.0f} s); report.html {size / 1e6:.1f} MB")
    return statistics.median(times), size


def _parts(data: Path, out: Path) -> dict[str, float]:
    """Where the time goes: reading the (sealed) history, and building the report."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    sys.path.insert(0, str(ROOT))
    from datetime import date, datetime

    from kiosk.config import load_config
    from kiosk.core.reports.report import default_period
    from kiosk.report import write_report
    from kiosk.store.readonly import collector_paused, read_history

    cfg = load_config(None).config
    t = time.perf_counter()
    records = read_history(data).records
    read = time.perf_counter() - t
    t = time.perf_counter()
    since, until = default_period(date.today())
    with collector_paused():  # as cmd_report
        write_report(records, cfg, out, since=since, until=until, now=datetime.now())
    built = time.perf_counter() - t
    print(f"  of which: reading {len(records)} records {read:.2f} s, building the page and "
          f"drawing the charts {built:.2f} s")
    return {"records read": len(records), "reading s": read, "building s": built}


if __name__ == "__main__":
    sys.exit(main())
