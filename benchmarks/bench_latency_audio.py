"""What the voice costs the frame loop: say(), update(), and frames while lines render.

  * say() of a cached line, until its channel is playing: first use (loads the WAV) and again
    (from the Sound cache);
  * update() on an idle frame, and on a frame where a line waits for its render;
  * frame times of a 60 fps loop while the renderer pre-renders a whole session's catalogue on
    its thread (espeak-ng's callbacks need the GIL, so they can steal time from the loop).

A plain script: ``python benchmarks/bench_latency_audio.py``. It uses SDL's dummy audio driver,
so the audio buffer itself (512 samples = 23 ms at 22050 Hz) is not in these figures.
``--smoke``: six lines and 500 frames; exits 1 when it measured nothing (no line played, no frame
timed; benchmarks/smoke.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import smoke  # noqa: E402
from kiosk.core.words import phrases  # noqa: E402
from kiosk.io.tts import Renderer, cache_dir_for  # noqa: E402
from kiosk.io.voice import MixerVoice, open_voice  # noqa: E402

LINES = [phrases.number(n) for n in range(1, 21)] + [phrases.set_fray(n) for n in range(1, 21)]
SMOKE_LINES = LINES[:3] + LINES[20:23]
FRAMES = 5000


def us(seconds: list[float]) -> str:
    ordered = sorted(s * 1e6 for s in seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    med = statistics.median(ordered)
    return f"median {med:7.1f} us  p99 {p99:7.1f} us  max {ordered[-1]:7.1f} us"


def bench_say(voice: MixerVoice, lines: list[str]) -> list[float]:
    channel = voice._voice_channel  # the benchmark may look inside

    def start(line: str) -> float:
        voice.hush()
        t0 = time.perf_counter()
        voice.say(line)
        assert channel.get_busy(), "a cached line must be playing when say() returns"
        return time.perf_counter() - t0

    first = [start(line) for line in lines]
    again = [start(line) for line in lines[-20:] for _ in range(20)]  # within the LRU
    print(f"say(), first use of a line:  {us(first)}")
    print(f"say(), line in Sound cache:  {us(again)}")
    voice.hush()
    return again


class NeverReady:
    """A renderer that is forever busy: the line at the head of the queue keeps waiting."""

    def path_for(self, text: str) -> Path | None:
        return None

    def failed(self, text: str) -> bool:
        return False

    def prepare(self, lines: Iterable[str], *, urgent: bool = False) -> None:
        pass

    def discard(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def frames(voice: MixerVoice, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        voice.update()
        out.append(time.perf_counter() - t0)
    return out


def bench_update(voice: MixerVoice, n: int) -> list[float]:
    idle = frames(voice, n)
    print(f"update(), nothing queued:    {us(idle)}")
    waiting = MixerVoice(NeverReady(), stale_after=3600)
    waiting.say("A line whose render never ends.")
    print(f"update(), a line waiting:    {us(frames(waiting, n))}")
    waiting.hush()
    return idle


def bench_frames_while_rendering(data_dir: Path, lines_wanted: list[str], variants: int = 3
                                 ) -> list[float]:
    renderer = Renderer(cache_dir_for(data_dir), voice="en-us", rate=150)
    lines = [f"{line} (variant {i})" for i in range(variants) for line in lines_wanted]
    frame = 1 / 60
    times: list[float] = []
    renderer.prepare(lines)
    t_start = time.perf_counter()
    last = t_start
    while renderer.wait(timeout=0) is False:
        time.sleep(max(0.0, frame - (time.perf_counter() - last)))
        now = time.perf_counter()
        times.append(now - last)
        last = now
    t_end = time.perf_counter()
    renderer.close()
    late = sum(1 for t in times if t > frame * 1.5)
    print(
        f"{len(lines)} lines rendered in {t_end - t_start:.2f} s while a 60 fps loop ran: "
        f"{len(times)} frames, longest {max(times) * 1000:.1f} ms, "
        f"{late} over {frame * 1500:.0f} ms"
    )
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_flag(ap)
    args = ap.parse_args(argv)
    lines, n, variants = (SMOKE_LINES, 500, 1) if args.smoke else (LINES, FRAMES, 3)
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-bench-audio-"))
    voice = open_voice(data_dir=data_dir, voice="en-us", rate=150)
    if not isinstance(voice, MixerVoice):
        print("no mixer: nothing to measure", file=sys.stderr)
        return 1
    with voice:
        renderer = voice._renderer
        assert isinstance(renderer, Renderer)
        t0 = time.perf_counter()
        voice.prepare(lines)
        renderer.wait()
        rendered = sum(renderer.path_for(line) is not None for line in lines)
        print(f"pre-rendered {rendered} of {len(lines)} lines in "
              f"{time.perf_counter() - t0:.2f} s")
        said = bench_say(voice, lines)
        idle = bench_update(voice, n)
    during = bench_frames_while_rendering(data_dir, lines, variants)
    shutil.rmtree(data_dir, ignore_errors=True)
    if not args.smoke:
        return 0
    return smoke.check("bench_latency_audio", {
        "lines rendered": rendered, "say() median us": statistics.median(said) * 1e6,
        "update() median us": statistics.median(idle) * 1e6, "frames while rendering":
        len(during), "longest frame ms": max(during, default=0.0) * 1000})


if __name__ == "__main__":
    sys.exit(main())
