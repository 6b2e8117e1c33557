"""One loudness for everything the kiosk plays: every spoken line and every tone.

A person lying on the floor, eyes closed, should never have to reach for the volume between a
tone and a line, or between espeak-ng and the neural voice. So every sound is brought to the
same RMS level (``TARGET_DBFS``), measured the way ``sox FILE -n stats`` reports "RMS lev dB":
over the whole file, full scale 1.0. Leading and trailing silence is trimmed first, because it
would lower the measured level of a short line and delay its start for nothing.

Speech has peaks far above its RMS (a crest factor of 15 to 20 dB), so a line brought up to the
target could clip, and a tone mixed in on top of it would. Peaks above ``KNEE`` are bent smoothly
towards ``CEILING`` instead (a soft limiter), and the gain is corrected once more for what that
took away, so the level lands within a fraction of a decibel of the target. The ceiling leaves
room for the loudest tone (peak -9 dBFS) on top of the loudest line: 0.65 + 0.36 at the default
volume 0.9 stays under full scale, so SDL never clips the mix.

Standard library only, and no numpy in the kiosk's process: numpy alone would add about 25 MB
to it (the kiosk's RSS budget with the neural voice is 250 MB, worker included). The work runs
at the speed of C all the same: ``sum``, ``map``, ``max`` and ``min`` over blocks of ``BLOCK``
samples, the per-sample Python only for the peaks beyond the limiter's knee. A four-second line
takes 50-100 ms here (numpy took 15-30), several times that on a Pi Zero 2 W: the lines are
rendered ahead, so this only delays the first day's pre-rendering a little. After every block the
render thread lets go of the interpreter lock (``time.sleep(0)``), so the frame loop never waits
on it for more than a block.
"""

from __future__ import annotations

import math
import operator
import sys
import time
import wave
from array import array
from collections.abc import Iterator, Sequence
from itertools import compress
from pathlib import Path
from typing import TypeVar

TARGET_DBFS = -20.0
TOLERANCE_DB = 1.0  # what the tests hold every line and tone to (the "within 1 dB")
KNEE = 0.45  # samples above this (of full scale) are bent, never clipped...
CEILING = 0.65  # ...towards this, which they never reach (-3.7 dBFS)
SILENCE = 0.01  # -40 dBFS: quieter than this at either end is silence
PAD_SECONDS = 0.02  # kept before and after the sound, so a soft onset is not cut
FULL = 32767
# Samples handled at once by C code, holding the interpreter lock (about 0.1 ms here), after
# which the lock is handed over: with espeak-ng rendering a day's lines, bench_voice.py measured
# the frame loop's longest gap at 60-70 ms when the lock was handed over every 8 blocks, and no
# longer than with nothing rendering (36 ms) when it is handed over after every block.
BLOCK = 1024
YIELD_EVERY = 1  # blocks between two explicit hand-overs of the lock
_S = TypeVar("_S", int, float)


def rms(samples: array[int] | list[float]) -> float:
    """Root mean square as a fraction of full scale (0 for no samples)."""
    if not samples:
        return 0.0
    return math.sqrt(_sum_of_squares(samples) / len(samples)) / FULL


def _sum_of_squares(samples: array[int] | list[float]) -> float:
    return math.fsum(math.fsum(map(operator.mul, block, block)) for block in _blocks(samples))


def _blocks(samples: Sequence[_S]) -> Iterator[Sequence[_S]]:
    """``samples`` a block at a time; every few blocks, the frame loop gets the lock."""
    for n, start in enumerate(range(0, len(samples), BLOCK), start=1):
        yield samples[start:start + BLOCK]
        if n % YIELD_EVERY == 0:
            time.sleep(0)


def dbfs(level: float) -> float:
    return 20 * math.log10(level) if level > 0 else -math.inf


def trim(samples: array[int], rate: int) -> array[int]:
    """``samples`` without the silence at either end (a short pad is kept)."""
    first = _first_sound(samples, range(0, len(samples), BLOCK))
    if first is None:
        return samples  # all silence: check_wav refuses it, with a reason
    last = _first_sound(samples, range(len(samples) - 1, -1, -BLOCK), backwards=True)
    assert last is not None
    pad = round(PAD_SECONDS * rate)
    return samples[max(0, first - pad):min(len(samples), last + pad + 1)]


def _first_sound(samples: array[int], starts: range, *, backwards: bool = False) -> int | None:
    """The index of the first sample louder than ``SILENCE``, looking a block at a time from
    each of ``starts`` (blocks end at each start when ``backwards``)."""
    floor = SILENCE * FULL
    for start in starts:
        lo, hi = (max(0, start - BLOCK + 1), start + 1) if backwards else (start, start + BLOCK)
        block = samples[lo:hi]
        if max(block) > floor or min(block) < -floor:
            order = range(len(block) - 1, -1, -1) if backwards else range(len(block))
            return lo + next(i for i in order if abs(block[i]) > floor)
    return None


def _limit(x: float) -> float:
    """A soft knee: identity up to KNEE, then a tanh curve that never reaches CEILING."""
    a = abs(x)
    if a <= KNEE:
        return x
    room = CEILING - KNEE
    bent = KNEE + room * math.tanh((a - KNEE) / room)
    return math.copysign(bent, x)


def _loud(samples: array[int], level: float) -> list[int]:
    """The samples louder than ``level`` (of full scale), found by ``compress`` in C."""
    above = level * FULL
    return [s for block in _blocks(samples) for s in compress(block, map(above.__lt__,
                                                                           map(abs, block)))]


def _energy(gain: float, total: float, loud: list[int]) -> float:
    """The sum of squares of ``samples`` scaled by ``gain`` through the limiter, from their
    plain sum of squares and their loud samples only: the limiter bends no others."""
    knee = KNEE * FULL / gain
    bent = [s for s in loud if abs(s) > knee]
    linear = total - math.fsum(s * s for s in bent)
    return gain * gain * linear + math.fsum((_limit(s * gain / FULL) * FULL) ** 2 for s in bent)


def _scaled(samples: array[int], gain: float) -> array[int]:
    """``samples`` times ``gain``, peaks through the limiter. ``map`` scales each block at the
    speed of C (``int`` rounds towards zero: under one step of 16 bits); Python touches only
    the peaks beyond the knee."""
    out = array("h")
    knee = KNEE * FULL / gain  # the input level that reaches the knee
    for block in _blocks(samples):
        if max(block) <= knee and min(block) >= -knee:
            out.extend(map(int, map(gain.__mul__, block)))
            continue
        scaled = list(map(int, map(gain.__mul__, block)))
        for i in compress(range(len(block)), map(knee.__lt__, map(abs, block))):
            scaled[i] = round(_limit(block[i] * gain / FULL) * FULL)
        out.extend(scaled)
    return out


def normalise(samples: array[int], target_dbfs: float = TARGET_DBFS) -> array[int]:
    """``samples`` brought to ``target_dbfs`` RMS, peaks softly limited below full scale.

    The gain is worked out before anything is scaled: the limiter takes a little off the
    loudest lines, so the gain is corrected once for that, from the loud samples alone. Only
    then is every sample scaled, once.
    """
    total = _sum_of_squares(samples)
    if total == 0:
        return samples
    want = 10 ** (target_dbfs / 20)
    gain = want / (math.sqrt(total / len(samples)) / FULL)
    # A correction never raises the gain by 2 or more: that would need the limiter to take
    # three quarters of the line's energy. Samples below knee / (2 * gain) are never bent.
    loud = _loud(samples, KNEE / (2 * gain))
    after = math.sqrt(_energy(gain, total, loud) / len(samples)) / FULL
    if after > 0 and abs(dbfs(after) - target_dbfs) > 0.1:
        gain *= want / after
    return _scaled(samples, gain)


def read_pcm(path: Path) -> tuple[array[int], int]:
    """The mono 16-bit samples of a WAV file and its sample rate."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path.name}: expected mono 16-bit PCM, got {w.getnchannels()} "
                             f"channel(s) of {8 * w.getsampwidth()} bits")
        rate = w.getframerate()
        samples = array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples, rate


def write_pcm(path: Path, samples: array[int], rate: int) -> None:
    data = array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())


def normalise_file(path: Path) -> None:
    """Trim the silence at both ends of a WAV file and bring it to the kiosk's level, in place."""
    samples, rate = read_pcm(path)
    out = normalise(trim(samples, rate))
    # The gain may have lifted a quiet fade above the silence floor, or lowered one under it:
    # trim once more at the final level, as sox will measure it.
    again = trim(out, rate)
    write_pcm(path, normalise(again) if len(again) < len(out) else out, rate)
