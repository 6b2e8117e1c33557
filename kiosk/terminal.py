"""Text for a terminal: nothing read from a file may drive the terminal it is printed on.

A history or config can hold escape sequences (``\\x1b]...`` rewrites the title, ``\\x1b[2J``
clears the screen, a bidi override reorders what is shown). Everything the ``kiosk`` command
prints goes through ``printable``.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

# C0 and C1 controls except tab and newline, DEL, and the bidi overrides and isolates.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without the characters that control a terminal (tab and newline stay)."""
    return _CONTROLS.sub("", text)


def say(text: str, file: TextIO | None = None) -> None:
    """Print one line (or several) of ``text``, made safe for a terminal."""
    print(printable(text), file=file or sys.stdout)
