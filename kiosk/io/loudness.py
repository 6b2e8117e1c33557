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

Standard library only (``array``): the espeak-ng renderer runs this in the kiosk's own process,
where numpy is not a dependency. A four-second line takes a few tens of milliseconds, on the
render thread, which lets go of the interpreter lock after every ``BLOCK`` samples so that the
frame loop never waits on it for long.
"""

from __future__ import annotations

import math
import sys
import time
import wave
from array import array
from pathlib import Path
from typing import Any as _Any

_np: _Any
try:  # optional: with the voice extra installed, normalising runs in C
    import numpy as _numpy

    _np = _numpy
except ImportError:  # the kiosk's own dependencies do not include numpy
    _np = None

TARGET_DBFS = -20.0
TOLERANCE_DB = 1.0  # what the tests hold every line and tone to (the "within 1 dB")
KNEE = 0.45  # samples above this (of full scale) are bent, never clipped...
CEILING = 0.65  # ...towards this, which they never reach (-3.7 dBFS)
SILENCE = 0.01  # -40 dBFS: quieter than this at either end is silence
PAD_SECONDS = 0.02  # kept before and after the sound, so a soft onset is not cut
FULL = 32767
BLOCK = 4096  # samples between two chances for the frame loop to take the interpreter lock


def rms(samples: array[int] | list[float]) -> float:
    """Root mean square as a fraction of full scale (0 for no samples)."""
    if not samples:
        return 0.0
    total = 0.0
    for start in range(0, len(samples), BLOCK):
        total += math.fsum(s * s for s in samples[start:start + BLOCK])
        time.sleep(0)  # let the frame loop in
    return math.sqrt(total / len(samples)) / FULL


def dbfs(level: float) -> float:
    return 20 * math.log10(level) if level > 0 else -math.inf


def trim(samples: array[int], rate: int) -> array[int]:
    """``samples`` without the silence at either end (a short pad is kept)."""
    floor = SILENCE * FULL
    first = next((i for i, s in enumerate(samples) if abs(s) > floor), None)
    if first is None:
        return samples  # all silence: check_wav refuses it, with a reason
    last = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > floor)
    pad = round(PAD_SECONDS * rate)
    return samples[max(0, first - pad):min(len(samples), last + pad + 1)]


def _limit(x: float) -> float:
    """A soft knee: identity up to KNEE, then a tanh curve that never reaches CEILING."""
    a = abs(x)
    if a <= KNEE:
        return x
    room = CEILING - KNEE
    bent = KNEE + room * math.tanh((a - KNEE) / room)
    return math.copysign(bent, x)


def _scaled(samples: array[int], gain: float) -> array[int]:
    out = array("h", bytes(2 * len(samples)))
    for i, s in enumerate(samples):
        out[i] = round(_limit(s * gain / FULL) * FULL)
        if i % BLOCK == 0:
            time.sleep(0)  # let the frame loop in
    return out


def normalise(samples: array[int], target_dbfs: float = TARGET_DBFS) -> array[int]:
    """``samples`` brought to ``target_dbfs`` RMS, peaks softly limited below full scale.

    With numpy there (the neural voice's extra brings it), the same arithmetic runs in C: a
    hundred times faster, and the frame loop's interpreter lock is free meanwhile.
    """
    if _np is not None:
        return _normalise_np(samples, target_dbfs)
    level = rms(samples)
    if level == 0:
        return samples
    want = 10 ** (target_dbfs / 20)
    out = _scaled(samples, want / level)
    # The limiter took a little off the loudest lines: correct for it once.
    after = rms(out)
    if after > 0 and abs(dbfs(after) - target_dbfs) > 0.1:
        out = _scaled(samples, want / level * want / after)
    return out


def _normalise_np(samples: array[int], target_dbfs: float) -> array[int]:
    assert _np is not None
    x = _np.frombuffer(samples, dtype=_np.int16).astype(_np.float64) / FULL
    level = float(_np.sqrt(_np.mean(x * x))) if len(x) else 0.0
    if level == 0:
        return samples
    want = 10 ** (target_dbfs / 20)

    def scaled(gain: float) -> _Any:
        y = x * gain
        a = _np.abs(y)
        room = CEILING - KNEE
        bent = KNEE + room * _np.tanh((a - KNEE) / room)
        return _np.where(a > KNEE, _np.copysign(bent, y), y)

    y = scaled(want / level)
    after = float(_np.sqrt(_np.mean(y * y)))
    if after > 0 and abs(dbfs(after) - target_dbfs) > 0.1:
        y = scaled(want / level * want / after)
    out = array("h")
    out.frombytes(_np.round(y * FULL).astype(_np.int16).tobytes())
    return out


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
