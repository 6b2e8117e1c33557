"""espeak-ng rendering in its worker process (kiosk/io/espeak.py): real lines checked with sox,
a line someone waits for ahead of a long backlog, and a worker that dies, hangs or will not
start, after which the kiosk's own process renders every line: never silent.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.errors import KioskWarning
from kiosk.io import loudness, tts
from kiosk.io.espeak import EspeakWorker, espeak_renderer
from kiosk.io.tts import Renderer, Synth
from kiosk.io.voice import Voices
from tests.io import soxcheck
from tests.io.test_tts import needs_espeak, render, tone_synth

HUNG = 300.0  # seconds: only a hung renderer takes this long, even on a Pi Zero 2 W
LINES = ("Breathe out as you lift your hips.", "Two. Breathe in.",
         "Your pain has gone up. Let's stop here for today.")
pytestmark = needs_espeak


class Recording(EspeakWorker):
    """The real worker, recording each line it was asked for and whether it was urgent."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.asked: list[tuple[str, bool]] = []
        self.pids: list[int | None] = []  # the worker's, after each line in the background
        self.rendered = threading.Event()  # a line in the background is done

    def __call__(self, text: str, voice: str, rate: int, out: Path) -> None:
        self.asked.append((text, False))
        super().__call__(text, voice, rate, out)
        self.pids.append(self.pid)
        self.rendered.set()

    def now(self, text: str, voice: str, rate: int, out: Path) -> None:
        self.asked.append((text, True))
        super().now(text, voice, rate, out)


@pytest.fixture
def no_in_process() -> list[str]:
    """The lines ``here`` rendered in the kiosk's own process, so a test can tell where every
    line was made."""
    return []


@pytest.fixture
def here(no_in_process: list[str]) -> Synth:
    """What a worker renders in the kiosk's own process (``EspeakWorker(here=...)``): a tone,
    noted in ``no_in_process``, which the audio alone could not tell from the worker's."""

    def synth(text: str, voice: str, rate: int, out: Path) -> None:
        no_in_process.append(text)
        tone_synth(text, voice, rate, out)

    return synth


@pytest.fixture
def worker(here: Synth) -> Iterator[Recording]:
    w = Recording(here=here)
    yield w
    w.close()


def until(done: Callable[[], bool]) -> bool:
    """Wait for ``done``, looking every few milliseconds; False only for a hung run."""
    end = time.monotonic() + HUNG
    while not done():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def mute_python(tmp_path: Path) -> Path:
    """A "python" whose worker starts and never says a word."""
    mute = tmp_path / "mute-python"
    mute.write_text("#!/bin/sh\nexec sleep 3600\n")
    mute.chmod(0o755)
    return mute


def in_worker(tmp_path: Path, worker: EspeakWorker, voice: str = "en-us") -> Renderer:
    # Never idle for long enough to let the worker go, unless a test says so.
    return espeak_renderer(tmp_path / "cache", voice=voice, worker=worker, idle_after=HUNG)


# --- real lines, made in the worker ---------------------------------------------------------
@soxcheck.needs_sox
def test_lines_from_the_worker_are_real_speech_trimmed_at_the_one_level(
    tmp_path: Path, worker: Recording, no_in_process: list[str]
) -> None:
    with in_worker(tmp_path, worker) as r:
        paths = render(r, *LINES)
        assert worker.pid is not None and worker.pid != os.getpid()
        for line, path in zip(LINES, paths, strict=True):
            figures = soxcheck.stats(path)
            assert abs(figures["RMS lev dB"] - loudness.TARGET_DBFS) <= loudness.TOLERANCE_DB
            assert figures["Pk lev dB"] < -3.0, line  # limited, with room for a tone on top
            assert soxcheck.silence_at_ends(path, tmp_path) < 0.1, line  # the 20 ms pads
            assert r.seconds_for(line) == pytest.approx(soxcheck.seconds(path), abs=0.001)
        # Speech of a plausible length at 150 words a minute: 2.8 s for seven words, and the
        # longest line the longest.
        assert 1.0 < soxcheck.seconds(paths[0]) < 4.0
        assert soxcheck.seconds(paths[1]) < soxcheck.seconds(paths[0]) < soxcheck.seconds(
            paths[2])
    assert no_in_process == []  # every one came from the worker
    assert worker.asked == [(line, False) for line in LINES]


def test_the_worker_keys_the_cache_by_voice_and_falls_back_from_an_unknown_one(
    tmp_path: Path, no_in_process: list[str], here: Synth
) -> None:
    cache = tts.cache_dir_for(tmp_path)
    paths = []
    for voice in ("en-us", "en"):
        with espeak_renderer(tts.voice_dir(cache, "espeak", voice, 150), voice=voice,
                             worker=EspeakWorker(here=here)) as r:
            paths += render(r, LINES[0])
    assert paths[0].parent != paths[1].parent and paths[0].name != paths[1].name
    assert tts.check_wav(paths[0]) != tts.check_wav(paths[1])  # two voices, two recordings
    with pytest.warns(KioskWarning, match="no voice 'no-such-voice'") as caught:
        with espeak_renderer(tmp_path / "odd", voice="no-such-voice",
                             worker=EspeakWorker(here=here)) as r:
            (path,) = render(r, LINES[0], )
            assert r.voice == ""  # the default voice's key from now on
    assert len([w for w in caught if issubclass(w.category, KioskWarning)]) == 1
    assert tts.check_wav(path) > 1.0 and no_in_process == []


# --- never late ----------------------------------------------------------------------------
def test_a_line_someone_waits_for_goes_ahead_of_a_long_backlog(
    tmp_path: Path, worker: Recording
) -> None:
    backlog = [f"Rest and breathe for thirty seconds, round {n}." for n in range(40)]
    with in_worker(tmp_path, worker) as r:
        r.prepare(backlog)
        r.prepare(["Stopped. Your pain has gone up."], urgent=True)
        assert r.wait(HUNG)
        assert all(r.path_for(line) for line in [*backlog, "Stopped. Your pain has gone up."])
    order = [text for text, _ in worker.asked]
    # On a thread of its own, it waits for no line of the backlog: at most the one or two the
    # background had started before it came.
    assert order.index("Stopped. Your pain has gone up.") < 3
    assert ("Stopped. Your pain has gone up.", True) in worker.asked


def test_a_line_needed_while_the_worker_starts_is_made_at_once_in_the_kiosk(
    tmp_path: Path, no_in_process: list[str], here: Synth
) -> None:
    """The worker cannot answer before it has loaded espeak-ng; the line cannot wait for it."""
    with espeak_renderer(tmp_path, voice="en-us", worker=EspeakWorker(here=here),
                         idle_after=HUNG) as r:
        r.prepare(["Hold red to end."], urgent=True)  # nothing has started the worker yet
        assert r.wait(HUNG)
        assert r.path_for("Hold red to end.") is not None
    assert no_in_process == ["Hold red to end."]


def test_a_line_needed_while_the_worker_is_still_starting_does_not_wait_for_it(
    tmp_path: Path, no_in_process: list[str], here: Synth
) -> None:
    """A Pi Zero 2 W takes seconds to start a worker; here it never gets there at all."""
    slow = Recording(python=str(mute_python(tmp_path)), start_timeout=HUNG, here=here)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with espeak_renderer(tmp_path / "cache", worker=slow, idle_after=HUNG) as r:
            r.prepare(list(LINES))  # the background waits for the worker to start...
            r.prepare(["Stopped."], urgent=True)  # ...this one does not
            assert until(lambda: r.path_for("Stopped.") is not None or r.failed("Stopped."))
            assert r.path_for("Stopped.") is not None
            assert not any(r.path_for(line) for line in LINES)  # the worker is still "starting"
    assert no_in_process == ["Stopped."]
    assert [str(w.message) for w in caught] == []  # closing a starting worker is no failure


# --- a worker that fails: one warning, and the kiosk speaks on -------------------------------
def test_a_killed_worker_warns_once_and_the_kiosk_renders_every_line_itself(
    tmp_path: Path, worker: Recording, no_in_process: list[str]
) -> None:
    with in_worker(tmp_path, worker) as r:
        render(r, LINES[0])
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)  # as the kernel's OOM killer does
        with pytest.warns(KioskWarning) as warned:
            render(r, LINES[1], "Three.")
            r.prepare(["Four."], urgent=True)
            assert r.wait(HUNG)
        caught = [str(w.message) for w in warned if issubclass(w.category, KioskWarning)]
        assert len(caught) == 1, caught
        assert "killed" in caught[0] and "kiosk's own process" in caught[0]
        assert all(r.path_for(x) for x in (LINES[1], "Three.", "Four.")) and r.available
        assert worker.pid is None  # never started again: no restart loop
    assert no_in_process == [LINES[1], "Three.", "Four."]


def test_a_worker_that_cannot_start_warns_once_and_the_kiosk_speaks(
    tmp_path: Path, no_in_process: list[str], here: Synth
) -> None:
    gone = EspeakWorker(python=str(tmp_path / "no-such-python"), here=here)
    with pytest.warns(KioskWarning, match="could not start") as warned:
        with espeak_renderer(tmp_path / "cache", worker=gone) as r:
            render(r, *LINES)
    assert len([w for w in warned if issubclass(w.category, KioskWarning)]) == 1
    assert no_in_process == list(LINES)


def test_a_worker_that_hangs_is_given_up_with_one_warning(
    tmp_path: Path, no_in_process: list[str], here: Synth
) -> None:
    # A hung worker is known only by a timeout; this one never answers, however long it is.
    hung = EspeakWorker(python=str(mute_python(tmp_path)), start_timeout=0.2, here=here)
    with pytest.warns(KioskWarning, match="did not answer") as warned:
        with espeak_renderer(tmp_path / "cache", worker=hung) as r:
            render(r, *LINES)
    assert len([w for w in warned if issubclass(w.category, KioskWarning)]) == 1
    assert no_in_process == list(LINES) and hung.pid is None


# --- memory: the worker only while there is work ------------------------------------------------
def test_an_idle_worker_goes_and_the_next_batch_starts_another(
    tmp_path: Path, worker: Recording, no_in_process: list[str]
) -> None:
    with espeak_renderer(tmp_path, voice="en-us", worker=worker, idle_after=0.0) as r:
        render(r, LINES[0])
        assert r.wait_resting(HUNG)
        (first,) = worker.pids
        assert worker.pid is None and first is not None
        assert not Path(f"/proc/{first}").exists()  # exited and reaped, not a zombie
        render(r, LINES[1])
    assert no_in_process == [] and worker.dead is None
    assert len(set(worker.pids)) == 2 and None not in worker.pids


def test_the_neural_voice_renders_only_once_the_espeak_worker_has_gone(tmp_path: Path) -> None:
    """So the two workers never peak in memory together while a new day's lines render."""
    espeak_worker = Recording()
    seen: list[int | None] = []

    def neural(text: str, voice: str, rate: int, out: Path) -> None:
        seen.append(espeak_worker.pid)
        tone_synth(text, voice, rate, out)

    with Renderer(tmp_path / "neural", voice="n", synth=neural, normalised=True) as chosen, \
            espeak_renderer(tmp_path / "espeak", voice="en-us", worker=espeak_worker,
                            idle_after=0.0) as fallback:
        voices = Voices(chosen, fallback)
        voices.prepare(list(LINES))
        voices.prepare(["Stopped."], urgent=True)
        assert voices.wait(HUNG)
        assert all(voices.path_for(x) == chosen.path_for(x) for x in [*LINES, "Stopped."])
    assert len(seen) == 4 and seen == [None] * 4
    assert any(not urgent for _, urgent in espeak_worker.asked)  # the worker did render


def test_the_worker_answers_only_on_its_pipe(tmp_path: Path) -> None:
    """Whatever espeak-ng or pyttsx3 print must not be read as an answer."""
    import json
    import subprocess

    out = tmp_path / "line.wav"
    request = {"text": LINES[0], "voice": "en-us", "rate": 150, "out": str(out)}
    done = subprocess.run([sys.executable, "-m", "kiosk.io.espeak_worker"],
                          input=json.dumps(request) + "\n", capture_output=True, text=True,
                          timeout=HUNG)
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert replies[0] == {"ready": True} and "ok" in replies[1], done.stderr
    assert replies[1]["ok"] == pytest.approx(tts.check_wav(out))
    assert done.returncode == 0


def gone_mid_line(argv: list[str], request: dict[str, object]) -> tuple[int, str]:
    """Start a worker, read that it is ready, then close the kiosk's end of its answers and ask
    for a line, as a kiosk stopped mid-line leaves it: its exit code and what it logged."""
    import json
    import subprocess

    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    assert "ready" in json.loads(proc.stdout.readline())
    proc.stdout.close()
    proc.stdin.write(json.dumps(request) + "\n")
    proc.stdin.close()
    log = proc.stderr.read()
    return proc.wait(HUNG), log


def test_a_worker_whose_kiosk_went_mid_line_ends_quietly(tmp_path: Path) -> None:
    """No BrokenPipeError traceback in the journal each time the kiosk stops mid-line."""
    code, log = gone_mid_line(
        [sys.executable, "-m", "kiosk.io.espeak_worker"],
        {"text": LINES[0], "voice": "en-us", "rate": 150, "out": str(tmp_path / "a.wav")})
    assert (code, log) == (0, "")


def test_no_warning_when_the_kiosk_closes_the_worker_mid_line(
    tmp_path: Path, worker: Recording
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = in_worker(tmp_path, worker)
        r.prepare([f"Line number {n}, said slowly and calmly." for n in range(30)])
        assert worker.rendered.wait(HUNG)  # the worker is up, with 29 lines still to go
        r.close()  # joins the render thread: a warning from it would be caught by now
    assert worker.asked and worker.pid is None
    assert [str(w.message) for w in caught] == []


def test_a_killed_kiosk_leaves_no_worker_behind(tmp_path: Path) -> None:
    """systemd kills the whole unit, but a kiosk killed alone (by hand, or the OOM killer) must
    not leave its worker running: the worker ends when its pipe from the kiosk closes."""
    import subprocess

    kiosk = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from pathlib import Path\n"
         "from kiosk.io.espeak import EspeakWorker, espeak_renderer\n"
         "w = EspeakWorker()\n"
         f"r = espeak_renderer(Path({str(tmp_path)!r}), voice='en-us', worker=w, "
         "idle_after=3600)\n"
         "r.prepare([f'Line number {n}, said slowly.' for n in range(200)])\n"
         "while w.pid is None or not any(Path(sys.argv[1]).glob('*.wav')):\n"
         "    time.sleep(0.01)\n"
         "print(w.pid, flush=True)\n"
         "time.sleep(3600)\n", str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    assert kiosk.stdout is not None
    worker = int(kiosk.stdout.readline())
    kiosk.kill()
    kiosk.wait()
    assert until(lambda: not alive(worker))


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped (a zombie has stopped for good)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status
