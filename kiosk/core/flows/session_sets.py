"""A session's exercises: each introduced, its sets of reps paced by the breath and rated, the
rest between sets, and the paced breathing of the primer and the rests. Pure.

``Exercising`` is the half of ``Session`` (kiosk/core/flows/session.py) that runs while the
person moves; the session itself keeps the check-in, the pain ratings, the pauses, RED and the
end. Split so each reads in one sitting; the state they share is declared here.
"""

from __future__ import annotations

from kiosk.core.coach import breath
from kiosk.core.coach.breath import Beat, Role
from kiosk.core.coach.rotation import sets_of
from kiosk.core.data.events import Event, Hush, Paced, Press, Save, Tick, Tone
from kiosk.core.data.model import Breath, Button, SessionSettings
from kiosk.core.data.records import SessionRecord
from kiosk.core.data.view import Pacer
from kiosk.core.flows.flow import Outbox
from kiosk.core.flows.session_parts import (
    NEXT_REP_PAUSE,
    SILENCE_CALL_EVERY,
    SILENCE_CALLS,
    ExerciseResult,
    Phase,
    Rep,
    SetEnd,
    SetResult,
    Timed,
)
from kiosk.core.words import phrases
from kiosk.core.words.speech import fitting


class Exercising:
    """The exercises of a session; ``Session`` builds the state and runs the rest."""

    settings: SessionSettings
    phase: Phase
    results: list[ExerciseResult]
    index: int
    set: SetResult | None
    rep: Rep | None
    pacer: Pacer | None
    paused_from: Phase
    _talk: Outbox
    _pressed: bool
    _deadline: float
    _reprompted: bool
    _slots: list[tuple[int, str | None]]
    _saved_progress: list[tuple[int, bool]]
    _breath_start: float
    _breath_cycles: int
    _breath_phase: tuple[int, str] | None
    _pause_since: float
    _last_breath: Breath  # the last breath cued: the next one is the other
    _breath_free_at: float  # when the out-breath that closed a set ends
    _silent_calls: int

    @property
    def now(self) -> float:
        return self._talk.now

    @property
    def current(self) -> ExerciseResult:
        return self.results[self.index]

    def _say(self, text: str, *, interrupt: bool = False) -> None:
        self._talk.say(text, interrupt=interrupt)

    # --- what the session itself does (kiosk/core/flows/session.py) ------------------------
    def _begin_pain(self, phase: Phase) -> None:
        raise NotImplementedError

    def _red_stop(self) -> None:
        raise NotImplementedError

    def _finish(self, *, save: bool) -> None:
        raise NotImplementedError

    def _end_silent(self, *, stop: bool) -> None:
        raise NotImplementedError

    def record(self) -> SessionRecord:
        raise NotImplementedError

    # --- paced breathing: the primer and the rests ---------------------------------------
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
                               began + length - max(self.now, self._talk.until))
                said = (line,) if line else ()
            self._last_breath = Breath.IN if phase == "inhale" else Breath.OUT
            self._talk.add(Paced(self._last_breath.value, began, length, say=said, tone=phase))
            self._talk.add(Tone(phase))
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
        self._deadline = self._talk.until + self.settings.ready_timeout
        self._reprompted = False

    def _checkpoint(self) -> None:
        """Save the session so far between exercises (never per rep: each save rewrites the
        history file). A power cut mid-session then loses one exercise at most, and the saved
        session says ``interrupted`` until the final save replaces it."""
        progress = [(len(r.sets), r.skipped) for r in self.results]
        if any(sets or skipped for sets, skipped in progress) and progress != self._saved_progress:
            self._saved_progress = progress
            self._talk.add(Save(self.record()))

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
                self._deadline = self._talk.until + self.settings.ready_timeout
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
        lead = breath.lead_in(v, side, name_side=at_once, after=self._last_breath)
        start = self.now if at_once else max(self._talk.until, self._breath_free_at)
        self._begin_rep(1, start, lead)
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

    def _begin_rep(self, number: int, start: float, lead: tuple[Beat, ...] = ()) -> None:
        """Place one rep's beats on the clock: the lead-in (rep 1), movement, hold, return."""
        planned = self.current.planned
        v = planned.variation
        side = self.set.side if self.set else None
        beats = [*lead, *breath.rep_beats(v, number, side, first=planned.first_side,
                                          of=planned.side_target(side))]
        t = max(start, self.now)
        timed = []
        for beat in beats:
            timed.append(Timed(beat, t))
            t += beat.seconds
        self.rep = Rep(number, timed)
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

    def _pace_rep(self, rep: Rep | None) -> None:
        """Start every beat that is due: its pacer, its tone, its words. Then the rating."""
        if rep is None:
            return
        v = self.current.planned.variation
        for timed in rep.beats:
            if self.now < timed.start or timed.started:
                continue
            timed.started = True
            b = timed.beat
            count = breath.count(v, b.rep) if b.rep else None  # "Left, two": rep=2 side=left
            said = self._fitting_cues(b, timed.start + b.seconds)
            self._talk.add(Paced(b.breath.value, timed.start, b.seconds, count, b.side,
                                   said, b.tone, b.hold_left))
            if b.breath is Breath.FREE:  # a walking minute: no pacer, no breath tones
                self.pacer = None
            else:
                holding = b.role is Role.HOLD
                self.pacer = Pacer(b.tone, timed.start, b.seconds,
                                   timed.start + b.hold_left if holding else None,
                                   v.hold if holding else 0.0)
                self._last_breath = b.breath
                self._talk.add(Tone(b.tone))
            for line in said:
                self._say(line)
        if self.now >= rep.end and rep.prompted == 0:
            rep.prompted = 1
            self.pacer = None
            self._talk.add(Tone("tick"))
            if rep.number == 1:
                self._say(phrases.rate_prompt(v))
        elif rep.prompted and self.now >= self._deadline:
            if rep.prompted == 1:
                rep.prompted = 2
                self._say(phrases.RATE_AGAIN)
                self._deadline = self._talk.until + self.settings.rating_timeout
            else:
                self._end_set(SetEnd.TIMEOUT)
                self._silent()

    def _fitting_cues(self, beat: Beat, ends: float) -> tuple[str, ...]:
        """The beat's cues in the form that fits before its breath ends: full, short or none.
        The breath keeps its time whatever the voice does (kiosk/core/words/speech.py)."""
        said: list[str] = []
        talk_until = self._talk.until
        if self._pressed:
            # This press will cut off what was being said (_interrupt_first_line): the voice is
            # busy only with the lines this event has queued so far.
            talk_until = self.now + self._talk.queued_seconds()
        for full, short in beat.cues():
            start = max(self.now, talk_until)
            line = fitting(self.settings, full, short, ends - start)
            if line:
                said.append(line)
                talk_until = start + self._talk.seconds(line)
        return tuple(said)

    def _rated(self, rating: str) -> None:
        assert self.set is not None and self.rep is not None
        self.set.reps.append(rating)
        if self._talk.until > self.now:
            # The rating answers the prompt: the rest of it would hold up the next rep's cue.
            self._talk.add(Hush())
            self._talk.until = self.now
        self._talk.add(Tone("tick"))  # heard at once: the press counted
        planned = self.current.planned
        if rating == "slipped":
            self._close_set()
            self._talk.add(Tone("chime"))
            self._say(phrases.fray_tip(planned.variation))
            self._say(phrases.set_fray(self.set.clean))
            side = self.set.side
            self._end_set(SetEnd.FRAY)
            # Technique frayed: no more sets of it today; on a one-sided exercise, of that side.
            self._slots = [s for s in self._slots if side is not None and s[1] != side]
            self._after_set()
        elif self.set.clean >= planned.side_target(self.set.side):
            self._close_set()
            self._talk.add(Tone("chime"))
            self._say(phrases.set_target(self.set.clean, planned.variation))
            self._end_set(SetEnd.TARGET)
            self._after_set()
        else:
            self._begin_rep(self.rep.number + 1, self.now + NEXT_REP_PAUSE)

    def _close_set(self) -> None:
        """End the set on an out-breath ("Breathe out, and rest."), when it ended on an
        in-breath: whatever comes next starts on the in-breath."""
        v = self.current.planned.variation
        side = self.set.side if self.set else None
        for b in breath.close(v, self._last_breath, side):
            said = self._fitting_cues(b, self.now + b.seconds)
            self._talk.add(Paced(b.breath.value, self.now, b.seconds, None, b.side, said,
                                 b.tone))
            self._talk.add(Tone(b.tone))
            for line in said:
                self._say(line)
            self._last_breath = b.breath
            self._breath_free_at = self.now + b.seconds

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
            self._breath_start = max(self._talk.until, self._breath_free_at)
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


    # --- silence mid-set ----------------------------------------------------------------------
    def _silent(self) -> None:
        """No rating came, twice, mid-set: ask if the person is all right, then every minute
        tell them to call for help, for ``SILENCE_CALLS`` minutes; then the session closes."""
        self.phase = Phase.SILENT
        self.pacer = None
        self._silent_calls = 0
        self._say(phrases.ARE_YOU_ALL_RIGHT)
        self._deadline = self._talk.until + SILENCE_CALL_EVERY

    def _on_silent(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.RED:
            # RED ends at once: whoever pressed it may be hurt, so the help line is said again.
            self._talk.add(Hush())
            self._say(phrases.SILENT_RED_END, interrupt=True)
            self._end_silent(stop=True)
        elif isinstance(event, Press):
            self._say(phrases.SILENT_ANSWERED, interrupt=True)
            self._pause(Phase.SET)
        elif isinstance(event, Tick) and self.now >= self._deadline:
            if self._silent_calls < SILENCE_CALLS:
                self._silent_calls += 1
                self._say(phrases.CALL_FOR_HELP)
                self._deadline += SILENCE_CALL_EVERY
            else:
                self._end_silent(stop=False)

    def _pause(self, where: Phase) -> None:
        self.phase = Phase.PAUSED
        self.paused_from = where
        self._pause_since = self.now
        self.pacer = None
        self._say(phrases.SET_PAUSED)
