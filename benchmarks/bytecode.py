"""Precompile the kiosk before a benchmark times whole processes.

A Pi runs the kiosk from the bytecode that ``systemd/install.sh`` writes at install time with
``python -m kiosk.precompile`` (the service cannot write ``__pycache__`` under
``ProtectSystem=strict``): the modules' bytecode, and the cached methods of the dataclasses
(kiosk/bytecode.py). A checkout where ``PYTHONDONTWRITEBYTECODE`` is set has neither, and every
process would compile the kiosk from source first, adding 0.3-0.4 s that no installed kiosk
pays. Benchmarks that time start-up call :func:`compile_kiosk` first, so they measure what the
Pi runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compile_kiosk() -> None:
    """Run the install's precompile step in a process of its own (this one may not import the
    kiosk at all)."""
    subprocess.run([sys.executable, "-m", "kiosk.precompile", "-q"], cwd=ROOT, check=True)
