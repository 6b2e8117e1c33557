"""Rendering lines with espeak-ng into the voice cache.

Most tests use the real engine (a line renders in tens of milliseconds) and are skipped where it
is not installed. The failure paths use a stand-in engine that writes a tone, so they run
everywhere, above all where espeak-ng is missing: the case they are for.
"""

from __future__ import annotations

import functools
import math
import re
import shutil
import subprocess
import wave
from array import array
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.words.phrases import speech_seconds
from kiosk.errors import HardwareError, KioskWarning
from kiosk.io import espeak_engine, loudness, tts
from kiosk.io.espeak_engine import UnknownVoice, engine_missing, espeak_synth
from kiosk.io.tts import Renderer, check_wav
from tests.io import soxcheck

LINE = "Exhale as you lift your hips."
HUNG = 300.0  # seconds: only a hung renderer takes this long, even on a Pi Zero

needs_sox = pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")


def espeak_missing() -> bool:
    try:
        espeak_engine.engine()
    except HardwareError:
        return True
    return False


needs_espeak = pytest.mark.skipif(espeak_missing(), reason="no espeak-ng / pyttsx3 here")


def tone_synth(text: str, voice: str, rate: int, out: Path) -> None:
    """A stand-in engine: a real WAV, a tenth of a second of tone per word, no espeak-ng."""
    if voice == "no-such-voice":
        raise UnknownVoice(f"{voice}: no such voice")
    samples = 2205 * max(1, len(text.split()))
    frames = array("h", (int(8000 * math.sin(i / 5)) for i in range(samples)))
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(frames.tobytes())


class Counting:
    """The real synth, counting its calls: a render the user waits for is a call."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str, voice: str, rate: int, out: Path) -> None:
        self.texts.append(text)
        espeak_synth(text, voice, rate, out)


@pytest.fixture
def synth() -> Counting:
    return Counting()


@pytest.fixture
def toned(tmp_path: Path) -> Iterator[Renderer]:
    """A renderer on the stand-in engine."""
    with Renderer(tmp_path / "voice-cache", voice="en-us", rate=150, synth=tone_synth) as r:
        yield r


@pytest.fixture
def renderer(tmp_path: Path, synth: Counting) -> Iterator[Renderer]:
    with Renderer(tmp_path / "voice-cache", voice="en-us", rate=150, synth=synth) as r:
        yield r


def render(r: Renderer, *lines: str) -> list[Path]:
    r.prepare(lines)
    assert r.wait(timeout=HUNG), "rendering did not finish"
    paths = [r.path_for(line) for line in lines]
    missing = [line for line in lines if r.path_for(line) is None]
    assert not missing, f"not rendered: {missing}"
    return [p for p in paths if p is not None]


def sox_stat(path: Path) -> dict[str, float]:
    out = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True).stderr
    return {
        m[1].strip(): float(m[2]) for m in re.finditer(r"^([A-Za-z ()]+):\s+(-?[\d.]+)", out, re.M)
    }


# --- real audio ----------------------------------------------------------------------------
@needs_sox
@needs_espeak
def test_a_rendered_line_is_real_speech_of_the_expected_length(renderer: Renderer) -> None:
    (path,) = render(renderer, LINE)
    stat = sox_stat(path)
    words_seconds = len(LINE.split()) / 150 * 60  # 2.4 s at 150 words per minute
    assert 0.6 * words_seconds < stat["Length (seconds)"] < 1.6 * words_seconds
    assert stat["RMS     amplitude"] > 0.03  # speech, not hiss or silence
    assert 0.2 < stat["Maximum amplitude"] < 0.99  # loud enough, not clipped


LINES = ("Breathe out as you lift your hips.", "Two. Breathe in.",
         "Your pain has gone up. Let's stop here for today.")


@needs_sox
@needs_espeak
def test_every_line_is_trimmed_and_at_the_one_level_and_its_length_is_measured(
    renderer: Renderer, tmp_path: Path
) -> None:
    """The level the tones have too (tests/io/test_tones.py); the length the session paces by."""
    for line, path in zip(LINES, render(renderer, *LINES), strict=True):
        figures = soxcheck.stats(path)
        assert abs(figures["RMS lev dB"] - loudness.TARGET_DBFS) <= loudness.TOLERANCE_DB, line
        assert figures["Pk lev dB"] < -3.0, line  # limited, with room for a tone on top
        assert soxcheck.silence_at_ends(path, tmp_path) < 0.1, line  # the 20 ms pads, no more
        assert renderer.seconds_for(line) == pytest.approx(soxcheck.seconds(path), abs=0.001)
    # Measured, so far shorter than the 150-words-a-minute estimate the session used to take.
    measured = renderer.seconds_for(LINES[0])
    assert measured is not None and measured < speech_seconds(LINES[0], 150) - 0.5
    assert renderer.seconds_for("never rendered") is None


@needs_espeak
def test_the_cache_keeps_one_folder_per_voice_and_prunes_the_others(tmp_path: Path) -> None:
    cache = tmp_path / "voice-cache"
    old = tts.voice_dir(cache, "espeak", "", 150)
    with Renderer(old, voice="") as r:
        render(r, LINE)
    (cache / "0123456789abcdef0123456789abcdef.wav").write_bytes(b"first cache format")
    new = tts.voice_dir(cache, "espeak", "en-us", 150)
    assert new != old and new.parent == old.parent == cache
    assert tts.prune(cache, keep=[new]) == 2
    assert list(cache.iterdir()) == []
    with Renderer(new, voice="en-us") as r:
        (path,) = render(r, LINE)
    assert path.parent == new


@needs_espeak
def test_a_faster_rate_gives_a_shorter_line_in_a_new_file(tmp_path: Path) -> None:
    with Renderer(tmp_path, rate=150) as slow, Renderer(tmp_path, rate=300) as fast:
        (slow_path,) = render(slow, LINE)
        (fast_path,) = render(fast, LINE)
    assert slow_path != fast_path
    assert 0.4 < check_wav(fast_path) / check_wav(slow_path) < 0.8


@needs_espeak
def test_rendering_keeps_stdout_clean(
    renderer: Renderer, capfd: pytest.CaptureFixture[str]
) -> None:
    # The demo prints `say:` lines on stdout; pyttsx3 would add "Audio saved to ...".
    render(renderer, "Keep your shoulders soft.")
    assert capfd.readouterr().out == ""


# --- the cache -----------------------------------------------------------------------------
@needs_espeak
def test_a_cached_line_is_not_rendered_again(renderer: Renderer, synth: Counting) -> None:
    (first,) = render(renderer, LINE)
    mtime = first.stat().st_mtime_ns
    (second,) = render(renderer, LINE)
    assert synth.texts == [LINE]
    assert second == first and first.stat().st_mtime_ns == mtime


@needs_espeak
def test_the_cache_survives_a_restart(tmp_path: Path, synth: Counting) -> None:
    with Renderer(tmp_path, voice="en-us", rate=150, synth=synth) as r:
        (path,) = render(r, LINE)
    with Renderer(tmp_path, voice="en-us", rate=150, synth=synth) as again:
        assert again.path_for(LINE) == path  # found at once, without a prepare
        render(again, LINE)
    assert synth.texts == [LINE]


@needs_espeak
def test_changing_rate_or_voice_renders_anew(tmp_path: Path, synth: Counting) -> None:
    paths = set()
    for voice, rate in (("en-us", 150), ("en-us", 170), ("en", 150)):
        with Renderer(tmp_path, voice=voice, rate=rate, synth=synth) as r:
            paths.update(render(r, LINE))
    assert len(paths) == 3 and len(synth.texts) == 3


@needs_espeak
def test_every_queued_line_is_rendered_to_its_own_file(renderer: Renderer) -> None:
    # pyttsx3 2.99 writes only the last of several save_to_file calls queued before one
    # runAndWait; each line must still get its own, complete file.
    lines = ["One.", "Rest and breathe for thirty seconds.", LINE, "Two."]
    paths = render(renderer, *lines)
    assert len(set(paths)) == len(lines)
    seconds = [check_wav(p) for p in paths]
    assert seconds[1] > seconds[0] * 1.5 and seconds[2] > seconds[3] * 1.5


@needs_espeak
def test_long_lines_back_to_back_each_get_their_own_complete_audio(renderer: Renderer) -> None:
    # espeak-ng delivers audio on its own thread and pyttsx3's runAndWait can return before the
    # file is written; without waiting for it, long lines came out empty or in the wrong file.
    base = "Rest and breathe for thirty seconds. Press GREEN when ready for more."
    repeats = (6, 1, 4, 2, 5, 3)
    paths = render(renderer, *(" ".join([base] * n) for n in repeats))
    per_repeat = [check_wav(p) / n for p, n in zip(paths, repeats, strict=True)]
    assert max(per_repeat) < 1.25 * min(per_repeat)


@needs_espeak
def test_no_temporary_files_are_left_behind(renderer: Renderer) -> None:
    render(renderer, LINE, "Two.")
    assert sorted(p.name.startswith(".") for p in renderer.cache_dir.iterdir()) == [False, False]


@needs_espeak
def test_an_urgent_line_jumps_the_queue(renderer: Renderer, synth: Counting) -> None:
    renderer.prepare([f"Line number {n}." for n in range(20)])
    renderer.prepare(["Stopped."], urgent=True)
    assert renderer.wait(timeout=HUNG)
    assert synth.texts.index("Stopped.") < 3  # the worker may have started one or two already


# --- failures --------------------------------------------------------------------------------
def test_an_unknown_voice_warns_once_and_speaks_with_the_default(tmp_path: Path) -> None:
    with pytest.warns(KioskWarning, match="no voice 'no-such-voice'") as caught:
        with Renderer(tmp_path, voice="no-such-voice", synth=tone_synth) as r:
            r.prepare([LINE, "Two."])
            assert r.wait(timeout=HUNG)
            assert r.path_for(LINE) and r.path_for("Two.")
    assert len([w for w in caught if issubclass(w.category, KioskWarning)]) == 1


def test_no_tts_engine_warns_once_and_serves_cached_lines_only(toned: Renderer) -> None:
    (cached,) = render(toned, LINE)

    def no_engine(text: str, voice: str, rate: int, out: Path) -> None:
        raise HardwareError("no TTS engine: install espeak-ng")

    with pytest.warns(KioskWarning, match="no TTS engine") as caught:
        with Renderer(toned.cache_dir, voice="en-us", rate=150, synth=no_engine) as r:
            r.prepare(["Two.", "Three.", "Four."])
            assert r.wait(timeout=HUNG)
            r.prepare(["Five."])
            assert r.path_for(LINE) == cached
            assert all(r.failed(t) for t in ("Two.", "Three.", "Four.", "Five."))
            assert not r.available
    assert len(caught) == 1


@pytest.mark.parametrize("missing", ["library", "pyttsx3"])
def test_a_missing_engine_is_reported_when_the_renderer_starts(
    toned: Renderer, missing: str
) -> None:
    (cached,) = render(toned, LINE)
    import importlib.util

    real = importlib.util.find_spec
    # espeak-ng and pyttsx3 are installed here: the real search, on a system without one.
    find_engine = (
        functools.partial(engine_missing, libraries=("libespeak-ng-not-here.so.1",))
        if missing == "library" else
        functools.partial(engine_missing,
                          find_spec=lambda name: None if name == "pyttsx3" else real(name)))
    with pytest.warns(KioskWarning, match="no TTS engine") as caught:
        r = Renderer(toned.cache_dir, voice="en-us", rate=150, find_engine=find_engine)
    assert len(caught) == 1  # before any line is asked for: the shell can tell the user
    assert ("libespeak-ng.so.1 not found" if missing == "library" else "pyttsx3") in str(
        caught[0].message)
    with r:
        r.prepare([LINE, "Two."])
        assert r.path_for(LINE) == cached and r.failed("Two.")


@needs_espeak
def test_the_engine_loads_with_the_first_line_not_when_the_renderer_starts(
    tmp_path: Path
) -> None:
    """Start-up only looks for espeak-ng: loading it is 20 ms here, 0.1-0.2 s on a Pi Zero."""
    assert engine_missing() is None

    def asked() -> int:  # how often the process's one engine was asked for, loaded or not
        info = espeak_engine.engine.cache_info()
        return info.hits + info.misses

    before = asked()
    with Renderer(tmp_path, voice="en-us", rate=150) as r:
        assert asked() == before
        r.prepare([LINE], urgent=True)
        assert r.wait(timeout=HUNG) and r.path_for(LINE) is not None
    assert asked() > before  # by the line, in this process


def test_an_engine_that_fails_to_load_later_gives_up_once(tmp_path: Path) -> None:
    """Found at start-up but broken (its voice data gone, say): the first line tells it."""

    def broken(text: str, voice: str, rate: int, out: Path) -> None:  # the synth that loads it
        raise HardwareError("no TTS engine (could not initialize espeak)")

    with pytest.warns(KioskWarning, match="could not initialize espeak") as caught:
        with Renderer(tmp_path, voice="en-us", rate=150, synth=broken) as r:
            r.prepare([LINE, "Two."], urgent=True)
            assert r.wait(timeout=HUNG)
            assert r.failed(LINE) and r.failed("Two.") and not r.available
    assert len([w for w in caught if issubclass(w.category, KioskWarning)]) == 1


def test_a_broken_file_is_never_cached(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def truncated(text: str, voice: str, rate: int, out: Path) -> None:
        tone_synth(text, voice, rate, out)
        out.write_bytes(out.read_bytes()[:1000])  # as if the disk filled up mid-write

    with Renderer(tmp_path, synth=truncated) as r:
        r.prepare([LINE])
        assert r.wait(timeout=HUNG)
        assert r.path_for(LINE) is None and r.failed(LINE)
    assert list(tmp_path.iterdir()) == []
    assert "truncated" in caplog.text


def test_a_line_that_fails_is_reported_once_and_not_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def flaky(text: str, voice: str, rate: int, out: Path) -> None:
        calls.append(text)
        if text == "bad":
            raise RuntimeError("espeak-ng failed")
        tone_synth(text, voice, rate, out)

    with Renderer(tmp_path, synth=flaky) as r:
        for _ in range(3):
            r.prepare(["bad", "good"])
            assert r.wait(timeout=HUNG)
        assert r.failed("bad") and r.path_for("good") and r.available
    assert calls == ["bad", "good"]
    assert caplog.text.count("could not render 'bad'") == 1


def test_an_empty_line_fails_without_a_render(tmp_path: Path) -> None:
    calls: list[str] = []

    def counting(text: str, voice: str, rate: int, out: Path) -> None:
        calls.append(text)
        tone_synth(text, voice, rate, out)

    with Renderer(tmp_path, synth=counting) as r:
        r.prepare(["", "   "])
        assert r.failed("") and r.failed("   ")
    assert calls == []


@needs_espeak
def test_unknown_voice_error_from_the_real_engine(tmp_path: Path) -> None:
    with pytest.raises(UnknownVoice):
        espeak_synth(LINE, "no-such-voice", 150, tmp_path / "x.wav")
    # ...and the engine is still fine afterwards.
    espeak_synth(LINE, "", 150, tmp_path / "y.wav")
    assert check_wav(tmp_path / "y.wav") > 1.0


def test_check_wav_refuses_what_pygame_could_not_play(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "noise.wav").write_bytes(b"RIFF....WAVEfmt garbage")
    for name in ("empty.wav", "noise.wav", "missing.wav"):
        with pytest.raises(ValueError):
            check_wav(tmp_path / name)



def test_the_normaliser_does_what_its_arithmetic_says() -> None:
    """Block by block in C, with the gain worked out first: the same samples as scaling each
    one through the limiter by hand, and the level sox would measure."""
    speech = array("h", (round(9000 * math.sin(i / 7) * math.sin(i / 900) ** 3)
                         for i in range(22050)))
    for i in range(100, len(speech), 700):
        speech[i] = 30000 if i % 2 else -30000  # plosives: peaks far above the line's level
    out = loudness.normalise(speech)
    assert len(out) == len(speech)
    assert abs(loudness.dbfs(loudness.rms(out)) - loudness.TARGET_DBFS) < 0.1
    # The gain it chose, read back from a sample below the knee; every sample follows it.
    i = max(range(len(speech)), key=lambda k: abs(speech[k]) if abs(speech[k]) < 3000 else 0)
    gain = out[i] / speech[i]
    by_hand = [round(loudness._limit(s * gain / loudness.FULL) * loudness.FULL) for s in speech]
    assert max(abs(a - b) for a, b in zip(out, by_hand, strict=True)) <= 2
    assert max(map(abs, out)) < loudness.CEILING * loudness.FULL  # bent, never clipped
    assert max(map(abs, out)) > loudness.KNEE * loudness.FULL  # this one did reach the knee


@needs_espeak
def test_the_button_names_are_said_as_words_not_spelled(tmp_path: Path) -> None:
    """espeak-ng reads a short word in capitals letter by letter ("R, E, D"): the line written
    with the button's name in capitals sounds exactly like the one written in lower case."""
    with Renderer(tmp_path / "cache", voice="en-us") as r:
        caps, lower = render(r, "Hold RED to end, GREEN to go on.",
                             "Hold red to end, green to go on.")
        # Spelled, "R, E, D" took 0.2-0.4 s longer than "red".
        assert check_wav(caps) == pytest.approx(check_wav(lower), abs=0.05)
    assert tts.speakable("Press GREEN, AMBER or RED. REDO") == "Press green, amber or red. REDO"
