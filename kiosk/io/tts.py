"""Render each spoken line once, to a WAV in a cache, on one background thread.

Speech synthesis is too slow and too unpredictable for the frame loop, and the same few hundred
lines come back every session, so every line is rendered once into a folder of
``<data_dir>/voice-cache/`` named after the voice (``voice_dir``), and played from there. A file
is named by a hash of the text, the voice and the rate, so changing the voice or the rate in the
config renders anew instead of playing stale audio, and ``prune`` removes the folders of voices
no longer in use. Every file is trimmed of silence and brought to the kiosk's one loudness
(``kiosk.io.loudness``) before it is cached, and its real length is what the session paces by
(``seconds_for``).

The engine is pluggable (``Synth``): pyttsx3 with espeak-ng by default, or the optional neural
voice (``kiosk.io.piper``), which ``kiosk.io.voice.Voices`` pairs with espeak-ng so that a line
not yet rendered in the neural voice is spoken by espeak-ng at once.

Only the ``Renderer``'s worker thread ever calls the synth. The frame loop asks
``path_for(text)``, which is a set lookup under an uncontended lock: it never waits for a render.

The kiosk renders espeak-ng's lines in a worker process (``kiosk.io.espeak``), not on this
thread: pyttsx3's callbacks and the pure-Python normaliser hold the interpreter lock, which
stretched the frame loop's gaps past 50 ms at a Pi Zero 2 W's speed. ``espeak_synth``
(``kiosk.io.espeak_engine``, the engine in this process) is what that worker runs, and what the
kiosk falls back to in its own process (a line someone is waiting for while the worker starts,
or every line once the worker has failed).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import sys
import threading
import time
import warnings
import wave
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from kiosk.errors import HardwareError, KioskWarning
from kiosk.io.espeak_engine import UnknownVoice, engine_missing, espeak_synth
from kiosk.io.loudness import normalise_file
from kiosk.store.atomic import make_private_dir, replacing

log = logging.getLogger(__name__)

CACHE_DIR_NAME = "voice-cache"
# Part of every cache key: bump it when rendering changes (engine options, checks, format) so
# files made the old way are not reused.
FORMAT = 3  # 2: trimmed and normalised (kiosk.io.loudness); 3: button names said as words
_KEY_CHARS = 32
# Several failures in a row mean the engine itself is broken, not one awkward line.
_GIVE_UP_AFTER = 3
# Temporary files older than this are leftovers of a crash or power cut, not a render in flight.
_STALE_TMP_SECONDS = 60.0

# espeak-ng, and Piper, which finds its phonemes with espeak-ng, take a short word in capitals for
# an abbreviation: "Hold RED to end" was said "Hold R, E, D to end" in both voices. The screen
# writes the button names in capitals; the voice says them as words.
_BUTTON_NAMES = re.compile(r"\b(GREEN|AMBER|RED)\b")


def speakable(text: str) -> str:
    """``text`` as the engines should read it: the button names as words, not letters."""
    return _BUTTON_NAMES.sub(lambda m: m.group(0).lower(), text)


Synth = Callable[[str, str, int, Path], None]
"""``synth(text, voice, rate, out)`` writes one line as a WAV file at ``out``.

It raises ``HardwareError`` when there is no TTS engine at all and ``UnknownVoice`` when the
engine does not have ``voice``; anything else fails just that line.
"""


def cache_dir_for(data_dir: Path) -> Path:
    return data_dir / CACHE_DIR_NAME


def voice_dir(cache_dir: Path, engine: str, voice: str, rate: float) -> Path:
    """The folder of one voice's files: ``espeak-en-us-150``, ``piper-en_US-joe-medium-1.3``."""
    name = f"{engine}-{voice or 'default'}-{rate:g}"
    return cache_dir / "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def prune(cache_dir: Path, keep: Iterable[Path]) -> int:
    """Remove every file and folder in ``cache_dir`` but ``keep``: the voices no longer in use,
    and the flat files of the first cache format. Returns how many entries went."""
    kept = {p.name for p in keep}
    removed = 0
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return 0  # no cache yet, or not readable: the renderer reports that itself
    for entry in entries:
        if entry.name in kept:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except OSError as e:
            log.warning("could not prune %s from the voice cache: %s", entry.path, e)
    return removed


def cache_key(text: str, voice: str, rate: int) -> str:
    """The file name (without ``.wav``) of ``text`` rendered with this voice and rate."""
    data = f"{FORMAT}\n{voice}\n{rate}\n{text}".encode()
    return hashlib.sha256(data).hexdigest()[:_KEY_CHARS]


class Renderer:
    """Renders lines to cached WAVs in one background thread; finds the cached files.

    ``prepare(lines)`` queues lines and returns at once; ``path_for(text)`` returns the file once
    it is there. A line that cannot be rendered is reported once and then ``failed(text)`` is
    true, so the caller can give up on it. With no TTS engine installed, one ``KioskWarning``
    says so and only the files already in the cache are spoken.
    """

    def __init__(
        self,
        cache_dir: Path,
        *,
        voice: str = "",
        rate: int = 150,
        synth: Synth | None = None,
        urgent_synth: Synth | None = None,
        normalised: bool = False,
        fallback_note: str = "",
        on_close: Callable[[], None] | None = None,
        on_idle: Callable[[], None] | None = None,
        idle_after: float = 5.0,
        check_engine: bool | None = None,
        find_engine: Callable[[], str | None] = engine_missing,
    ) -> None:
        """``normalised``: the synth already writes trimmed, normalised files (the workers do,
        in their own processes). ``urgent_synth`` renders the lines someone is waiting for
        (``prepare(..., urgent=True)``) on a thread of their own, so they never wait behind
        a background line; without it they go to the front of the one queue. ``synth``
        renders the rest. ``on_idle`` is called once the
        queue has been empty for ``idle_after`` seconds (e.g. let a worker process go), and
        again after each later burst of work. ``fallback_note`` ends the one warning given when
        the engine gives up, saying what speaks instead. ``check_engine`` (the default when
        there is no ``synth``) looks for espeak-ng now, so a missing engine is told at start-up;
        ``find_engine`` looks (``espeak_engine.engine_missing``: why it is missing, or None)."""
        self.cache_dir = cache_dir
        self._voice = voice
        self._rate = rate
        self._synth = synth or espeak_synth
        self._urgent_synth = urgent_synth
        self._normalised = normalised
        self._fallback_note = fallback_note or f"speaking only lines already in {cache_dir}"
        self._seconds: dict[str, float] = {}  # key -> real length of its file
        self._on_close = on_close  # e.g. stop the neural voice's worker process
        self._on_idle = on_idle
        self._idle_after = idle_after
        self._resting = True  # on_idle has been called since the last render (or none yet)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # the queue or a result changed
        self._todo: deque[str] = deque()  # the background's lines
        self._rush: deque[str] = deque()  # lines someone waits for, when urgent_synth is given
        self._queued: set[str] = set()  # in a queue or being rendered right now
        self._failed: set[str] = set()
        self._available = True
        self._closed = False
        self._failures_in_a_row = 0
        self._threads: dict[str, threading.Thread] = {}
        self._find = find_engine
        self._ready = self._scan()
        if (synth is None if check_engine is None else check_engine) and self._available:
            self._find_engine()

    # --- the frame loop's side: all quick, none waits for a render ------------------------
    @property
    def voice(self) -> str:
        """The voice lines are rendered with ("" is the engine's default)."""
        return self._voice

    @property
    def rate(self) -> int:
        return self._rate

    @property
    def available(self) -> bool:
        """False once it is known that nothing new can be rendered (no engine, no cache dir)."""
        return self._available

    def path_for(self, text: str) -> Path | None:
        """The cached WAV for ``text`` with the current voice and rate, or None if not there yet."""
        key = cache_key(text, self._voice, self._rate)
        with self._lock:
            return self.cache_dir / f"{key}.wav" if key in self._ready else None

    def seconds_for(self, text: str) -> float | None:
        """How long the cached file of ``text`` plays, in seconds; None while it is not cached.

        Measured from the file (its header, read once), not estimated from the words: this is
        what the session paces by.
        """
        key = cache_key(text, self._voice, self._rate)
        seconds = self._seconds.get(key)
        if seconds is not None:
            return seconds
        with self._lock:
            if key not in self._ready:
                return None
        try:
            with wave.open(str(self.cache_dir / f"{key}.wav"), "rb") as w:
                seconds = w.getnframes() / w.getframerate()
        except (OSError, EOFError, wave.Error):
            return None  # being replaced or broken: the mixer will find out and re-render
        self._seconds[key] = seconds
        return seconds

    def failed(self, text: str) -> bool:
        """True if ``text`` could not be rendered; it will not be tried again in this run."""
        with self._lock:
            return text in self._failed

    def prepare(self, lines: Iterable[str], *, urgent: bool = False) -> None:
        """Queue ``lines`` for rendering in the background; lines already cached are skipped.

        ``urgent`` puts them at the front, for a line that is waiting to be spoken now.
        """
        with self._lock:
            new = [line for line in dict.fromkeys(lines) if self._wanted(line, urgent)]
            if not new:
                return
            self._queued.update(new)
            if urgent and self._urgent_synth is not None:
                self._rush.extend(new)
                self._start_thread("tts-urgent", self._rush, self._urgent_synth)
            else:
                if urgent:
                    self._todo.extendleft(reversed(new))
                else:
                    self._todo.extend(new)
                self._resting = False
                self._start_thread("tts-render", self._todo, self._synth)
            self._changed.notify_all()

    def discard(self, text: str) -> None:
        """Forget the cached file for ``text`` (it would not load); prepare renders it anew."""
        key = cache_key(text, self._voice, self._rate)
        with self._lock:
            self._ready.discard(key)
        self._seconds.pop(key, None)
        (self.cache_dir / f"{key}.wav").unlink(missing_ok=True)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until everything queued is rendered or failed; False on timeout.

        For tests, tools and start-up scripts, never for the frame loop.
        """
        with self._changed:
            return self._changed.wait_for(lambda: not self._queued, timeout)

    def wait_resting(self, timeout: float | None = None) -> bool:
        """Block until everything queued is done and ``on_idle`` has let the engine go (at
        once when there is no ``on_idle``); False on timeout. Never for the frame loop."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._closed or (not self._queued and
                                         (self._resting or self._on_idle is None)), timeout)

    def close(self) -> None:
        """Stop the worker after the line it is rendering; safe to call twice."""
        with self._lock:
            self._closed = True
            self._todo.clear()
            self._rush.clear()
            self._queued.clear()
            self._changed.notify_all()
            threads = list(self._threads.values())
            self._threads.clear()
        if self._on_close is not None:
            self._on_close()  # first: a render waiting on a worker process ends at once
            self._on_close = None
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5.0)

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- bookkeeping (call with the lock held) --------------------------------------------
    def _wanted(self, line: str, urgent: bool) -> bool:
        if not line.strip():
            self._failed.add(line)  # nothing to say; the caller drops it quietly
            return False
        if line in self._failed or cache_key(line, self._voice, self._rate) in self._ready:
            return False
        if not self._available or self._closed:
            self._failed.add(line)
            return False
        if line in self._queued:
            if urgent and line in self._todo:
                self._todo.remove(line)  # re-added in front, or to the rush, by the caller
                return True
            return False
        return True

    def _find_engine(self) -> None:
        """Report a missing engine now, at start-up, so the shell can tell the person. Only
        looked for here (about 1 ms): loading it (pyttsx3 and espeak-ng's voice data, 20 ms
        here and 0.1-0.2 s on a Pi Zero 2 W) waits for the first line rendered in this
        process, after the kiosk is up; should it fail then, the renderer gives up as it does
        for any engine failure, with one warning."""
        why = self._find()
        if why is not None:
            self._give_up(why)

    def _start_thread(self, name: str, lane: deque[str], synth: Synth) -> None:
        if name not in self._threads:
            thread = threading.Thread(target=self._work, args=(lane, synth), name=name,
                                      daemon=True)
            self._threads[name] = thread
            thread.start()

    def _scan(self) -> set[str]:
        """The keys of the files already in the cache; makes the cache directory if need be."""
        try:
            # Private, as the history, every folder of it made here, whatever the umask.
            make_private_dir(self.cache_dir, may_be_link=True)
            names = os.listdir(self.cache_dir)
        except OSError as e:
            self._available = False
            warnings.warn(
                f"voice cache {self.cache_dir} is not usable ({e.strerror}): lines will not be "
                "spoken; make the data directory writable by the kiosk user",
                KioskWarning,
                stacklevel=3,
            )
            return set()
        return {n[:-4] for n in names if n.endswith(".wav") and len(n) == _KEY_CHARS + 4}

    # --- the worker thread -----------------------------------------------------------------
    def _work(self, lane: deque[str], synth: Synth) -> None:
        self._sweep_leftovers()
        while True:
            with self._changed:
                if not self._next(lane):
                    return
                text = lane.popleft()
            ok = self._render(text, synth)
            with self._changed:
                self._queued.discard(text)
                if not ok:
                    self._failed.add(text)
                self._changed.notify_all()

    def _next(self, lane: deque[str]) -> bool:
        """Wait (lock held) for a line in ``lane``; False once closed. When the background's
        queue has been empty for ``idle_after`` seconds, ``on_idle`` lets the engine go until
        the next line."""
        waiting = lambda: lane or self._closed  # noqa: E731
        if lane is self._todo and not self._resting and self._on_idle is not None:
            if not self._changed.wait_for(waiting, self._idle_after):
                self._changed.release()  # letting a worker process go may take a moment
                try:
                    self._on_idle()
                finally:
                    self._changed.acquire()
                self._resting = not self._todo
                self._changed.notify_all()
        self._changed.wait_for(waiting)
        return not self._closed

    def _render(self, text: str, synth: Synth) -> bool:
        """Render one line into the cache; True if its file is there afterwards."""
        voice, rate = self._voice, self._rate
        key = cache_key(text, voice, rate)
        final = self.cache_dir / f"{key}.wav"
        if final.exists():  # rendered since the scan, e.g. by `python -m kiosk.io.tts`
            return self._done(key)
        try:
            # The temp file is hidden, so a half-written one is never mistaken for a cached line.
            with replacing(final, suffix=".tmp.wav") as tmp:
                synth(speakable(text), voice, rate, tmp)
                seconds = check_wav(tmp)  # what the engine wrote, before it is rewritten
                if not self._normalised:
                    normalise_file(tmp)
                    seconds = check_wav(tmp)
                os.chmod(tmp, 0o600)  # espeak-ng may make it anew, as the umask allows
        except UnknownVoice:
            return self._fall_back_to_default_voice(text, synth)
        except Exception as e:
            if self._closed:
                return False  # closing: the line is not wanted any more
            if isinstance(e, HardwareError):
                self._give_up(str(e))
                return False
            return self._line_failed(text, e)  # one bad line must not stop the worker
        self._seconds[key] = seconds
        return self._done(key)

    def _done(self, key: str) -> bool:
        self._failures_in_a_row = 0
        with self._lock:
            self._ready.add(key)
        return True

    def _fall_back_to_default_voice(self, text: str, synth: Synth) -> bool:
        with self._lock:  # the other thread may have found out first: one warning
            unknown, self._voice = self._voice, ""
        if unknown:
            warnings.warn(
                f"espeak-ng has no voice {unknown!r} ([voice] voice in the config): speaking "
                "with the default voice; `espeak-ng --voices` lists the installed ones",
                KioskWarning,
                stacklevel=2,
            )
        # Keys follow the voice, so from now on path_for looks for default-voice files.
        return self._render(text, synth)

    def _line_failed(self, text: str, error: Exception) -> bool:
        log.warning("could not render %r: %s; the screen still shows it", text, error)
        self._failures_in_a_row += 1
        if self._failures_in_a_row >= _GIVE_UP_AFTER:
            self._give_up(f"{_GIVE_UP_AFTER} lines in a row failed to render (last: {error})")
        return False

    def _give_up(self, why: str) -> None:
        """No more rendering this run: fail what is queued, speak only cached lines."""
        warnings.warn(f"{why}; {self._fallback_note}", KioskWarning, stacklevel=2)
        with self._lock:
            self._available = False
            for lane in (self._todo, self._rush):
                self._failed.update(lane)
                self._queued.difference_update(lane)
                lane.clear()

    def _sweep_leftovers(self) -> None:
        cutoff = time.time() - _STALE_TMP_SECONDS
        for tmp in self.cache_dir.glob(".*.tmp.wav"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
            except OSError:
                pass  # gone already, or not ours to remove: harmless either way


# --- checks --------------------------------------------------------------------------------
def check_wav(path: Path) -> float:
    """Raise ``ValueError`` unless ``path`` is a complete, non-silent WAV; return its seconds."""
    try:
        with wave.open(str(path), "rb") as w:
            frames = w.readframes(w.getnframes())
            expected = w.getnframes() * w.getsampwidth() * w.getnchannels()
            seconds = w.getnframes() / w.getframerate()
    except (OSError, EOFError, wave.Error) as e:
        raise ValueError(f"{path.name} is not a readable WAV file: {e}") from e
    if not frames or len(frames) != expected:
        raise ValueError(f"{path.name} is truncated: {len(frames)} of {expected} bytes")
    if not frames.strip(b"\0"):
        raise ValueError(f"{path.name} is silent")
    return seconds


# --- command line: render lines by hand, to listen to them -------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m kiosk.io.tts", description="Render lines into the voice cache."
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--voice", default="")
    parser.add_argument("--rate", type=int, default=150)
    parser.add_argument("lines", nargs="+")
    args = parser.parse_args(argv)
    folder = voice_dir(cache_dir_for(args.data_dir), "espeak", args.voice, args.rate)
    with Renderer(folder, voice=args.voice, rate=args.rate) as renderer:
        renderer.prepare(args.lines)
        renderer.wait()
        for line in args.lines:
            print(f"{renderer.path_for(line) or 'FAILED'}\t{line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
