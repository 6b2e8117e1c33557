"""Button-to-cue latency of the real shell (mock pins, real mixer, real loop).

Latency is measured from a mock pin's ``drive_low()`` (on another thread, as gpiozero's own
callbacks arrive) to the mixer channel starting the cue:
  * home:   AMBER on the home screen -> the first line of the plan starts playing (speech);
  * rating: GREEN during a rep -> the acknowledgement tick starts playing (tone).
A press wakes the loop through its inbox however long it meant to sleep (a second, on an idle
home screen), so these figures also show that sleeping adds no delay to a press.

Idle CPU is measured by ``bench_idle.py``, on the real ``kiosk run`` process: this benchmark runs
the shell inside its own process, beside the threads that press the buttons, so its CPU time
is not the kiosk's.

Target (issue #2): p99 <= 30 ms.
Run: python benchmarks/bench_latency.py [--presses 500]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk import runtime  # noqa: E402
from kiosk.clock import RealClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.core.data.model import Button  # noqa: E402


class Stamped:
    """Wraps a mixer channel: notes when play() starts a sound."""

    def __init__(self, channel: object) -> None:
        self._channel = channel
        self.played = threading.Event()
        self.at = 0.0

    def play(self, *args: object, **kw: object) -> object:
        out = self._channel.play(*args, **kw)  # type: ignore[attr-defined]
        self.at = time.perf_counter()
        self.played.set()
        return out

    def __getattr__(self, name: str) -> object:
        return getattr(self._channel, name)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=500)
    args = ap.parse_args()

    loaded = load_config()
    cfg = loaded.config
    # A set that never ends, so every GREEN press in it is one more rating.
    base_planner = runtime.make_planner

    def endless(c, base=None):  # type: ignore[no-untyped-def]
        plan = base_planner(c, base)

        def p(sessions, day, pain):  # type: ignore[no-untyped-def]
            out = plan(sessions, day, pain)
            return replace(out, exercises=tuple(replace(e, target=10**6) for e in out.exercises))

        return p

    runtime.make_planner = endless
    data = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    opts = runtime.Options(mock=True, display="headless", data_dir=data)
    app = runtime.build(cfg, opts, runtime.Notices(), RealClock())
    app.keyboard = False  # as on the Pi: buttons only, no keyboard polling
    voice = app.dev.voice
    if not hasattr(voice, "_voice_channel"):
        print("no mixer: cannot measure audio latency", file=sys.stderr)
        return 1
    speech = voice._voice_channel = Stamped(voice._voice_channel)
    tones = voice._tone_channel = Stamped(voice._tone_channel)
    app.start()
    print("pre-rendering voice lines...", flush=True)
    voice._renderer.wait(timeout=300)
    results: dict[str, list[float]] = {"home": [], "rating": []}

    def press(button: Button, channel: Stamped | None, hold: float = 0.08) -> float | None:
        pin = app.dev.buttons.pin(button)
        if channel is not None:
            channel.played.clear()
        t0 = time.perf_counter()
        pin.drive_low()
        took = None
        if channel is not None and channel.played.wait(1.0):
            took = channel.at - t0
        time.sleep(hold)
        pin.drive_high()
        time.sleep(0.04)
        return took

    def wait_for(screen: str) -> None:
        while app.view.screen != screen:
            time.sleep(0.05)

    def presser() -> None:
        try:
            time.sleep(1.0)
            for _ in range(args.presses):
                took = press(Button.AMBER, speech)
                if took is not None:
                    results["home"].append(took)
                time.sleep(random.uniform(0.02, 0.08))
            press(Button.GREEN, None)  # start
            wait_for("checkin")
            press(Button.GREEN, None, hold=cfg.buttons.hold_seconds + 0.3)  # confirm pain
            wait_for("breathing")
            press(Button.AMBER, None)  # skip the breathing
            wait_for("intro")
            press(Button.GREEN, None)  # ready
            for _ in range(args.presses):
                took = press(Button.GREEN, tones)
                if took is not None:
                    results["rating"].append(took)
                time.sleep(random.uniform(0.02, 0.08))
        finally:
            app.stop()

    threading.Thread(target=presser, daemon=True).start()
    app.run()
    for name, values in results.items():
        ms = [v * 1000 for v in values]
        if not ms:
            print(f"{name}: no samples")
            continue
        print(f"button-to-cue latency, {name}: n={len(ms)} p50={statistics.median(ms):.2f} ms "
              f"p99={pct(ms, 99):.2f} ms max={max(ms):.2f} ms (target p99 <= 30 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
