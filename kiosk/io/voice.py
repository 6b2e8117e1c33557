"""Speak lines and play tones: pygame.mixer playback (its twins are in ``kiosk.devices``).

The main loop owns a ``Voice``. It turns the core's effects into calls (``Say`` -> ``say``,
``Tone`` -> ``tone``, ``Hush`` -> ``hush``) and calls ``update()`` once per frame. Nothing here
blocks: speech is rendered ahead of time by ``kiosk.io.tts.Renderer`` on its own thread, and
playback is pygame.mixer's, on SDL's audio thread.

The audio driver is SDL's choice, read from ``SDL_AUDIODRIVER`` when the mixer opens. The shell
decides it (unset on the kiosk; ``disk`` or ``dummy`` in tests) and must set it before
``pygame.init()`` or ``open_voice()``, whichever comes first.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
import warnings
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, TextIO

from kiosk.devices import NullVoice, PrintVoice, TeeVoice, Voice
from kiosk.errors import HardwareError, KioskWarning
from kiosk.io.espeak import espeak_renderer
from kiosk.io.tones import NAMES as TONE_NAMES
from kiosk.io.tones import SAMPLE_RATE
from kiosk.io.tts import Renderer, cache_dir_for, prune, voice_dir

# pygame prints a banner on first import; the demo's stdout carries only `say:` lines.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402

log = logging.getLogger(__name__)

AUDIO_DIR = Path(__file__).resolve().parent.parent.parent / "audio"
NO_AUDIO = "no audio device: running silently, the screen shows every spoken line"
# Every line and every tone is at the same RMS level in its file (kiosk/io/loudness.py): they play
# at the same volume. Lines peak below 0.65 and tones below 0.36, so at the default volume 0.9 a
# line and a tone together reach 0.9 * (0.65 + 0.36) = 0.91, below full scale: SDL never clips.
TONE_GAIN = 1.0
ANSWER_TONES = frozenset({"nope", "held"})  # answers to a press, on a channel of their own


class Lines(Protocol):
    """Where ``MixerVoice`` finds rendered lines: a ``kiosk.io.tts.Renderer`` or a test double."""

    def path_for(self, text: str) -> Path | None: ...

    def failed(self, text: str) -> bool: ...

    def prepare(self, lines: Iterable[str], *, urgent: bool = False) -> None: ...

    def discard(self, text: str) -> None: ...

    def seconds_for(self, text: str) -> float | None: ...

    def close(self) -> None: ...


# --- the real one ------------------------------------------------------------------------------
class MixerVoice:
    """Speech on one mixer channel, tones on another, so a tick never cuts off a sentence.

    Lines play one after another, in order. A line already rendered starts inside ``say()``
    itself: a button press that asks for speech is heard one audio buffer later, not a frame
    later. A line not rendered yet waits at the head of the queue (its render jumps the
    renderer's queue) and plays when ready; one that cannot be rendered, or is still not ready
    after ``stale_after`` seconds, is dropped: the screen shows the words anyway, and speech
    arriving late would describe a moment that has passed.

    The mixer must already be open (``open_voice`` does that). ``owns_mixer`` makes ``close()``
    shut it too.
    """

    def __init__(
        self,
        renderer: Lines,
        tones_dir: Path = AUDIO_DIR,
        volume: float = 0.9,
        *,
        sounds_kept: int = 32,
        stale_after: float = 5.0,
        owns_mixer: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not pygame.mixer.get_init():
            raise HardwareError("pygame.mixer is not open; create the voice with open_voice()")
        self._renderer = renderer
        self._sounds_kept = sounds_kept
        self._stale_after = stale_after
        self._owns_mixer = owns_mixer
        self._clock = clock
        # Reserved, so a Sound.play() elsewhere in the program can never take these channels.
        pygame.mixer.set_num_channels(max(3, pygame.mixer.get_num_channels()))
        pygame.mixer.set_reserved(3)
        self._voice_channel = pygame.mixer.Channel(0)
        self._tone_channel = pygame.mixer.Channel(1)
        # The answers to a press (no role here, a hold done) have their own channel, so they
        # never cut off a breathing tone that is playing.
        self._answer_channel = pygame.mixer.Channel(2)
        # Channel.play keeps a channel's volume (only Sound.play resets it), so set it once.
        self._voice_channel.set_volume(volume)
        self._tone_channel.set_volume(volume * TONE_GAIN)
        self._answer_channel.set_volume(volume * TONE_GAIN)
        self._queue: deque[tuple[str, float]] = deque()  # (text, when it was asked for)
        self._sounds: OrderedDict[Path, pygame.mixer.Sound] = OrderedDict()  # LRU, newest last
        self._tones = _load_tones(tones_dir)
        self._unknown_tones: set[str] = set()
        self._stale_reported = False
        self._closed = False

    def say(self, text: str, interrupt: bool = False) -> None:
        if self._closed:
            return
        if interrupt:
            self._stop_speech()
        if not text.strip():
            return
        if self._renderer.path_for(text) is None:
            self._renderer.prepare([text], urgent=True)
        self._queue.append((text, self._clock()))
        self._next()

    def tone(self, name: str) -> None:
        if self._closed:
            return
        sound = self._tones.get(name)
        if sound is not None:
            channel = self._answer_channel if name in ANSWER_TONES else self._tone_channel
            channel.play(sound)
        elif name not in self._unknown_tones:
            self._unknown_tones.add(name)
            log.warning("no tone %r; the tones are %s", name, ", ".join(TONE_NAMES))

    def hush(self) -> None:
        if self._closed:
            return
        self._stop_speech()
        self._tone_channel.stop()
        self._answer_channel.stop()

    def prepare(self, lines: Iterable[str]) -> None:
        if not self._closed:
            self._renderer.prepare(lines)

    def update(self) -> None:
        # Two cheap checks on most frames; the queue is empty nearly all the time.
        if self._queue and not self._voice_channel.get_busy():
            self._next()

    @property
    def speaking(self) -> bool:
        return not self._closed and (bool(self._queue) or self._voice_channel.get_busy())

    def seconds(self, text: str) -> float | None:
        return self._renderer.seconds_for(text)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.clear()
        if pygame.mixer.get_init():  # the app may have called pygame.quit() already
            self._voice_channel.stop()
            self._tone_channel.stop()
            self._answer_channel.stop()
        self._renderer.close()
        self._sounds.clear()
        self._tones.clear()
        if self._owns_mixer:
            pygame.mixer.quit()

    def __enter__(self) -> MixerVoice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- inside -------------------------------------------------------------------------------
    def _stop_speech(self) -> None:
        self._queue.clear()
        self._voice_channel.stop()

    def _next(self) -> None:
        """Start the first playable queued line if the voice channel is free."""
        while self._queue and not self._voice_channel.get_busy():
            text, since = self._queue[0]
            path = self._renderer.path_for(text)
            if path is None:
                if not self._renderer.failed(text) and not self._stale(since, text):
                    return  # still rendering: keep the order, try again next frame
                self._queue.popleft()  # the renderer has already said why
                continue
            self._queue.popleft()
            sound = self._sound(path, text)
            if sound is not None:
                self._voice_channel.play(sound)

    def _stale(self, since: float, text: str) -> bool:
        if self._clock() - since <= self._stale_after:
            return False
        level = logging.DEBUG if self._stale_reported else logging.WARNING
        self._stale_reported = True
        log.log(level, "dropped %r: not rendered within %.0f s", text, self._stale_after)
        return True

    def _sound(self, path: Path, text: str) -> pygame.mixer.Sound | None:
        """The Sound for ``path``, loaded on first use and kept while recently used."""
        sound = self._sounds.get(path)
        if sound is not None:
            self._sounds.move_to_end(path)
            return sound
        try:
            sound = pygame.mixer.Sound(path)
        except (pygame.error, OSError) as e:
            log.warning("could not load %s for %r (%s); it will be rendered again", path, text, e)
            self._renderer.discard(text)
            return None
        self._sounds[path] = sound
        if len(self._sounds) > self._sounds_kept:
            # The oldest is not the one playing: only the newest line is ever playing.
            self._sounds.popitem(last=False)
        return sound


def _load_tones(tones_dir: Path) -> dict[str, pygame.mixer.Sound]:
    """Every tone, loaded now: they are short, and a tick must start the moment it is asked for."""
    loaded: dict[str, pygame.mixer.Sound] = {}
    missing: list[str] = []
    for name in TONE_NAMES:
        try:
            loaded[name] = pygame.mixer.Sound(tones_dir / f"{name}.wav")
        except (pygame.error, OSError):
            missing.append(name)
    if missing:
        warnings.warn(
            f"tones missing or unreadable in {tones_dir}: {', '.join(missing)}; they stay silent. "
            "Regenerate them with `python -m kiosk.io.tones audio/`",
            KioskWarning,
            stacklevel=3,
        )
    return loaded


# --- opening -----------------------------------------------------------------------------------
def open_voice(
    *,
    data_dir: Path,
    voice: str = "",
    rate: int = 150,
    volume: float = 0.9,
    headless: bool = False,
    echo: TextIO | None = None,
    tones_dir: Path = AUDIO_DIR,
    buffer: int = 512,
    engine: str = "espeak",
    model: str = "",
    length_scale: float = 1.3,
) -> Voice:
    """The kiosk's voice: mixer playback of lines rendered into ``<data_dir>/voice-cache/``.

    ``voice`` is an espeak-ng voice name ("" for its default), ``rate`` words per minute,
    ``volume`` 0..1. ``engine`` "piper" speaks in the neural voice at ``model`` (see
    ``open_lines``). ``headless`` means no sound at all. With ``echo``, every line is also
    printed there as ``say: <text>``. With no audio device, one ``KioskWarning`` says so and
    the voice is silent: the kiosk carries on, the screen shows every line.

    Call it before ``pygame.init()``: that would open the mixer with its own defaults (44.1 kHz,
    resampling every line). ``buffer`` is in samples: 512 at 22050 Hz is 23 ms of latency.
    """
    sound: Voice = NullVoice()
    if not headless:
        lines = functools.partial(open_lines, data_dir, voice=voice, rate=rate, engine=engine,
                                  model=model, length_scale=length_scale)
        sound = _open_mixer(lines, volume, tones_dir, buffer)
    return TeeVoice(PrintVoice(echo), sound) if echo is not None else sound


def _open_mixer(
    lines: Callable[[], Lines], volume: float, tones_dir: Path, buffer: int
) -> Voice:
    owns_mixer = not pygame.mixer.get_init()
    try:
        if owns_mixer:
            # The rendered lines and the tones are all 22050 Hz mono 16-bit: no resampling.
            pygame.mixer.init(frequency=SAMPLE_RATE, size=-16, channels=1, buffer=buffer)
    except pygame.error as e:
        driver = os.environ.get("SDL_AUDIODRIVER", "the system default")
        warnings.warn(
            f"{NO_AUDIO} ({e}; audio driver: {driver}). Check that the speaker is plugged in "
            "and that `aplay -l` lists a card",
            KioskWarning,
            stacklevel=3,
        )
        return NullVoice()
    return MixerVoice(lines(), tones_dir, volume, owns_mixer=owns_mixer)


NEURAL_UNAVAILABLE = "the neural voice cannot be used"
PARTS_DIR_NAME = "model"  # in the neural voice's folder of the cache


def open_lines(
    data_dir: Path,
    *,
    voice: str = "",
    rate: int = 150,
    engine: str = "espeak",
    model: str = "",
    length_scale: float = 1.3,
) -> Lines:
    """The rendered lines the mixer plays: espeak-ng's, or the neural voice's backed by them.

    With ``engine`` "piper", a ``Voices`` pair. When the neural voice cannot be used at all
    (the extra or the model file missing), one ``KioskWarning`` says why and espeak-ng speaks.
    The cache keeps a folder for each voice in use and prunes the rest.
    """
    cache = cache_dir_for(data_dir)
    espeak_dir = voice_dir(cache, "espeak", voice, rate)
    neural: Renderer | None = None
    if engine == "piper":
        neural = _open_neural(cache, model, length_scale)
    keep = [espeak_dir] if neural is None else [espeak_dir, neural.cache_dir]
    prune(cache, keep=keep)  # the kiosk owns its data directory: no other voice is in use
    espeak = espeak_renderer(espeak_dir, voice=voice, rate=rate)
    return espeak if neural is None else Voices(neural, espeak)


def _open_neural(cache: Path, model: str, length_scale: float) -> Renderer | None:
    from kiosk.io import piper

    why = piper.why_not(model)
    path = piper.model_path(model)
    if why is not None or path is None:
        warnings.warn(f"{NEURAL_UNAVAILABLE} ({why}); speaking with espeak-ng", KioskWarning,
                      stacklevel=4)
        return None
    folder, parts = neural_folders(cache, path, length_scale)
    synth = piper.PiperSynth(path, length_scale, parts_dir=parts)
    rate = round(length_scale * 100)  # part of every file's key, as espeak-ng's rate is
    return Renderer(folder, voice=synth.name,
                    rate=rate, synth=synth, normalised=True, on_close=synth.close,
                    fallback_note="speaking every line with espeak-ng instead")


def neural_folders(cache: Path, model: Path, length_scale: float) -> tuple[Path, Path]:
    """The neural voice's folder in the cache, and the folder in it where its worker keeps the
    voice cut in two (kiosk.io.piper_parts): the same weights as the model file, 63 MB for
    the packaged voice, pruned with the voice's lines."""
    from kiosk.io import piper

    folder = voice_dir(cache, "piper", piper.voice_name(model), length_scale)
    return folder, folder / PARTS_DIR_NAME


class Voices:
    """Lines in the chosen voice once rendered, in espeak-ng until then: never silent, never late.

    Both render every line they are asked for, each on its own thread: espeak-ng in
    milliseconds, the neural voice in the background for next time. ``path_for`` gives the
    neural voice's file when it is there, else espeak-ng's. When the neural voice gives up (it
    will not load, or ran out of memory), its renderer warns once and espeak-ng speaks on.

    The neural voice is handed its lines only once espeak-ng has rendered what it was given and
    let its worker process go (``Renderer.wait_resting``): the two workers are never both
    rendering a new day's lines, so their memory never peaks together. That delays the neural
    voice by espeak-ng's part (half a minute here, two at a Pi Zero 2 W's speed), a small part
    of its own.
    """

    def __init__(self, chosen: Renderer, fallback: Renderer) -> None:
        self.chosen = chosen
        self.fallback = fallback
        self._held: list[tuple[list[str], bool]] = []  # for the chosen voice, once espeak rests
        self._handing = False  # a batch taken from _held, not yet with the chosen voice
        self._closed = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def path_for(self, text: str) -> Path | None:
        return self.chosen.path_for(text) or self.fallback.path_for(text)

    def failed(self, text: str) -> bool:
        # Hopeless only when espeak-ng failed and the neural voice cannot bring it either.
        return self.fallback.failed(text) and (
            self.chosen.failed(text) or not self.chosen.available)

    def prepare(self, lines: Iterable[str], *, urgent: bool = False) -> None:
        lines = list(lines)
        self.fallback.prepare(lines, urgent=urgent)
        with self._changed:
            if self._closed:
                return
            self._held.append((lines, urgent))
            if self._thread is None:
                self._thread = threading.Thread(target=self._hand_over, name="voices-hand-over",
                                                daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def discard(self, text: str) -> None:
        self.chosen.discard(text)
        self.fallback.discard(text)

    def seconds_for(self, text: str) -> float | None:
        if self.chosen.path_for(text) is not None:
            return self.chosen.seconds_for(text)
        return self.fallback.seconds_for(text)

    def wait(self, timeout: float | None = None) -> bool:
        """Both done with what they were given (for tests and tools, never the frame loop)."""
        if not self.fallback.wait(timeout):
            return False
        with self._changed:
            if not self._changed.wait_for(
                    lambda: self._closed or not (self._held or self._handing), timeout):
                return False
        return self.chosen.wait(timeout)

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._held.clear()
            self._changed.notify_all()
        self.chosen.close()
        self.fallback.close()

    def _hand_over(self) -> None:
        """The chosen voice's thread of lines: each batch once espeak-ng rests."""
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._held or self._closed)
                if self._closed:
                    return
                self._handing = True
            self.fallback.wait_resting()
            with self._changed:
                batches, self._held = self._held, []
            for lines, urgent in batches:
                self.chosen.prepare(lines, urgent=urgent)
            with self._changed:
                self._handing = False
                self._changed.notify_all()
