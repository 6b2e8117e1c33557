"""What sox says about a rendered line: its level, its length and the silence at its ends.

Shared by the espeak-ng and the neural voice tests, so both are held to the same measure.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

needs_sox = pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")


def stats(path: Path) -> dict[str, float]:
    """``sox FILE -n stats``: "RMS lev dB", "Pk lev dB", "Length s"... as numbers."""
    out = subprocess.run(["sox", str(path), "-n", "stats"], capture_output=True, text=True,
                         check=True).stderr
    figures = {}
    for row in out.splitlines():
        name, _, value = row.rpartition(" ")
        try:
            figures[name.strip()] = float(value)
        except ValueError:
            continue
    return figures


def seconds(path: Path) -> float:
    return float(subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True,
                                check=True).stdout)


def silence_at_ends(path: Path, tmp: Path) -> float:
    """Seconds of silence (under -40 dBFS) that sox finds before and after the sound."""
    trimmed = tmp / f"trimmed-{path.name}"
    quiet = ["silence", "1", "0.001", "-40d"]
    subprocess.run(["sox", str(path), str(trimmed), *quiet, "reverse", *quiet, "reverse"],
                   check=True, capture_output=True)
    return seconds(path) - seconds(trimmed)
