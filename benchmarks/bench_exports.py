"""Peak memory and time of every long reader of the history, at ten years of ``kiosk simulate``.

A plain script, not a test: ``python benchmarks/bench_exports.py [--years 10] [--data-dir D]``.
It simulates the history into a temporary folder (or uses ``--data-dir``), then runs each real
command as a person would, one process each: ``kiosk export --format fhir|csv|json --out F``,
``kiosk report --out DIR`` and ``kiosk export --usb`` (onto a folder standing in for the stick),
and prints each one's peak resident memory (the kernel's ``ru_maxrss`` for that child) and its
time. Target (issue 30): every one under 80 MB, so a Pi Zero 2 W (512 MB) makes them beside
the kiosk. For a Pi Zero's speed run it under ``/work/shared/tools/slow-cpu --share 0.2 --``.
It prints; it never asserts. ``--smoke``: a tenth of a year; exits 1 when it measured nothing
(no record, no file written, no memory; benchmarks/smoke.py), never because of the target.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks import smoke  # noqa: E402

KIOSK = Path(sys.executable).with_name("kiosk")
TARGET_MB = 80.0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--years", type=float, help="years simulated (default 10; --smoke 0.1)")
    p.add_argument("--data-dir", type=Path, help="an existing history (default: simulate one)")
    p.add_argument("--per-day", type=int, default=2, help="sessions a day, as kiosk simulate")
    smoke.add_flag(p)
    args = p.parse_args()
    if args.years is None:
        args.years = 0.1 if args.smoke else 10.0
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = args.data_dir or work / "data"
        if args.data_dir is None:
            peak, took, _ = run(["--data-dir", str(data), "simulate", "--years",
                                 str(args.years), "--per-day", str(args.per_day)])
            print(f"kiosk simulate --years {args.years:g}: {took:.1f} s, peak {peak:.0f} MB")
            figures["simulate MB"] = peak
        records = sum(1 for _ in _records(data))
        months = len(list((data / "history").glob("*/history.json")))
        print(f"{records} records in {months} months; load average {os.getloadavg()[0]:.2f} "
              "(other programs slow the times, not the memory)")
        figures["records"] = records
        stick = work / "stick"
        stick.mkdir()
        config = work / "kiosk.toml"
        config.write_text(f'[usb]\npath = "{stick}"\nrequire_mount = false\n')
        jobs = {f"export {fmt}": (["export", "--format", fmt, "--out", str(work / f"h.{fmt}")],
                                  work / f"h.{fmt}") for fmt in ("fhir", "csv", "json")}
        jobs["report"] = (["report", "--out", str(work / "report")],
                          work / "report" / "report.html")
        jobs["USB copy"] = (["--config", str(config), "export", "--usb"], stick)
        print(f"{'command':<14} {'peak MB':>8} {'seconds':>8} {'output MB':>10}")
        for name, (command, output) in jobs.items():
            peak, took, code = run(["--data-dir", str(data), *command])
            size = _size(output) / 1e6
            flag = "" if peak < TARGET_MB else f"  over the {TARGET_MB:.0f} MB target"
            print(f"{name:<14} {peak:>8.1f} {took:>8.2f} {size:>10.1f}{flag}"
                  + ("" if code == 0 else f"  (exit {code})"))
            figures[f"{name} MB"] = peak if code == 0 else 0
            figures[f"{name} output MB"] = size
    return smoke.check("bench_exports", figures) if args.smoke else 0


def run(args: list[str]) -> tuple[float, float, int]:
    """One kiosk command as its own process: its peak resident memory in MB, its seconds,
    and its exit code. The peak is the child's own (``wait4``), not this script's."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    start = time.perf_counter()
    child = subprocess.Popen([str(KIOSK), *args], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - start, child.returncode


def _records(data: Path) -> Iterator[object]:
    from kiosk.store.readonly import stream_history

    return stream_history(data, [])


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


if __name__ == "__main__":
    sys.exit(main())
