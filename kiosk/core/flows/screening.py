"""The screening: each probe spoken step by step, with the breath, and rated with the buttons.

A small state machine with the session's shape (``start``, ``handle``, ``view``, ``done``); the
probes themselves are data (config/signature.toml, ``kiosk.core.coach.signature.Probe``). Its phases
are an enum with one handler each (``HANDLERS``), as in the session:

    INTRO -> (SETUP -> MOVE -> RATE [-> PAIN]) per probe and side -> RESULT -> done

* GREEN: easy and smooth; AMBER: stiff or limited; RED: painful. Each side is rated on its own.
* RED, at any moment of a probe, ends that probe (its other side too) and asks for the pain as
  RED does in a session (``PainInput``): GREEN raises, AMBER lowers, GREEN held confirms. Pain
  never leads to more: the probe is left for today, and the screening goes on to the next.
* RED held ends the screening at once; what was rated is kept (``complete`` False).
* No answer is never invented: a probe left unrated is saved as "skipped".

Pure: no clock (time is each event's ``t``), no device. ``record()`` gives the signature.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum

from kiosk.core.coach.signature import ProbeStep, SignatureSetup, asymmetries, asymmetry_line
from kiosk.core.data.events import (
    Effect,
    Event,
    Finished,
    Hold,
    Hush,
    Press,
    Save,
    Stuck,
    Tick,
    Tone,
)
from kiosk.core.data.model import Button, Lengths
from kiosk.core.data.records import ProbeResult, ScreeningRecord
from kiosk.core.data.view import Pacer, View
from kiosk.core.flows.flow import Outbox
from kiosk.core.flows.screening_view import (
    Turn,
    result_pages,
    view_of,
)
from kiosk.core.presses.pain_input import Answer, PainInput

READY_SECONDS = 45.0  # waiting for GREEN in position, before asking once more
RATE_SECONDS = 20.0  # waiting for a rating, before asking once more

INTRO_LINES = (
    "Let's check how you move today, one movement at a time.",
    "After each one, press GREEN if it was easy and smooth, AMBER if it was stiff or "
    "limited, and RED if it hurt.",
    "Only go as far as is comfortable. Press GREEN to begin.",
)
RATE_PROMPT = "How was that? GREEN easy, AMBER stiff, RED painful."
RATE_AGAIN = "Press GREEN if it was easy, AMBER if it was stiff, RED if it hurt."
READY_AGAIN = "Press GREEN when you are in position, or AMBER to leave this one out."
PAIN_PROMPT = "Stopped. How much does it hurt right now, from zero to ten?"
PAIN_LEFT = "Thank you. We leave that movement for today."
SKIPPED = "We leave that one out."
ENDED = "The check is ended. What you rated is kept."
PAIN_RISE = ("That is well above your last rating, so we stop the check here. If the pain "
             "stays high or keeps rising, please contact your clinician.")
DECLINED = "No check today. That is fine."
DONE = "That is the whole check. Thank you."
ALL_EVEN = "Both sides moved alike."
RATING_OF = {Button.GREEN: "easy", Button.AMBER: "stiff", Button.RED: "painful"}


class Phase(StrEnum):
    INTRO = "intro"  # what the check is; GREEN begins, AMBER not now
    SETUP = "setup"  # getting into position; GREEN when ready
    MOVE = "move"  # the steps, each on its breath; RED stops
    RATE = "rate"  # GREEN easy, AMBER stiff, RED painful
    PAIN = "pain"  # after RED: how much it hurts
    RESULT = "result"  # the signature, and what changed; GREEN goes on
    DONE = "done"


class Screening:
    """One screening. Call ``start`` once, then ``handle`` every event; ``record()`` when done.

    ``before`` is the screening before this one (for the changes), ``reason`` why it runs
    (first-run, due, asked)."""

    holds = frozenset({Button.RED})  # held during the probes: the check ends, keeping the rest

    def __init__(
        self,
        setup: SignatureSetup,
        *,
        t0: float,
        at: datetime,
        day: date,
        screening_id: str,
        reason: str,
        rate_wpm: int,
        lengths: Lengths | None = None,
        last_pain: int | None = None,
        pain_timeout: float = 30.0,
        before: ScreeningRecord | None = None,
        changes: Callable[[ScreeningRecord], list[str]] | None = None,
        finish: bool = True,
        pain_rise_stop: int = 2,
    ) -> None:
        self.setup = setup
        self.at, self.day, self.id, self.reason = at, day, screening_id, reason
        self.before = before
        self._changes = changes
        self._finish_effect = finish  # False: a session follows, so the sitting goes on
        self.last_pain = last_pain
        self.pain_rise_stop = pain_rise_stop
        self.turns = [Turn(p, side) for p in setup.probes
                      for side in (("left", "right") if p.sides else (None,))]
        self.index = 0
        self.results: list[ProbeResult] = []
        self.phase = Phase.INTRO
        self.done = False
        self.saved: ScreeningRecord | None = None
        self.declined = False
        self.ended_early = False
        self.change_lines: list[str] = []
        self.pacer: Pacer | None = None  # the breath of the step being done, if it has one
        self.page = 0  # on the result: the grid's pages, then what changed
        self.pain = PainInput(last_pain if last_pain is not None else 0, pain_timeout)
        self._talk = Outbox(rate_wpm, t0, lengths)
        self._deadline = t0
        self._asked_again = False
        self._steps: list[tuple[float, ProbeStep]] = []
        self._move_end = t0

    # --- public --------------------------------------------------------------------------------
    def start(self) -> list[Effect]:
        self._talk.out.append(Hush())
        for i, line in enumerate(INTRO_LINES):
            self._say(line, interrupt=i == 0)
        self._wait(READY_SECONDS)
        return self._talk.flush()

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self._talk.now = max(self._talk.now, event.t)
        if isinstance(event, Hold) and event.button is Button.RED and self.phase not in (
                Phase.INTRO, Phase.RESULT):
            self._end_early()
        elif isinstance(event, Stuck):
            self._say(f"The {event.button.word} button seems stuck. Please check it.")
        else:
            HANDLERS[self.phase](self, event)
        return self._talk.flush()

    @property
    def current(self) -> Turn | None:
        return self.turns[self.index] if self.index < len(self.turns) else None

    @property
    def max_pain(self) -> int | None:
        pains = [r.pain for r in self.results if r.pain is not None]
        return max(pains) if pains else None

    def record(self) -> ScreeningRecord:
        return ScreeningRecord(self.id, self.day, self.at, self.reason, tuple(self.results),
                               complete=not self.ended_early)

    @property
    def view(self) -> View:
        return view_of(self)

    @property
    def caption(self) -> str:
        return self._talk.caption

    @property
    def result(self) -> ScreeningRecord | None:
        return self.saved

    # --- plumbing ----------------------------------------------------------------------------
    def _say(self, text: str, *, interrupt: bool = False) -> None:
        self._talk.say(text, interrupt=interrupt)

    def _wait(self, seconds: float) -> None:
        self._deadline = self._talk.until + seconds
        self._asked_again = False

    def _pressed(self, event: Event, button: Button) -> bool:
        return isinstance(event, Press) and event.button is button

    # --- phases --------------------------------------------------------------------------------
    def _on_intro(self, event: Event) -> None:
        if self._pressed(event, Button.GREEN):
            self._begin_turn(interrupt=True)
        elif isinstance(event, Press) or (isinstance(event, Tick)
                                          and self._talk.now >= self._deadline):
            self.declined = True
            self._say(DECLINED, interrupt=isinstance(event, Press))
            self._finish(save=False)

    def _begin_turn(self, *, interrupt: bool = False) -> None:
        turn = self.current
        if turn is None:
            self._show_result()
            return
        self.phase = Phase.SETUP
        setup, _ = turn.probe.lines(turn.side)
        self._say(f"{turn.probe.name(turn.side)}.", interrupt=interrupt)
        for line in setup:
            self._say(line)
        self._say("Press GREEN when you are ready.")
        self._wait(READY_SECONDS)

    def _on_setup(self, event: Event) -> None:
        if self._pressed(event, Button.GREEN):
            self._begin_move()
        elif self._pressed(event, Button.AMBER):
            self._say(SKIPPED, interrupt=True)
            self._rate("skipped")
        elif self._pressed(event, Button.RED):
            self._red()
        elif isinstance(event, Tick) and self._talk.now >= self._deadline:
            self._again(READY_AGAIN, READY_SECONDS)

    def _again(self, line: str, seconds: float) -> None:
        """Nothing pressed: ask once more, then leave the screening, keeping what was rated."""
        if self._asked_again:
            self._end_early()
            return
        self._say(line)
        self._deadline = self._talk.until + seconds
        self._asked_again = True

    def _begin_move(self) -> None:
        turn = self.current
        assert turn is not None
        self.phase = Phase.MOVE
        _, steps = turn.probe.lines(turn.side)
        self._talk.out.append(Hush())
        t = self._talk.now
        self._steps = []
        for step in steps:
            self._steps.append((t, step))
            t += step.seconds
        self._move_end = t
        self._say_due()

    def _say_due(self) -> None:
        """Say each step as its time comes; a step on a breath ("Breathe out as you ...")
        also sounds that breath's tone and fills or empties the breathing circle with it."""
        first = True
        while self._steps and self._steps[0][0] <= self._talk.now:
            at, step = self._steps.pop(0)
            self._say(step.say, interrupt=first)
            first = False
            breath = breath_of(step.say)
            if breath is not None:
                self.pacer = Pacer(breath, at, step.seconds)
                self._talk.out.append(Tone(breath))

    def _on_move(self, event: Event) -> None:
        if self._pressed(event, Button.RED):
            self._red()
        elif isinstance(event, Tick):
            self._say_due()
            if not self._steps and self._talk.now >= self._move_end:
                self.pacer = None
                self.phase = Phase.RATE
                self._say(RATE_PROMPT)
                self._wait(RATE_SECONDS)

    def _on_rate(self, event: Event) -> None:
        if self._pressed(event, Button.RED):
            self._red()
        elif isinstance(event, Press):
            self._rate(RATING_OF[event.button])
        elif isinstance(event, Tick) and self._talk.now >= self._deadline:
            if self._asked_again:
                self._say(SKIPPED)
                self._rate("skipped")
            else:
                self._say(RATE_AGAIN)
                self._deadline = self._talk.until + RATE_SECONDS
                self._asked_again = True

    def _rate(self, rating: str, pain: int | None = None) -> None:
        turn = self.current
        assert turn is not None
        self.results.append(ProbeResult(turn.probe.id, turn.side, rating, pain))
        self.index += 1
        self._begin_turn(interrupt=rating != "skipped" and pain is None)

    def _red(self) -> None:
        """RED during a probe: it ends, and the pain is asked for as in a session."""
        self._talk.out.append(Hush())
        self.pacer = None
        self.phase = Phase.PAIN
        self._say(PAIN_PROMPT, interrupt=True)
        self.pain.begin(self._talk.until)

    def _on_pain(self, event: Event) -> None:
        answer = self.pain.handle(event, self._talk.now)
        if answer is Answer.CHANGED:
            self._say(str(self.pain.value), interrupt=True)
            self.pain.wait_from(self._talk.until)
        elif answer is Answer.CONFIRMED:
            self._painful(self.pain.value)
        elif answer is Answer.REPROMPT:
            self._say(PAIN_PROMPT)
            self.pain.wait_from(self._talk.until)
        elif answer is Answer.TIMED_OUT:
            self._painful(None)

    def _painful(self, pain: int | None) -> None:
        """The probe ends painful on this side; a probe with sides leaves its other side too."""
        turn = self.current
        assert turn is not None
        self._say(PAIN_LEFT, interrupt=True)
        self.results.append(ProbeResult(turn.probe.id, turn.side, "painful", pain))
        self.index += 1
        nxt = self.current
        if nxt is not None and nxt.probe.id == turn.probe.id:
            self.results.append(ProbeResult(nxt.probe.id, nxt.side, "skipped"))
            self.index += 1
        before = self.last_pain
        if pain is not None and before is not None and pain >= before + self.pain_rise_stop:
            # Pain well above the last rating: no more movements today, and the clinician, as
            # a pain rating that rises in a session ends it (docs/safety.md).
            self._say(PAIN_RISE)
            self._end_early(interrupt=False)
            return
        self._begin_turn()

    def _end_early(self, *, interrupt: bool = True) -> None:
        if interrupt:
            self._talk.out.append(Hush())
        self.ended_early = True
        self._say(ENDED, interrupt=interrupt)
        self._finish(save=bool(self.results))

    def _show_result(self) -> None:
        self.phase = Phase.RESULT
        self._say(DONE)
        record = self.record()
        found = asymmetries(record)
        for a in found:
            self._say(asymmetry_line(a, self.setup))
        if not found and any(r.side for r in record.results):
            self._say(ALL_EVEN)
        if self._changes is not None:
            self.change_lines = self._changes(record)
            for line in self.change_lines:
                self._say(line)
        self._say("Press GREEN to go on.")
        self._out_save()
        self._wait(120.0)

    def _out_save(self) -> None:
        self.saved = self.record()
        self._talk.out.append(Save(self.saved))

    def _on_result(self, event: Event) -> None:
        """The grid a page at a time, then (after a re-check that found changes) what changed;
        GREEN goes to the next, past the last goes on, as does a while."""
        if isinstance(event, Press) and self.page + 1 < result_pages(self):
            self.page += 1
            self._deadline = self._talk.now + 120.0
        elif isinstance(event, Press) or (isinstance(event, Tick)
                                          and self._talk.now >= self._deadline):
            self._finish(save=False)

    def _finish(self, *, save: bool) -> None:
        if save:
            self._out_save()
        self.phase = Phase.DONE
        self.done = True
        if self._finish_effect:
            self._talk.out.append(Finished())

    def _on_done(self, event: Event) -> None:
        return None


def breath_of(line: str) -> str | None:
    """"inhale" or "exhale" for a step said on a breath, by its words; None for the others."""
    words = line.lower()
    for said, breath in (("breathe in", "inhale"), ("breathe out", "exhale")):
        if words.startswith(said) or f". {said}" in words:
            return breath
    return None


def lines(setup: SignatureSetup) -> list[str]:
    """Every line a screening may say, to render ahead like the session's: none waits on the
    speech engine (the changes and pain numbers aside, which depend on the day)."""
    out = [*INTRO_LINES, RATE_PROMPT, RATE_AGAIN, READY_AGAIN, PAIN_PROMPT, PAIN_LEFT, SKIPPED,
           ENDED, PAIN_RISE, DECLINED, DONE, ALL_EVEN, "Press GREEN when you are ready.",
           "Press GREEN to go on."]
    for p in setup.probes:
        for side in (("left", "right") if p.sides else (None,)):
            setup_lines, steps = p.lines(side)
            out += [f"{p.name(side)}.", *setup_lines, *(s.say for s in steps)]
    return out


HANDLERS: dict[Phase, Callable[[Screening, Event], None]] = {
    Phase.INTRO: Screening._on_intro,
    Phase.SETUP: Screening._on_setup,
    Phase.MOVE: Screening._on_move,
    Phase.RATE: Screening._on_rate,
    Phase.PAIN: Screening._on_pain,
    Phase.RESULT: Screening._on_result,
    Phase.DONE: Screening._on_done,
}
