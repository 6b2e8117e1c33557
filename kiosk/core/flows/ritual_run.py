"""One integration ritual, run as a pure state machine: events in, effects out, like a session.

The ritual says its name, its setup and (if it has one) a cue of the rung it builds on; then
the steps ride the breath of that rung on the shared breath timeline (kiosk/core/coach/breath.py),
exactly as a set does: prepared on the in-breath, one step on each breath from the rung's first
("Breathe in as you push your hips back ...", "Breathe out as you press your hips forward ..."),
and closed on an out-breath. At the
end it is rated with the same buttons as a rep: GREEN clean, AMBER slipped. AMBER during the
steps ends it there, rated slipped: clean before tired, as in a set. RED, pressed or held, stops
it at once and is saved as pain; the person is sent to rest, and to a clinician if pain stays.

The timing lives in ``beats``, which places the shared timeline's beats on the ritual's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.core.coach import breath
from kiosk.core.coach.rituals import Ritual, opening
from kiosk.core.data.events import (
    Effect,
    Event,
    Finished,
    Hold,
    Hush,
    Paced,
    Press,
    Save,
    Tick,
    Tone,
)
from kiosk.core.data.model import Button, Family, SessionSettings, Variation
from kiosk.core.data.records import RitualRecord
from kiosk.core.data.view import Pacer, View
from kiosk.core.flows.flow import NO_HOLDS, Outbox
from kiosk.core.words import phrases
from kiosk.core.words.speech import fitting

RATE_BUTTONS = {Button.GREEN: "Clean", Button.AMBER: "Slipped", Button.RED: "Pain / stop"}
STEP_BUTTONS = {Button.AMBER: "Slipped: stop", Button.RED: "Pain / stop"}


@dataclass(frozen=True)
class Timed:
    """A breath of the ritual's timeline (kiosk/core/coach/breath.py) placed on its clock."""

    beat: breath.Beat
    start: float

    @property
    def step(self) -> int:
        """The step (1-based) this breath carries; 0 for the lead-in and the close."""
        return self.beat.rep


def beats(ritual: Ritual, v: Variation, start: float) -> list[Timed]:
    """Every breath of the ritual from ``start``, on the shared breath timeline: prepared like
    a set, each step on one breath of the rung it builds on, closed on an out-breath."""
    out, t = [], start
    for beat in breath.ritual_beats(v, ritual.all_steps):
        out.append(Timed(beat, t))
        t += beat.seconds
    return out


def ritual_record(
    ritual: Ritual, family: Family, v: Variation, *, run_id: str, at: datetime, outcome: str,
    slot: str | None, rating: str | None = None, duration_s: float = 0.0, steps_done: int = 0,
) -> RitualRecord:
    """A ritual's saved record (docs/data.md, "Ritual record")."""
    return RitualRecord(
        id=run_id, ritual=ritual.id, name=ritual.name, family=family.id, variation=v.id,
        slot=slot, at=at.replace(microsecond=0), outcome=outcome, rating=rating,
        duration_s=round(max(0.0, duration_s), 1), steps_done=steps_done,
    )


class RitualRun:
    """A ritual from its first word to its rating. Call ``start`` once, then ``handle``."""

    holds = NO_HOLDS  # RED stops it on the press already

    def __init__(
        self, ritual: Ritual, family: Family, v: Variation, settings: SessionSettings, *,
        t0: float, started_at: datetime, run_id: str, slot: str | None = None,
    ) -> None:
        self.ritual, self.family, self.variation = ritual, family, v
        self.settings = settings
        self.t0 = t0
        self._talk = Outbox(settings.speech_rate_wpm, t0, settings.spoken)
        self.started_at = started_at
        self.run_id = run_id
        self.slot = slot
        self.phase = "steps"  # steps | rating | done
        self.outcome = "done"
        self.rating: str | None = None
        self.steps_done = 0
        self._beats: list[Timed] = []
        self._next = 0
        self._pacer: Pacer | None = None
        self._deadline = 0.0
        self._asked = 0

    @property
    def total_steps(self) -> int:
        return len(self.ritual.steps) * self.ritual.rounds

    # --- public API --------------------------------------------------------------------------
    def start(self) -> list[Effect]:
        for line in opening(self.ritual, self.variation):
            self._say(line)
        self._beats = beats(self.ritual, self.variation, self._talk.until)
        return self._flush()

    def handle(self, event: Event) -> list[Effect]:
        if self.phase == "done":
            return []
        self._talk.now = max(self.now, event.t)
        red = isinstance(event, (Press, Hold)) and event.button is Button.RED
        if red:
            self._stop()
        elif isinstance(event, Press) and self.phase == "rating":
            if event.button in (Button.GREEN, Button.AMBER):
                self._rated("clean" if event.button is Button.GREEN else "slipped")
        elif isinstance(event, Press) and event.button is Button.AMBER:
            self._rated("slipped")  # during the steps: stop at the first that slips
        elif isinstance(event, Tick):
            self._tick()
        return self._flush()

    def record(self) -> RitualRecord:
        return ritual_record(
            self.ritual, self.family, self.variation, run_id=self.run_id, at=self.started_at,
            outcome=self.outcome, slot=self.slot, rating=self.rating,
            duration_s=self.now - self.t0, steps_done=self.steps_done,
        )

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.now - self.t0)

    # --- the steps and the rating -----------------------------------------------------------
    def _tick(self) -> None:
        if self.phase == "steps":
            self._pace()
        elif self.phase == "rating" and self.now >= self._deadline:
            if self._asked == 1:
                self._asked = 2
                self._say(phrases.RITUAL_RATE_AGAIN)
                self._deadline = self._talk.until + self.settings.rating_timeout
            else:
                self._say(phrases.RITUAL_UNRATED)
                self._finish()

    def _pace(self) -> None:
        while self._next < len(self._beats) and self._beats[self._next].start <= self.now:
            timed = self._beats[self._next]
            self._next += 1
            beat = timed.beat
            self._pacer = Pacer(beat.tone, timed.start, beat.seconds)
            self._talk.add(Tone(beat.tone))
            said: list[str] = []
            for full, short in beat.cues():
                # As in a set: the breath keeps its time, a line too long for it is said short.
                line = fitting(self.settings, full, short,
                               timed.start + beat.seconds - max(self.now, self._talk.until))
                if line:
                    said.append(line)
                    self._say(line)
            self._talk.add(Paced(beat.breath.value, timed.start, beat.seconds,
                                 timed.step or None, None, tuple(said), beat.tone))
            if timed.step:
                self.steps_done = timed.step
        last = self._beats[-1] if self._beats else None
        if last is None or self.now >= last.start + last.beat.seconds:
            self.phase = "rating"
            self._pacer = None
            self._asked = 1
            self._talk.add(Tone("tick"))
            self._say(phrases.RITUAL_RATE)
            self._deadline = self._talk.until + self.settings.rating_timeout

    def _rated(self, rating: str) -> None:
        self.rating = rating
        self._talk.add(Hush())
        self._talk.add(Tone("chime"))
        self._say(phrases.RITUAL_CLEAN if rating == "clean" else phrases.RITUAL_SLIPPED,
                  interrupt=True)
        self._finish()

    def _stop(self) -> None:
        self.outcome, self.rating = "stopped", "pain"
        self._pacer = None
        self._talk.add(Hush())
        self._say(phrases.RITUAL_STOPPED, interrupt=True)
        self._finish()

    def _finish(self) -> None:
        self.phase = "done"
        self._pacer = None
        self._talk.add(Save(self.record()))
        self._talk.add(Finished())

    # --- output ------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self._talk.now

    def _say(self, text: str, *, interrupt: bool = False) -> None:
        self._talk.say(text, interrupt=interrupt)

    def _flush(self) -> list[Effect]:
        return self._talk.flush(self.view)

    @property
    def done(self) -> bool:
        return self.phase == "done"

    @property
    def result(self) -> str:
        return self.outcome

    @property
    def view(self) -> View:
        r = self.ritual
        step = min(max(self.steps_done, 1), self.total_steps)
        if self.phase == "rating":
            return View(screen="ritual", title=r.name, lines=("How was that?",),
                        set_label=f"Step {self.total_steps} of {self.total_steps}",
                        buttons=dict(RATE_BUTTONS), awaiting="rating", caption=self._talk.caption)
        if self.phase == "done":
            return View(screen="ritual", title=r.name, lines=(), caption=self._talk.caption)
        if self._next == 0:
            lines: tuple[str, ...] = (r.setup,)
        else:
            current = self._beats[self._next - 1]
            lines = (_step_words(r, max(current.step, 1) - 1),)
        return View(screen="ritual", title=r.name, lines=lines,
                    set_label=f"Step {step} of {self.total_steps}", pacer=self._pacer,
                    buttons=dict(STEP_BUTTONS), caption=self._talk.caption)


def _step_words(r: Ritual, index: int) -> str:
    text = r.steps[index % len(r.steps)]
    return text[:1].upper() + text[1:]
