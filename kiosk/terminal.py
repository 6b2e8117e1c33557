"""Text for a terminal: nothing read from a file may drive the terminal it is printed on.

A history or config can hold escape sequences (``\\x1b]...`` rewrites the title, ``\\x1b[2J``
clears the screen, a bidi override reorders what is shown). Everything the ``kiosk`` command
prints goes through ``printable``.
"""

from __future__ import annotations

import sys
from typing import TextIO

from kiosk.core.words.plain import printable

__all__ = ["printable", "say"]


def say(text: str, file: TextIO | None = None) -> None:
    """Print one line (or several) of ``text``, made safe for a terminal."""
    print(printable(text), file=file or sys.stdout)
