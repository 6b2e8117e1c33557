"""The soak of issue #4 (point 8), for as many simulated days as you like, with its figures.

The same driver as ``tests/test_soak.py``: ``kiosk.soak``, so the logic is in one place.
The real shell runs on mock pins and a fake clock, with simulated people, stray presses and
restarts. The targets are no crash, every finished session in the history, memory growth under
10 MB and no frame stall over 100 ms.

Run: python benchmarks/bench_soak.py [--days 30] [--seed N] [--no-tracemalloc]
tracemalloc makes every allocation slower (about four times the run time here), so step times
taken without it are closer to what the kiosk sees. The memory figure then falls back to RSS.
Exits 1 when a target is missed.
``--smoke``: the shortest soak (2 days, memory by RSS) as make test runs it; exits 1 when a
session is lost or an error is logged, or when it measured nothing (no session saved, no step
timed; benchmarks/smoke.py). Frame times and memory growth are printed, not judged: they move with
the machine's speed and load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from benchmarks import smoke  # noqa: E402
from kiosk.soak import MEMORY_BUDGET, SEED, STALL, Figures, Soak  # noqa: E402

MB = 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, help="simulated days, at least 2 (default 7; --smoke 2)")
    ap.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    ap.add_argument("--no-tracemalloc", action="store_true",
                    help="faster, truer step times; memory measured by RSS only")
    smoke.add_flag(ap)
    args = ap.parse_args(argv)
    if args.smoke:
        args.no_tracemalloc = True
    if args.days is None:
        args.days = 2 if args.smoke else 7
    if args.days < 2:
        ap.error("--days must be at least 2: the first day is the memory warm-up")
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        fig = Soak(Path(tmp), seed=args.seed).run(args.days, trace_memory=not args.no_tracemalloc)
    report(fig, traced=not args.no_tracemalloc)
    if args.smoke:
        lost = problems(fig, traced=False, timed=False)
        measured = smoke.check("bench_soak", {
            "days": fig.days, "sessions saved": len(fig.saved), "sessions in history":
            len(fig.history), "steps": fig.steps, "step p99 ms": fig.step_p99_ms,
            "lines said": fig.said, "RSS MB": fig.rss_base / MB})
        return 1 if lost or measured else 0
    return 0 if not problems(fig, traced=not args.no_tracemalloc) else 1


def report(fig: Figures, *, traced: bool) -> None:
    print(fig.summary())
    print(f"  fake time: {fig.days} days, to {fig.wall_end}; seed {fig.seed}; "
          f"{fig.seconds:.1f} s of real time")
    print(f"  sessions: {len(fig.saved)} saved, {len(fig.history)} in the history, "
          f"{fig.started} started, {fig.lost} lost to restarts, {fig.unattended} left unattended")
    print(f"  people: {dict(fig.profiles)}; stray presses: {dict(fig.mischief)}; "
          f"{fig.said} lines said")
    print(f"  steps: {fig.steps}, max {fig.step_max_ms:.2f} ms wall "
          f"(own {fig.step_max_own_ms:.2f} ms), p99 {fig.step_p99_ms:.3f} ms; "
          f"{fig.n_over} over {STALL * 1000:.0f} ms by the wall clock, {fig.n_stalls} stalls")
    for step in fig.over:
        print(f"    {step.wall_ms:.1f} ms on {step.screen!r}, "
              f"{step.waited_ms:.1f} ms of it waiting for a CPU")
    if traced:
        print(f"  traced memory: {fig.traced_base / MB:.2f} MB after day 1 -> "
              f"{fig.traced_end / MB:.2f} MB (+{fig.traced_growth / MB:.2f}), "
              f"peak {fig.traced_peak / MB:.2f} MB (+{fig.traced_peak_growth / MB:.2f})")
    print(f"  RSS: {fig.rss_base / MB:.1f} MB after day 1 -> {fig.rss_end / MB:.1f} MB "
          f"(+{fig.rss_growth / MB:.2f}); restart max {fig.restart_max_ms:.0f} ms")
    print(f"  logged: {dict(fig.logged)}; writer threads left: {fig.writers_left}")
    for text in problems(fig, traced=traced):
        print(f"  FAILED: {text}")


def problems(fig: Figures, *, traced: bool, timed: bool = True) -> list[str]:
    """The targets missed, in words; empty when the soak passed. ``timed`` False leaves out
    the targets the machine's speed and load decide (memory growth, frame stalls)."""
    found = [*fig.errors, *fig.thread_errors]
    if fig.unsaved:
        found.append(f"sessions never written: {fig.unsaved}")
    if fig.history != fig.saved:
        missing = [sid for sid in fig.saved if sid not in fig.history]
        found.append(f"history differs from the sessions saved; missing {missing}")
    growth = fig.traced_growth if traced else fig.rss_growth
    if timed and growth >= MEMORY_BUDGET:
        found.append(f"memory grew {growth / MB:.1f} MB")
    if timed and fig.n_stalls:
        found.append(f"{fig.n_stalls} frame stalls, e.g. {fig.stalls[:3]}")
    if fig.writers_left:
        found.append(f"{fig.writers_left} history-writer threads still running")
    return found


if __name__ == "__main__":
    sys.exit(main())
