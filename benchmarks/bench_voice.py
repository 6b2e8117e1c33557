"""The neural voice on a small board: render time, memory and the frame loop while it renders.

A plain script, not a test: ``python benchmarks/bench_voice.py``. For a first day's full line
catalogue (every line a session of today's plan can say, as the kiosk pre-renders it), at the
config's pace (``[voice] length_scale``: the longer the audio, the more memory), it prints:

  load avg  the machine's load (``uptime``) before and after: every figure moves with it
  espeak    time to render the catalogue with espeak-ng (the fallback): in its worker process,
            as the kiosk does, and in the kiosk's own process, as it did before
  urgent    how long a line someone waits for takes to render while espeak-ng is busy with the
            catalogue, in each way, and in the kiosk's process while no worker is up
  load      time to start the Piper worker and load its voice
  piper     time to render the catalogue in the neural voice (lines measured, whole catalogue)
  rss       peak RSS (VmHWM) of the Piper worker, of espeak-ng's worker and of the bench's
            kiosk-side process
  kiosk     peak RSS of the real ``kiosk run`` with the neural voice configured, and of its
            workers, sampled every 0.2 s until the Piper worker has rendered every line (at
            most ``--kiosk-seconds``): the figure the target is for. The workers come and go
            (espeak-ng's leaves once idle, then Piper's starts), so the sum of the RSS of the
            kiosk and all its children is given too, and of their PSS (the libraries both
            map counted once, shared out); and the peak of a fresh Piper worker given only the
            six longest lines
  gaps      longest and 99th-percentile gap of a 30 fps loop (33.3 ms is a gap of none): with
            nothing rendering (the baseline), while espeak-ng renders (in its worker, and in
            the kiosk's process), while Piper renders

then the same under ``/work/shared/tools/slow-cpu --share 0.2`` (about a Pi Zero 2 W) twice:
with the kiosk and the worker sharing one budget of 0.2 of a core (a single-core board: the
worst case), and with the worker in a budget of its own (the Pi Zero 2 W has four cores: the
worker's single onnxruntime thread runs on one of them, the frame loop on another). There the
Piper render is timed on a sample of lines (``--slow-lines``, default 12) and the catalogue's
time extrapolated, said as such. Targets (issue 18): no frame gap over 50 ms; the kiosk's RSS
with Piper loaded at most 250 MB, worker included. Run it twice, on a quiet machine.

Options: --lines N renders only the first N lines at full speed; --no-slow skips the slow
tables; --kiosk-seconds 0 skips the real kiosk. Needs the voice extra (``make setup VOICE=1``).

``--variants`` prints instead what each memory option tried for the worker is worth: the
worker's peak RSS after its imports, after loading the voice, over the six longest lines and
over the catalogue, and its CPU seconds, each variant in a fresh process with onnxruntime's
random seed fixed, so that every variant renders the same audio (``--variants-longest-only``:
the six longest lines alone; ``--only WORD``: the variants whose names contain WORD).

``--smoke``: two lines, two urgent ones, a one-second baseline, no real kiosk and no slow
tables; exits 1 when it measured nothing (no line rendered by either voice, no frame timed, no
worker's memory read; benchmarks/smoke.py), never because of a target.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
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
from benchmarks import smoke  # noqa: E402

SLOW_CPU = Path("/work/shared/tools/slow-cpu")
FRAME = 1 / 30
TARGET_GAP_MS = 50.0
TARGET_RSS_MB = 250.0
BASELINE_SECONDS = float(os.environ.get("BENCH_VOICE_BASELINE", "10"))


def length_scale() -> float:
    """The pace the kiosk speaks at: the audio, and so the worker's memory, grow with it."""
    from kiosk.config import load_config

    return load_config(None).config.voice.length_scale


def catalogue() -> list[str]:
    from kiosk.coaching import make_planner
    from kiosk.config import load_config
    from kiosk.core.words.catalogue import catalogue as lines_of

    cfg = load_config(None).config
    plan = make_planner(cfg)([], date(2026, 11, 30), None)
    return lines_of(plan, settings=cfg.session)


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


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def loop_while(work: Any) -> tuple[FrameLoop, float]:
    """Run ``work()`` on a thread while the frame loop runs here; its gaps and the seconds."""
    loop = FrameLoop()
    done = threading.Event()

    def run() -> None:
        try:
            work()
        finally:
            done.set()

    started = time.perf_counter()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    loop.run_until(done)
    thread.join()
    return loop, time.perf_counter() - started


URGENT = [f"Stop here, and rest, number {n}." for n in range(8)]
SMOKE_LINES = 2


def urgent_latency(renderer: Any, backlog: list[str]) -> list[float]:
    """Seconds from asking for each of ``URGENT`` (one at a time, as a press would) until its
    file is there, while ``renderer`` works through ``backlog``. Polled every millisecond."""
    renderer.prepare(backlog)
    out = []
    for line in URGENT:
        t = time.perf_counter()
        renderer.prepare([line], urgent=True)
        while renderer.path_for(line) is None and not renderer.failed(line):
            time.sleep(0.001)
        out.append(time.perf_counter() - t)
    return out  # the caller closes the renderer, which drops the rest of the backlog


def measure(lines: list[str], sample: int | None, worker_python: str = sys.executable
            ) -> dict[str, Any]:
    from kiosk.io import piper
    from kiosk.io.espeak import EspeakWorker, espeak_renderer
    from kiosk.io.tts import Renderer

    model = piper.packaged_model()
    if model is None or piper.why_not("") is not None:
        raise SystemExit(f"bench_voice: {piper.why_not('')}")
    neural_lines = lines[:sample] if sample else lines
    out: dict[str, Any] = {"lines": len(lines), "sampled": len(neural_lines),
                           "load_before": load_average()}
    baseline, _ = loop_while(lambda: time.sleep(BASELINE_SECONDS))
    out["gaps_none"] = baseline.summary()
    with tempfile.TemporaryDirectory() as tmp:
        worker = EspeakWorker(python=worker_python)
        # Not let go while idle here: its peak RSS is read once the catalogue is done.
        fallback = espeak_renderer(Path(tmp, "worker"), voice="en-us", worker=worker,
                                   idle_after=3600)

        def espeak() -> None:
            fallback.prepare(lines)
            fallback.wait()

        loop, out["espeak_worker"] = loop_while(espeak)
        out["gaps_espeak_worker"] = loop.summary()
        out["espeak_worker_rss"] = hwm_mb(python_pid(worker.pid)) if worker.pid else 0.0
        fallback.close()
        # Before: the same lines rendered on a thread of this process, as the kiosk did.
        here = Renderer(Path(tmp, "espeak"), voice="en-us")

        def espeak_here() -> None:
            here.prepare(lines)
            here.wait()

        loop, out["espeak"] = loop_while(espeak_here)
        out["gaps_espeak"] = loop.summary()
        here.close()
        # A line someone waits for, while each is busy with the catalogue (all new files).
        backlog = [f"{line} (again)" for line in lines[:60]]
        with Renderer(Path(tmp, "urgent-here"), voice="en-us") as r:
            out["urgent_here"] = urgent_latency(r, backlog)
        with espeak_renderer(Path(tmp, "urgent-worker"), voice="en-us", idle_after=3600,
                             worker=EspeakWorker(python=worker_python)) as r:
            out["urgent_worker"] = urgent_latency(r, backlog)
        with espeak_renderer(Path(tmp, "urgent-alone"), voice="en-us",
                             worker=EspeakWorker(python=worker_python)) as r:
            out["urgent_alone"] = urgent_latency(r, [])  # no worker up: made here at once
        # As the kiosk does: the voice cut in two in the voice's folder (kiosk.io.piper_parts);
        # a fresh folder, so the load's time includes making the parts, as on a first day.
        synth = piper.PiperSynth(model, length_scale(), python=worker_python,
                                 parts_dir=Path(tmp, "piper", "model"))
        t = time.perf_counter()
        synth.load()
        out["load"] = time.perf_counter() - t
        chosen = Renderer(Path(tmp, "piper"), voice=synth.name, rate=115, synth=synth,
                          normalised=True, on_close=synth.close)

        def neural() -> None:
            chosen.prepare(neural_lines)
            chosen.wait()

        loop, out["piper"] = loop_while(neural)
        out["gaps_piper"] = loop.summary()
        rendered = sum(chosen.path_for(x) is not None for x in neural_lines)
        out["rendered"] = rendered
        out["per_line"] = out["piper"] / max(1, rendered)
        out["worker_rss"] = hwm_mb(python_pid(synth.pid)) if synth.pid else 0.0
        out["kiosk_rss"] = hwm_mb()
        out["audio"] = sum(chosen.seconds_for(x) or 0.0 for x in neural_lines)
        chosen.close()
    out["piper_catalogue"] = out["per_line"] * len(lines)
    out["load_after"] = load_average()
    return out


def python_pid(pid: int) -> int:
    """``pid``, or under a slow-cpu wrapper, the Python process it runs (its last descendant)."""
    for _ in range(5):
        if "python" in Path(f"/proc/{pid}/comm").read_text():
            return pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if not children:
            break
        pid = int(children[-1])
    return pid


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kiosk_rss(seconds: float) -> dict[str, float]:
    """Peak RSS of a real ``kiosk run`` with the neural voice configured, and of its workers,
    until the Piper worker has rendered the day's lines (on a fresh data directory): it is done
    when its CPU time stops growing for 15 s. ``seconds`` is the most it waits."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp, "config")
        shutil.copytree(ROOT / "config", config)
        toml = config / "kiosk.toml"
        toml.write_text(toml.read_text().replace('engine = "espeak"', 'engine = "piper"', 1))
        env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--config", str(toml), "--data-dir",
             str(Path(tmp, "data")), "run", "--mock", "--windowed"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peaks: dict[int, tuple[str, float]] = {}  # child -> (which worker, its VmHWM)
        peak_sum, peak_pss, kiosk = 0.0, 0.0, 0.0
        started = time.monotonic()
        busy: dict[int, float] = {}  # each Piper worker's CPU seconds when last seen growing
        idle_since = started
        try:
            while time.monotonic() - started < seconds:
                time.sleep(0.2)
                kiosk = hwm_mb(proc.pid)
                total = rss_mb(proc.pid)
                shared = pss_mb(proc.pid)
                for child in children(proc.pid):
                    try:
                        command = Path(f"/proc/{child}/cmdline").read_bytes()
                        if b"espeak_worker" in command:
                            which = "espeak"
                        elif b"piper_worker" in command:
                            which = "piper"
                        else:  # forked, not yet the worker it will be: still the kiosk's pages
                            continue
                        peaks[child] = (which, hwm_mb(child))
                        total += rss_mb(child)
                        shared += pss_mb(child)
                        used = cpu_seconds(child)
                        if which == "piper" and used > busy.get(child, -1.0) + 0.05:
                            busy[child], idle_since = used, time.monotonic()
                    except OSError:
                        continue  # gone between the listing and the reading
                peak_sum = max(peak_sum, total)
                peak_pss = max(peak_pss, shared)
                if busy and time.monotonic() - idle_since > 15.0:
                    break  # the Piper worker has had nothing to do for 15 s: every line is in
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    worker = max((mb for which, mb in peaks.values() if which == "piper"), default=0.0)
    espeak = max((mb for which, mb in peaks.values() if which == "espeak"), default=0.0)
    done = bool(busy) and time.monotonic() - idle_since > 15.0
    return {"kiosk": kiosk, "worker": worker, "espeak_worker": espeak, "peak_sum": peak_sum,
            "peak_pss": peak_pss,
            "seconds": time.monotonic() - started, "done": float(done)}


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of a process now, in MB."""
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional set size of a process now, in MB: its RSS with each page it shares with
    other processes (the libraries the kiosk and its worker both map) counted in shares."""
    try:
        rows = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0.0
    for row in rows:
        if row.startswith("Pss:"):
            return int(row.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """The children of every thread of ``pid``: the workers are started by render threads."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue  # the thread ended meanwhile
    return out


def longest_rss(lines: list[str], count: int = 6) -> float:
    """Peak RSS of a fresh worker that renders only the ``count`` longest lines."""
    from kiosk.io import piper

    model = piper.packaged_model()
    assert model is not None
    with tempfile.TemporaryDirectory() as tmp:
        synth = piper.PiperSynth(model, length_scale(), parts_dir=Path(tmp, "model"))
        try:
            for i, text in enumerate(sorted(lines, key=len)[-count:]):
                synth(text, "", 0, Path(tmp, f"{i}.wav"))
            assert synth.pid is not None
            return hwm_mb(synth.pid)
        finally:
            synth.close()


def report(title: str, r: dict[str, Any]) -> None:
    print(f"\n{title}  (load average {r['load_before']} before, {r['load_after']} after)")
    print(f"  catalogue       {r['lines']} lines")
    print(f"  espeak          {r['espeak_worker']:.1f} s for the catalogue in its worker "
          f"(peak RSS {r['espeak_worker_rss']:.0f} MB), {r['espeak']:.1f} s in this process "
          "(before)")
    for key, what in (("urgent_worker", "worker busy"), ("urgent_here", "here, busy (before)"),
                      ("urgent_alone", "no worker up")):
        ms = sorted(x * 1000 for x in r[key])
        print(f"  urgent line     {what:20s} median {ms[len(ms) // 2]:6.1f} ms, "
              f"longest {ms[-1]:6.1f} ms ({len(ms)} lines)")
    print(f"  load            {r['load']:.2f} s to load the neural voice")
    sampled = "" if r["sampled"] == r["lines"] else f" (measured on {r['sampled']} lines, " \
        "extrapolated)"
    print(f"  piper           {r['piper_catalogue']:.0f} s for the catalogue{sampled}; "
          f"{r['per_line']:.2f} s a line for {r['audio'] / max(1, r['rendered']):.1f} s of speech")
    print(f"  rss (peak)      worker {r['worker_rss']:.0f} MB, the bench's kiosk side "
          f"{r['kiosk_rss']:.0f} MB")
    print(f"  frame gaps      longest / p99 in ms, target {TARGET_GAP_MS:.0f} (a 30 fps frame is "
          f"{FRAME * 1000:.1f}):")
    for key, what in (("gaps_none", "nothing rendering"),
                      ("gaps_espeak_worker", "espeak-ng in its worker"),
                      ("gaps_espeak", "espeak-ng here (before)"),
                      ("gaps_piper", "Piper rendering")):
        longest, p99 = r[key]
        flag = "ok" if longest <= TARGET_GAP_MS else "OVER"
        print(f"    {what:24s}  {longest:5.1f} / {p99:5.1f}  {flag}")


def report_kiosk(seconds: float, r: dict[str, float], longest: float) -> None:
    total = r["kiosk"] + r["worker"]
    flag = "ok" if total <= TARGET_RSS_MB else "OVER"
    state = "every line rendered" if r["done"] else f"still rendering after {seconds:.0f} s"
    print(f"\nthe real kiosk (`kiosk run`, neural voice on, {r['seconds']:.0f} s: {state}; "
          f"load average {load_average()})")
    print(f"  rss (peak)      kiosk {r['kiosk']:.0f} MB + worker {r['worker']:.0f} MB = "
          f"{total:.0f} MB ({flag}, target {TARGET_RSS_MB:.0f})")
    print(f"  worker alone    {longest:.0f} MB rendering only the six longest lines")
    print(f"  espeak-ng       its worker's peak {r['espeak_worker']:.0f} MB (gone once idle, "
          "before Piper's starts)")
    flag = "ok" if r["peak_sum"] <= TARGET_RSS_MB else "OVER"
    print(f"  rss sum (peak)  kiosk + all its workers at once, sampled every 0.2 s: "
          f"{r['peak_sum']:.0f} MB ({flag})")
    print(f"  pss sum (peak)  the same, each shared page split among the processes mapping it: "
          f"{r['peak_pss']:.0f} MB")


def slow(args: argparse.Namespace, title: str, split: bool) -> None:
    command = [str(SLOW_CPU), "--share", "0.2", "--", sys.executable, __file__, "--child",
               "--lines", str(args.slow_lines)]
    with tempfile.TemporaryDirectory() as tmp:
        if split:  # the worker in a budget of its own, as on a core of its own
            wrapper = Path(tmp, "python")
            wrapper.write_text(f'#!/bin/sh\nexec {SLOW_CPU} --share 0.2 -- {sys.executable} "$@"\n')
            wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
            command += ["--worker-python", str(wrapper)]
        done = subprocess.run(command, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        print(f"\nslow-cpu did not run ({done.returncode}): {done.stderr.strip()[-300:]}")
        return
    report(title, json.loads(done.stdout.splitlines()[-1]))


# --- what the worker's memory options are worth (--variants) ------------------------------------
# Each variant is an environment for the worker's process and the onnxruntime options it loads
# the voice with. "shipped" is what kiosk.io.piper_worker.load() and PiperSynth do today.
VARIANTS: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("before (onnxruntime's defaults)", {}, {"pattern": True}),
    ("no pre-packing", {}, {"pattern": True, "entries": {"session.disable_prepacking": "1"}}),
    ("basic graph optimisation", {}, {"pattern": True, "level": "ORT_ENABLE_BASIC"}),
    ("no graph optimisation", {}, {"pattern": True, "level": "ORT_DISABLE_ALL"}),
    ("arena grows only as asked", {}, {"pattern": True, "same_as_requested": True}),
    ("no memory arena", {}, {"pattern": True, "arena": False}),
    ("malloc_trim after each line", {}, {"pattern": True, "trim": True}),
    ("MALLOC_ARENA_MAX=1", {"MALLOC_ARENA_MAX": "1"}, {"pattern": True}),
    ("MALLOC_MMAP_THRESHOLD_=128k", {"MALLOC_MMAP_THRESHOLD_": "131072"}, {"pattern": True}),
    ("no memory pattern", {}, {}),
    ("no memory pattern, MMAP_THRESHOLD", {"MALLOC_MMAP_THRESHOLD_": "131072"}, {}),
    ("... and the arena shrunk after each run", {"MALLOC_MMAP_THRESHOLD_": "131072"},
     {"shrink": True}),
    ("no arena, MMAP_THRESHOLD", {"MALLOC_MMAP_THRESHOLD_": "131072"}, {"arena": False}),
    ("whole: load() (no arena, mallopt 128k)", {}, {"shipped": True, "whole": True}),
    ("windows of 48 frames", {}, {"shipped": True, "window": 48}),
    ("windows of 96 frames", {}, {"shipped": True, "window": 96}),
    ("windows of 144 frames", {}, {"shipped": True, "window": 144}),
    ("windows of 64, malloc_trim after each line", {}, {"shipped": True, "trim": True}),
    ("shipped: load() (windows of 64 frames)", {}, {"shipped": True}),
]


def variant(spec: dict[str, Any], lines: list[str]) -> dict[str, float]:
    """In this (fresh) process: load the voice as ``spec`` says, render ``lines`` as the worker
    does, and say the peak RSS after the imports, after loading and at the end, and the CPU
    seconds. Seeded, so every variant renders the very same audio lengths."""
    import ctypes
    import resource

    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    from kiosk.io import piper, piper_parts, piper_worker

    onnxruntime.set_seed(1)
    out = {"imports": hwm_mb()}
    model = piper.packaged_model()
    assert model is not None
    parts = tempfile.TemporaryDirectory()
    if spec.get("shipped"):
        if not spec.get("whole"):  # cut before this process's peak is read: as in the kiosk,
            piper_parts.split(model, Path(parts.name))  # where the parts are on disk
            out["imports"] = hwm_mb()
        voice = piper_worker.load(model, None if spec.get("whole") else Path(parts.name))
        if "window" in spec:
            voice.session.window = spec["window"]
    else:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.enable_mem_pattern = bool(spec.get("pattern"))
        options.enable_cpu_mem_arena = spec.get("arena", True)
        if "level" in spec:
            options.graph_optimization_level = getattr(onnxruntime.GraphOptimizationLevel,
                                                       spec["level"])
        for key, value in spec.get("entries", {}).items():
            options.add_session_config_entry(key, value)
        if spec.get("same_as_requested"):  # kSameAsRequested, in an allocator the session shares
            cpu = onnxruntime.OrtMemoryInfo("Cpu", onnxruntime.OrtAllocatorType.ORT_ARENA_ALLOCATOR,
                                            0, onnxruntime.OrtMemType.DEFAULT)
            onnxruntime.create_and_register_allocator(
                cpu, onnxruntime.OrtArenaCfg({"arena_extend_strategy": 1}))
            options.add_session_config_entry("session.use_env_allocators", "1")
        session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
        if spec.get("shrink"):  # every run gives back the arena's unused regions as it ends
            session = _Shrinking(session)
        with open(f"{model}.json", encoding="utf-8") as fh:
            voice = PiperVoice(session=session, config=PiperConfig.from_dict(json.load(fh)))
    out["loaded"] = hwm_mb()
    libc = ctypes.CDLL(None)
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(lines):
            piper_worker.render(voice, text, Path(tmp, f"{i}.wav"), spec["length_scale"])
            if spec.get("trim"):
                libc.malloc_trim(0)
    used = resource.getrusage(resource.RUSAGE_SELF)
    out["peak"] = hwm_mb()
    out["cpu"] = used.ru_utime + used.ru_stime
    parts.cleanup()
    return out


class _Shrinking:
    """An onnxruntime session whose every run ends by shrinking its memory arena."""

    def __init__(self, session: Any) -> None:
        import onnxruntime

        self._session = session
        self._options = onnxruntime.RunOptions()
        self._options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run(self, names: Any, feed: Any, run_options: Any = None) -> Any:
        return self._session.run(names, feed, self._options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def variants(lines: list[str], longest_only: bool, only: list[str]) -> None:
    """Each variant in a fresh process: the six longest lines, then the whole catalogue. With
    ``only``, just the variants whose names contain one of those words."""
    sets = [("six longest", sorted(lines, key=len)[-6:])]
    if not longest_only:
        sets.append(("catalogue", lines))
    print(f"\nthe worker's peak RSS (VmHWM, MB) by memory option, at length_scale "
          f"{length_scale():g}, seeded (load average {load_average()} before)")
    print(f"  {'variant':42s} {'imports':>7s} {'loaded':>7s}" +
          "".join(f" {name:>12s} {'cpu s':>6s}" for name, _ in sets))
    for name, env, spec in VARIANTS:
        if only and not any(word in name for word in only):
            continue
        row = f"  {name:42s}"
        for i, (_, chosen) in enumerate(sets):
            with tempfile.NamedTemporaryFile("w", suffix=".json") as fh:
                json.dump(chosen, fh)
                fh.flush()
                done = subprocess.run(
                    [sys.executable, __file__, "--variant",
                     json.dumps({**spec, "length_scale": length_scale()}), "--lines-file",
                     fh.name], capture_output=True, text=True,
                    env={**os.environ, **env, "PYTHONPATH": str(ROOT)})
            if done.returncode != 0:
                row += f"  failed: {done.stderr.strip().splitlines()[-1][:60]}"
                break
            r = json.loads(done.stdout.splitlines()[-1])
            if i == 0:
                row += f" {r['imports']:7.0f} {r['loaded']:7.0f}"
            row += f" {r['peak']:12.0f} {r['cpu']:6.0f}"
        print(row, flush=True)
    print(f"  (load average {load_average()} after)")


def smoked(lines: list[str]) -> int:
    """A short run of ``measure``: every part of it, on a few lines, judged by whether it measured
    anything at all."""
    global BASELINE_SECONDS, URGENT
    BASELINE_SECONDS, URGENT = 1.0, URGENT[:2]
    r = measure(lines, None)
    report("development machine (--smoke)", r)
    return smoke.check("bench_voice", {
        "espeak worker s": r["espeak_worker"], "espeak here s": r["espeak"],
        "urgent lines": len(r["urgent_worker"]), "piper load s": r["load"],
        "piper lines rendered": r["rendered"], "piper s a line": r["per_line"],
        "speech s": r["audio"], "piper worker RSS MB": r["worker_rss"],
        "longest gap ms, piper": r["gaps_piper"][0],
        "longest gap ms, nothing": r["gaps_none"][0]})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=0)
    parser.add_argument("--slow-lines", type=int, default=12)
    parser.add_argument("--kiosk-seconds", type=float, default=600.0)
    parser.add_argument("--no-slow", action="store_true")
    parser.add_argument("--variants", action="store_true")
    parser.add_argument("--variants-longest-only", action="store_true")
    parser.add_argument("--only", action="append", default=[],
                        help="with --variants: only the variants whose names contain this")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--lines-file", help=argparse.SUPPRESS)
    parser.add_argument("--worker-python", default=sys.executable, help=argparse.SUPPRESS)
    smoke.add_flag(parser)
    args = parser.parse_args(argv)
    if args.variant:  # one variant, in a process of its own: one JSON line back
        chosen = json.loads(Path(args.lines_file).read_text())
        print(json.dumps(variant(json.loads(args.variant), chosen)))
        return 0
    lines = catalogue()
    if args.variants or args.variants_longest_only:
        variants(lines, args.variants_longest_only, args.only)
        return 0
    if args.child:  # under slow-cpu: one JSON line back to the parent
        print(json.dumps(measure(lines, args.lines or None, args.worker_python)))
        return 0
    # As the Pi install does: no process here compiles the kiosk from source as it starts.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kiosk")], check=False)
    if args.smoke:
        return smoked(lines[:SMOKE_LINES])
    report("development machine", measure(lines, args.lines or None))
    if args.kiosk_seconds > 0:
        report_kiosk(args.kiosk_seconds, kiosk_rss(args.kiosk_seconds), longest_rss(lines))
    if args.no_slow:
        return 0
    if not SLOW_CPU.exists():
        print(f"\n(no {SLOW_CPU}: the slow-CPU tables are skipped)")
        return 0
    slow(args, "slow-cpu --share 0.2, kiosk and worker in one budget (a single-core board)",
         split=False)
    slow(args, "slow-cpu --share 0.2, the worker in a budget of its own (as on a Pi Zero 2 W)",
         split=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
