"""espeak-ng rendering in a worker process, with the kiosk's own process as the fallback.

pyttsx3's callbacks and the pure-Python loudness normalisation hold the interpreter lock while
a line renders. In the kiosk's process that stretched the frame loop's gaps to 60-80 ms at a Pi
Zero 2 W's speed while a new day's lines rendered (docs/voice.md). So ``EspeakWorker`` hands the
lines to ``python -m kiosk.io.espeak_worker`` instead, one at a time, from the renderer's thread,
which only waits on a pipe meanwhile. The renderer's own queue keeps the order, so a line
someone is waiting for still goes first.

Never silent, never late:

* A line someone is waiting for (``now``) goes to the worker only when it is up and ready; while
  the worker is starting, or when none is up (a line alone does not start one), it renders here
  at once, as before (about 10 ms of espeak-ng and 50-100 ms of normalising here). Either way
  it waits for at most the one line being rendered, as it did on the kiosk's own thread.
* When the worker cannot start, dies (the kernel's OOM killer) or hangs, one ``KioskWarning``
  says so and every later line renders here. It is never started again in that run: no
  restart loop.

Memory: the worker is about 25 MB, and it is only there while there are lines to render. The
renderer lets it go once it has been idle for ``IDLE_SECONDS`` (``Renderer(on_idle=...)``), and
starts it again for the next batch: after a day's lines are rendered, the kiosk is back to one
process (or two, with the neural voice; ``kiosk.io.voice.Voices`` starts that one's rendering
only once this worker has gone, so the two never peak together).
"""

from __future__ import annotations

import json
import logging
import select
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

from kiosk.errors import KioskWarning
from kiosk.io.espeak_engine import UnknownVoice, espeak_synth
from kiosk.io.loudness import normalise_file
from kiosk.io.tts import Renderer, Synth, check_wav
from kiosk.io.worker import death, stop

log = logging.getLogger(__name__)

IDLE_SECONDS = 5.0  # a burst of batches shares one worker; a quiet kiosk has none
# Generous: only a hung worker takes this long, even on a Pi Zero 2 W under load.
START_TIMEOUT = 120.0
LINE_TIMEOUT = 60.0
IN_PROCESS = "rendering espeak-ng's lines in the kiosk's own process from now on"


def in_process(text: str, voice: str, rate: int, out: Path) -> None:
    """The fallback: what the worker does, done here (a ``Synth`` writing finished files)."""
    espeak_synth(text, voice, rate, out)
    check_wav(out)
    normalise_file(out)


class EspeakWorker:
    """espeak-ng lines rendered in a worker process; a ``kiosk.io.tts.Synth`` (with ``now``).

    Called from one thread at a time (the renderer's); ``close`` may come from any thread.
    """

    def __init__(self, *, python: str = sys.executable,
                 start_timeout: float = START_TIMEOUT, here: Synth = in_process) -> None:
        """``python`` runs the worker (a wrapper may put it in a CPU budget of its own).
        ``here`` renders a line in the kiosk's own process when the worker cannot
        (``in_process``; a test hands in a twin that notes which lines were made here)."""
        self._python = python
        self._here = here
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._lock = threading.Lock()  # guards _proc
        self._busy = threading.Lock()  # one request at a time on the pipe
        self._closed = False
        self._dead: str | None = None  # why the worker is not used any more

    # --- the renderer's side ----------------------------------------------------------------
    def __call__(self, text: str, voice: str, rate: int, out: Path) -> None:
        """A line in the background: waits for the worker to start if need be."""
        with self._busy:
            proc = self._worker(wait=True, start=True)
            if proc is not None and self._ask(proc, text, voice, rate, out):
                return
        self._in_process(text, voice, rate, out)

    def now(self, text: str, voice: str, rate: int, out: Path) -> None:
        """A line someone is waiting for, from a thread of its own: in the worker if it is up,
        ready and free, else here at once. It never waits for the worker to start or to finish
        a background line, and never starts it: a line alone renders here about as quickly."""
        if self._busy.acquire(blocking=False):
            try:
                proc = self._worker(wait=False, start=False)
                if proc is not None and self._ask(proc, text, voice, rate, out):
                    return
            finally:
                self._busy.release()
        self._in_process(text, voice, rate, out)

    def rest(self) -> None:
        """Let the worker go (nothing to render for a while); the next line starts it again."""
        with self._busy:
            self._let_go()

    def close(self) -> None:
        """Stop the worker for good; safe to call twice, from any thread. It does not wait for
        the line in flight: that one ends with the worker, quietly."""
        self._closed = True
        self._let_go()

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None else None

    @property
    def dead(self) -> str | None:
        """Why the worker is no longer used (it could not start, died or hung), or None."""
        return self._dead

    # --- inside --------------------------------------------------------------------------------
    def _in_process(self, text: str, voice: str, rate: int, out: Path) -> None:
        if self._closed:  # the kiosk is stopping: no line is wanted any more
            raise RuntimeError("the voice is closed")
        self._here(text, voice, rate, out)

    def _let_go(self) -> None:
        with self._lock:
            proc, self._proc, self._ready = self._proc, None, False
        if proc is not None:
            stop(proc)

    def _worker(self, *, wait: bool, start: bool) -> subprocess.Popen[bytes] | None:
        """The ready worker, started if need be (and ``start``); None while it is starting
        (unless ``wait``), and for good once it has failed. Call with ``_busy`` held."""
        if self._dead is not None or self._closed:
            return None
        with self._lock:
            if self._proc is None and not start:
                return None
            if self._proc is None:
                try:
                    self._proc = subprocess.Popen(
                        [self._python, "-m", "kiosk.io.espeak_worker"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
                except OSError as e:
                    why: str | None = f"could not start ({e})"
                else:
                    why = None
            proc = self._proc
        if proc is None:
            self._fail(None, why or "could not start")
            return None
        if not self._ready:
            reply = self._receive(proc, self._start_timeout if wait else 0.0)
            if reply is None:
                return None  # still starting, or just failed
            if "ready" not in reply:
                self._fail(proc, f"did not start: {reply.get('fatal', reply)}")
                return None
            self._ready = True
        return proc

    def _ask(self, proc: subprocess.Popen[bytes], text: str, voice: str, rate: int,
             out: Path) -> bool:
        """Have the worker render one line; False when it failed and the line is still to do."""
        request = {"text": text, "voice": voice, "rate": rate, "out": str(out)}
        try:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(request).encode() + b"\n")
            proc.stdin.flush()
        except (OSError, ValueError):  # a broken pipe: the worker is gone
            self._fail(proc, death(proc))
            return False
        reply = self._receive(proc, LINE_TIMEOUT + len(text) / 10)
        if reply is None:
            return False
        if "ok" in reply:
            return True
        if "unknown_voice" in reply:
            raise UnknownVoice(reply["unknown_voice"])
        if "error" in reply:
            raise RuntimeError(f"espeak-ng failed: {reply['error']}")
        self._fail(proc, f"stopped: {reply.get('fatal', reply)}")
        return False

    def _receive(self, proc: subprocess.Popen[bytes], timeout: float) -> dict[str, Any] | None:
        """The worker's next answer; None when there is none yet (``timeout`` 0) or it failed."""
        assert proc.stdout is not None
        try:
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
        except (OSError, ValueError):  # closed under us by close()
            self._fail(proc, "was closed")
            return None
        if not ready:
            if timeout > 0:
                self._fail(proc, f"did not answer within {timeout:.0f} s")
            return None
        line = proc.stdout.readline()
        if not line:
            self._fail(proc, death(proc))
            return None
        try:
            reply: dict[str, Any] = json.loads(line)
        except ValueError:
            self._fail(proc, f"answered nonsense: {line[:80]!r}")
            return None
        return reply

    def _fail(self, proc: subprocess.Popen[bytes] | None, why: str) -> None:
        """The worker is not used again in this run; one warning says so (none when closing)."""
        with self._lock:
            if self._proc is proc:
                self._proc, self._ready = None, False
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            stop(proc)
        if self._closed or self._dead is not None:
            return
        self._dead = why
        warnings.warn(f"espeak-ng's worker process {why}: {IN_PROCESS}", KioskWarning,
                      stacklevel=2)


def espeak_renderer(cache_dir: Path, *, voice: str = "", rate: int = 150,
                    worker: EspeakWorker | None = None,
                    idle_after: float = IDLE_SECONDS) -> Renderer:
    """A ``Renderer`` of espeak-ng lines that renders them in ``worker`` (a new one if None)."""
    worker = worker or EspeakWorker()
    return Renderer(cache_dir, voice=voice, rate=rate, synth=worker, urgent_synth=worker.now,
                    normalised=True, on_close=worker.close, on_idle=worker.rest,
                    idle_after=idle_after, check_engine=True)
