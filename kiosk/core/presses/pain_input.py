"""Entering a pain rating with three buttons: GREEN raises, AMBER lowers, holding GREEN
confirms, RED is handed back to the caller. Used at check-in, after RED, and at check-out.

Pure: events in, an answer out. The session decides what each answer means and what to say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.core.data.events import Event, Hold, Press, Release, Tick
from kiosk.core.data.model import Button


class Answer(StrEnum):
    CHANGED = "changed"  # the number moved: say it
    CONFIRMED = "confirmed"  # GREEN held: the rating is ``value``
    RED = "red"  # RED pressed
    REPROMPT = "reprompt"  # nothing for a while: ask once more
    TIMED_OUT = "timed-out"  # still nothing: no rating


@dataclass
class PainInput:
    value: int
    timeout: float  # seconds of silence before asking again, then giving up
    deadline: float = 0.0
    reprompted: bool = False
    # Only presses that began during this rating count: the release of the press that started
    # the session (or stopped the set) must not nudge the number.
    armed: set[Button] = field(default_factory=set)

    def begin(self, quiet_at: float) -> None:
        """Start a rating; ``quiet_at`` is when the question will have been said."""
        self.reprompted = False
        self.armed = set()
        self.deadline = quiet_at + self.timeout

    def wait_from(self, quiet_at: float) -> None:
        self.deadline = quiet_at + self.timeout

    def handle(self, event: Event, now: float) -> Answer | None:
        if isinstance(event, Press):
            self.armed.add(event.button)
        if isinstance(event, (Release, Hold)) and event.button not in self.armed:
            return None
        if isinstance(event, Release):
            self.armed.discard(event.button)
        if isinstance(event, Release) and not event.held and event.button is not Button.RED:
            step = 1 if event.button is Button.GREEN else -1
            self.value = min(10, max(0, self.value + step))
            return Answer.CHANGED
        if isinstance(event, Hold) and event.button is Button.GREEN:
            return Answer.CONFIRMED
        if isinstance(event, Press) and event.button is Button.RED:
            return Answer.RED
        if isinstance(event, Tick) and now >= self.deadline:
            if not self.reprompted:
                self.reprompted = True
                return Answer.REPROMPT
            return Answer.TIMED_OUT
        return None
