"""The neural voice under the kiosk unit's hardening (issue 18, point 5).

systemd/kiosk.service sets MemoryDenyWriteExecute=yes and a system-call filter. onnxruntime,
which the neural voice runs on, must render under both: the worker is the kiosk's child, so it
inherits them. tests/deploy/sandbox.py applies the same filter with libseccomp (systemd is not
PID 1 everywhere these tests run); these tests first show that the sandbox really refuses what
the unit refuses, then render a line in it.
"""

from __future__ import annotations

import ctypes.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.io import piper, tts

SANDBOX = Path(__file__).resolve().parent / "sandbox.py"
HUNG = 300.0

needs_seccomp = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None or ctypes.util.find_library("seccomp") is None,
    reason="needs systemd-analyze (to expand the unit's filter) and libseccomp",
)


def sandboxed(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SANDBOX), sys.executable, "-c", code],
                          capture_output=True, text=True, timeout=HUNG)


@needs_seccomp
def test_the_sandbox_refuses_what_the_unit_refuses() -> None:
    done = sandboxed(
        "import mmap, os\n"
        "for name, call in [('wx', lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_WRITE"
        " | mmap.PROT_EXEC)), ('nice', lambda: os.nice(5)),"
        " ('affinity', lambda: os.sched_setaffinity(0, {0}))]:\n"
        "    try:\n        call(); print(name, 'allowed')\n"
        "    except PermissionError:\n        print(name, 'refused')\n"
        "print('still running')\n"
    )
    assert done.stdout.split("\n")[:4] == ["wx refused", "nice refused", "affinity refused",
                                           "still running"], done.stderr


@needs_seccomp
@pytest.mark.skipif(piper.why_not("") is not None,
                    reason=f"the neural voice is not installed here ({piper.why_not('')})")
def test_onnxruntime_renders_under_the_units_filter_and_memory_deny_write_execute(
    tmp_path: Path,
) -> None:
    """As the kiosk runs it: the worker cuts the voice in two first (copy_file_range, fsync,
    rename: kiosk.io.piper_parts), then renders in windows, all inside the sandbox."""
    model = piper.packaged_model()
    out = tmp_path / "line.wav"
    request = json.dumps({"text": "Breathe out as you lift your hips.", "out": str(out)})
    done = subprocess.run(
        [sys.executable, str(SANDBOX), sys.executable, "-m", "kiosk.io.piper_worker",
         "--model", str(model), "--length-scale", "1.15", "--parts", str(tmp_path / "parts")],
        input=request + "\n", capture_output=True, text=True, timeout=HUNG,
    )
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert replies[0] == {"ready": "en_US-joe-medium"}, done.stderr[-2000:]
    assert "ok" in replies[1], replies
    assert tts.check_wav(out) > 1.0
    assert "renders whole" not in done.stderr  # the cut was made and used, not fallen back from
    assert (tmp_path / "parts" / "decoder.onnx").is_file()


@needs_seccomp
def test_espeak_renders_in_its_worker_under_the_units_filter_and_memory_deny_write_execute(
    tmp_path: Path,
) -> None:
    """espeak-ng's worker (kiosk/io/espeak_worker.py) is the kiosk's child too: pyttsx3's ctypes
    callbacks, espeak-ng and the normaliser all run under the unit's sandbox."""
    out = tmp_path / "line.wav"
    request = json.dumps({"text": "Breathe out as you lift your hips.", "voice": "en-us",
                          "rate": 150, "out": str(out)})
    done = subprocess.run(
        [sys.executable, str(SANDBOX), sys.executable, "-m", "kiosk.io.espeak_worker"],
        input=request + "\n", capture_output=True, text=True, timeout=HUNG,
    )
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert replies[0] == {"ready": True}, done.stderr[-2000:]
    assert "ok" in replies[1], replies
    assert tts.check_wav(out) > 1.0
