"""Offline back-care exercise-therapy kiosk: guided sessions by voice and three buttons.

Importing the package changes nothing outside it: the dataclass bytecode cache is switched on by
the kiosk's entry point (kiosk/entry.py), and importlib.metadata is kept out of the gpiozero
import only while that import runs (kiosk/lazy_metadata.py).
"""

__version__ = "0.1.0"

import os as _os

# pygame prints a greeting on import; the demo's stdout carries only what the kiosk says.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
