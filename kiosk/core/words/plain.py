"""Plain text: nothing read from a file may drive whatever shows it.

A history or config can hold escape sequences (``\\x1b]...`` rewrites a terminal's title,
``\\x1b[2J`` clears its screen), raw NULs, and bidirectional overrides that reorder what is
shown. The terminal (kiosk/terminal.py), the clinician's report and the CSV export all show
text through ``printable``: one rule for all three.
"""

from __future__ import annotations

import re

# C0 and C1 controls except tab and newline, DEL, and the bidi marks, overrides and isolates.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without the characters that control a terminal or reorder text (tab and
    newline stay)."""
    return CONTROLS.sub("", text)
