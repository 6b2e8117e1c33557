"""How long a line takes to say: measured from its rendered file where there is one.

The voice renders every line ahead of time and knows each file's real length; the session paces
by that (``seconds_to_say``). A line not rendered yet is estimated from its words at the voice's
rate (``phrases.speech_seconds``), which runs long on purpose.

A breath never stretches or shrinks for a line. A cue that would run past its breath is said in
its short form, and one whose short form would too is left out: the breath's tone carries it
(``fitting``). Pure: the lengths arrive as plain data in ``SessionSettings.spoken``.
"""

from __future__ import annotations

from kiosk.core.data.model import Lengths, SessionSettings
from kiosk.core.words.phrases import speech_seconds

# After a rendered line, before the next can start: the mixer's buffer and a natural pause.
LINE_GAP = 0.25
# A line may run this far into the next breath before the voice audibly lags the pacer. The
# same allowance the config loaders grant every step at the reference rate
# (kiosk/config/values.py).
CUE_SLACK = 0.5


def seconds_to_say(settings: SessionSettings, text: str) -> float:
    """How long ``text`` keeps the voice busy: its measured length, else the estimate."""
    return line_seconds(text, settings.speech_rate_wpm, settings.spoken)


def line_seconds(text: str, rate_wpm: int, spoken: Lengths | None = None) -> float:
    """``seconds_to_say`` for the flows that carry a rate and the lengths rather than the
    session's settings: captions, question pages, the screening."""
    measured = spoken.get(text) if spoken is not None else None
    if measured is None:
        return speech_seconds(text, rate_wpm)
    return measured + LINE_GAP


def fitting(settings: SessionSettings, full: str, short: str, budget: float) -> str:
    """The form of a cue to say in ``budget`` seconds: ``full`` if it fits, else ``short``, else
    "" (say nothing; the tone marks the breath)."""
    for line in (full, short):
        if line and seconds_to_say(settings, line) <= budget + CUE_SLACK:
            return line
    return ""
