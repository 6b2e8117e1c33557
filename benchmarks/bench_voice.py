"""The neural voice on a small board: render time, memory and the frame loop while it renders.

A plain script, not a test: ``python benchmarks/bench_voice.py``. For a first day's full line
catalogue (every line a session of today's plan can say, as the kiosk pre-renders it), it prints:

  espeak    time to render the catalogue with espeak-ng (the fallback, in the kiosk's process)
  load      time to start the Piper worker and load its voice
  piper     time to render the catalogue in the neural voice (lines measured, whole catalogue)
  per line  mean and longest render of one line
  rss       peak RSS of the Piper worker, of the kiosk-side process, and the two together
  gaps      longest and 99th-percentile gap of a 30 fps loop running while both render

then the same under ``/work/shared/tools/slow-cpu --share 0.2`` (about a Pi Zero 2 W), where
the Piper render is timed on a sample of lines (``--slow-lines``, default 30) and the catalogue's
time is extrapolated from it, said as such: the whole catalogue there takes the better part of
half an hour. Targets (issue 18): no frame gap over 50 ms; the kiosk's RSS with Piper loaded at
most 250 MB. The figures move with the machine's load: run it twice.

Options: --lines N renders only the first N lines at full speed; --no-slow skips the slow table.
Needs the voice extra (``make setup VOICE=1``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SLOW_CPU = Path("/work/shared/tools/slow-cpu")
FRAME = 1 / 30
TARGET_GAP_MS = 50.0
TARGET_RSS_MB = 250.0


def catalogue() -> list[str]:
    from kiosk.config import load_config
    from kiosk.core import phrases
    from kiosk.runtime import make_planner

    cfg = load_config(None).config
    plan = make_planner(cfg)([], date(2026, 11, 30), None)
    return phrases.catalogue(plan, settings=cfg.session)


def hwm_mb(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a process, in MB."""
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    return 0.0


class FrameLoop:
    """A 30 fps loop on the main thread, as the kiosk's: records the gap between frames."""

    def __init__(self) -> None:
        self.gaps: list[float] = []

    def run_until(self, done: threading.Event) -> None:
        last = time.perf_counter()
        next_frame = last + FRAME
        while not done.is_set():
            time.sleep(max(0.0, next_frame - time.perf_counter()))
            now = time.perf_counter()
            self.gaps.append(now - last)
            last = now
            next_frame = max(next_frame + FRAME, now)

    def summary(self) -> tuple[float, float]:
        if not self.gaps:
            return 0.0, 0.0
        ms = sorted(g * 1000 for g in self.gaps)
        return ms[-1], ms[int(0.99 * (len(ms) - 1))]


def measure(lines: list[str], sample: int | None) -> dict[str, Any]:
    from kiosk.io import piper
    from kiosk.io.tts import Renderer
    from kiosk.io.voice import Voices

    model = piper.packaged_model()
    if model is None or piper.why_not("") is not None:
        raise SystemExit(f"bench_voice: {piper.why_not('')}")
    neural_lines = lines[:sample] if sample else lines
    out: dict[str, Any] = {"lines": len(lines), "sampled": len(neural_lines)}
    with tempfile.TemporaryDirectory() as tmp:
        synth = piper.PiperSynth(model, 1.15)
        t = time.perf_counter()
        synth.load()
        out["load"] = time.perf_counter() - t
        chosen = Renderer(Path(tmp, "piper"), voice=synth.name, rate=115, synth=synth,
                          normalised=True, on_close=synth.close)
        fallback = Renderer(Path(tmp, "espeak"), voice="en-us")
        voices = Voices(chosen, fallback)
        loop = FrameLoop()
        done = threading.Event()
        started = time.perf_counter()
        timings: dict[str, float] = {}

        def render() -> None:
            fallback.prepare(lines)
            fallback.wait()
            timings["espeak"] = time.perf_counter() - started
            chosen.prepare(neural_lines)
            chosen.wait()
            timings["piper"] = time.perf_counter() - started - timings["espeak"]
            done.set()

        worker = threading.Thread(target=render, daemon=True)
        worker.start()
        loop.run_until(done)
        worker.join()
        out.update(timings)
        rendered = sum(chosen.path_for(x) is not None for x in neural_lines)
        out["rendered"] = rendered
        out["per_line"] = out["piper"] / max(1, rendered)
        out["worker_rss"] = hwm_mb(synth.pid) if synth.pid else 0.0
        out["kiosk_rss"] = hwm_mb()
        out["gap_max"], out["gap_p99"] = loop.summary()
        audio = [chosen.seconds_for(x) or 0.0 for x in neural_lines]
        out["audio"] = sum(audio)
        voices.close()
    out["piper_catalogue"] = out["per_line"] * len(lines)
    return out


def report(title: str, r: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"  catalogue       {r['lines']} lines")
    print(f"  espeak          {r['espeak']:.1f} s for the catalogue")
    print(f"  load            {r['load']:.2f} s to load the neural voice")
    sampled = "" if r["sampled"] == r["lines"] else f" (measured on {r['sampled']} lines, " \
        "extrapolated)"
    print(f"  piper           {r['piper_catalogue']:.0f} s for the catalogue{sampled}; "
          f"{r['per_line']:.2f} s a line for {r['audio'] / max(1, r['rendered']):.1f} s of speech")
    total = r["worker_rss"] + r["kiosk_rss"]
    flag = "ok" if r["worker_rss"] <= TARGET_RSS_MB else "OVER"
    print(f"  rss             worker {r['worker_rss']:.0f} MB ({flag}, target {TARGET_RSS_MB:.0f}),"
          f" kiosk side {r['kiosk_rss']:.0f} MB, together {total:.0f} MB")
    flag = "ok" if r["gap_max"] <= TARGET_GAP_MS else "OVER"
    print(f"  frame gaps      longest {r['gap_max']:.1f} ms ({flag}, target {TARGET_GAP_MS:.0f}),"
          f" p99 {r['gap_p99']:.1f} ms, at 30 fps while both render")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=0)
    parser.add_argument("--slow-lines", type=int, default=30)
    parser.add_argument("--no-slow", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    lines = catalogue()
    if args.child:  # under slow-cpu: one JSON line back to the parent
        print(json.dumps(measure(lines, args.lines or None)))
        return 0
    report("development machine", measure(lines, args.lines or None))
    if args.no_slow:
        return 0
    if not SLOW_CPU.exists():
        print(f"\n(no {SLOW_CPU}: the slow-CPU table is skipped)")
        return 0
    done = subprocess.run(
        [str(SLOW_CPU), "--share", "0.2", "--", sys.executable, __file__, "--child",
         "--lines", str(args.slow_lines)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if done.returncode != 0:
        print(f"\nslow-cpu did not run ({done.returncode}): {done.stderr.strip()[-300:]}")
        return 0
    report("slow-cpu --share 0.2 (about a Pi Zero 2 W)", json.loads(done.stdout.splitlines()[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
