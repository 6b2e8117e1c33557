"""Button-to-cue latency of the real shell (mock pins, real mixer, real loop).

Latency is measured from a mock pin's ``drive_low()`` (on another thread, as gpiozero's own
callbacks arrive) to the mixer channel starting the cue:
  * home:   AMBER on the home screen -> the first line of the plan starts playing (speech);
  * rating: GREEN during a rep -> the acknowledgement tick starts playing (tone).
A press wakes the loop through its inbox however long it meant to sleep (a second, on an idle
home screen), so these figures also show that sleeping adds no delay to a press.

The kiosk is a fresh one, as a person unpacks it: before the home screen, the presser answers
the welcome (GREEN), every safety question ("no", AMBER) and the movement check ("not now",
AMBER) through the same mock pins, reading the screen as a person would. Its wall clock is set
to this morning at ten, so a ritual offered in the evening never stands in the way.

Idle CPU is measured by ``bench_idle.py``, on the real ``kiosk run`` process: this benchmark runs
the shell inside its own process, beside the threads that press the buttons, so its CPU time
is not the kiosk's.

Target (issue #2): p99 <= 30 ms.
Run: python benchmarks/bench_latency.py [--presses 500]
     python benchmarks/bench_latency.py --smoke: 15 presses of each, and exit 1 unless both
     kinds of press gave samples (benchmarks/smoke.py; make test runs it).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import smoke  # noqa: E402
from kiosk import runtime  # noqa: E402
from kiosk.clock import RealClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.core.data.model import Button  # noqa: E402

SMOKE_PRESSES = 15
SCREEN_WAIT = 300.0  # seconds: only a kiosk that is stuck takes this long to change screen


class Morning(RealClock):
    """The real monotonic clock, with the wall clock at ten this morning as the run starts."""

    def __init__(self) -> None:
        self._t0 = time.monotonic()
        self._wall0 = datetime.combine(datetime.now().date(), datetime.min.time()).replace(hour=10)

    def wall(self) -> datetime:
        return self._wall0 + timedelta(seconds=time.monotonic() - self._t0)


class Stuck(Exception):
    """The kiosk stayed on a screen the presser has no answer for."""


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
    ap.add_argument("--presses", type=int, help="presses of each kind (default 500)")
    smoke.add_flag(ap)
    args = ap.parse_args()
    if args.presses is None:
        args.presses = SMOKE_PRESSES if args.smoke else 500

    loaded = load_config()
    cfg = loaded.config
    # A set that does not end within the presses, so every GREEN press in it is one more rating.
    # Not a million reps, as it once was: the day's line catalogue now has each rep's count, and
    # building a catalogue of a million reps kept the loop busy for minutes before any press.
    target = args.presses + 5
    base_planner = runtime.make_planner

    def endless(c, base=None):  # type: ignore[no-untyped-def]
        plan = base_planner(c, base)

        def p(sessions, day, pain):  # type: ignore[no-untyped-def]
            out = plan(sessions, day, pain)
            return replace(out, exercises=tuple(replace(e, target=target) for e in out.exercises))

        return p

    runtime.make_planner = endless
    data = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    opts = runtime.Options(mock=True, display="headless", data_dir=data)
    app = runtime.build(cfg, opts, runtime.Notices(), Morning())
    app.keyboard = False  # as on the Pi: buttons only, no keyboard polling
    voice = app.dev.voice
    if not hasattr(voice, "_voice_channel"):
        print("no mixer: cannot measure audio latency", file=sys.stderr)
        return 1
    speech = voice._voice_channel = Stamped(voice._voice_channel)
    tones = voice._tone_channel = Stamped(voice._tone_channel)
    if args.smoke:
        # Only the lines it says are rendered (each at once, as a line said before its render
        # is): the day's few hundred would cost a minute of CPU that a smoke run has no use for.
        voice.prepare = lambda lines: None
    app.start()
    if not args.smoke:
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

    def warm_up(button: Button, channel: Stamped) -> None:
        """A press not counted: its cue may wait for a render (a smoke run renders nothing
        ahead) or for the first tone. Let go at once, as a press, then wait for the cue."""
        channel.played.clear()
        pin = app.dev.buttons.pin(button)
        pin.drive_low()
        time.sleep(0.08)
        pin.drive_high()
        if not channel.played.wait(SCREEN_WAIT):
            raise Stuck(f"{button.name} on the {app.view.screen!r} screen played nothing")
        time.sleep(0.3)

    failed: list[str] = []
    seen: list[tuple[str, str | None]] = []  # the screens passed, for a message when stuck

    def wait_for(screen: str) -> None:
        """Until ``screen`` shows, answering on the way what a first start asks, as a person
        would: GREEN through the welcome, "no" (AMBER) to each safety question and to the leg
        question, "not now" (AMBER) to the movement check."""
        answers = {"welcome": Button.GREEN, "question": Button.AMBER, "screening": Button.AMBER,
                   "legs": Button.AMBER}  # no leg symptoms, at the check-in
        deadline = time.monotonic() + SCREEN_WAIT
        while (now := app.view.screen) != screen:
            if not seen or seen[-1] != (now, app.view.caption):
                seen.append((now, app.view.caption))
            if time.monotonic() > deadline:
                way = "; ".join(f"{name} ({caption!r})" for name, caption in seen[-8:])
                raise Stuck(f"waited for the {screen!r} screen; stuck on {now!r}. "
                            f"The last screens (caption): {way}")
            if now in answers:
                press(answers[now], None)
                deadline = time.monotonic() + SCREEN_WAIT
            time.sleep(0.05)

    def presser() -> None:
        try:
            time.sleep(1.0)
            wait_for("home")  # a fresh kiosk: the welcome, the questions first
            warm_up(Button.AMBER, speech)
            for _ in range(args.presses):
                took = press(Button.AMBER, speech)
                if took is not None:
                    results["home"].append(took)
                time.sleep(random.uniform(0.02, 0.08))
            press(Button.GREEN, None)  # start
            wait_for("checkin")  # the movement check on the way: "not now"
            press(Button.GREEN, None, hold=cfg.buttons.hold_seconds + 0.3)  # confirm pain
            wait_for("breathing")
            press(Button.AMBER, None)  # skip the breathing
            wait_for("intro")
            press(Button.GREEN, None)  # ready
            warm_up(Button.GREEN, tones)
            for _ in range(args.presses):
                took = press(Button.GREEN, tones)
                if took is not None:
                    results["rating"].append(took)
                time.sleep(random.uniform(0.02, 0.08))
        except Stuck as exc:
            failed.append(str(exc))
        finally:
            app.stop()

    threading.Thread(target=presser, daemon=True).start()
    app.run()
    shutil.rmtree(data, ignore_errors=True)
    for text in failed:
        print(f"bench_latency: {text}", file=sys.stderr)
    figures: dict[str, object] = {}
    for name, values in results.items():
        ms = [v * 1000 for v in values]
        figures[f"{name} samples"] = len(ms)
        if not ms:
            print(f"{name}: no samples")
            continue
        figures[f"{name} p50 ms"] = statistics.median(ms)
        figures[f"{name} p99 ms"] = pct(ms, 99)
        print(f"button-to-cue latency, {name}: n={len(ms)} p50={statistics.median(ms):.2f} ms "
              f"p99={pct(ms, 99):.2f} ms max={max(ms):.2f} ms (target p99 <= 30 ms)")
    if args.smoke:
        return smoke.check("bench_latency", figures)
    return 1 if failed or not all(results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
