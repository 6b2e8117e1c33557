"""The menu's "Load program from USB" and "Previous program" (issue 28, docs/program.md).

A clinician's program comes on a USB stick (``backcare-program.toml`` at its top), or is the
one before the program in force. The kiosk checks it, says it back in plain words ("Your new
program has five exercises, three days a week: ..."), and keeps it only on GREEN: AMBER (or RED,
or no answer) keeps the program in force. A file that cannot be used is said in one sentence,
and nothing changes. Pure: events in, effects out; the stick is read by the shell
(``ReadUsbProgram`` out, ``ProgramFound`` back) and the text checked by what the runtime hands
in (``ProgramSetup``), since the check reads the exercise library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.data.events import (
    Effect,
    Event,
    Press,
    ProgramFound,
    ReadUsbProgram,
    Save,
    Tick,
)
from kiosk.core.data.model import Button, SessionSettings
from kiosk.core.data.records import ProgramRecord, Record, checksum, programs_of
from kiosk.core.data.view import View
from kiosk.core.flows.flow import Outbox

LOAD = "Load program from USB"
PREVIOUS = "Previous program"
READING = "Looking for a program on the USB stick."
ASK = "Press GREEN to keep this program, or AMBER to keep your old one."
KEPT = "Your new program is kept. It starts with your next session."
KEPT_OLD = "Your old program stays. Nothing has changed."
SAME = "This program is already the one you have. Nothing has changed."
NO_PREVIOUS = "There is no previous program to go back to."
BACK_TO_DEFAULT = ("Going back to the kiosk's own program, from before your clinician's "
                   "program was loaded.")
ANSWER_SECONDS = 120.0  # no answer: the old program stays
BUTTONS = {Button.GREEN: "Keep it", Button.AMBER: "Keep old", Button.RED: "Keep old"}


@dataclass(frozen=True)
class Review:
    """A program text, checked: ``problem`` is one sentence when it cannot be kept; else
    ``words`` say it back."""

    text: str
    problem: str = ""
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgramSetup:
    """What the flow needs from outside the core: the check of a text against the exercise
    library (kiosk.config.program.check_text), and the text of the version before the one in
    force (None: there is none; "": config/program.toml)."""

    review: Callable[[str], Review]
    previous: Callable[[Sequence[Record]], str | None]


class LoadProgram:
    """One program offered: from the stick (``text`` None: asked of the shell first) or the
    previous one. Call ``start`` once, then ``handle`` every event."""

    holds = frozenset[Button]()

    def __init__(
        self, setup: ProgramSetup, settings: SessionSettings, records: Sequence[Record], *,
        t0: float, at: datetime, record_id: str, previous: bool = False,
    ) -> None:
        self.setup = setup
        self.records = records
        self.at = at
        self.record_id = record_id
        self.previous = previous
        self.done = False
        self.saved: ProgramRecord | None = None
        self._talk = Outbox(settings.speech_rate_wpm, t0, settings.spoken)
        self._offered: Review | None = None
        self._deadline = t0
        self._lines: tuple[str, ...] = (READING,)

    def start(self) -> list[Effect]:
        if not self.previous:
            self._talk.say(READING, interrupt=True)
            self._talk.add(ReadUsbProgram())
            return self._talk.flush()
        text = self.setup.previous(self.records)
        if text is None:
            return self._end(NO_PREVIOUS)
        if not text.strip():  # back to config/program.toml
            self._offered = Review(text, "", (BACK_TO_DEFAULT,))
            return self._offer()
        return self._found(text)

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self._talk.now = max(self._talk.now, event.t)
        if isinstance(event, ProgramFound) and self._offered is None:
            if event.text is None:
                return self._end(event.problem)
            return self._found(event.text)
        if self._offered is None:
            return []
        if isinstance(event, Press) and event.button is Button.GREEN:
            return self._keep(self._offered)
        if isinstance(event, Press) and event.button in (Button.AMBER, Button.RED):
            return self._end(KEPT_OLD)
        if isinstance(event, Tick) and self._talk.now >= self._deadline:
            return self._end(KEPT_OLD)
        return []

    @property
    def result(self) -> ProgramRecord | None:
        return self.saved

    @property
    def view(self) -> View:
        waiting = self._offered is not None and not self.done
        return View(screen="program", title=PREVIOUS if self.previous else LOAD,
                    lines=self._lines, buttons=dict(BUTTONS) if waiting else {},
                    awaiting="continue" if waiting else None)

    # --- inside ---------------------------------------------------------------------------------
    def _found(self, text: str) -> list[Effect]:
        review = self.setup.review(text)
        if review.problem:
            return self._end(review.problem)
        now = programs_of(self.records)
        if now and now[-1].checksum == checksum(review.text):
            return self._end(SAME)
        self._offered = review
        return self._offer()

    def _offer(self) -> list[Effect]:
        assert self._offered is not None
        for line in self._offered.words:
            self._talk.say(line)
        self._talk.say(ASK)
        self._lines = (*self._offered.words, ASK)
        self._deadline = self._talk.until + ANSWER_SECONDS
        return self._talk.flush()

    def _keep(self, review: Review) -> list[Effect]:
        source = "previous" if self.previous else "usb"
        self.saved = ProgramRecord(self.record_id, self.at, review.text, checksum(review.text),
                                   source)
        self._talk.add(Save(self.saved))
        return self._end(KEPT)

    def _end(self, text: str) -> list[Effect]:
        self._talk.say(text, interrupt=True)
        self._lines = (text,)
        self.done = True
        return self._talk.flush()
