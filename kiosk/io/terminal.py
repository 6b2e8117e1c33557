"""Keys from a terminal as the three buttons, for the screenless kiosk without a Pi.

``kiosk run --headless --mock`` in a terminal reads single keys: g a r press GREEN, AMBER or RED,
G A R (with shift) hold them, q or Ctrl-D closes the kiosk. A reader thread only hands each key
over on the loop's inbox as a ``Typed`` key; the main loop drives the mock pins, as it does for the
window's keyboard. The terminal is put in cbreak mode (a key acts without Enter, Ctrl-C still
stops) and restored on close.
"""

from __future__ import annotations

import contextlib
import os
import termios
import threading
import tty
from typing import Any, TextIO

from kiosk.core.data.model import Button
from kiosk.devices import EndOfInput, Inbox, Typed

KEYS = {"g": Button.GREEN, "a": Button.AMBER, "r": Button.RED}


def parse(char: str) -> Typed | EndOfInput | None:
    """What one typed character means; None for anything else (Enter, spaces...)."""
    if char in ("q", "Q", "\x04"):
        return EndOfInput()
    button = KEYS.get(char.lower())
    return Typed(button, hold=char.isupper()) if button is not None else None


class TerminalKeys:
    HELP = ("Keys: g a r press GREEN, AMBER, RED; G A R (shift) hold them; q quits. "
            "Each spoken line is printed as say:")

    def __init__(self, stream: TextIO, inbox: Inbox) -> None:
        self._fd = stream.fileno()
        self._inbox = inbox
        self._saved: Any = None
        self._cbreak()
        self._thread = threading.Thread(target=self._read, name="terminal-keys", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Give the terminal back as it was; safe to call twice. The reader thread is a daemon
        blocked in read(), so it ends with the process."""
        if self._saved is not None:
            with contextlib.suppress(OSError, termios.error):
                termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def _cbreak(self) -> None:
        try:
            self._saved = termios.tcgetattr(self._fd)
            tty.setcbreak(self._fd)
        except (OSError, termios.error):
            self._saved = None  # not a terminal after all: keys arrive a line at a time

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._fd, 64)
            except OSError:
                data = b""
            if not data:
                self._inbox.put(EndOfInput())
                return
            for char in data.decode("utf-8", "replace"):
                item = parse(char)
                if item is not None:
                    self._inbox.put(item)
                if isinstance(item, EndOfInput):
                    return
