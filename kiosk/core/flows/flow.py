"""One flow mechanism: what every screen the kiosk runs has in common. Pure.

A flow is a small state machine: ``start()`` once, then ``handle(event)`` for every event the
kiosk routes to it, each returning effects; ``view`` is what the screen shows; ``done`` says it
has finished, and ``result`` is what it leaves behind (a saved record, a choice, an answer).
``holds`` names the buttons whose hold means something on it, besides GREEN held at a pain
rating (the ring and the confirming tone, docs/controls.md).

The kiosk (``kiosk.core.flows.kiosk``) keeps a stack of flows with the home screen at the bottom:
it pushes a flow with a continuation and pops it once done, calling the continuation with it.
Every flow's effects go through the kiosk's one loop (save, caption, hush, finish).

A flow that speaks keeps its speech in an ``Outbox``: when the voice will be done talking, the
line on its caption, and the effects waiting to leave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kiosk.core.data.events import Effect, Event, Say, Show
from kiosk.core.data.model import Button, Lengths
from kiosk.core.data.view import View
from kiosk.core.words.speech import line_seconds

NO_HOLDS: frozenset[Button] = frozenset()


class Flow(Protocol):
    """A screen the kiosk runs: the home screen, a session, a ritual, a question..."""

    @property
    def done(self) -> bool: ...
    @property
    def view(self) -> View: ...
    @property
    def result(self) -> object: ...
    @property
    def holds(self) -> frozenset[Button]: ...
    def start(self) -> list[Effect]: ...
    def handle(self, event: Event) -> list[Effect]: ...


class Outbox:
    """A flow's speech bookkeeping and the effects it has still to hand over.

    ``say`` queues a line after the one being said (or cuts it off, ``interrupt``) and keeps
    ``until``, when the voice will be done: what every pause and deadline is measured from.
    ``flush(view)`` hands over the effects, with a ``Show`` when the view changed."""

    def __init__(self, rate_wpm: int, now: float, lengths: Lengths | None = None) -> None:
        self.rate_wpm = rate_wpm
        self.lengths = lengths  # measured lengths of rendered lines; else the estimate
        self.now = now
        self.until = now
        self.caption = ""
        self.out: list[Effect] = []
        self._shown: View | None = None

    def seconds(self, text: str) -> float:
        """How long ``text`` keeps the voice busy."""
        return line_seconds(text, self.rate_wpm, self.lengths)

    def say(self, text: str, *, interrupt: bool = False) -> None:
        start = self.now if interrupt else max(self.now, self.until)
        self.until = start + self.seconds(text)
        self.caption = text
        self.out.append(Say(text, interrupt=interrupt))

    def add(self, effect: Effect) -> None:
        self.out.append(effect)

    def interrupt_first_line(self) -> None:
        """A press that moved things on cuts off the old line: the first new line interrupts,
        and the voice is busy only with the lines queued since."""
        for i, eff in enumerate(self.out):
            if isinstance(eff, Say):
                if not eff.interrupt:
                    self.out[i] = Say(eff.text, interrupt=True)
                    start = self.now
                    for later in self.out[i:]:
                        if isinstance(later, Say):
                            start += self.seconds(later.text)
                    self.until = start
                return

    def queued_seconds(self) -> float:
        """How long the lines queued since the last flush take to say."""
        return sum(self.seconds(e.text) for e in self.out if isinstance(e, Say))

    def flush(self, view: View | None = None) -> list[Effect]:
        """The effects so far, and the view when it changed since the last one shown."""
        if view is not None and view is not self._shown and view != self._shown:
            self.out.append(Show(view))
            self._shown = view
        out, self.out = self.out, []
        return out


# The id of every record the kiosk makes: the time, the kiosk run's nonce (two runs never mint
# the same id), a count, and marks of the record's kind, as ids already saved have them:
# (before the time, before the count, after the count).
KINDS = {"session": ("", "", ""), "ritual": ("", "r", ""), "psfs": ("psfs-", "", ""),
         "pain": ("pain-", "", ""), "check": ("", "", "s"), "screening": ("", "", "m"),
         "program": ("program-", "", "")}


def record_id(kind: str, at: datetime, nonce: str, count: int) -> str:
    head, before, after = KINDS[kind]
    return f"{head}{at:%Y%m%dT%H%M%S}-{nonce or 'k'}{before}{count}{after}"
