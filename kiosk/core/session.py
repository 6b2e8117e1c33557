"""One guided session as a pure state machine: events in, effects out.

The session walks through check-in, a breathing primer, today's exercises and check-out. It
never reads a clock or touches a device: time arrives in each event's ``t``, and everything the
kiosk should do leaves as an effect (say, tone, show, save).

Rules the user relies on, enforced here and nowhere else:

* RED is always acted on at once. A press stops the exercise and asks for a pain rating; holding
  it ends the session immediately. Pain never leads to more load.
* A set stops at the first rep rated AMBER: clean reps before fatigue.
* A missing rating is never invented. The kiosk asks once more, then pauses the set.
* Any press that moves the session on cuts off the line being spoken, so the voice never lags
  behind the buttons (see docs/controls.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from kiosk.core import phrases
from kiosk.core.events import (
    Effect,
    Event,
    Finished,
    Hold,
    Hush,
    Press,
    Release,
    Save,
    Say,
    Show,
    Stuck,
    Tick,
    Tone,
)
from kiosk.core.model import Button, Plan, PlannedExercise, SessionSettings
from kiosk.core.records import ExerciseRecord, PainEvent, SessionRecord, SetRecord
from kiosk.core.view import Pacer, View

ABANDON_AFTER = 15 * 60.0  # a paused session nobody returns to is closed and saved

PAIN_BUTTONS = {
    Button.GREEN: "Raise (hold: confirm)",
    Button.AMBER: "Lower",
    Button.RED: "Hold: end",
}
RATE_BUTTONS = {Button.GREEN: "Clean rep", Button.AMBER: "Slipped", Button.RED: "Pain / stop"}


def speech_seconds(text: str, rate_wpm: int) -> float:
    """How long a line takes to say, estimated from its words (espeak keeps close to its rate)."""
    return 0.4 + len(text.split()) * 60.0 / max(rate_wpm, 60)


@dataclass
class SetResult:
    side: str | None
    reps: list[str] = field(default_factory=list)
    ended_by: str = ""

    @property
    def clean(self) -> int:
        return sum(1 for r in self.reps if r == "clean")

    def as_record(self) -> SetRecord:
        return SetRecord(self.side, tuple(self.reps), self.clean, self.ended_by)


@dataclass
class ExerciseResult:
    planned: PlannedExercise
    sets: list[SetResult] = field(default_factory=list)
    skipped: bool = False

    def as_record(self) -> ExerciseRecord:
        p = self.planned
        return ExerciseRecord(
            family=p.family.id,
            variation=p.variation.id,
            name=p.variation.name,
            target=p.target,
            change=p.change,
            reason=p.reason,
            skipped=self.skipped,
            sets=tuple(s.as_record() for s in self.sets),
        )


@dataclass
class _Phase:
    """One breath of a rep: prepare, effort (the movement), hold, or return."""

    role: str  # prepare | effort | hold | back
    breath: str  # inhale | exhale | hold
    start: float
    seconds: float
    started: bool = False


@dataclass
class _Rep:
    """Timing of the rep in progress: its breaths in order, then the rating window."""

    number: int
    phases: list[_Phase]
    prompted: int = 0  # 0: not asked yet, 1: asked, 2: asked again

    @property
    def start(self) -> float:
        return self.phases[0].start

    @property
    def end(self) -> float:
        last = self.phases[-1]
        return last.start + last.seconds


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
        self.phase = "checkin"
        self.done = False
        self.pain_before: int | None = None
        self.pain_after: int | None = None
        self.pain_events: list[PainEvent] = []
        self.results = [ExerciseResult(p) for p in plan.exercises]
        self.ended_by = "complete"
        self._out: list[Effect] = []
        self._talk_until = t0
        self._caption = ""
        self._last_view: View | None = None
        # pain entry
        self._pain_value = last_pain if last_pain is not None else 0
        self._pain_purpose = "checkin"
        self._deadline = 0.0
        self._reprompted = False
        # primer and rest breathing
        self._breath_start = 0.0
        self._breath_cycles = 0
        self._breath_phase: tuple[int, str] | None = None
        self._pacer: Pacer | None = None
        # exercises
        self._ex = 0
        self._slots: list[tuple[int, str | None]] = []  # (set number, side) still to do
        self._set: SetResult | None = None
        self._rep: _Rep | None = None
        self._paused_from = ""
        self._resume_at = 0  # the exercise to go on with after a pain stop
        self._red_still_down = False
        self._stopped_set: SetResult | None = None
        self._saved_progress: list[tuple[int, bool]] = []
        self._pause_since = 0.0

    # --- public API ---------------------------------------------------------------------------
    def start(self) -> list[Effect]:
        self._begin_pain("checkin")
        return self._flush()

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self.now = max(self.now, event.t)
        if isinstance(event, Release) and event.button is Button.RED:
            self._red_still_down = False
        if isinstance(event, Hold) and event.button is Button.RED:
            self._end_now()
        elif isinstance(event, Stuck):
            self._say(f"The {event.button.word} button seems stuck. Please check it.")
        else:
            getattr(self, f"_on_{self._handler()}")(event)
        if isinstance(event, (Press, Hold)):
            self._interrupt_first_line()
        return self._flush()

    @property
    def view(self) -> View:
        return self._view()

    # --- effects plumbing ----------------------------------------------------------------------
    def _say(self, text: str, *, interrupt: bool = False) -> None:
        start = self.now if interrupt else max(self.now, self._talk_until)
        self._talk_until = start + speech_seconds(text, self.settings.speech_rate_wpm)
        self._caption = text
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
                start += speech_seconds(eff.text, self.settings.speech_rate_wpm)
        self._talk_until = start

    def _flush(self) -> list[Effect]:
        view = self._view()
        if view != self._last_view:
            self._out.append(Show(view))
            self._last_view = view
        out, self._out = self._out, []
        return out

    def _handler(self) -> str:
        return {
            "checkin": "pain_entry",
            "pain": "pain_entry",
            "checkout": "pain_entry",
            "primer": "primer",
            "intro": "intro",
            "set": "set",
            "rest": "rest",
            "paused": "paused",
            "after_pain": "after_pain",
            "held": "held",
        }.get(self.phase, "done")

    # --- pain entry (check-in, after RED, check-out) ------------------------------------------
    def _begin_pain(self, purpose: str) -> None:
        self.phase = purpose
        self._pain_purpose = purpose
        self._reprompted = False
        self._pacer = None
        # Only presses that began during this rating count: the release of the press that
        # started the session (or stopped the set) must not nudge the number.
        self._armed: set[Button] = set()
        self._say(phrases.pain_prompt(purpose, self._pain_value), interrupt=purpose == "pain")
        self._deadline = self._talk_until + self.settings.pain_timeout

    def _on_pain_entry(self, event: Event) -> None:
        if isinstance(event, Press):
            self._armed.add(event.button)
        if isinstance(event, (Release, Hold)) and event.button not in self._armed:
            return
        if isinstance(event, Release):
            self._armed.discard(event.button)
        if isinstance(event, Release) and not event.held and event.button is not Button.RED:
            step = 1 if event.button is Button.GREEN else -1
            self._pain_value = min(10, max(0, self._pain_value + step))
            self._say(phrases.pain_value(self._pain_value), interrupt=True)
            self._deadline = self._talk_until + self.settings.pain_timeout
        elif isinstance(event, Hold) and event.button is Button.GREEN:
            self._say(phrases.pain_confirmed(self._pain_value), interrupt=True)
            self._pain_given(self._pain_value)
        elif isinstance(event, Press) and event.button is Button.RED:
            self._red_in_pain_entry()
        elif isinstance(event, Tick) and self.now >= self._deadline:
            if not self._reprompted:
                self._reprompted = True
                self._say(phrases.PAIN_REPROMPT)
                self._deadline = self._talk_until + self.settings.pain_timeout
            else:
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
        self.ended_by = "stop"
        self._finish(save=save)
        return self._flush()

    def _red_in_pain_entry(self) -> None:
        if self.phase == "checkin":
            self.ended_by = "stop"
            self._say(phrases.STOPPED_BEFORE_START, interrupt=True)
            self._finish(save=True)
        elif self.phase == "checkout":
            self._summary()
        # during a pain rating RED has already done its job; holding it still ends the session

    def _pain_given(self, value: int | None) -> None:
        purpose = self.phase
        if purpose == "checkin":
            if value is None:
                self._say(phrases.CHECKIN_ABANDONED)
                self._finish(save=False)
                return
            self.pain_before = value
            if self.on_checkin is not None and self.on_checkin(value):
                self.phase = "held"
                return
            self._apply_replan(value)
            self._begin_primer()
        elif purpose == "pain":
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
        if any(p.change == "bad-day" for p in plan.exercises):
            self._say(phrases.BAD_DAY)

    def _record_pain(self, value: int | None) -> None:
        self.pain_events[-1] = replace(self.pain_events[-1], pain=value)
        rise = self.settings.pain_rise_stop
        if value is None:
            self._say(phrases.PAIN_UNKNOWN)
            self._after_pain()
        elif self.pain_before is not None and value >= self.pain_before + rise:
            self.ended_by = "pain"
            self.pain_after = value
            self._say(phrases.PAIN_STOP)
            self._finish(save=True)
        else:
            self._after_pain()

    def _after_pain(self) -> None:
        self.phase = "after_pain"
        self._say(phrases.PAIN_CONTINUE)
        self._pause_since = self.now

    def _on_after_pain(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            self._begin_exercise(self._resume_at)
        elif isinstance(event, Tick) and self.now - self._pause_since > ABANDON_AFTER:
            self.ended_by = "timeout"
            self._finish(save=True)

    # --- breathing primer ---------------------------------------------------------------------
    def _begin_primer(self) -> None:
        self.phase = "primer"
        self._say(phrases.PRIMER_INTRO)
        s = self.settings
        self._breath_cycles = max(1, round(s.primer_seconds / (s.inhale + s.exhale)))
        self._breath_start = self._talk_until
        self._breath_phase = None

    def _on_primer(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.AMBER:
            self._say(phrases.PRIMER_SKIPPED)
            self._pacer = None
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
            self._pacer = None
            return True
        in_cycle = elapsed - cycle * cycle_len
        phase = "inhale" if in_cycle < s.inhale else "exhale"
        if self._breath_phase != (cycle, phase):
            self._breath_phase = (cycle, phase)
            began = start + cycle * cycle_len + (0 if phase == "inhale" else s.inhale)
            length = s.inhale if phase == "inhale" else s.exhale
            self._pacer = Pacer(phase, began, length)
            self._out.append(Tone(phase))
            if cues and phase == "exhale" and cycle % 2 == 0:
                cue = phrases.PRIMER_CUES[(cycle // 2) % len(phrases.PRIMER_CUES)]
                self._say(cue)
        return False

    # --- exercises ------------------------------------------------------------------------------
    @property
    def _current(self) -> ExerciseResult:
        return self.results[self._ex]

    def _begin_exercise(self, index: int) -> None:
        self._checkpoint()
        self._ex = index
        if index >= len(self.results):
            self._begin_pain("checkout")
            return
        self.phase = "intro"
        p = self._current.planned
        for line in phrases.intro(p, index + 1, len(self.results)):
            self._say(line)
        sides = ("left", "right") if p.variation.side == "each" else (None,)
        self._slots = [(n, side) for n in range(1, self.settings.sets + 1) for side in sides]
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
        self._begin_exercise(self._ex + 1)

    def _on_intro(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            self._begin_set()
        elif isinstance(event, Press) and event.button is Button.AMBER:
            self._current.skipped = True
            self._say(phrases.SKIPPED)
            self._next_exercise()
        elif isinstance(event, Press) and event.button is Button.RED:
            self._red_stop()
        elif isinstance(event, Tick) and self.now >= self._deadline:
            if not self._reprompted:
                self._reprompted = True
                self._say("Press GREEN when you are in position, AMBER to skip.")
                self._deadline = self._talk_until + self.settings.ready_timeout
            else:
                self._pause("intro")

    def _begin_set(self) -> None:
        set_no, side = self._slots.pop(0)
        self.phase = "set"
        self._set = SetResult(side=side)
        self._current.sets.append(self._set)
        total_slots = self.settings.sets * (2 if side else 1)
        if total_slots > 1:
            self._say(phrases.set_start(set_no, self.settings.sets, side))
        self._begin_rep(1, self._talk_until)

    def _begin_rep(self, number: int, start: float) -> None:
        """Lay out one rep on the breath: prepare, effort (the movement), hold, return."""
        v = self._current.planned.variation
        seconds = {"inhale": v.tempo[0], "exhale": v.tempo[1]}
        effort = v.effort
        other = "inhale" if effort == "exhale" else "exhale"
        plan = [("prepare", other), ("effort", effort)]
        plan += [("hold", "hold")] if v.hold > 0 else []
        plan += [("back", other)]
        t = max(start, self.now)
        phases = []
        for role, breath in plan:
            length = v.hold if breath == "hold" else seconds[breath]
            phases.append(_Phase(role, breath, t, length))
            t += length
        self._rep = _Rep(number, phases)
        self._deadline = self._rep.end + self.settings.rating_timeout
        self._pacer = None

    def _on_set(self, event: Event) -> None:
        rep = self._rep
        assert rep is not None and self._set is not None
        if isinstance(event, Press):
            if event.button is Button.RED:
                self._red_stop()
            elif event.button is Button.GREEN:
                self._rated("clean")
            else:
                self._rated("slipped")
        elif isinstance(event, Tick):
            self._pace_rep(rep)

    def _pace_rep(self, rep: _Rep) -> None:
        v = self._current.planned.variation
        # Full words on the first rep and every third; tones and the count carry the rest.
        guided = rep.number == 1 or rep.number % 3 == 0
        for phase in rep.phases:
            if self.now < phase.start or phase.started:
                continue
            phase.started = True
            self._pacer = Pacer(phase.breath, phase.start, phase.seconds)
            if phase.breath != "hold":
                self._out.append(Tone(phase.breath))
            if phase.role == "prepare":
                if v.side == "alternate":
                    self._say(phrases.side_word("left" if rep.number % 2 else "right"))
                elif rep.number > 1:
                    self._say(phrases.rep_count(rep.number))
            if guided or phase.role == "hold":
                line = phrases.rep_cue(v, phase.role)
                if line:
                    self._say(line)
        if self.now >= rep.end and rep.prompted == 0:
            rep.prompted = 1
            self._pacer = None
            self._out.append(Tone("tick"))
            if rep.number == 1:
                self._say(phrases.RATE_PROMPT)
        elif rep.prompted and self.now >= self._deadline:
            if rep.prompted == 1:
                rep.prompted = 2
                self._say(phrases.RATE_AGAIN)
                self._deadline = self._talk_until + self.settings.rating_timeout
            else:
                self._end_set("timeout")
                self._pause("set")

    def _rated(self, rating: str) -> None:
        assert self._set is not None and self._rep is not None
        self._set.reps.append(rating)
        self._out.append(Tone("tick"))  # heard at once: the press counted
        target = self._current.planned.target
        if rating == "slipped":
            self._out.append(Tone("chime"))
            self._say(phrases.set_fray(self._set.clean))
            self._end_set("fray")
            self._slots = []  # technique frayed: no more sets of this exercise today
            self._after_set()
        elif self._set.clean >= target:
            self._out.append(Tone("chime"))
            self._say(phrases.set_target(self._set.clean))
            self._end_set("target")
            self._after_set()
        else:
            self._begin_rep(self._rep.number + 1, self.now + 0.5)

    def _end_set(self, reason: str) -> None:
        if self._set is not None and not self._set.ended_by:
            self._set.ended_by = reason
        self._rep = None
        self._pacer = None

    def _after_set(self) -> None:
        if self._slots and self._slots[0][1] == "right":
            self._begin_set()  # the other side of the same set: switch sides, no rest between
        elif self._slots:
            self.phase = "rest"
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
            self._begin_set()
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
    def _pause(self, where: str) -> None:
        self.phase = "paused"
        self._paused_from = where
        self._pause_since = self.now
        self._pacer = None
        self._say(phrases.SET_PAUSED)

    def _on_paused(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            if self._slots:
                self._begin_set()
            else:
                self._next_exercise()
        elif isinstance(event, Press) and event.button is Button.AMBER:
            if self._paused_from == "intro":
                self._current.skipped = True
            self._next_exercise()
        elif isinstance(event, Tick) and self.now - self._pause_since > ABANDON_AFTER:
            self.ended_by = "timeout"
            self._finish(save=True)

    def _red_stop(self) -> None:
        """RED pressed during an exercise or the breathing: stop, then ask how much it hurts."""
        self._out.append(Hush())
        if self.phase == "set":
            self._end_set("pain")
        self._slots = []
        during_exercise = self.phase in ("intro", "set", "rest") and self._ex < len(self.results)
        p = self._current.planned if during_exercise else None
        self._red_still_down = True  # a hold of this same press means "stop", not pain
        self._stopped_set = self._set if self.phase == "set" else None
        # Pain in the breathing primer belongs to no exercise, and the first one is still ahead.
        self._resume_at = self._ex + 1 if during_exercise else self._ex
        self.pain_events.append(
            PainEvent(
                at_s=round(self.now - self.t0, 1),
                family=p.family.id if p else None,
                variation=p.variation.id if p else None,
                set=len(self._current.sets) if p else None,
                rep=(len(self._set.reps) + 1) if (self._set and p) else None,
                phase=self.phase,
                pain=None,
            )
        )
        self._begin_pain("pain")

    def _end_now(self) -> None:
        """RED held: end the session at once, keeping everything done so far."""
        self._out.append(Hush())
        if self.phase == "set":
            self._end_set("stop")
        elif self.phase == "pain" and self._red_still_down and self.pain_events[-1].pain is None:
            # The press that began this hold stopped the set a moment ago: the person wanted to
            # stop, not to report pain, so it is not kept as a pain event.
            self.pain_events.pop()
            if self._stopped_set is not None:
                self._stopped_set.ended_by = "stop"
        self.ended_by = "stop"
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
        self.phase = "done"
        self.done = True
        self._pacer = None
        if save:
            self._out.append(Save(self.record()))
        self._out.append(Finished())

    # --- the record and the view -------------------------------------------------------------
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
            ended_by=self.ended_by if self.done else "interrupted",
            exercises=tuple(r.as_record() for r in self.results),
            pain_events=tuple(self.pain_events),
        )

    def _view(self) -> View:
        base = View(screen=self.phase, title="", caption=self._caption, pacer=self._pacer)
        return getattr(self, f"_view_{self._handler()}", self._view_done)(base)

    def _view_pain_entry(self, v: View) -> View:
        titles = {"checkin": "Pain check-in", "pain": "Pain now", "checkout": "Pain check-out"}
        return replace(
            v,
            title=titles[self.phase],
            lines=("0 = none, 10 = worst",),
            pain=self._pain_value,
            buttons=PAIN_BUTTONS,
            awaiting="pain",
        )

    def _view_primer(self, v: View) -> View:
        return replace(
            v,
            screen="breathing",
            title="Breathing",
            lines=("Lower ribs widen sideways", "Gentle low-belly tension out"),
            buttons={Button.AMBER: "Skip", Button.RED: "Stop"},
        )

    def _exercise_fields(self, v: View) -> View:
        p = self._current.planned
        set_no = len(self._current.sets)
        side = self._set.side if self._set else None
        label = f"Set {set_no} of {self.settings.sets}" + (f", {side}" if side else "")
        return replace(
            v,
            exercise=p.variation.name,
            target=p.target,
            set_label=label if set_no else None,
            clean=self._set.clean if self._set else 0,
        )

    def _view_intro(self, v: View) -> View:
        p = self._current.planned
        return replace(
            self._exercise_fields(v),
            title=p.variation.name,
            lines=(*p.variation.cues, f"Target {p.target} clean reps"),
            buttons={Button.GREEN: "Ready", Button.AMBER: "Skip", Button.RED: "Pain / stop"},
            awaiting="ready",
        )

    def _view_set(self, v: View) -> View:
        p = self._current.planned
        rep = self._rep
        rating_open = rep is not None and self.now >= rep.start
        return replace(
            self._exercise_fields(v),
            title=p.variation.name,
            rep=rep.number if rep else None,
            lines=(p.variation.cues[-1],),
            buttons=RATE_BUTTONS,
            awaiting="rating" if rep is not None and rep.prompted else None,
            pacer=self._pacer if rating_open else None,
        )

    def _view_rest(self, v: View) -> View:
        return replace(
            self._exercise_fields(v),
            title="Rest and breathe",
            buttons={Button.GREEN: "Next set", Button.AMBER: "Next exercise", Button.RED: "Stop"},
        )

    def _view_paused(self, v: View) -> View:
        return replace(
            v,
            title="Paused",
            lines=("GREEN: go on", "AMBER: next exercise", "Hold RED: end"),
            buttons={Button.GREEN: "Go on", Button.AMBER: "Next", Button.RED: "Hold: end"},
            awaiting="continue",
        )

    def _view_after_pain(self, v: View) -> View:
        return replace(
            v,
            title="Exercise stopped",
            lines=("We leave this one for today",),
            buttons={Button.GREEN: "Go on", Button.RED: "Hold: end"},
            awaiting="continue",
        )

    def _view_held(self, v: View) -> View:
        return replace(v, screen="checkin", title="Pain check-in", pain=self.pain_before)

    def _view_done(self, v: View) -> View:
        return replace(v, screen="summary", title="Session complete")
