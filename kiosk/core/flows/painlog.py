"""The pain log: RED on the home screen rates the pain right now, between sessions.

Rated as at a session's check-in: GREEN raises the number, AMBER lowers it, holding GREEN saves
it, holding RED cancels and goes back home. Only presses that began in the pain log count, so the
RED press that opened it cannot cancel it by being held. What is saved is a pain entry, not a
session: a flare-up between sessions is what a clinician wants to see, and the progression
never treats it as a day's exercise. Pure: events in, effects out.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.core.data.events import (
    Effect,
    Event,
    Finished,
    Hold,
    Press,
    Release,
    Save,
    Stuck,
    Tick,
)
from kiosk.core.data.model import Button, SessionSettings
from kiosk.core.data.records import PainEntry
from kiosk.core.data.view import View
from kiosk.core.flows.flow import Outbox
from kiosk.core.words import phrases

BUTTONS = {
    Button.GREEN: "Raise (hold: save)",
    Button.AMBER: "Lower",
    Button.RED: "Hold: cancel",
}


class PainLog:
    """One pain log entry being rated. Call ``start`` once, then ``handle`` every event."""

    holds = frozenset({Button.RED})  # held: cancel (GREEN held saves, as at any pain rating)

    def __init__(
        self,
        settings: SessionSettings,
        *,
        t0: float,
        at: datetime,
        entry_id: str,
        last_pain: int | None,
    ) -> None:
        self.settings = settings
        self.at = at
        self.entry_id = entry_id
        self.last_pain = last_pain
        self.value = last_pain if last_pain is not None else 0
        self.done = False
        self.saved: PainEntry | None = None
        self._talk = Outbox(settings.speech_rate_wpm, t0, settings.spoken)
        self._armed: set[Button] = set()
        self._reprompted = False
        self._deadline = t0

    def start(self) -> list[Effect]:
        return self._ask(phrases.pain_log_prompt(self.value), interrupt=True)

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self._talk.now = max(self._talk.now, event.t)
        if isinstance(event, Stuck):
            self._talk.say(f"The {event.button.word} button seems stuck. Please check it.")
            return self._talk.flush()
        if isinstance(event, Press):
            self._armed.add(event.button)
            return []
        if isinstance(event, (Release, Hold)) and event.button not in self._armed:
            return []  # e.g. the RED press that opened the log, still held
        if isinstance(event, Release):
            self._armed.discard(event.button)
            if event.held or event.button is Button.RED:
                return []
            self.value = min(10, max(0, self.value + (1 if event.button is Button.GREEN else -1)))
            return self._ask(phrases.pain_value(self.value), interrupt=True)
        if isinstance(event, Hold) and event.button is Button.GREEN:
            return self._save()
        if isinstance(event, Hold) and event.button is Button.RED:
            return self._end(phrases.PAIN_LOG_CANCELLED)
        if isinstance(event, Tick) and self._talk.now >= self._deadline:
            if self._reprompted:
                return self._end(phrases.PAIN_LOG_NO_ANSWER)
            self._reprompted = True
            return self._ask(phrases.PAIN_LOG_REPROMPT)
        return []

    @property
    def result(self) -> PainEntry | None:
        return self.saved

    @property
    def view(self) -> View:
        return View(
            screen="painlog",
            title="Pain right now?",
            lines=("Pain log: 0 = none, 10 = worst",),
            pain=self.value,
            buttons=dict(BUTTONS),
            awaiting="pain",
        )

    # --- inside ---------------------------------------------------------------------------------
    def _ask(self, text: str, *, interrupt: bool = False) -> list[Effect]:
        self._talk.say(text, interrupt=interrupt)
        self._deadline = self._talk.until + self.settings.pain_timeout
        return self._talk.flush()

    def _save(self) -> list[Effect]:
        self.saved = PainEntry(id=self.entry_id, at=self.at, pain=self.value)
        self._talk.add(Save(self.saved))
        self._talk.say(phrases.pain_logged(self.value), interrupt=True)
        rise = self.settings.pain_rise_stop
        if self.last_pain is not None and self.value >= self.last_pain + rise:
            self._talk.say(phrases.PAIN_LOG_CLINICIAN)
        return self._end()

    def _end(self, text: str | None = None) -> list[Effect]:
        if text is not None:
            self._talk.say(text, interrupt=True)
        self.done = True
        self._talk.add(Finished())
        return self._talk.flush()
