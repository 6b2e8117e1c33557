"""Playback through pygame.mixer, heard through SDL's ``disk`` audio driver.

The disk driver writes what a speaker would play, in real time, as raw 16-bit samples into
``SDL_DISKAUDIOFILE``; the tests read that back. Test lines are short synthetic WAVs of distinct
loudness, so the order of lines can be read off the recording. One test uses a real espeak line.
"""

from __future__ import annotations

import io
import math
import time
import wave
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pygame
import pytest

from kiosk.core.data.events import Hush, Say, Tone
from kiosk.devices import NullVoice, PrintVoice, RecordingVoice, TeeVoice, Voice
from kiosk.errors import KioskWarning
from kiosk.io import voice as v
from kiosk.io.tones import NAMES as TONE_NAMES
from kiosk.io.tts import Renderer, cache_dir_for
from kiosk.io.voice import MixerVoice, open_voice
from kiosk.ui import fonts

RATE = 22050
LOUD = 0.02  # anything above this (of full scale) is sound, not silence
HUNG = 120.0  # seconds: only a hung mixer or renderer takes this long
BUFFER = 256 / RATE  # the speaker's buffer, in seconds (Speaker.open)


# --- the speaker: SDL's disk driver ---------------------------------------------------------
class Speaker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self) -> None:
        pygame.mixer.init(frequency=RATE, size=-16, channels=1, buffer=256)

    def played(self) -> float:
        """Seconds of sound played so far: what the disk driver has written."""
        try:
            return self.path.stat().st_size / 2 / RATE
        except FileNotFoundError:
            return 0.0

    def play(self, seconds: float) -> None:
        """Wait until the speaker has played ``seconds`` more. The disk driver writes at the
        speaker's own pace, so this waits on the sound itself, not on a guessed time."""
        want = self.played() + seconds
        end = time.monotonic() + HUNG
        while self.played() < want:
            assert time.monotonic() < end, "the speaker stopped playing"
            time.sleep(0.002)

    def recording(self) -> array[int]:
        """Everything played so far; closes the mixer (if still open) so the file is complete."""
        pygame.mixer.quit()
        samples = array("h")
        samples.frombytes(self.path.read_bytes())
        return samples


@pytest.fixture
def speaker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Speaker]:
    # SDL reads these when the audio subsystem starts, so they are set before any init.
    out = tmp_path / "speaker.raw"
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(out))
    yield Speaker(out)
    pygame.mixer.quit()
    pygame.quit()
    fonts.forget()  # pygame.quit() killed every cached font; a later screen would draw with them


def segments(samples: array[int], window: int = RATE // 100) -> list[tuple[float, float]]:
    """(peak, seconds) of each stretch of sound, in order, found in 10 ms windows."""
    found: list[tuple[float, float]] = []
    peak, length = 0.0, 0
    for i in range(0, len(samples), window):
        chunk = samples[i : i + window]
        level = max(max(chunk), -min(chunk)) / 32768
        if level > LOUD:
            peak, length = max(peak, level), length + len(chunk)
        elif length:
            found.append((round(peak, 2), length / RATE))
            peak, length = 0.0, 0
    if length:
        found.append((round(peak, 2), length / RATE))
    return found


def sounding(samples: array[int]) -> float:
    return sum(seconds for _, seconds in segments(samples))


# --- lines that are "rendered" instantly -------------------------------------------------------
def tone_wav(path: Path, amplitude: float, seconds: float) -> Path:
    """A 440 Hz line of given loudness, ending in 50 ms of silence like an espeak line."""
    n = int(seconds * RATE)
    body = [amplitude * math.sin(2 * math.pi * 440 * i / RATE) for i in range(n)]
    pcm = array("h", (round(s * 32767) for s in body + [0.0] * (RATE // 20)))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    path.write_bytes(buf.getvalue())
    return path


class FakeLines:
    """Stands in for the Renderer: ``add`` a line to have it cached, ``hold`` to keep it pending."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, Path] = {}
        self.held: set[str] = set()
        self.broken: set[str] = set()
        self.requested: list[tuple[str, bool]] = []
        self.closed = False

    def add(self, text: str, amplitude: float, seconds: float = 0.1) -> None:
        self.files[text] = tone_wav(self.directory / f"{len(self.files)}.wav", amplitude, seconds)

    def path_for(self, text: str) -> Path | None:
        return None if text in self.held else self.files.get(text)

    def failed(self, text: str) -> bool:
        return text in self.broken

    def prepare(self, lines: Iterable[str], *, urgent: bool = False) -> None:
        self.requested += [(line, urgent) for line in lines]

    def discard(self, text: str) -> None:
        self.files.pop(text, None)

    def seconds_for(self, text: str) -> float | None:
        path = self.path_for(text)
        if path is None:
            return None
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def lines(tmp_path: Path) -> FakeLines:
    fake = FakeLines(tmp_path)
    fake.add("quiet", 0.2)
    fake.add("medium", 0.4)
    fake.add("loud", 0.6)
    return fake


@pytest.fixture
def mixer_voice(speaker: Speaker, lines: FakeLines) -> Iterator[MixerVoice]:
    speaker.open()
    # sounds_kept=2 so that these tests also play lines evicted from the Sound cache.
    with MixerVoice(lines, volume=1.0, sounds_kept=2) as voice:
        yield voice


def play_out(voice: Voice, speaker: Speaker) -> None:
    """Run the frame loop until the voice is quiet, then let the last buffers reach the file."""
    end = time.monotonic() + HUNG
    while voice.speaking:
        assert time.monotonic() < end, "the voice never finished"
        voice.update()
        time.sleep(1 / 100)
    speaker.play(4 * BUFFER)


def peaks(samples: array[int]) -> list[float]:
    """The loudness of each line heard, in order, whether or not silence separates them."""
    window = RATE // 100
    levels = []
    for i in range(0, len(samples), window):
        chunk = samples[i : i + window]
        level = max(max(chunk), -min(chunk)) / 32768
        levels.append(round(level, 1) if level > LOUD else 0.0)
    runs: list[tuple[float, int]] = []
    for level in levels:
        if runs and runs[-1][0] == level:
            runs[-1] = (level, runs[-1][1] + 1)
        else:
            runs.append((level, 1))
    # A single window is the edge of a line (part sound, part silence), not a line.
    return [level for level, n in runs if level and n > 1]


# --- MixerVoice ---------------------------------------------------------------------------------
def test_lines_play_one_after_another_in_order(
    mixer_voice: MixerVoice, speaker: Speaker
) -> None:
    for text in ("medium", "quiet", "loud", "quiet"):
        mixer_voice.say(text)
    play_out(mixer_voice, speaker)
    assert peaks(speaker.recording()) == [0.4, 0.2, 0.6, 0.2]


def test_a_cached_line_starts_inside_say_without_waiting_for_a_frame(
    mixer_voice: MixerVoice, speaker: Speaker
) -> None:
    mixer_voice.say("loud")
    speaker.play(0.3)  # no update() at all
    assert peaks(speaker.recording()) == [0.6]


def test_interrupt_cuts_off_the_line_and_drops_the_queue(
    mixer_voice: MixerVoice, lines: FakeLines, speaker: Speaker
) -> None:
    lines.add("long", 0.4, seconds=20.0)
    mixer_voice.say("long")
    mixer_voice.say("quiet")
    speaker.play(0.2)
    mixer_voice.say("loud", interrupt=True)
    play_out(mixer_voice, speaker)
    heard = speaker.recording()
    assert peaks(heard) == [0.4, 0.6]  # "quiet" was dropped
    assert sounding(heard) < 10  # "long" was cut far short of its 20 s


def test_hush_stops_speech_and_tones_and_drops_the_queue(
    mixer_voice: MixerVoice, lines: FakeLines, speaker: Speaker
) -> None:
    lines.add("long", 0.4, seconds=20.0)
    mixer_voice.say("long")
    mixer_voice.say("loud")
    mixer_voice.tone("exhale")
    speaker.play(0.2)
    mixer_voice.hush()
    assert not mixer_voice.speaking
    heard_at_hush = speaker.played()
    play_out(mixer_voice, speaker)
    speaker.play(0.5)  # the rest of "long", "loud" and the tone would be here
    heard = speaker.recording()
    assert sounding(heard) < heard_at_hush + 0.1  # nothing after the hush but a buffer


def test_a_line_not_yet_rendered_plays_once_it_is(
    mixer_voice: MixerVoice, lines: FakeLines, speaker: Speaker
) -> None:
    lines.held.add("medium")
    mixer_voice.say("medium")
    mixer_voice.say("loud")
    assert ("medium", True) in lines.requested  # its render jumps the renderer's queue
    for _ in range(10):
        mixer_voice.update()
        time.sleep(0.01)
    assert mixer_voice.speaking  # waiting, and "loud" waits behind it
    lines.held.clear()
    play_out(mixer_voice, speaker)
    assert peaks(speaker.recording()) == [0.4, 0.6]


def test_a_line_hushed_while_rendering_is_never_heard(
    mixer_voice: MixerVoice, lines: FakeLines, speaker: Speaker
) -> None:
    lines.held.add("loud")
    mixer_voice.say("loud")
    mixer_voice.hush()
    lines.held.clear()
    play_out(mixer_voice, speaker)
    assert peaks(speaker.recording()) == []


def test_a_line_that_cannot_be_rendered_is_dropped(
    mixer_voice: MixerVoice, lines: FakeLines, speaker: Speaker
) -> None:
    lines.held.add("medium")
    lines.broken.add("medium")
    mixer_voice.say("medium")
    mixer_voice.say("loud")
    play_out(mixer_voice, speaker)
    assert peaks(speaker.recording()) == [0.6]


def test_a_line_still_not_rendered_after_a_while_is_dropped(
    speaker: Speaker, lines: FakeLines, caplog: pytest.LogCaptureFixture
) -> None:
    speaker.open()
    now = [0.0]
    with MixerVoice(lines, volume=1.0, stale_after=5.0, clock=lambda: now[0]) as voice:
        lines.held.update({"quiet", "medium"})
        voice.say("quiet")
        voice.say("medium")
        voice.say("loud")
        now[0] = 6.0
        play_out(voice, speaker)
    assert peaks(speaker.recording()) == [0.6]
    assert caplog.text.count("not rendered within") == 1  # once, not once per line


def test_a_tone_plays_alongside_speech(
    mixer_voice: MixerVoice, lines: FakeLines, speaker: Speaker
) -> None:
    lines.add("long", 0.4, seconds=0.4)
    mixer_voice.say("long")
    mixer_voice.tone("tick")
    mixer_voice.tone("tick")
    assert mixer_voice.speaking
    play_out(mixer_voice, speaker)
    ((peak, seconds),) = segments(speaker.recording())
    assert seconds >= 0.4  # the ticks did not cut the line short
    assert peak > 0.4  # they were mixed in on top of it


def test_every_tone_is_heard(speaker: Speaker) -> None:
    speaker.open()
    with MixerVoice(FakeLines(speaker.path.parent), volume=1.0) as voice:
        for name in TONE_NAMES:
            voice.tone(name)
            speaker.play(0.12)
            voice.hush()
            speaker.play(0.05)  # a gap, so each tone is its own stretch of sound
    assert len(segments(speaker.recording())) == len(TONE_NAMES)


def test_tones_play_at_the_voice_level(speaker: Speaker) -> None:
    speaker.open()
    with MixerVoice(FakeLines(speaker.path.parent), volume=0.8) as voice:
        voice.tone("tick")
        speaker.play(0.15)
    # Tones and lines have the same RMS in their files (kiosk/io/loudness.py), so the tone
    # channel plays at the voice's own volume: the file's peak, scaled by the volume alone.
    with wave.open(str(v.AUDIO_DIR / "tick.wav"), "rb") as w:
        samples = array("h", w.readframes(w.getnframes()))
    file_peak = max(abs(s) for s in samples) / 32768
    ((peak, _),) = segments(speaker.recording())
    assert v.TONE_GAIN == 1.0
    assert peak == pytest.approx(file_peak * 0.8, abs=0.02)


def test_volume_scales_speech(speaker: Speaker, lines: FakeLines) -> None:
    speaker.open()
    with MixerVoice(lines, volume=0.5) as voice:
        voice.say("loud")
        play_out(voice, speaker)
    assert peaks(speaker.recording()) == [0.3]


def test_an_unknown_tone_is_logged_once(
    mixer_voice: MixerVoice, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(3):
        mixer_voice.tone("gong")
    assert caplog.text.count("no tone 'gong'") == 1


def test_missing_tones_warn_once_and_speech_still_works(
    speaker: Speaker, lines: FakeLines, tmp_path: Path
) -> None:
    speaker.open()
    with pytest.warns(KioskWarning, match="inhale, exhale, tick, chime, alert") as caught:
        voice = MixerVoice(lines, tmp_path / "nowhere", volume=1.0)
    with voice:
        voice.tone("chime")
        voice.say("loud")
        play_out(voice, speaker)
    assert len(caught) == 1
    assert peaks(speaker.recording()) == [0.6]


def test_a_cached_file_that_will_not_load_is_dropped_and_discarded(
    mixer_voice: MixerVoice, lines: FakeLines, speaker: Speaker
) -> None:
    lines.files["medium"].write_bytes(b"not a wav")
    mixer_voice.say("medium")
    mixer_voice.say("loud")
    play_out(mixer_voice, speaker)
    assert peaks(speaker.recording()) == [0.6]
    assert "medium" not in lines.files  # so the next prepare renders it again


def test_close_is_safe_twice_and_silences_everything(
    mixer_voice: MixerVoice, lines: FakeLines
) -> None:
    mixer_voice.say("loud")
    mixer_voice.close()
    mixer_voice.close()
    mixer_voice.say("quiet")
    mixer_voice.tone("tick")
    mixer_voice.update()
    assert not mixer_voice.speaking and lines.closed


def test_close_after_pygame_quit_is_harmless(mixer_voice: MixerVoice) -> None:
    mixer_voice.say("loud")
    pygame.quit()
    fonts.forget()
    mixer_voice.close()


# --- the real thing: espeak line, renderer and open_voice -------------------------------------
LINE = "Breathe in."


def test_a_rendered_line_is_heard_through_open_voice(speaker: Speaker, tmp_path: Path) -> None:
    with Renderer(cache_dir_for(tmp_path), voice="en-us", rate=150) as renderer:
        renderer.prepare([LINE])
        assert renderer.wait(timeout=HUNG)
    voice = open_voice(data_dir=tmp_path, voice="en-us", rate=150, volume=1.0)
    assert isinstance(voice, MixerVoice)
    with voice:  # open_voice opened the mixer, so closing the voice closes it and the file
        voice.say(LINE)
        play_out(voice, speaker)
    heard = speaker.recording()
    rms = math.sqrt(sum(s * s for s in heard) / len(heard)) / 32768
    assert 0.5 < sounding(heard) < 1.5  # the whole line, about 0.8 s at 150 wpm
    assert rms > 0.02


def test_an_unrendered_line_is_rendered_and_then_heard(speaker: Speaker, tmp_path: Path) -> None:
    voice = open_voice(data_dir=tmp_path, voice="en-us", rate=150, volume=1.0)
    assert isinstance(voice, MixerVoice)
    with voice:
        voice.say("Two.")  # not in the cache: rendered first, then played
        play_out(voice, speaker)
    assert 0.2 < sounding(speaker.recording()) < 1.0


def test_no_audio_device_means_a_null_voice_and_one_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    try:
        with pytest.warns(KioskWarning) as caught:
            voice = open_voice(data_dir=tmp_path)
    finally:
        pygame.quit()
        fonts.forget()
    assert isinstance(voice, NullVoice)
    assert len(caught) == 1
    assert str(caught[0].message).startswith(v.NO_AUDIO)
    voice.say("Hello.")  # and the kiosk carries on
    assert not voice.speaking


def test_headless_is_silent_without_a_warning(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    voice = open_voice(data_dir=tmp_path, headless=True)
    assert isinstance(voice, NullVoice) and not recwarn.list
    assert not pygame.mixer.get_init()


def test_echo_prints_every_line_and_still_speaks(tmp_path: Path) -> None:
    out = io.StringIO()
    voice = open_voice(data_dir=tmp_path, headless=True, echo=out)
    voice.say("Set one of three.")
    voice.tone("chime")
    voice.say("Stopped.", interrupt=True)
    voice.close()
    assert out.getvalue() == "say: Set one of three.\nsay: Stopped.\n"


# --- the twins -----------------------------------------------------------------------------------
TWINS: list[Callable[[], Voice]] = [NullVoice, PrintVoice, RecordingVoice, TeeVoice]


@pytest.mark.parametrize("make", TWINS)
def test_every_twin_is_a_voice(make: Callable[[], Voice]) -> None:
    voice = make()
    assert isinstance(voice, Voice)
    voice.prepare(["One."])
    voice.say("One.")
    voice.update()
    voice.close()
    voice.close()


def test_print_voice_writes_say_lines(capsys: pytest.CaptureFixture[str]) -> None:
    voice = PrintVoice()
    voice.say("Breathe in.")
    voice.tone("inhale")
    voice.hush()
    assert capsys.readouterr().out == "say: Breathe in.\n"


def test_recording_voice_records_calls_as_effects() -> None:
    voice = RecordingVoice()
    voice.say("One.")
    voice.tone("tick")
    voice.say("Stopped.", interrupt=True)
    voice.hush()
    voice.prepare(["Two.", "Three."])
    voice.update()
    assert voice.calls == [Say("One."), Tone("tick"), Say("Stopped.", True), Hush()]
    assert voice.said == ["One.", "Stopped."] and voice.tones == ["tick"]
    assert voice.prepared == ["Two.", "Three."] and voice.updates == 1
    voice.speaking = True
    assert voice.speaking


def test_tee_voice_forwards_to_all() -> None:
    a, b = RecordingVoice(), RecordingVoice()
    tee = TeeVoice(a, b)
    tee.say("One.")
    tee.prepare(line for line in ["Two."])  # a generator reaches both
    assert not tee.speaking
    b.speaking = True
    assert tee.speaking
    tee.close()
    assert a.said == b.said == ["One."] and a.prepared == b.prepared == ["Two."]
    assert a.closed and b.closed
