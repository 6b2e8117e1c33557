"""The optional neural voice (kiosk/io/piper.py): real lines in Piper, checked with sox, and the
fallback to espeak-ng that keeps the kiosk from ever going silent.

The tests that render in Piper need the ``voice`` extra, which `make test` installs (so they run
in CI); elsewhere they skip and say so. The fallback tests run everywhere: a voice that cannot
load is exactly the case they are for.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.errors import HardwareError, KioskWarning
from kiosk.io import loudness, piper, tts
from kiosk.io.tts import Renderer
from kiosk.io.voice import NEURAL_UNAVAILABLE, Voices, open_lines
from tests.io import soxcheck
from tests.io.test_tts import needs_espeak, render, tone_synth

HUNG = 300.0  # seconds: only a hung worker takes this long, even on a Pi Zero 2 W
LINES = ("Breathe out as you lift your hips.", "Two. Breathe in.")

PACKAGED = piper.packaged_model()
needs_piper = pytest.mark.skipif(
    piper.why_not("") is not None,
    reason=f"the neural voice is not installed here ({piper.why_not('')}); make test installs it",
)


@pytest.fixture(scope="module")
def synth() -> Iterator[piper.PiperSynth]:
    """One worker for the module: loading the voice is the slow part."""
    assert PACKAGED is not None
    s = piper.PiperSynth(PACKAGED, 1.15)
    s.load(HUNG)
    yield s
    s.close()


def neural(cache: Path, synth: piper.PiperSynth) -> Renderer:
    return Renderer(cache / "piper", voice=synth.name, rate=115, synth=synth, normalised=True,
                    fallback_note="speaking every line with espeak-ng instead")


# --- real lines in the neural voice ----------------------------------------------------------
@soxcheck.needs_sox
@needs_piper
def test_piper_lines_are_trimmed_at_the_one_level_and_measured(
    synth: piper.PiperSynth, tmp_path: Path
) -> None:
    with neural(tmp_path, synth) as r:
        paths = render(r, *LINES)
        for line, path in zip(LINES, paths, strict=True):
            figures = soxcheck.stats(path)
            assert abs(figures["RMS lev dB"] - loudness.TARGET_DBFS) <= loudness.TOLERANCE_DB
            assert figures["Pk lev dB"] < -3.0
            # Trimmed: 0.06-0.11 s, as sox counts Piper's faint end-of-line breath (under -40
            # dBFS) as silence, and Piper's sampling varies it from run to run; untrimmed: 0.3 s
            # or more. 0.1 s failed now and then on that variation alone.
            assert soxcheck.silence_at_ends(path, tmp_path) < 0.2, line
            assert r.seconds_for(line) == pytest.approx(soxcheck.seconds(path), abs=0.001)
        # Real speech of a plausible length: about 2 s for seven words at a calm pace.
        assert 1.0 < soxcheck.seconds(paths[0]) < 4.0
        assert soxcheck.seconds(paths[1]) < soxcheck.seconds(paths[0])


@soxcheck.needs_sox
@needs_espeak
@needs_piper
def test_the_neural_voice_and_espeak_play_at_the_same_level(
    synth: piper.PiperSynth, tmp_path: Path
) -> None:
    with neural(tmp_path, synth) as chosen, Renderer(tmp_path / "espeak") as fallback:
        voices = Voices(chosen, fallback)
        voices.prepare(LINES[:1])
        assert voices.wait(HUNG)
        a = soxcheck.stats(chosen.path_for(LINES[0]) or Path("missing"))["RMS lev dB"]
        b = soxcheck.stats(fallback.path_for(LINES[0]) or Path("missing"))["RMS lev dB"]
    assert abs(a - b) <= loudness.TOLERANCE_DB


@needs_piper
def test_a_slower_length_scale_gives_a_longer_line(
    synth: piper.PiperSynth, tmp_path: Path
) -> None:
    assert PACKAGED is not None
    fast = piper.PiperSynth(PACKAGED, 0.9)
    try:
        fast(LINES[0], "", 0, tmp_path / "fast.wav")
    finally:
        fast.close()
    synth(LINES[0], "", 0, tmp_path / "calm.wav")
    assert tts.check_wav(tmp_path / "calm.wav") > tts.check_wav(tmp_path / "fast.wav")


@needs_piper
def test_a_worker_that_dies_falls_back_to_espeak_with_one_notice(tmp_path: Path) -> None:
    """The kernel's OOM killer sends SIGKILL: the kiosk hears of it from the dead pipe."""
    assert PACKAGED is not None
    doomed = piper.PiperSynth(PACKAGED, 1.15)
    with neural(tmp_path, doomed) as chosen, Renderer(tmp_path / "toned",
                                                      synth=tone_synth) as fallback:
        doomed.load(HUNG)
        assert doomed.pid is not None
        os.kill(doomed.pid, signal.SIGKILL)
        voices = Voices(chosen, fallback)
        with pytest.warns(KioskWarning) as warned:
            voices.prepare(["One.", "Two.", "Three."])
            assert voices.wait(HUNG)
        caught = [w for w in warned if issubclass(w.category, KioskWarning)]
        assert len(caught) == 1, [str(w.message) for w in caught]
        assert "out of memory" in str(caught[0].message)
        assert "espeak-ng instead" in str(caught[0].message)
        assert all(voices.path_for(x) == fallback.path_for(x) for x in ("One.", "Two."))
        assert not chosen.available and not voices.failed("One.")


# --- memory: how the worker loads the voice (docs/voice.md, "Memory") ----------------------------
def _default_voice(model: Path) -> object:
    """The voice as onnxruntime's defaults load it, on the worker's one thread: the baseline."""
    import json

    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                           providers=["CPUExecutionProvider"])
    with open(f"{model}.json", encoding="utf-8") as fh:
        return PiperVoice(session=session, config=PiperConfig.from_dict(json.load(fh)))


@soxcheck.needs_sox
@needs_piper
def test_the_workers_memory_settings_leave_the_speech_sample_for_sample_the_same(
    tmp_path: Path,
) -> None:
    """No arena and glibc's own mappings change only where the tensors live. With onnxruntime's
    random seed fixed (Piper's voice draws noise), a line rendered as the worker loads the voice
    is the very file the defaults give."""
    import onnxruntime

    from kiosk.io import piper_worker

    assert PACKAGED is not None
    line = "and let the lower ribs widen sideways into your hands."  # the longest clause
    onnxruntime.set_seed(18)
    lean = piper_worker.load(PACKAGED)
    assert lean.session.get_session_options().enable_cpu_mem_arena is False
    piper_worker.render(lean, line, tmp_path / "lean.wav", 1.3)
    onnxruntime.set_seed(18)
    piper_worker.render(_default_voice(PACKAGED), line, tmp_path / "default.wav", 1.3)
    assert (tmp_path / "lean.wav").read_bytes() == (tmp_path / "default.wav").read_bytes()
    # ...and it is speech: about 3-4 s at this pace, at the kiosk's one level.
    assert 2.0 < soxcheck.seconds(tmp_path / "lean.wav") < 6.0
    level = soxcheck.stats(tmp_path / "lean.wav")["RMS lev dB"]
    assert abs(level - loudness.TARGET_DBFS) <= loudness.TOLERANCE_DB


def _samples(path: Path) -> list[int]:
    import array
    import wave

    with wave.open(str(path), "rb") as w:
        return list(array.array("h", w.readframes(w.getnframes())))


@soxcheck.needs_sox
@needs_piper
def test_the_voice_cut_in_two_says_a_line_as_the_whole_voice_does(tmp_path: Path) -> None:
    """The worker cuts the voice and renders the decoder in windows (kiosk.io.piper_parts), so
    a long clause takes the memory of a short one. The speech is the same: with onnxruntime's
    seed fixed, the same number of samples, each within the rounding of the windows' float
    sums (two steps of 32 767 here; -84 dB)."""
    import onnxruntime

    from kiosk.io import piper_parts, piper_worker

    assert PACKAGED is not None
    line = "and let the lower ribs widen sideways into your hands."  # the longest clause
    onnxruntime.set_seed(18)
    cut = piper_worker.load(PACKAGED, tmp_path / "parts")
    assert isinstance(cut.session, piper_parts.WindowedSession)
    assert cut.session.decoder.get_session_options().enable_cpu_mem_arena is False
    piper_worker.render(cut, line, tmp_path / "cut.wav", 1.3)
    onnxruntime.set_seed(18)
    piper_worker.render(_default_voice(PACKAGED), line, tmp_path / "whole.wav", 1.3)
    windowed, whole = _samples(tmp_path / "cut.wav"), _samples(tmp_path / "whole.wav")
    # more than one window's worth: the joins are in this line
    assert len(windowed) == len(whole) > 2 * piper_parts.WINDOW * 256
    assert max(abs(a - b) for a, b in zip(windowed, whole, strict=True)) <= 3
    assert abs(soxcheck.stats(tmp_path / "cut.wav")["RMS lev dB"] - loudness.TARGET_DBFS) \
        <= loudness.TOLERANCE_DB
    # The parts hold the model's weights once between them.
    sizes = [(tmp_path / "parts" / name).stat().st_size for name in ("encoder.onnx",
                                                                      "decoder.onnx")]
    assert abs(sum(sizes) - PACKAGED.stat().st_size) < PACKAGED.stat().st_size // 100


@needs_piper
def test_damaged_parts_render_whole_this_time_and_are_made_again_next_time(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from kiosk.io import piper_parts, piper_worker

    assert PACKAGED is not None
    parts = piper_parts.split(PACKAGED, tmp_path / "parts")
    assert parts is not None
    parts.decoder.write_bytes(parts.decoder.read_bytes()[:1000])  # a disk error, say
    voice = piper_worker.load(PACKAGED, tmp_path / "parts")
    assert not isinstance(voice.session, piper_parts.WindowedSession)
    assert "renders whole" in capfd.readouterr().err
    piper_worker.render(voice, "One.", tmp_path / "one.wav", 1.3)  # it still speaks
    assert tts.check_wav(tmp_path / "one.wav") > 0.2
    again = piper_worker.load(PACKAGED, tmp_path / "parts")
    assert isinstance(again.session, piper_parts.WindowedSession)


@needs_piper
def test_the_kiosk_keeps_the_cut_voice_in_its_voice_folder(tmp_path: Path) -> None:
    """open_lines gives the worker a folder beside the voice's lines: pruned with them when the
    voice changes, kept while it is in use."""
    lines = open_lines(tmp_path, voice="en-us", rate=150, engine="piper", length_scale=1.3)
    try:
        assert isinstance(lines, Voices)
        lines.prepare(["One."])
        assert lines.wait(HUNG)
        assert lines.chosen.path_for("One.") is not None  # said in the neural voice
    finally:
        lines.close()
    folder = lines.chosen.cache_dir
    manifest = json.loads((folder / "model" / "parts.json").read_text())
    assert manifest["latent"] and (folder / "model" / "encoder.onnx").is_file()
    open_lines(tmp_path, voice="en-us", rate=150, engine="piper", length_scale=1.3).close()
    assert (folder / "model" / "encoder.onnx").is_file()  # the voice in use: kept
    open_lines(tmp_path, voice="en-us", rate=150).close()
    assert not folder.exists()  # espeak-ng chosen again: pruned, parts and all


# glibc's count of blocks with a mapping of their own, around freeing a mapped 24 MB block and
# then asking for 16 MB: by default the free raises glibc's threshold to 24 MB, and the 16 MB
# come from the heap, where freeing them need not give the memory back.
MAPPED_BLOCKS = """
import ctypes, sys
class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes, libc.mallinfo2.restype = [ctypes.c_void_p], MallInfo2
if sys.argv[1:]:
    from pathlib import Path
    from kiosk.io import piper_worker
    piper_worker.load(Path(sys.argv[1]))
libc.free(libc.malloc(24 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(16 << 20)
print(libc.mallinfo2().hblks - before)
"""


@needs_piper
@pytest.mark.skipif(not hasattr(ctypes.CDLL(None), "mallinfo2"), reason="needs glibc 2.33+")
def test_after_load_big_blocks_keep_mappings_of_their_own() -> None:
    """What load() sets in glibc is in force in the process it loads in, as in the worker."""
    import subprocess
    import sys

    def mapped(*argv: str) -> str:
        return subprocess.run([sys.executable, "-c", MAPPED_BLOCKS, *argv], capture_output=True,
                              text=True, timeout=HUNG, check=True).stdout.strip()

    assert mapped() == "0"  # glibc's default: the probe can tell the difference
    assert mapped(str(PACKAGED)) == "1"


@needs_piper
def test_the_neural_voices_worker_whose_kiosk_went_mid_line_ends_quietly(tmp_path: Path) -> None:
    from tests.io.test_espeak import gone_mid_line

    assert PACKAGED is not None
    code, log = gone_mid_line(
        [sys.executable, "-m", "kiosk.io.piper_worker", "--model", str(PACKAGED)],
        {"text": LINES[0], "out": str(tmp_path / "a.wav")})
    assert code == 0 and "Traceback" not in log and "BrokenPipe" not in log, log


# --- never silent: the fallback, with or without Piper installed --------------------------------
class Gated:
    """A stand-in neural voice that renders only when let go, as a slow board would."""

    def __init__(self) -> None:
        self.go = threading.Event()

    def __call__(self, text: str, voice: str, rate: int, out: Path) -> None:
        assert self.go.wait(HUNG)
        tone_synth(text, voice, rate, out)


def test_a_line_not_rendered_in_the_chosen_voice_is_spoken_in_espeak_at_once(
    tmp_path: Path,
) -> None:
    gate = Gated()
    with Renderer(tmp_path / "neural", voice="n", synth=gate, normalised=True) as chosen, \
            Renderer(tmp_path / "espeak", synth=tone_synth) as fallback:
        voices = Voices(chosen, fallback)
        voices.prepare([LINES[0]], urgent=True)
        assert fallback.wait(HUNG)
        first = voices.path_for(LINES[0])
        assert first is not None and first.parent == tmp_path / "espeak"  # no waiting
        gate.go.set()  # the neural render finishes in the background...
        assert voices.wait(HUNG)  # (handed over once espeak-ng rests, then rendered)
        later = voices.path_for(LINES[0])
        assert later is not None and later.parent == tmp_path / "neural"  # ...for next time
        assert voices.seconds_for(LINES[0]) == chosen.seconds_for(LINES[0])


def test_a_voice_that_cannot_load_falls_back_to_espeak_with_one_notice(tmp_path: Path) -> None:
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not a neural network")
    (tmp_path / "broken.onnx.json").write_text("{}")
    synth = piper.PiperSynth(model)
    with Renderer(tmp_path / "neural", voice=synth.name, synth=synth, normalised=True,
                  on_close=synth.close, fallback_note="speaking every line with espeak-ng "
                  "instead") as chosen, Renderer(tmp_path / "espeak", synth=tone_synth) as espeak:
        voices = Voices(chosen, espeak)
        with pytest.warns(KioskWarning) as warned:
            voices.prepare(list(LINES))
            assert voices.wait(HUNG)
        caught = [w for w in warned if issubclass(w.category, KioskWarning)]
        assert len(caught) == 1, [str(w.message) for w in caught]
        assert "did not load" in str(caught[0].message)
        assert all(voices.path_for(line) == espeak.path_for(line) for line in LINES)
        assert all(voices.path_for(line) is not None for line in LINES)
    with pytest.raises(HardwareError):
        synth("again", "", 0, tmp_path / "x.wav")  # stays given up: no retry loop


def test_a_missing_model_speaks_espeak_with_one_notice(tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lines = open_lines(tmp_path, engine="piper", model=str(tmp_path / "nope.onnx"))
    try:
        assert isinstance(lines, Renderer)  # espeak-ng alone
        assert [str(w.message).startswith(NEURAL_UNAVAILABLE) for w in caught] == [True]
        # Why: the missing file, or (where the voice extra is not installed) the missing extra.
        why = "nope.onnx does not exist" if piper.why_not("") is None else "not installed"
        assert why in str(caught[0].message)
    finally:
        lines.close()


def test_changing_the_voice_prunes_the_old_voices_files(tmp_path: Path) -> None:
    cache = tts.cache_dir_for(tmp_path)
    stale = tts.voice_dir(cache, "piper", "en_US-old-voice", 1.15)
    stale.mkdir(parents=True)
    (stale / "0123456789abcdef0123456789abcdef.wav").write_bytes(b"old voice")
    lines = open_lines(tmp_path, voice="en-us", rate=150)
    lines.close()
    assert [p.name for p in cache.iterdir()] == ["espeak-en-us-150"]


def test_the_config_chooses_the_engine_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[voice]\nengine = "piper"\nmodel = "/voices/x.onnx"\nlength_scale = 1.3\n')
    cfg = load_config(good)
    assert cfg.ok
    assert (cfg.config.voice.engine, cfg.config.voice.model) == ("piper", "/voices/x.onnx")
    assert cfg.config.voice.length_scale == 1.3
    bad = tmp_path / "bad.toml"
    bad.write_text('[voice]\nengine = "festival"\nlength_scale = 9\n')
    loaded = load_config(bad)
    assert {p.key for p in loaded.problems} == {"voice.engine", "voice.length_scale"} or {
        p.key for p in loaded.problems} == {"engine", "length_scale"}
    assert loaded.config.voice.engine == "espeak"  # the default stands in


def test_the_packaged_config_leaves_the_neural_voice_off() -> None:
    """Its licence chain is not clearly usable everywhere (docs/voice.md): never on by itself."""
    assert load_config(None).config.voice.engine == "espeak"


def test_why_not_names_the_fix_when_piper_is_missing() -> None:
    real = importlib.util.find_spec
    # piper is installed here: this is how an install without it looks.
    why = piper.why_not("", find_spec=lambda name: None if name == "piper" else real(name))
    assert why is not None and "make setup VOICE=1" in why


def test_the_kiosk_process_stays_free_of_numpy_and_onnxruntime() -> None:
    """numpy alone adds about 25 MB, onnxruntime far more: they belong in the worker only, or
    the kiosk and its worker together outgrow the 250 MB a small board can give them."""
    import subprocess
    import sys

    probe = ("import sys, kiosk.cli, kiosk.runtime, kiosk.app, kiosk.io.voice, kiosk.io.piper; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'numpy', 'onnxruntime', 'piper'}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"
