"""A simulated person at the kiosk, for the demo, the soak test and end-to-end tests.

It looks only at what a real person would notice (the View: what the kiosk is waiting for, the
pain number, the rep) and decides which button to press or hold. It never reaches into the core.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from kiosk.core.data.model import Button
from kiosk.core.data.view import View

PROFILES = ("steady", "slipping", "sore", "stiff-left", "stuck", "flare")  # how a person
# exercises (kiosk rehearse plays the same people forward: kiosk/rehearse.py); each
# answers "no" below. stiff-left exercises as steady does; in a screening it rates the left hip
# rotation and the left rib expansion AMBER (stiff), and every other probe GREEN, as the
# others do (docs/signature.md).
STIFF_LEFT = {("hip-rotation", "left"), ("rib-expansion", "left")}
RED_FLAG = "red-flag"  # answers yes to the saddle-numbness question, and never exercises
# Exercises as steady does; from its third day on (``day``) it has symptoms below the knee, in
# one leg (kiosk/core/coach/legs.py). Every other person answers the leg question "no".
LEG_SYMPTOMS = "leg-symptoms"
LEGS_FROM_DAY = 3
LEG_SCREENS = ("legs", "both-legs")
# The safety screens (docs/safety.md): a profile answers them itself. A press script
# (``presses``) answers them as it does every other screen: only what was pressed is saved.
SAFETY_SCREENS = ("welcome", "about", "question", "advice", *LEG_SCREENS)
# The screening's screens (kiosk/core/flows/screening.py); answered by the profile, as the safety
# questions are, and by the press script under ``presses``.
SCREENING_SCREENS = ("screening", "probe", "probe-move", "probe-pain", "signature",
                     "screen-offer")
TOKENS = {"g": Button.GREEN, "a": Button.AMBER, "r": Button.RED}


@dataclass(frozen=True)
class Action:
    button: Button
    hold: bool = False


class SimUser:
    """Presses buttons whenever the kiosk waits for input, after a human-ish reaction time.

    Profiles: ``steady`` rates every rep clean; ``slipping`` reports technique slipping after a
    few reps in each set; ``sore`` presses RED in the second exercise; ``red-flag`` answers yes
    to the saddle-numbness safety question; ``stuck`` rates clean up to one rep below the
    target, then AMBER, at any target; ``flare`` checks in at two, rates clean and checks out at
    nine; ``leg-symptoms`` exercises as steady does, and from its third ``day`` (the day of
    its use: the demo counts the days in its history) answers yes, in one leg, to the leg
    question at check-in. The others answer no to every safety question. ``sore_on``: the
    exercises (by the
    name on screen) ``sore`` presses RED on; empty, it presses RED in the second exercise.
    ``presses`` replaces the profile with an exact sequence of tokens (g a r press, G A R hold)
    for every screen: the welcome, the safety questions, the movement check, the session and
    its check-out alike, so nothing is answered that was not pressed. When they run out the
    person stops pressing and ``out_of_presses`` turns true: the demo then closes the kiosk,
    as Esc does. An empty sequence is out of presses from the start.

    Like a person, it presses again when a press changed nothing: after its reaction time, the
    next press comes whether or not the screen moved on.
    """

    def __init__(
        self,
        profile: str = "steady",
        *,
        presses: str | None = None,
        checkin_pain: int = 2,
        checkout_pain: int = 1,
        reaction: float = 0.4,
        stiff: Iterable[tuple[str, str | None]] = (),
        painful: Iterable[str] = (),
        sore_on: Iterable[str] = (),
        day: int = 1,
    ) -> None:
        known = (*PROFILES, RED_FLAG, LEG_SYMPTOMS)
        if profile not in known:
            raise ValueError(f"unknown user {profile!r}; choose one of {', '.join(known)}")
        self.profile = profile
        self.day = day
        self.tokens = list(presses.replace(",", " ").split()) if presses is not None else None
        if self.tokens is not None:
            self.tokens = [c for tok in self.tokens for c in tok]
            bad = [c for c in self.tokens if c.lower() not in TOKENS]
            if bad:
                raise ValueError(f"unknown press {bad[0]!r}; use g a r to press, G A R to hold")
        if profile == "flare":
            checkout_pain = 9
        self.sore_on = frozenset(sore_on)
        self.pain = {"checkin": checkin_pain, "checkout": checkout_pain, "pain": checkin_pain + 1,
                     "probe-pain": checkin_pain + 1}
        self.reaction = reaction
        # Screening: the (probe, side) pairs rated stiff, and the probes rated painful.
        self.stiff = set(stiff) | (STIFF_LEFT if profile == "stiff-left" else set())
        self.painful = set(painful)
        self.out_of_presses = self.tokens == []
        self._seen: View | None = None
        self._seen_at = 0.0
        self._exercises: list[str] = []

    def answering(self) -> str:
        """What the demo says it does for the person: a profile answers every question itself
        (``kiosk demo --user``); a press script answers nothing but what it presses."""
        if self.tokens is not None:
            return ("demo: only your presses answer: the welcome, the safety questions, the "
                    "movement check and the session alike")
        safety = ("yes to the saddle-numbness question" if self.profile == RED_FLAG
                  else "no to every safety question")
        moves = ("stiff on the left hip rotation and rib expansion, easy on the rest"
                 if self.stiff else "easy to every movement")
        return (f"demo: the simulated person ({self.profile}) answers for you: {safety}, "
                f"{moves} in a movement check, pain {self.pain['checkin']} at check-in and "
                f"{self.pain['checkout']} at check-out (--presses to press every answer "
                "yourself)")

    def decide(self, view: View, t: float) -> Action | None:
        if view.exercise and (not self._exercises or self._exercises[-1] != view.exercise):
            self._exercises.append(view.exercise)
        if view.awaiting is None or self.out_of_presses:
            return None
        # What the person reacts to: the screen's state, not the caption moving on, the hint
        # after a stray press or a hold's ring.
        state = replace(view, caption="", hint=(), hold=None)
        if state != self._seen:
            self._seen, self._seen_at = state, t
        if t - self._seen_at < self.reaction:
            return None
        self._seen_at = t  # a press that changes nothing is followed by another, in time
        if self.tokens is not None:
            return self._next_token()
        if view.screen in SAFETY_SCREENS:
            return self._safety(view)
        if view.screen in SCREENING_SCREENS:
            return self._screening(view)
        return self._choose(view)

    def _safety(self, view: View) -> Action:
        if view.screen in LEG_SCREENS:  # yes below the knee, in one leg; or no
            legs = self.profile == LEG_SYMPTOMS and self.day >= LEGS_FROM_DAY
            return Action(Button.GREEN if legs and view.screen == "legs" else Button.AMBER)
        if view.awaiting != "answer":
            return Action(Button.GREEN)  # go on
        saddle = any("saddle" in line for line in view.lines)
        return Action(Button.GREEN if self.profile == RED_FLAG and saddle else Button.AMBER)

    def _screening(self, view: View) -> Action:
        """GREEN to begin, when ready and to go on; a probe rated by the profile."""
        if view.awaiting == "pain" and view.pain is not None:
            return self._choose(view)
        if view.awaiting == "probe" and (view.probe, view.side) in self.stiff:
            return Action(Button.AMBER)
        if view.awaiting == "probe" and view.probe in self.painful:
            return Action(Button.RED)
        return Action(Button.GREEN)

    def _next_token(self) -> Action | None:
        if not self.tokens:
            self.out_of_presses = True
            return None
        tok = self.tokens.pop(0)
        if not self.tokens:
            self.out_of_presses = True  # that was the last: after it, the kiosk is closed
        return Action(TOKENS[tok.lower()], hold=tok.isupper())

    def _choose(self, view: View) -> Action:
        if view.awaiting == "pain" and view.pain is not None:
            want = self.pain.get(view.screen, 0)
            if view.pain < want:
                return Action(Button.GREEN)
            if view.pain > want:
                return Action(Button.AMBER)
            return Action(Button.GREEN, hold=True)
        if view.awaiting == "rating":
            return self._rate(view)
        return Action(Button.GREEN)  # start, ready, continue

    def _rate(self, view: View) -> Action:
        rep = view.rep or 1
        nth = len(self._exercises)  # 1 for the first exercise of the session
        sore_here = view.exercise in self.sore_on if self.sore_on else nth == 2
        if self.profile == "sore" and sore_here and rep >= 2:
            return Action(Button.RED)
        if (self.profile == "stuck" and view.target is not None and view.clean is not None
                and view.clean >= view.target - 1):
            return Action(Button.AMBER)
        if self.profile == "slipping" and rep > 3 + 2 * (nth % 2):
            return Action(Button.AMBER)
        return Action(Button.GREEN)


TAP_SECONDS = 0.15  # how long a plain press stays down
HOLD_MARGIN = 0.2  # a hold lasts this much past the button's hold time


class Hands:
    """A simulated person's hands on the buttons: pin changes to make at given kiosk times.

    ``follow`` presses what a ``SimUser`` decides, down now and up again after a tap or a hold;
    ``schedule`` takes any other changes (the soak's stray presses); ``move_due`` makes the
    changes that are due. ``move(button, down)`` is how a change reaches the kiosk: a mock pin,
    or straight into the core's button tracker. The demo, the soak and the core tests all press
    through this one driver.
    """

    def __init__(self, move: Callable[[Button, bool], None], hold: Mapping[Button, float]) -> None:
        self._move = move
        self._hold = hold
        self._changes: list[tuple[float, Button, bool]] = []  # to make, by time
        self.down: set[Button] = set()

    @property
    def busy(self) -> bool:
        """A button is down, or a change is still to come."""
        return bool(self._changes or self.down)

    @property
    def next_at(self) -> float | None:
        """When the next change is due, if there is one."""
        return self._changes[0][0] if self._changes else None

    def schedule(self, now: float, changes: Iterable[tuple[float, Button, bool]]) -> None:
        """Make each (offset in seconds from ``now``, button, down) change when it is due."""
        for offset, button, down in changes:
            # Whole milliseconds: a fake clock keeps six decimals, so it lands on each change.
            bisect.insort(self._changes, (round(now + offset, 3), button, down),
                          key=lambda c: c[0])

    def move_due(self, now: float) -> None:
        while self._changes and self._changes[0][0] <= now:
            _, button, down = self._changes.pop(0)
            self.move(button, down)

    def move(self, button: Button, down: bool) -> None:
        """Change a button now."""
        self._move(button, down)
        (self.down.add if down else self.down.discard)(button)

    def follow(self, user: SimUser, view: View, now: float) -> None:
        """With the hands free, press whatever ``user`` decides on seeing ``view``."""
        if self.busy:
            return
        action = user.decide(view, now)
        if action is not None:
            b = action.button
            length = self._hold[b] + HOLD_MARGIN if action.hold else TAP_SECONDS
            self.schedule(now, [(0.0, b, True), (length, b, False)])
            self.move_due(now)

    def let_go(self) -> None:
        """Release every button now and forget the changes still to come."""
        self._changes.clear()
        for button in sorted(self.down):
            self.move(button, False)
