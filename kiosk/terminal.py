"""Text for a terminal: nothing read from a file may drive the terminal it is printed on.

A history or config can hold escape sequences (``\\x1b]...`` rewrites the title, ``\\x1b[2J``
clears the screen, a bidi override reorders what is shown). Everything the ``kiosk`` command
prints goes through ``printable``.

``Progress`` is the one way a long command (simulate, export, report, the USB copy) says how far
it has got: one line on stderr, rewritten in place, and only when stderr is a terminal.
"""

from __future__ import annotations

import sys
from typing import TextIO

from kiosk.core.words.plain import printable

__all__ = ["Progress", "printable", "say"]


def say(text: str, file: TextIO | None = None) -> None:
    """Print one line (or several) of ``text``, made safe for a terminal."""
    print(printable(text), file=file or sys.stdout)


class Progress:
    """How far a long job has got, on one line of a terminal: ``kiosk export: 2019-03, month
    12 of 121``. Each step rewrites the line (a carriage return, then spaces over what was
    longer); ``done()`` clears it, so what the command prints next starts on a clean line.

    Quiet when ``stream`` (stderr unless given) is not a terminal: a pipe, a file, the
    journal of a service or a test's capture see only the command's result, never a trail of
    carriage returns. Also quiet with ``quiet=True``: an export written to the same terminal
    would be torn apart by the line being rewritten under it."""

    def __init__(self, label: str, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.label = label
        self._stream = stream if stream is not None else sys.stderr
        self.on = not quiet and _is_terminal(self._stream)
        self._width = 0  # of the line last drawn, to blank what a shorter one leaves

    def step(self, what: str, done: int | None = None, total: int | None = None) -> None:
        """Say ``what`` is under way, with ``done`` of ``total`` when they are known."""
        if not self.on:
            return
        count = f", {done} of {total}" if done is not None and total else ""
        self._draw(printable(f"{self.label}: {what}{count}"))

    def done(self) -> None:
        """Clear the line; safe to call twice, and when nothing was drawn."""
        if self.on and self._width:
            self._draw("")
            self._width = 0

    def _draw(self, line: str) -> None:
        pad = " " * max(0, self._width - len(line))
        try:
            self._stream.write("\r" + line + pad + ("\r" + line if pad else ""))
            self._stream.flush()
        except OSError:  # a terminal gone (ssh dropped): the job goes on without it
            self.on = False
        self._width = len(line)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):  # closed, or not a real file
        return False
