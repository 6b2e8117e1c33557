"""What a session shows, built from its state: one builder per phase.

Kept out of ``Session`` so the state machine reads as states and transitions, and the screen's
words sit together. Pure, like the session.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.core.coach import breath
from kiosk.core.data.model import Button
from kiosk.core.data.view import Awaiting, Screen, View, evolve
from kiosk.core.flows.session_parts import PAIN_BUTTONS, RATE_BUTTONS, Phase
from kiosk.core.flows.session_parts import Shown as Session

PAIN_TITLES = {"checkin": "Pain check-in", "pain": "Pain now", "checkout": "Pain check-out"}


def view_of(s: Session) -> View:
    base = View(screen=s.phase.value, title="", caption=s.caption, pacer=s.pacer)
    return BUILDERS[s.phase](s, base)


def _pain_entry(s: Session, v: View) -> View:
    return evolve(
        v,
        title=PAIN_TITLES[s.phase.value],
        lines=("0 = none, 10 = worst",),
        pain=s.pain.value,
        buttons=PAIN_BUTTONS,
        awaiting=Awaiting.PAIN,
    )


def _primer(s: Session, v: View) -> View:
    return evolve(
        v,
        screen=Screen.BREATHING,
        title="Breathing",
        lines=("Lower ribs widen sideways", "Gentle low-belly tension out"),
        buttons={Button.AMBER: "Skip", Button.RED: "Stop"},
    )


def _exercise_fields(s: Session, v: View) -> View:
    p = s.current.planned
    set_no = len(s.current.sets)
    side = s.set.side if s.set else None
    sets = 1 if p.variation.unit == "minutes" else s.settings.sets
    label = f"Set {set_no} of {sets}" + (f", {side}" if side else "")
    return evolve(
        v,
        exercise=p.variation.name,
        target=p.side_target(side),
        set_label=label if set_no else None,
        clean=s.set.clean if s.set else 0,
        unit=p.variation.unit,
    )


def _intro(s: Session, v: View) -> View:
    p = s.current.planned
    target = (f"Target {p.target} easy minutes" if p.variation.unit == "minutes"
              else f"Target {p.target} clean reps")
    if p.extra_reps and p.first_side and p.variation.side == "alternate":
        target = f"Target {p.side_target(p.first_side)} clean reps, {p.first_side} first"
    elif p.extra_reps and p.first_side:
        target += f", {p.side_target(p.first_side)} on the {p.first_side}"
    load = (f"With {p.variation.load}",) if p.variation.load else ()
    return evolve(
        _exercise_fields(s, v),
        title=p.variation.name,
        lines=(*p.variation.cues, *load, target),
        buttons={Button.GREEN: "Ready", Button.AMBER: "Skip", Button.RED: "Pain / stop"},
        awaiting=Awaiting.READY,
    )


def _set(s: Session, v: View) -> View:
    p = s.current.planned
    rep = s.rep
    rating_open = rep is not None and s.now >= rep.start
    side = (breath.rep_side(p.variation, rep.number, s.set.side if s.set else None,
                            first=p.first_side) if rep else None)
    return evolve(
        _exercise_fields(s, v),
        title=p.variation.name,
        rep=breath.count(p.variation, rep.number) if rep else None,
        side=side,
        lines=(p.variation.cues[-1],),
        buttons=RATE_BUTTONS,
        awaiting=Awaiting.RATING if rep is not None and rep.prompted else None,
        pacer=s.pacer if rating_open else None,
    )


def _rest(s: Session, v: View) -> View:
    return evolve(
        _exercise_fields(s, v),
        title="Rest and breathe",
        buttons={Button.GREEN: "Next set", Button.AMBER: "Next exercise", Button.RED: "Stop"},
    )


def _paused(s: Session, v: View) -> View:
    return evolve(
        v,
        title="Paused",
        lines=("GREEN: go on", "AMBER: next exercise", "Hold RED: end"),
        buttons={Button.GREEN: "Go on", Button.AMBER: "Next", Button.RED: "Hold: end"},
        awaiting=Awaiting.CONTINUE,
    )


def _silent(s: Session, v: View) -> View:
    return evolve(
        v,
        title="Are you all right?",
        lines=("Press any button", "If you are hurt, call for help now"),
        buttons={Button.GREEN: "I am all right", Button.AMBER: "I am all right",
                 Button.RED: "End"},
        awaiting=Awaiting.CONTINUE,
    )


def _after_pain(s: Session, v: View) -> View:
    return evolve(
        v,
        title="Exercise stopped",
        lines=("We leave this one for today",),
        buttons={Button.GREEN: "Go on", Button.RED: "Hold: end"},
        awaiting=Awaiting.CONTINUE,
    )


def _held(s: Session, v: View) -> View:
    return evolve(v, screen=Screen.CHECKIN, title="Pain check-in", pain=s.pain_before)


def _done(s: Session, v: View) -> View:
    return evolve(v, screen=Screen.SUMMARY, title="Session complete")


# One builder per phase (tests check none is missing).
BUILDERS: dict[Phase, Callable[[Session, View], View]] = {
    Phase.CHECKIN: _pain_entry,
    Phase.HELD: _held,
    Phase.PAIN: _pain_entry,
    Phase.CHECKOUT: _pain_entry,
    Phase.PRIMER: _primer,
    Phase.INTRO: _intro,
    Phase.SET: _set,
    Phase.REST: _rest,
    Phase.SILENT: _silent,
    Phase.PAUSED: _paused,
    Phase.AFTER_PAIN: _after_pain,
    Phase.DONE: _done,
}
