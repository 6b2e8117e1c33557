"""The committed tones: present, the right length, audible but gentle, and reproducible."""

from __future__ import annotations

import shutil
import subprocess
import wave
from array import array
from pathlib import Path

import pytest

from kiosk.io import loudness, tones

needs_sox = pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")


def sox_stats(path: Path) -> dict[str, float]:
    """``sox FILE -n stats``: its level figures in dB, by name ("RMS lev dB", "Pk lev dB")."""
    out = subprocess.run(["sox", str(path), "-n", "stats"], capture_output=True, text=True,
                         check=True).stderr
    figures = {}
    for row in out.splitlines():
        name, _, value = row.rpartition(" ")
        if name.strip().endswith("dB"):
            figures[name.strip()] = float(value)
    return figures

AUDIO = Path(__file__).resolve().parents[2] / "audio"

# Expected lengths in seconds: a tick is a blip, the breath tones last about a second.
LENGTHS = {"inhale": 0.9, "exhale": 1.1, "tick": 0.07, "chime": 1.08, "alert": 0.33,
           "nope": 0.18, "held": 0.4}


def read(path: Path) -> tuple[wave._wave_params, array[int]]:
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        samples = array("h", w.readframes(w.getnframes()))
    return params, samples


def peak(samples: array[int]) -> float:
    return max(max(samples), -min(samples)) / 32768


def rms(samples: array[int]) -> float:
    return (sum(s * s for s in samples) / len(samples)) ** 0.5 / 32768


@pytest.mark.parametrize("name", tones.NAMES)
def test_tone_is_committed_with_the_right_format_and_length(name: str) -> None:
    params, _ = read(AUDIO / f"{name}.wav")
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 22050)
    assert params.nframes / params.framerate == pytest.approx(LENGTHS[name], abs=0.01)


@needs_sox
@pytest.mark.parametrize("name", tones.NAMES)
def test_tone_is_as_loud_as_every_spoken_line_and_never_clips(name: str) -> None:
    """Measured by sox, as the spoken lines are (tests/io/test_tts.py): the same RMS level."""
    stats = sox_stats(AUDIO / f"{name}.wav")
    assert abs(stats["RMS lev dB"] - loudness.TARGET_DBFS) <= loudness.TOLERANCE_DB
    # Room left for a line on top of it: the mix stays under full scale (kiosk/io/voice.py).
    assert stats["Pk lev dB"] < -8.0


@pytest.mark.parametrize("name", tones.NAMES)
def test_tone_fades_in_and_out_without_a_click(name: str) -> None:
    _, samples = read(AUDIO / f"{name}.wav")
    # The first and last millisecond stay well under the peak: no hard edge.
    edge = 22
    assert peak(samples[:edge]) < 0.1
    assert peak(samples[-edge:]) < 0.1
    # ...and no sample jumps far from the one before, which is what a click is.
    biggest_step = max(abs(b - a) for a, b in zip(samples, samples[1:], strict=False)) / 32768
    assert biggest_step < 0.25


def test_inhale_rises_and_exhale_falls() -> None:
    def pitch(samples: array[int]) -> float:
        """Rising zero crossings per second: the pitch of a nearly pure tone."""
        ups = sum(1 for a, b in zip(samples, samples[1:], strict=False) if a < 0 <= b)
        return ups * 22050 / len(samples)

    for name, rising in (("inhale", True), ("exhale", False)):
        _, s = read(AUDIO / f"{name}.wav")
        third = len(s) // 3
        start, end = pitch(s[:third]), pitch(s[-third:])
        assert (end > start * 1.2) if rising else (end < start / 1.2), name


def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    assert tones.main([str(tmp_path)]) == 0
    for name in tones.NAMES:
        fresh = (tmp_path / f"{name}.wav").read_bytes()
        assert fresh == (AUDIO / f"{name}.wav").read_bytes(), (
            f"audio/{name}.wav is stale: run `python -m kiosk.io.tones audio/` and commit it"
        )


def test_unknown_tone_names_the_real_ones() -> None:
    with pytest.raises(ValueError, match="inhale, exhale, tick, chime, alert"):
        tones.wav_bytes("gong")
