"""Captions are the whole script: every spoken line, in order, on screen while it is said.

The voice speaks lines one after another; the caption follows the same queue on the kiosk's
own clock, so a kiosk with no sound card shows exactly what a speaker would have said, each line
for as long as it takes to say: its rendered file's measured length where there is one, else
the words-per-minute estimate (``kiosk.core.words.speech.line_seconds``). A line cut off by a
press, or
dropped by a hush, is dropped here too: the caption never shows a line the voice skipped.

Each line belongs to the screen it was said for (``claim``): a screen shows only its own
lines, so a question still being said as the next screen comes up, or the last line of a rest
as the session ends, is heard to its end but never shown under a screen it does not belong to.
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
    owner: object = None  # the screen it was said for; None until claimed


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

    def claim(self, owner: object) -> None:
        """The lines said since the last claim belong to ``owner``: the screen shown once the
        event that said them is handled."""
        for line in reversed(self._lines):
            if line.owner is not None:
                break
            line.owner = owner

    def at(self, now: float, owner: object = None) -> str:
        """The line being said at ``now``; the last line stays on screen after it ends. Given
        an ``owner``, only a line said for it: another screen's line shows no caption."""
        self._advance(now)
        if not self._lines or self._lines[0].start > now:
            return ""
        head = self._lines[0]
        return head.text if owner is None or head.owner in (owner, None) else ""

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
