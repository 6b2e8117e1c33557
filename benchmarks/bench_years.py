"""What a kiosk costs in its first, fifth and tenth year: saves, frames, start-up, plan, memory.

A plain script, not a test: ``python benchmarks/bench_years.py``. For 0, 1, 5 and 10 years of
twice-daily history written by ``kiosk simulate``, it prints one row of figures, then the same
again under ``/work/shared/tools/slow-cpu --share 0.2`` (about a Pi Zero 2 W) when that tool works
here. The histories are in the monthly store (kiosk/store/months.py): ``months`` and
``open KB`` say how many monthly files there are and how big the one a save rewrites is.
Targets (issue #11), on the development machine with 10 years:

  save      one session save (one atomic write of the open month, fsync) <= 20 ms
  gap       longest frame gap while the writer thread saves             <= 50 ms
  step      longest main-loop step through a whole session              <= 20 ms
  red       the step that handles RED                                    within one frame
  ready     process start to READY=1 (systemd's notify socket)          <= 0.4 s
  cpu       the CPU seconds the kiosk had used by READY=1 (load does not inflate it)
  plan      `kiosk plan` as a whole process                              <= 0.5 s
  rss       peak memory of the running kiosk                             <= 80 MB

Under each table a line compares year one with the last year asked for (save, start-up,
RED, the longest step, plan): with months these should not grow with the years.

Options: --years 0,1,5 picks the histories; --keep DIR keeps (and reuses) them there;
--no-slow skips the slow-CPU table. Figures move with the machine's load: run it twice.
--smoke: the row of a fresh kiosk (0 years) on this machine only; exits 1 when a figure of it
was not measured (benchmarks/smoke.py), never because of a target.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks import smoke  # noqa: E402
from benchmarks.bytecode import compile_kiosk  # noqa: E402

END = date(2026, 11, 28)  # the histories end here, so runs on different days compare
TODAY = END + timedelta(days=1)
SLOW_CPU = ROOT.parent.parent / "shared" / "tools" / "slow-cpu"
if not SLOW_CPU.exists():
    SLOW_CPU = Path("/work/shared/tools/slow-cpu")
TARGETS = {"save": 20.0, "gap": 50.0, "step": 20.0, "red": 1000 / 30, "ready": 0.4, "plan": 0.5,
           "rss": 80.0}
COLUMNS = ("years", "sessions", "months", "MB", "open KB", "save", "gap", "step", "red", "ready",
           "cpu", "plan", "rss")
MEASURED = COLUMNS[5:]
UNITS = {"save": "ms", "gap": "ms", "step": "ms", "red": "ms", "ready": "s", "cpu": "s",
         "plan": "s", "rss": "MB"}


def kiosk_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", *args]


def make_history(years: int, where: Path) -> Path:
    data = where / f"years-{years}"
    if years and not data.exists():
        tmp = where / f".years-{years}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(kiosk_cmd("--data-dir", str(tmp), "simulate", "--years", str(years),
                                 "--end", END.isoformat()), check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        tmp.rename(data)
    data.mkdir(parents=True, exist_ok=True)
    if years:
        up_to_date(data)
    return data


def up_to_date(data: Path) -> None:
    """Open a kept history once as the kiosk does, so the figures are those of a kiosk that has
    started since its last update: snapshots an older version made are made again here (a
    one-time cost, told to systemd as it goes; tests/test_long_start.py), not in the figures."""
    from kiosk import coaching
    from kiosk.config import load_config
    from kiosk.store.months import WholeHistory

    with WholeHistory.open(data, replays=coaching.replays(load_config().config)):
        pass


def copy_of(data: Path, into: Path) -> Path:
    """A fresh copy for one measurement: saves change it, and the next one wants it as it was."""
    target = Path(tempfile.mkdtemp(dir=into)) / "data"
    shutil.copytree(data, target)
    return target


def a_record(n: int, day: date) -> Any:
    """A typical finished session of the packaged exercises, as the kiosk saves it."""
    from kiosk.store.records import decode

    started = datetime.combine(day, datetime.min.time()).replace(hour=20, minute=n % 60)
    sets = [{"side": None, "reps": ["clean"] * 8, "clean_reps": 8, "ended_by": "target"}] * 2
    exercises = [{"family": fam, "variation": f"{fam}-1", "name": fam.title(), "target": 8,
                  "change": "same", "reason": "", "skipped": False, "sets": sets}
                 for fam in ("bridge", "dead-bug", "bird-dog")]
    return decode({
        "schema": 1, "id": f"{started:%Y%m%dT%H%M%S}-bench{n}", "plan_date": day.isoformat(),
        "started_at": started.isoformat(), "ended_at": started.isoformat(), "duration_s": 900.0,
        "pain_before": 2, "pain_after": 1, "ended_by": "complete", "exercises": exercises,
        "pain_events": []})


# --- measured in this process -----------------------------------------------------------------
def measure_save(data: Path) -> float:
    """Median of five saves, each one atomic write with fsync, as the writer thread does them."""
    from kiosk.config import load_config
    from kiosk.core.coach.progression import Replays
    from kiosk.store.months import WholeHistory

    cfg = load_config().config
    times = []
    replays = Replays(cfg.library, cfg.progression, rhythm=cfg.rhythm)
    with WholeHistory.open(data, replays=replays) as history:
        for n in range(5):
            record = a_record(n, TODAY)
            t = time.perf_counter()
            history.add(record)
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def measure_gap(data: Path) -> float:
    """The longest pause of a 5 ms frame loop on the main thread while the writer saves."""
    from kiosk.config import load_config
    from kiosk.core.coach.progression import Replays
    from kiosk.store.writer import HistoryWriter

    cfg = load_config().config
    done = threading.Event()
    # Opened as the kiosk opens it: the newest snapshot and the open month, not the years.
    writer = HistoryWriter.open(data, on_result=lambda r: done.set(),
                                replays=Replays(cfg.library, cfg.progression, rhythm=cfg.rhythm))
    worst = 0.0
    try:
        for n in range(3):
            done.clear()
            last = time.perf_counter()
            writer.save(a_record(100 + n, TODAY))
            while not done.is_set():
                time.sleep(0.005)
                now = time.perf_counter()
                worst = max(worst, now - last)
                last = now
    finally:
        writer.close()
    return worst * 1000


def measure_steps(data: Path) -> tuple[float, float]:
    """The longest main-loop step of the real shell through a session (start, check-in, a rep,
    RED, a pain rating, hold RED to stop, the re-plan), and the step that handled RED."""
    from kiosk import runtime
    from kiosk.clock import FakeClock
    from kiosk.config import load_config
    from kiosk.core.data.model import Button
    from kiosk.devices import RecordingVoice

    loaded = load_config()
    clock = FakeClock(datetime.combine(TODAY, datetime.min.time()).replace(hour=9))
    opts = runtime.Options(mock=True, display="headless", data_dir=data)
    app = runtime.start_kiosk(loaded.config, opts, loaded.problems, clock,
                              runtime.Given(voice=RecordingVoice()))
    app.keyboard = False
    steps: list[float] = []

    def run(seconds: float) -> None:
        for _ in range(int(round(seconds / 0.05))):
            clock.advance(0.05)
            t = time.perf_counter()
            app.step()
            steps.append(time.perf_counter() - t)

    def press(button: Any, hold: float = 0.15) -> float:
        pin = app.dev.buttons.pin(button)
        pin.drive_low()
        first = len(steps)
        run(hold)
        pin.drive_high()
        run(0.4)
        return max(steps[first:first + 2])

    try:
        press(Button.GREEN)  # start: plans the day
        press(Button.GREEN, hold=2.0)  # confirm check-in pain
        press(Button.AMBER)  # no leg symptoms: re-plans with the pain
        press(Button.AMBER)  # skip the breathing
        run(30.0)
        press(Button.GREEN)  # into the set
        run(3.0)
        press(Button.GREEN)  # one clean rep
        red = press(Button.RED)  # pain: RED acts at once
        run(1.0)
        press(Button.GREEN, hold=2.0)  # confirm the pain rating
        press(Button.RED, hold=2.5)  # stop: the session is saved, the home plan is made again
        run(2.0)
    finally:
        app.close()
    return max(steps) * 1000, red * 1000


# --- measured as whole processes ----------------------------------------------------------------
def measure_ready(data: Path, wrap: list[str]) -> tuple[float, float, float]:
    """Seconds from starting `kiosk run` to its READY=1, the CPU seconds the kiosk had used by
    then (which other work on the machine does not inflate), and its peak RSS in MB."""
    sock_dir = Path(tempfile.mkdtemp(prefix="kiosk-notify-"))
    path = sock_dir / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(120)
    # The sender's pid comes with each message, as systemd gets it: the kiosk's own CPU time
    # can then be read at once. Reading every process's in /proc took 10-20 ms, during which
    # the kiosk went on with what it starts after READY and the figure grew by 30-60 ms.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    creds = struct.Struct("3i")
    env = dict(os.environ, NOTIFY_SOCKET=str(path), SDL_VIDEODRIVER="dummy",
               SDL_AUDIODRIVER="dummy")
    t = time.perf_counter()
    proc = subprocess.Popen([*wrap, *kiosk_cmd("--data-dir", str(data), "run", "--mock",
                                               "--headless")],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    ready = cpu = float("nan")
    rss = float("nan")
    try:
        while True:
            data, ancillary, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(creds.size))
            if b"READY=1" in data:
                ready = time.perf_counter() - t
                sender = next((creds.unpack(d[:creds.size])[0] for level, kind, d in ancillary
                               if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS),
                              None)
                cpu = process_cpu(sender) if sender else cpu_seconds(proc.pid)
                break
        time.sleep(1.0)  # let it settle: the voice renders lines ahead after READY
        rss = peak_rss_mb(proc.pid)
    except TimeoutError:
        pass
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the kiosk and, under slow-cpu, its wrapper
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        sock.close()
        shutil.rmtree(sock_dir, ignore_errors=True)
    return ready, cpu, rss


def process_cpu(pid: int) -> float:
    """User and system CPU seconds of one process, every thread of it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pgid: int) -> float:
    """User and system CPU seconds of every live process in the kiosk's process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / tick


def peak_rss_mb(pid: int) -> float:
    """VmHWM of the kiosk's Python process (under slow-cpu, the child of the wrapper)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(c) for c in children.read_text().split()]
    worst = 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    worst = max(worst, int(line.split()[1]) / 1024)
        except OSError:
            continue
    if worst and len(pids) > 1:
        for c in pids[1:]:  # slow-cpu is bash running the kiosk; follow one more level
            grand = Path(f"/proc/{c}/task/{c}/children")
            if grand.exists():
                for g in grand.read_text().split():
                    worst = max(worst, peak_rss_mb(int(g)))
    return worst


def measure_plan(data: Path, wrap: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([*wrap, *kiosk_cmd("--data-dir", str(data), "plan", "--date",
                                      TODAY.isoformat())],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def one_row(years: int, data: Path, scratch: Path, wrap: list[str]) -> dict[str, Any]:
    from kiosk.store.months import FOLDER, months_in, stream

    sessions = sum(1 for r in stream(data) if type(r).__name__ == "SessionRecord")
    months = months_in(data / FOLDER)
    size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 1e6
    open_month = (data / FOLDER / months[-1] / "history.json") if months else None
    row: dict[str, Any] = {"years": years, "sessions": sessions, "MB": size,
                           "months": len(months),
                           "open KB": open_month.stat().st_size / 1e3 if open_month else 0.0}
    if wrap:  # only the whole processes run under slow-cpu; the rest below, in a child
        out = subprocess.run([*wrap, sys.executable, __file__, "--inner", str(data),
                              "--scratch", str(scratch)], check=True, capture_output=True,
                             text=True, cwd=ROOT)
        row.update(json.loads(out.stdout.strip().splitlines()[-1]))
    else:
        row.update(inner(data, scratch))
    # Whole processes: the median of three starts, as one start moves with the machine's load.
    starts = [measure_ready(copy_of(data, scratch), wrap) for _ in range(3)]
    row["ready"], row["cpu"], row["rss"] = (statistics.median(c) for c in zip(*starts,
                                                                              strict=True))
    row["plan"] = statistics.median(measure_plan(data, wrap) for _ in range(3))
    return row


def inner(data: Path, scratch: Path) -> dict[str, float]:
    return {
        "save": measure_save(copy_of(data, scratch)),
        "gap": measure_gap(copy_of(data, scratch)),
        **dict(zip(("step", "red"), measure_steps(copy_of(data, scratch)), strict=True)),
    }


def show(title: str, rows: list[dict[str, Any]]) -> None:
    print(title)
    print("  ".join(f"{c:>9}" for c in COLUMNS))
    for row in rows:
        cells = []
        for c in COLUMNS:
            v = row.get(c)
            if c in ("years", "sessions", "months"):
                cells.append(f"{v:>9d}")
            elif c in ("MB", "open KB"):
                cells.append(f"{v:>9.1f}")
            else:
                unit = UNITS[c]
                text = f"{v:.2f}" if unit == "s" else f"{v:.0f}"
                mark = "!" if c in TARGETS and v > TARGETS[c] else " "
                cells.append(f"{text + ' ' + unit + mark:>9}")
        print("  ".join(cells))
    print("  targets with 10 years: " + ", ".join(
        f"{c} <= {TARGETS[c]:g} {UNITS[c]}" for c in MEASURED if c in TARGETS) + "  (! = over)")
    growth(rows)


def growth(rows: list[dict[str, Any]]) -> None:
    """What issue #11 asks of the partitioned store: year ten costs what year one does."""
    by_years = {row["years"]: row for row in rows}
    first, last = by_years.get(1), by_years.get(max(by_years))
    if first is None or last is None or last is first:
        return
    parts = []
    for c in ("save", "ready", "red", "step", "plan"):
        a, b = first[c], last[c]
        parts.append(f"{c} {a:.3g} -> {b:.3g} {UNITS[c]} (x{b / a:.2f})" if a else f"{c} -")
    print(f"  year 1 -> year {last['years']}: " + ", ".join(parts))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--years", default="0,1,5,10")
    ap.add_argument("--keep", type=Path, help="keep the simulated histories here, and reuse them")
    ap.add_argument("--no-slow", action="store_true", help="skip the slow-CPU table")
    ap.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    smoke.add_flag(ap)
    args = ap.parse_args()
    if args.smoke:
        args.years, args.no_slow = "0", True
    compile_kiosk()  # as install.sh does: start-up is timed from bytecode, as on a Pi
    if args.inner:
        print(json.dumps(inner(args.inner, args.scratch)))
        return 0
    where = args.keep or Path(tempfile.mkdtemp(prefix="kiosk-years-"))
    where.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="kiosk-years-scratch-"))
    try:
        histories = {y: make_history(y, where) for y in map(int, args.years.split(","))}
        rows = [one_row(y, d, scratch, []) for y, d in histories.items()]
        show("This machine", rows)
        if args.smoke:
            return smoke.check("bench_years", {f"{c} {UNITS[c]}": rows[0][c] for c in MEASURED})
        if args.no_slow:
            return 0
        probe = subprocess.run([str(SLOW_CPU), "--share", "0.2", "--", "true"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            print(f"Pi Zero 2 W estimate skipped: {probe.stderr.strip() or 'slow-cpu failed'}")
            return 0
        wrap = [str(SLOW_CPU), "--share", "0.2", "--"]
        show("Pi Zero 2 W estimate (slow-cpu --share 0.2)",
             [one_row(y, d, scratch, wrap) for y, d in histories.items()])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
