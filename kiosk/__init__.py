"""Offline back-care exercise-therapy kiosk: guided sessions by voice and three buttons."""

__version__ = "0.1.0"

import os as _os

# pygame prints a greeting on import; the demo's stdout carries only what the kiosk says.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

# Before any kiosk module makes its dataclasses: their generated methods compile from a cache
# written at install time, which halves start-up (kiosk/bytecode.py).
from kiosk import bytecode as _bytecode  # noqa: E402

_bytecode.install()

# gpiozero imports importlib.metadata, which the kiosk never uses, for 30 ms of every start.
from kiosk import lazy_metadata as _lazy_metadata  # noqa: E402

_lazy_metadata.install()
