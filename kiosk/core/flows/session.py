"""One guided session as a pure state machine: events in, effects out.

The session walks through check-in, a breathing primer, today's exercises and check-out. Its
phases are an enum and each has one handler in ``HANDLERS``, so the table reads like the state
diagram in docs/session.md and mypy checks every entry. It never reads a clock or touches a
device: time arrives in each event's ``t``, and everything the kiosk should do leaves as an
effect (say, tone, show, save, and ``Paced`` for each breath).

Rules the user relies on, enforced here and nowhere else:

* RED is always acted on at once. A press stops the exercise and asks for a pain rating; holding
  it ends the session immediately. Pain never leads to more load.
* A set stops at the first rep rated AMBER: clean reps before fatigue. The kiosk says the
  variation's tip for next time. On a one-sided exercise only that side stops; the other side
  is still done.
* Every rep is paced by the breath timeline (kiosk/core/coach/breath.py): voice, tones, the pacer
and
  the breath LED follow the same beats, and the breath alternates across reps.
* A missing rating is never invented. The kiosk asks once more, then pauses the set.
* Any press that moves the session on cuts off the line being spoken, so the voice never lags
  behind the buttons (see docs/controls.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from kiosk.core.coach import breath
from kiosk.core.coach.breath import Beat, Role
from kiosk.core.coach.rotation import sets_of
from kiosk.core.data.events import (
    Effect,
    Event,
    Finished,
    Hold,
    Hush,
    Paced,
    Press,
    Release,
    Save,
    Say,
    Show,
    Stuck,
    Tick,
    Tone,
)
from kiosk.core.data.model import Breath, Button, Change, Plan, PlannedExercise, SessionSettings
from kiosk.core.data.records import ExerciseRecord, PainEvent, SessionRecord, SetRecord
from kiosk.core.data.view import Pacer, View
from kiosk.core.presses.pain_input import Answer, PainInput
from kiosk.core.words import phrases
from kiosk.core.words.phrases import speech_seconds
from kiosk.core.words.speech import fitting, seconds_to_say

__all__ = ["HANDLERS", "PAIN_BUTTONS", "RATE_BUTTONS", "EndedBy", "ExerciseResult", "Phase",
           "Session", "SetEnd", "SetResult", "speech_seconds"]

ABANDON_AFTER = 15 * 60.0  # a paused session nobody returns to is closed and saved
NEXT_REP_PAUSE = 0.5  # after a rating, before the next rep's movement


class Phase(StrEnum):
    CHECKIN = "checkin"  # pain before
    HELD = "held"  # after check-in, while the kiosk runs its safety steps (docs/safety.md)
    PRIMER = "primer"  # the breathing primer
    INTRO = "intro"  # an exercise is introduced; GREEN when in position
    SET = "set"  # reps, each paced by the breath and rated
    REST = "rest"  # paced breathing between sets
    PAIN = "pain"  # RED was pressed: how much does it hurt?
    AFTER_PAIN = "after_pain"  # that exercise is left for today; GREEN goes on
    PAUSED = "paused"  # no rating came: waiting for GREEN or AMBER
    CHECKOUT = "checkout"  # pain after
    DONE = "done"


class EndedBy(StrEnum):
    """How a session ended (the record's ``ended_by``)."""

    COMPLETE = "complete"
    STOP = "stop"
    PAIN = "pain"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"  # a checkpoint: the session was still going


class SetEnd(StrEnum):
    """How a set ended (each set's ``ended_by``)."""

    TARGET = "target"
    FRAY = "fray"
    PAIN = "pain"
    STOP = "stop"
    TIMEOUT = "timeout"


PAIN_PHASES = (Phase.CHECKIN, Phase.PAIN, Phase.CHECKOUT)
# What the buttons do while a pain rating is entered, and while a rep waits for its rating.
PAIN_BUTTONS = {
    Button.GREEN: "Raise (hold: confirm)",
    Button.AMBER: "Lower",
    Button.RED: "Hold: end",
}
RATE_BUTTONS = {Button.GREEN: "Clean rep", Button.AMBER: "Slipped", Button.RED: "Pain / stop"}


@dataclass
class SetResult:
    side: str | None
    reps: list[str] = field(default_factory=list)
    ended_by: str = ""
    number: int = 1  # which set of the exercise (both sides of a set share a number)

    @property
    def clean(self) -> int:
        return sum(1 for r in self.reps if r == "clean")

    def as_record(self) -> SetRecord:
        return SetRecord(self.side, tuple(self.reps), self.clean, str(self.ended_by))


@dataclass
class ExerciseResult:
    planned: PlannedExercise
    sets: list[SetResult] = field(default_factory=list)
    skipped: bool = False
    load: str | None = None  # confirmed by GREEN at Ready on a loaded rung

    def as_record(self) -> ExerciseRecord:
        p = self.planned
        return ExerciseRecord(
            family=p.family.id,
            variation=p.variation.id,
            name=p.variation.name,
            target=p.target,
            change=str(p.change),
            reason=p.reason,
            skipped=self.skipped,
            sets=tuple(s.as_record() for s in self.sets),
            load=self.load,
        )


@dataclass
class _Timed:
    """A beat of the timeline placed on the kiosk clock."""

    beat: Beat
    start: float
    started: bool = False


@dataclass
class _Rep:
    """The rep in progress: its beats (rep 1 also has the set's lead-in), then the rating."""

    number: int
    beats: list[_Timed]
    prompted: int = 0  # 0: not asked yet, 1: asked, 2: asked again

    @property
    def start(self) -> float:
        return self.beats[0].start

    @property
    def end(self) -> float:
        last = self.beats[-1]
        return last.start + last.beat.seconds


class Session:
    """A single guided session. Create it, call ``start`` once, then ``handle`` every event."""

    def __init__(
        self,
        plan: Plan,
        settings: SessionSettings,
        *,
        t0: float,
        started_at: datetime,
        session_id: str,
        last_pain: int | None = None,
        replan: Callable[[int], Plan] | None = None,
        on_checkin: Callable[[int], bool] | None = None,
    ) -> None:
        self.plan = plan
        self.replan = replan
        # Asked with the check-in pain before anything else; True holds the session there until
        # the kiosk calls ``resume`` or ``end_before_exercise`` (the safety steps, docs/safety.md).
        self.on_checkin = on_checkin
        self.settings = settings
        self.t0 = t0
        self.now = t0
        self.started_at = started_at
        self.session_id = session_id
        self.phase = Phase.CHECKIN
        self.done = False
        self.pain_before: int | None = None
        self.pain_after: int | None = None
        self.pain_events: list[PainEvent] = []
        self.results = [ExerciseResult(p) for p in plan.exercises]
        self.ended_by = EndedBy.COMPLETE
        self.caption = ""
        self._out: list[Effect] = []
        self._talk_until = t0
        self._pressed = False  # handling a press or hold, which cuts off the line being said
        self._last_view: View | None = None
        # The view as of the last change: every public method that changes the session clears
        # it, and _flush builds it once. A tick asks for it three times (the session, the kiosk,
        # the screen); building it once per event keeps a slow board's frame cheap.
        self._view: View | None = None
        self.pain = PainInput(last_pain if last_pain is not None else 0, settings.pain_timeout)
        self._deadline = 0.0
        self._reprompted = False
        # primer and rest breathing
        self._breath_start = 0.0
        self._breath_cycles = 0
        self._breath_phase: tuple[int, str] | None = None
        self.pacer: Pacer | None = None
        # exercises
        self.index = 0
        self._slots: list[tuple[int, str | None]] = []  # (set number, side) still to do
        self.set: SetResult | None = None
        self.rep: _Rep | None = None
        self.paused_from: Phase = Phase.SET
        self._resume_at = 0  # the exercise to go on with after a pain stop
        self._red_still_down = False
        self._stopped_set: SetResult | None = None
        self._saved_progress: list[tuple[int, bool]] = []
        self._pause_since = 0.0

    # --- public API ---------------------------------------------------------------------------
    def start(self) -> list[Effect]:
        self._begin_pain(Phase.CHECKIN)
        return self._flush()

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self._view = None
        self.now = max(self.now, event.t)
        if isinstance(event, Release) and event.button is Button.RED:
            self._red_still_down = False
        if isinstance(event, Hold) and event.button is Button.RED:
            self._end_now()
        elif isinstance(event, Stuck):
            self._say(phrases.stuck(event.button))
        else:
            self._pressed = isinstance(event, (Press, Hold))
            HANDLERS[self.phase](self, event)
            self._pressed = False
        if isinstance(event, (Press, Hold)):
            self._interrupt_first_line()
        return self._flush()

    def interrupt(self) -> list[Effect]:
        """The kiosk is closing mid-session (Esc, SIGTERM): save everything rated so far as a
        checkpoint that says ``interrupted``. Returns no Save when nothing was rated yet."""
        if self.done:
            return []
        self._view = None
        if self.phase is Phase.SET and self.set is not None:
            self._end_set(SetEnd.STOP)
            if not self.set.reps:  # the set had only begun: there is nothing in it to keep
                self.current.sets.remove(self.set)
        kept = self.pain_before is not None or self.pain_events or any(
            r.sets or r.skipped for r in self.results
        )
        out: list[Effect] = [Save(self.record())] if kept else []
        self.done = True
        return out

    @property
    def view(self) -> View:
        if self._view is None:
            from kiosk.core.flows.session_view import view_of

            self._view = view_of(self)
        return self._view

    @property
    def current(self) -> ExerciseResult:
        return self.results[self.index]

    # --- effects plumbing ----------------------------------------------------------------------
    def _say(self, text: str, *, interrupt: bool = False) -> None:
        start = self.now if interrupt else max(self.now, self._talk_until)
        self._talk_until = start + seconds_to_say(self.settings, text)
        self.caption = text
        self._out.append(Say(text, interrupt=interrupt))

    def _interrupt_first_line(self) -> None:
        """A press that moved things on cuts off the old line: the first new line interrupts."""
        for i, eff in enumerate(self._out):
            if isinstance(eff, Say):
                if not eff.interrupt:
                    self._out[i] = Say(eff.text, interrupt=True)
                    self._retime_speech(i)
                return

    def _retime_speech(self, first: int) -> None:
        start = self.now
        for eff in self._out[first:]:
            if isinstance(eff, Say):
                start += seconds_to_say(self.settings, eff.text)
        self._talk_until = start

    def _flush(self) -> list[Effect]:
        self._view = None  # whatever changed since, the view is built afresh here
        view = self.view
        if view is not self._last_view and view != self._last_view:
            self._out.append(Show(view))
            self._last_view = view
        out, self._out = self._out, []
        return out

    def _on_done(self, event: Event) -> None:
        return None

    # --- pain entry (check-in, after RED, check-out) ------------------------------------------
    def _begin_pain(self, phase: Phase) -> None:
        self.phase = phase
        self.pacer = None
        self._say(phrases.pain_prompt(phase.value, self.pain.value),
                  interrupt=phase is Phase.PAIN)
        self.pain.begin(self._talk_until)

    def _on_pain_entry(self, event: Event) -> None:
        answer = self.pain.handle(event, self.now)
        if answer is Answer.CHANGED:
            self._say(phrases.pain_value(self.pain.value), interrupt=True)
            self.pain.wait_from(self._talk_until)
        elif answer is Answer.CONFIRMED:
            self._say(phrases.pain_confirmed(self.pain.value), interrupt=True)
            self._pain_given(self.pain.value)
        elif answer is Answer.RED:
            self._red_in_pain_entry()
        elif answer is Answer.REPROMPT:
            self._say(phrases.PAIN_REPROMPT)
            self.pain.wait_from(self._talk_until)
        elif answer is Answer.TIMED_OUT:
            self._pain_given(None)

    # --- held after check-in, while the kiosk runs its safety steps ------------------------
    def _on_held(self, event: Event) -> None:
        """Nothing: the kiosk hands events to its safety steps while the session is held."""

    def resume(self, plan: Plan | None = None) -> list[Effect]:
        """Go on from a held check-in: with ``plan`` (the gentle path), else as usual."""
        if plan is not None:
            self.plan = plan
            self.results = [ExerciseResult(p) for p in plan.exercises]
        elif self.pain_before is not None:
            self._apply_replan(self.pain_before)
        self._begin_primer()
        return self._flush()

    def end_before_exercise(self, *, save: bool) -> list[Effect]:
        """End a held session with no exercise offered; ``save`` keeps its check-in."""
        self.results = []
        self.ended_by = EndedBy.STOP
        self._finish(save=save)
        return self._flush()

    def _red_in_pain_entry(self) -> None:
        if self.phase is Phase.CHECKIN:
            self.ended_by = EndedBy.STOP
            self._say(phrases.STOPPED_BEFORE_START, interrupt=True)
            self._finish(save=True)
        elif self.phase is Phase.CHECKOUT:
            self._summary()
        # during a pain rating RED has already done its job; holding it still ends the session

    def _pain_given(self, value: int | None) -> None:
        if self.phase is Phase.CHECKIN:
            if value is None:
                self._say(phrases.CHECKIN_ABANDONED)
                self._finish(save=False)
                return
            self.pain_before = value
            if self.on_checkin is not None and self.on_checkin(value):
                self.phase = Phase.HELD
                return
            self._apply_replan(value)
            self._begin_primer()
        elif self.phase is Phase.PAIN:
            self._record_pain(value)
        else:
            self.pain_after = value
            self._summary()

    def _apply_replan(self, pain: int) -> None:
        """Re-plan with today's check-in pain: on a bad day the plan takes a step easier."""
        if self.replan is None:
            return
        plan = self.replan(pain)
        if plan == self.plan:
            return
        self.plan = plan
        self.results = [ExerciseResult(p) for p in plan.exercises]
        if any(p.change == Change.BAD_DAY for p in plan.exercises):
            self._say(phrases.BAD_DAY)

    def _record_pain(self, value: int | None) -> None:
        self.pain_events[-1] = replace(self.pain_events[-1], pain=value)
        rise = self.settings.pain_rise_stop
        if value is None:
            self._say(phrases.PAIN_UNKNOWN)
            self._after_pain()
        elif self.pain_before is not None and value >= self.pain_before + rise:
            self.ended_by = EndedBy.PAIN
            self.pain_after = value
            self._say(phrases.PAIN_STOP)
            self._finish(save=True)
        else:
            self._after_pain()

    def _after_pain(self) -> None:
        self.phase = Phase.AFTER_PAIN
        self._say(phrases.PAIN_CONTINUE)
        self._pause_since = self.now

    def _on_after_pain(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            self._begin_exercise(self._resume_at)
        elif isinstance(event, Tick) and self.now - self._pause_since > ABANDON_AFTER:
            self.ended_by = EndedBy.TIMEOUT
            self._finish(save=True)

    # --- breathing primer ---------------------------------------------------------------------
    def _begin_primer(self) -> None:
        self.phase = Phase.PRIMER
        self._say(phrases.PRIMER_INTRO)
        s = self.settings
        self._breath_cycles = max(1, round(s.primer_seconds / (s.inhale + s.exhale)))
        self._breath_start = self._talk_until
        self._breath_phase = None

    def _on_primer(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.AMBER:
            self._say(phrases.PRIMER_SKIPPED)
            self.pacer = None
            self._begin_exercise(0)
        elif isinstance(event, Press) and event.button is Button.RED:
            self._red_stop()
        elif isinstance(event, Tick):
            if self._breathe(self._breath_start, self._breath_cycles, cues=True):
                self._say(phrases.PRIMER_DONE)
                self._begin_exercise(0)

    def _breathe(self, start: float, cycles: int, *, cues: bool) -> bool:
        """Advance the paced breath; return True once all cycles are done."""
        s = self.settings
        cycle_len = s.inhale + s.exhale
        elapsed = self.now - start
        if elapsed < 0:
            return False
        cycle = int(elapsed // cycle_len)
        if cycle >= cycles:
            self.pacer = None
            return True
        in_cycle = elapsed - cycle * cycle_len
        phase = "inhale" if in_cycle < s.inhale else "exhale"
        if self._breath_phase != (cycle, phase):
            self._breath_phase = (cycle, phase)
            began = start + cycle * cycle_len + (0 if phase == "inhale" else s.inhale)
            length = s.inhale if phase == "inhale" else s.exhale
            self.pacer = Pacer(phase, began, length)
            said: tuple[str, ...] = ()
            if cues and phase == "exhale" and cycle % 2 == 0:
                cue = phrases.PRIMER_CUES[(cycle // 2) % len(phrases.PRIMER_CUES)]
                # As in a set: the breath keeps its time, a cue too long for it is said short.
                line = fitting(self.settings, cue, phrases.breath_only(Breath.OUT),
                               began + length - max(self.now, self._talk_until))
                said = (line,) if line else ()
            self._out.append(Paced("in" if phase == "inhale" else "out", began, length,
                                   say=said, tone=phase))
            self._out.append(Tone(phase))
            for line in said:
                self._say(line)
        return False

    # --- exercises ------------------------------------------------------------------------------
    def _begin_exercise(self, index: int) -> None:
        self._checkpoint()
        self.index = index
        if index >= len(self.results):
            self._begin_pain(Phase.CHECKOUT)
            return
        self.phase = Phase.INTRO
        p = self.current.planned
        for line in phrases.intro(p, index + 1, len(self.results)):
            self._say(line)
        # Left first, unless the movement signature puts the stiffer side first.
        pair = ("right", "left") if p.first_side == "right" else ("left", "right")
        sides = pair if p.variation.side == "each" else (None,)
        sets = sets_of(p.variation, self.settings)
        self._slots = [(n, side) for n in range(1, sets + 1) for side in sides]
        self._deadline = self._talk_until + self.settings.ready_timeout
        self._reprompted = False

    def _checkpoint(self) -> None:
        """Save the session so far between exercises (never per rep: each save rewrites the
        history file). A power cut mid-session then loses one exercise at most, and the saved
        session says ``interrupted`` until the final save replaces it."""
        progress = [(len(r.sets), r.skipped) for r in self.results]
        if any(sets or skipped for sets, skipped in progress) and progress != self._saved_progress:
            self._saved_progress = progress
            self._out.append(Save(self.record()))

    def _next_exercise(self) -> None:
        self._begin_exercise(self.index + 1)

    def _on_intro(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            self._begin_set(at_once=True)
        elif isinstance(event, Press) and event.button is Button.AMBER:
            self.current.skipped = True
            self._say(phrases.SKIPPED)
            self._next_exercise()
        elif isinstance(event, Press) and event.button is Button.RED:
            self._red_stop()
        elif isinstance(event, Tick) and self.now >= self._deadline:
            if not self._reprompted:
                self._reprompted = True
                self._say(phrases.READY_AGAIN)
                self._deadline = self._talk_until + self.settings.ready_timeout
            else:
                self._pause(Phase.INTRO)

    def _begin_set(self, *, at_once: bool = False) -> None:
        """Begin the next set with its lead-in breath. ``at_once`` is for a GREEN press (Ready,
        Next set, Go on): the first breath starts now, its words naming the side, instead of
        after the set is announced."""
        set_no, side = self._slots.pop(0)
        self.phase = Phase.SET
        self.set = SetResult(side=side, number=set_no)
        self.current.sets.append(self.set)
        v = self.current.planned.variation
        if v.load:  # a set only begins on GREEN, after "You need a light weight": confirmed
            self.current.load = phrases.load_record(v)
        if self.current.planned.away:  # GREEN to "Did you walk N minutes?": it was walked
            self._walked()
            return
        if not at_once:
            total_slots = sets_of(v, self.settings) * (2 if side else 1)
            if total_slots > 1:
                self._say(phrases.set_start(set_no, sets_of(v, self.settings), side))
        lead = breath.lead_in(v, side, name_side=at_once)
        self._begin_rep(1, self.now if at_once else self._talk_until, lead)
        if at_once:
            self._pace_rep(self.rep)

    def _walked(self) -> None:
        """A walk done away from the kiosk, confirmed: one set of its minutes, all clean."""
        assert self.set is not None
        target = self.current.planned.target
        self.set.reps = ["clean"] * target
        self.set.ended_by = SetEnd.TARGET
        self._slots = []
        self._say(phrases.walked(target))
        self._next_exercise()

    def _begin_rep(self, number: int, start: float, lead: Beat | None = None) -> None:
        """Place one rep's beats on the clock: the lead-in (rep 1), movement, hold, return."""
        v = self.current.planned.variation
        side = self.set.side if self.set else None
        first = self.current.planned.first_side
        beats = ([lead] if lead else []) + list(breath.rep_beats(v, number, side, first=first))
        t = max(start, self.now)
        timed = []
        for beat in beats:
            timed.append(_Timed(beat, t))
            t += beat.seconds
        self.rep = _Rep(number, timed)
        self._deadline = self.rep.end + self.settings.rating_timeout
        self.pacer = None

    def _on_set(self, event: Event) -> None:
        if isinstance(event, Press):
            if event.button is Button.RED:
                self._red_stop()
            elif event.button is Button.GREEN:
                self._rated("clean")
            else:
                self._rated("slipped")
        elif isinstance(event, Tick):
            self._pace_rep(self.rep)

    def _pace_rep(self, rep: _Rep | None) -> None:
        """Start every beat that is due: its pacer, its tone, its words. Then the rating."""
        if rep is None:
            return
        v = self.current.planned.variation
        for timed in rep.beats:
            if self.now < timed.start or timed.started:
                continue
            timed.started = True
            b = timed.beat
            holding = b.role is Role.HOLD
            self.pacer = Pacer(b.tone, timed.start, b.seconds,
                               timed.start + b.hold_left if holding else None,
                               v.hold if holding else 0.0)
            count = breath.count(v, b.rep) if b.rep else None  # "Left, two": rep=2 side=left
            said = self._fitting_cues(b, timed.start + b.seconds)
            self._out.append(Paced(b.breath.value, timed.start, b.seconds, count, b.side,
                                   said, b.tone, b.hold_left))
            self._out.append(Tone(b.tone))
            for line in said:
                self._say(line)
        if self.now >= rep.end and rep.prompted == 0:
            rep.prompted = 1
            self.pacer = None
            self._out.append(Tone("tick"))
            if rep.number == 1:
                self._say(phrases.rate_prompt(v))
        elif rep.prompted and self.now >= self._deadline:
            if rep.prompted == 1:
                rep.prompted = 2
                self._say(phrases.RATE_AGAIN)
                self._deadline = self._talk_until + self.settings.rating_timeout
            else:
                self._end_set(SetEnd.TIMEOUT)
                self._pause(Phase.SET)

    def _fitting_cues(self, beat: Beat, ends: float) -> tuple[str, ...]:
        """The beat's cues in the form that fits before its breath ends: full, short or none.
        The breath keeps its time whatever the voice does (kiosk/core/words/speech.py)."""
        said: list[str] = []
        talk_until = self._talk_until
        if self._pressed:
            # This press will cut off what was being said (_interrupt_first_line): the voice is
            # busy only with the lines this event has queued so far.
            talk_until = self.now + sum(seconds_to_say(self.settings, e.text)
                                        for e in self._out if isinstance(e, Say))
        for full, short in beat.cues():
            start = max(self.now, talk_until)
            line = fitting(self.settings, full, short, ends - start)
            if line:
                said.append(line)
                talk_until = start + seconds_to_say(self.settings, line)
        return tuple(said)

    def _rated(self, rating: str) -> None:
        assert self.set is not None and self.rep is not None
        self.set.reps.append(rating)
        if self._talk_until > self.now:
            # The rating answers the prompt: the rest of it would hold up the next rep's cue.
            self._out.append(Hush())
            self._talk_until = self.now
        self._out.append(Tone("tick"))  # heard at once: the press counted
        planned = self.current.planned
        if rating == "slipped":
            self._out.append(Tone("chime"))
            self._say(phrases.fray_tip(planned.variation))
            self._say(phrases.set_fray(self.set.clean))
            side = self.set.side
            self._end_set(SetEnd.FRAY)
            # Technique frayed: no more sets of it today; on a one-sided exercise, of that side.
            self._slots = [s for s in self._slots if side is not None and s[1] != side]
            self._after_set()
        elif self.set.clean >= planned.side_target(self.set.side):
            self._out.append(Tone("chime"))
            self._say(phrases.set_target(self.set.clean, planned.variation))
            self._end_set(SetEnd.TARGET)
            self._after_set()
        else:
            self._begin_rep(self.rep.number + 1, self.now + NEXT_REP_PAUSE)

    def _end_set(self, reason: SetEnd) -> None:
        if self.set is not None and not self.set.ended_by:
            self.set.ended_by = reason
        self.rep = None
        self.pacer = None

    def _after_set(self) -> None:
        done = self.set.number if self.set else 0
        if self._slots and self._slots[0][0] == done:
            self._begin_set()  # the other side of the same set: switch sides, no rest between
        elif self._slots:
            self.phase = Phase.REST
            secs = int(self.settings.rest_seconds)
            self._say(phrases.rest(secs))
            self._breath_start = self._talk_until
            s = self.settings
            self._breath_cycles = max(1, round(s.rest_seconds / (s.inhale + s.exhale)))
            self._breath_phase = None
        else:
            self._next_exercise()

    def _on_rest(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            self._begin_set(at_once=True)
        elif isinstance(event, Press) and event.button is Button.AMBER:
            self._say(phrases.NEXT_SOON)
            self._next_exercise()
        elif isinstance(event, Press) and event.button is Button.RED:
            self._red_stop()
        elif isinstance(event, Tick) and self._breathe(
            self._breath_start, self._breath_cycles, cues=False
        ):
            self._begin_set()

    # --- pause, RED and the end -------------------------------------------------------------
    def _pause(self, where: Phase) -> None:
        self.phase = Phase.PAUSED
        self.paused_from = where
        self._pause_since = self.now
        self.pacer = None
        self._say(phrases.SET_PAUSED)

    def _on_paused(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            if self._slots:
                self._begin_set(at_once=True)
            else:
                self._next_exercise()
        elif isinstance(event, Press) and event.button is Button.AMBER:
            if self.paused_from is Phase.INTRO:
                self.current.skipped = True
            self._next_exercise()
        elif isinstance(event, Tick) and self.now - self._pause_since > ABANDON_AFTER:
            self.ended_by = EndedBy.TIMEOUT
            self._finish(save=True)

    def _red_stop(self) -> None:
        """RED pressed during an exercise or the breathing: stop, then ask how much it hurts."""
        self._out.append(Hush())
        in_set = self.phase is Phase.SET
        if in_set:
            self._end_set(SetEnd.PAIN)
        self._slots = []
        during_exercise = (self.phase in (Phase.INTRO, Phase.SET, Phase.REST)
                           and self.index < len(self.results))
        p = self.current.planned if during_exercise else None
        self._red_still_down = True  # a hold of this same press means "stop", not pain
        self._stopped_set = self.set if in_set else None
        # Pain in the breathing primer belongs to no exercise, and the first one is still ahead.
        self._resume_at = self.index + 1 if during_exercise else self.index
        self.pain_events.append(
            PainEvent(
                at_s=round(self.now - self.t0, 1),
                family=p.family.id if p else None,
                variation=p.variation.id if p else None,
                set=len(self.current.sets) if p else None,
                rep=(len(self.set.reps) + 1) if (self.set and p) else None,
                phase=self.phase.value,
                pain=None,
            )
        )
        self._begin_pain(Phase.PAIN)

    def _end_now(self) -> None:
        """RED held: end the session at once, keeping everything done so far."""
        self._out.append(Hush())
        if self.phase is Phase.SET:
            self._end_set(SetEnd.STOP)
        elif (self.phase is Phase.PAIN and self._red_still_down
              and self.pain_events[-1].pain is None):
            # The press that began this hold stopped the set a moment ago: the person wanted to
            # stop, not to report pain, so it is not kept as a pain event.
            self.pain_events.pop()
            if self._stopped_set is not None:
                self._stopped_set.ended_by = SetEnd.STOP
        self.ended_by = EndedBy.STOP
        self._say(phrases.ENDED_BY_HOLD, interrupt=True)
        self._finish(save=True)

    def _summary(self) -> None:
        before, after = self.pain_before, self.pain_after
        rise = self.settings.pain_rise_stop
        if before is not None and after is not None and after >= before + rise:
            self._say(phrases.CLINICIAN)
        done = sum(1 for r in self.results if r.sets)
        clean = sum(s.clean for r in self.results for s in r.sets)
        self._say(phrases.summary(clean, done, before, after))
        self._finish(save=True)

    def _finish(self, *, save: bool) -> None:
        self.phase = Phase.DONE
        self.done = True
        self.pacer = None
        if save:
            self._out.append(Save(self.record()))
        self._out.append(Finished())

    # --- the record ----------------------------------------------------------------------------
    def record(self) -> SessionRecord:
        """The session so far, as history keeps it. Times are to the second."""
        started = self.started_at.replace(microsecond=0)
        ended = self.started_at + timedelta(seconds=self.now - self.t0)
        return SessionRecord(
            id=self.session_id,
            plan_date=date.fromisoformat(self.plan.date),
            started_at=started,
            ended_at=ended.replace(microsecond=0),
            duration_s=round(self.now - self.t0, 1),
            pain_before=self.pain_before,
            pain_after=self.pain_after,
            ended_by=str(self.ended_by if self.done else EndedBy.INTERRUPTED),
            exercises=tuple(r.as_record() for r in self.results),
            pain_events=tuple(self.pain_events),
        )


# The state diagram as a table: one handler per phase (tests check none is missing).
HANDLERS: dict[Phase, Callable[[Session, Event], None]] = {
    Phase.CHECKIN: Session._on_pain_entry,
    Phase.HELD: Session._on_held,
    Phase.PRIMER: Session._on_primer,
    Phase.INTRO: Session._on_intro,
    Phase.SET: Session._on_set,
    Phase.REST: Session._on_rest,
    Phase.PAIN: Session._on_pain_entry,
    Phase.AFTER_PAIN: Session._on_after_pain,
    Phase.PAUSED: Session._on_paused,
    Phase.CHECKOUT: Session._on_pain_entry,
    Phase.DONE: Session._on_done,
}
