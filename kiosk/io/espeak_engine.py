"""The in-process espeak-ng engine: pyttsx3's espeak driver, made safe to render files with.

``kiosk.io.tts`` renders lines through a ``Synth``; this is its default one (``espeak_synth``),
and what the worker process of ``kiosk.io.espeak`` runs. ``engine_missing`` finds out, without
loading anything, whether the engine is there at all; ``Renderer(find_engine=...)`` takes it (or
a twin) so that a missing engine is told at start-up.

pyttsx3's espeak driver works from a non-main thread: nothing in it is tied to the thread that
made it, and espeak-ng delivers the audio on a thread of its own anyway (see ``_Espeak`` for
what that means for pyttsx3).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk.errors import HardwareError

log = logging.getLogger(__name__)


class UnknownVoice(ValueError):
    """The TTS engine has no voice by the configured name."""



# --- pyttsx3 / espeak-ng ----------------------------------------------------------------------
# Where pyttsx3 2.99's espeak driver looks for the library on Linux (drivers/_espeak.py).
ESPEAK_LIBRARIES = ("libespeak-ng.so.1", "libespeak.so.1")
INSTALL_TTS = "install it with `sudo apt install espeak-ng` and `pip install pyttsx3`"


def engine_missing(
    *,
    libraries: Sequence[str] = ESPEAK_LIBRARIES,
    find_spec: Callable[[str], object] | None = None,
) -> str | None:
    """Why pyttsx3's espeak-ng engine cannot load, found without loading it, or None.

    Loading it costs 20 ms here and 0.1-0.2 s on a Pi Zero 2 W, most of it the dynamic
    loader opening libespeak-ng and the 30-odd libraries it needs. So this finds pyttsx3, and
    the library's file where Debian and Raspberry Pi OS put it; only a library found nowhere
    there is opened, as pyttsx3 would open it, to be sure before calling it missing.
    ``libraries`` are the names to look for and ``find_spec`` finds a Python package
    (``importlib.util.find_spec``): a test hands in a system without one or the other."""
    import importlib.util
    import sysconfig

    if (find_spec or importlib.util.find_spec)("pyttsx3") is None:
        return f"no TTS engine (pyttsx3 is not installed): {INSTALL_TTS}"
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    folders = [f"/usr/lib/{arch}", f"/lib/{arch}", "/usr/lib", "/usr/local/lib"]
    if any(os.path.exists(os.path.join(f, n)) for f in folders for n in libraries):
        return None
    import ctypes

    for name in libraries:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return None
    return f"no TTS engine (libespeak-ng.so.1 not found): {INSTALL_TTS}"


# espeak-ng can be initialised only once per process, and pyttsx3's espeak driver registers one
# process-wide synthesis callback: a second engine would steal the first one's audio, and a
# garbage-collected engine unregisters the callback for everyone. So there is exactly one engine,
# created on first use and kept for the life of the process, and one render at a time.
_ENGINE_LOCK = threading.Lock()


class _Espeak:
    """pyttsx3's espeak driver, with its races closed.

    pyttsx3 2.99 initialises espeak-ng in its asynchronous "retrieval" mode: the audio arrives
    on espeak-ng's own thread, and ``runAndWait()`` may return before the file is written (or
    block until it is, depending on the driver's busy flag). Its ``stop()``, called at the end
    of every run, cancels whatever espeak-ng reports as playing, and that report can be stale,
    which cancels the *next* line and leaves an empty file. So: ``stop()`` is made a no-op (we
    never cancel a render), and each render waits for the driver's own "finished-utterance"
    notice, which it sends after the file is closed. (It sends it a few statements before its
    callback returns; checking and fsyncing the file takes far longer than that, so the next
    line never starts inside the last one's callback.)
    """

    def __init__(self) -> None:
        try:
            import pyttsx3
            import pyttsx3.drivers.espeak as driver
        except Exception as e:  # ImportError, or RuntimeError when libespeak-ng is missing
            raise HardwareError(f"no TTS engine ({e}): {INSTALL_TTS}") from e
        # pyttsx3 2.99 prints "Audio saved to ..." after every file. contextlib.redirect_stdout
        # would swap sys.stdout for the whole process, hiding the main thread's output while a
        # line renders here, so the driver module alone gets a quiet print.
        setattr(driver, "print", _driver_print)  # noqa: B010
        self.engine: Any = pyttsx3.init("espeak")
        inner = getattr(getattr(self.engine, "proxy", None), "_driver", None)
        if inner is not None and hasattr(inner, "stop"):
            inner.stop = _never_cancel
        self.default_voice = str(self.engine.getProperty("voice") or "")
        self.errors: list[Exception] = []
        self.finished = threading.Event()
        self.completed = False
        # pyttsx3 swallows exceptions from queued commands (a bad voice name among them) and
        # only reports them on the "error" topic.
        self.engine.connect("error", self._on_error)
        self.engine.connect("finished-utterance", self._on_finished)

    def _on_error(self, name: object = None, exception: Exception | None = None) -> None:
        if exception is not None:
            self.errors.append(exception)

    def _on_finished(self, name: object = None, completed: bool = False) -> None:
        self.completed = bool(completed)
        self.finished.set()

    def synth(self, text: str, voice: str, rate: int, out: Path) -> None:
        # Generous: espeak-ng renders many times faster than real time even on a Pi Zero.
        timeout = 10.0 + len(text) / 10
        with _ENGINE_LOCK:
            self.errors.clear()
            self.finished.clear()
            self.engine.setProperty("voice", voice or self.default_voice)
            self.engine.setProperty("rate", rate)
            self.engine.save_to_file(text, str(out))
            # One runAndWait per file: pyttsx3 2.99 writes only the last of several queued
            # save_to_file calls. And never runAndWait without a fresh save_to_file: the driver
            # would synthesise its previous text into its previous file again.
            self.engine.runAndWait()
            if not self.finished.wait(timeout):
                # Still running: the next line's file name would receive this line's audio.
                raise HardwareError(f"espeak-ng did not finish a line within {timeout:.0f} s")
            errors, completed = list(self.errors), self.completed
        if errors and voice:
            # Setting the voice is the only queued command here that fails on a good install.
            raise UnknownVoice(f"{voice}: {errors[0]}")
        if errors or not completed:
            raise RuntimeError(f"espeak-ng failed: {errors[0] if errors else 'cancelled'}")


def _never_cancel() -> None:
    pass


def _driver_print(*args: object, **kwargs: object) -> None:
    log.debug("pyttsx3: %s", " ".join(map(str, args)))


@functools.cache
def engine() -> _Espeak:
    """The one engine of this process, loaded on the first call (``HardwareError`` when it
    cannot be). ``engine.cache_info()`` tells whether it was asked for yet."""
    return _Espeak()


def espeak_synth(text: str, voice: str, rate: int, out: Path) -> None:
    """The default ``Synth``: pyttsx3 with the espeak-ng driver."""
    engine().synth(text, voice, rate, out)
