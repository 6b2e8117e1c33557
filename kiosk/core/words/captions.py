"""Captions are the whole script: every spoken line, in order, on screen while it is said.

The voice speaks lines one after another; the caption follows the same queue on the kiosk's
own clock, so a kiosk with no sound card shows exactly what a speaker would have said, each line
for as long as it takes to say: its rendered file's measured length where there is one, else
the words-per-minute estimate (``kiosk.core.words.speech.line_seconds``). A line cut off by a
press, or
dropped by a hush, is dropped here too: the caption never shows a line the voice skipped.
Pure: time arrives as ``now``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from kiosk.core.data.model import Lengths
from kiosk.core.words.phrases import speech_seconds
from kiosk.core.words.speech import line_seconds

__all__ = ["Captions", "speech_seconds"]


@dataclass
class _Line:
    text: str
    start: float
    end: float


class Captions:
    """The queue of lines as the voice will speak them. ``at(now)`` is the caption."""

    def __init__(self, rate_wpm: int, lengths: Lengths | None = None) -> None:
        self.rate_wpm = rate_wpm
        self.lengths = lengths  # the measured lengths of rendered lines (SessionSettings.spoken)
        self._lines: deque[_Line] = deque()  # the head is the line on screen now

    def say(self, text: str, now: float, *, interrupt: bool = False) -> None:
        if interrupt:
            self.hush(now)
        start = max(now, self._lines[-1].end) if self._lines else now
        self._lines.append(_Line(text, start, start + line_seconds(text, self.rate_wpm,
                                                                      self.lengths)))

    def hush(self, now: float) -> None:
        """The voice stopped: the line being said ends now, and queued lines are dropped."""
        self._advance(now)
        if self._lines and self._lines[0].start <= now:
            head = self._lines[0]
            head.end = min(head.end, now)
            self._lines = deque([head])
        else:
            self._lines.clear()

    def at(self, now: float) -> str:
        """The line being said at ``now``; the last line stays on screen after it ends."""
        self._advance(now)
        return self._lines[0].text if self._lines and self._lines[0].start <= now else ""

    def quiet_at(self) -> float:
        """When the last queued line will have been said."""
        return self._lines[-1].end if self._lines else float("-inf")

    def next_change(self, now: float) -> float | None:
        """When the caption changes next, if a line is still waiting its turn."""
        self._advance(now)
        return self._lines[1].start if len(self._lines) > 1 else None

    def _advance(self, now: float) -> None:
        while len(self._lines) > 1 and self._lines[1].start <= now:
            self._lines.popleft()
