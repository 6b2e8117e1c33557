"""Offline back-care exercise-therapy kiosk: guided sessions by voice and three buttons."""

__version__ = "0.1.0"

import os as _os

# pygame prints a greeting on import; the demo's stdout carries only what the kiosk says.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
