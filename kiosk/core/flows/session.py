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
* Every rep is paced by the breath timeline (kiosk/core/coach/breath.py): voice, tones, the
  pacer and the breath LED follow the same beats, and the breath alternates across reps.
* A missing rating is never invented. The kiosk asks once more, then asks if the person is
  all right, and then once a minute tells them to call for help if hurt; ten minutes on, the
  session closes and is saved. Any press answers (RED ends the session at once).
* Any press that moves the session on cuts off the line being spoken, so the voice never lags
  behind the buttons (see docs/controls.md).

The exercises themselves (sets, reps, rests, the paced breath) are ``Exercising`` in
``session_sets``; the phases and results are in ``session_parts``; the screen in
``session_view``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from kiosk.core.data.events import (
    Effect,
    Event,
    Finished,
    Hold,
    Hush,
    Press,
    Release,
    Save,
    Stuck,
    Tick,
)
from kiosk.core.data.model import Breath, Button, Change, Plan, SessionSettings
from kiosk.core.data.records import PainEvent, SessionRecord
from kiosk.core.data.view import Pacer, View
from kiosk.core.flows.flow import Outbox
from kiosk.core.flows.session_parts import (
    ABANDON_AFTER,
    PAIN_BUTTONS,
    RATE_BUTTONS,
    EndedBy,
    ExerciseResult,
    Phase,
    Rep,
    SetEnd,
    SetResult,
)
from kiosk.core.flows.session_sets import Exercising
from kiosk.core.flows.session_view import view_of
from kiosk.core.presses.pain_input import Answer, PainInput
from kiosk.core.words import phrases

__all__ = ["HANDLERS", "PAIN_BUTTONS", "RATE_BUTTONS", "EndedBy", "ExerciseResult", "Phase",
           "Session", "SetEnd", "SetResult"]


class Session(Exercising):
    """A single guided session. Create it, call ``start`` once, then ``handle`` every event."""

    holds = frozenset({Button.RED})  # held anywhere: the session ends now

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
        # The one speech bookkeeping (kiosk/core/flows/flow.py): the session's clock, what it
        # says and when the voice will be done, and the effects still to hand over.
        self._talk = Outbox(settings.speech_rate_wpm, t0, settings.spoken)
        self.started_at = started_at
        self.session_id = session_id
        self.phase = Phase.CHECKIN
        self.done = False
        self.pain_before: int | None = None
        self.pain_after: int | None = None
        self.pain_events: list[PainEvent] = []
        self.legs: str | None = None  # the leg question's answer, set by the kiosk when asked
        self.results = [ExerciseResult(p) for p in plan.exercises]
        self.ended_by = EndedBy.COMPLETE
        self._pressed = False  # handling a press or hold, which cuts off the line being said
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
        self.rep: Rep | None = None
        self.paused_from: Phase = Phase.SET
        self._resume_at = 0  # the exercise to go on with after a pain stop
        self._red_still_down = False
        self._stopped_set: SetResult | None = None
        self._saved_progress: list[tuple[int, bool]] = []
        self._pause_since = 0.0
        self._last_breath = Breath.OUT  # nothing cued yet: the first breath is an in-breath
        self._breath_free_at = t0
        self._silent_calls = 0

    # --- public API ---------------------------------------------------------------------------
    def start(self) -> list[Effect]:
        self._begin_pain(Phase.CHECKIN)
        return self._flush()

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self._view = None
        self._talk.now = max(self.now, event.t)
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
            self._talk.interrupt_first_line()
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
            self._view = view_of(self)
        return self._view

    @property
    def caption(self) -> str:
        return self._talk.caption

    @property
    def result(self) -> SessionRecord:
        return self.record()

    def _flush(self) -> list[Effect]:
        self._view = None  # whatever changed since, the view is built afresh here
        return self._talk.flush(self.view)

    def _on_done(self, event: Event) -> None:
        return None

    # --- pain entry (check-in, after RED, check-out) ------------------------------------------
    def _begin_pain(self, phase: Phase) -> None:
        self.phase = phase
        self.pacer = None
        self._say(phrases.pain_prompt(phase.value, self.pain.value),
                  interrupt=phase is Phase.PAIN)
        self.pain.begin(self._talk.until)

    def _on_pain_entry(self, event: Event) -> None:
        answer = self.pain.handle(event, self.now)
        if answer is Answer.CHANGED:
            self._say(phrases.pain_value(self.pain.value), interrupt=True)
            self.pain.wait_from(self._talk.until)
        elif answer is Answer.CONFIRMED:
            self._say(phrases.pain_confirmed(self.pain.value), interrupt=True)
            self._pain_given(self.pain.value)
        elif answer is Answer.RED:
            self._red_in_pain_entry()
        elif answer is Answer.REPROMPT:
            self._say(phrases.PAIN_REPROMPT)
            self.pain.wait_from(self._talk.until)
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

    def said_so_far(self) -> list[Effect]:
        """What the session has said and not yet handed over: taken by the kiosk before it
        pushes a flow from the check-in hook, so the check-in's words come first."""
        return self._talk.flush()

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
        self._breath_start = self._talk.until
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

    # --- pause, RED and the end -------------------------------------------------------------
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

    def _end_silent(self, *, stop: bool) -> None:
        """Nobody answered mid-set (or RED answered ``stop``): close and save. A session closed
        by silence counts for the rhythm only if an exercise was finished."""
        self.ended_by = EndedBy.STOP if stop else EndedBy.TIMEOUT
        self._finish(save=True)

    def _red_stop(self) -> None:
        """RED pressed during an exercise or the breathing: stop, then ask how much it hurts."""
        self._talk.add(Hush())
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
        self._talk.add(Hush())
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
            self._talk.add(Save(self.record()))
        self._talk.add(Finished())

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
            legs=self.legs,
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
    Phase.SILENT: Session._on_silent,
    Phase.PAUSED: Session._on_paused,
    Phase.CHECKOUT: Session._on_pain_entry,
    Phase.DONE: Session._on_done,
}
