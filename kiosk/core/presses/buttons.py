"""From raw switch edges to the presses a person meant. Pure: edges and time in, events out.

Real buttons bounce, get leaned on, stick, and get pressed two at a time. This tracker turns raw
edges into Press / Release / Hold / Stuck / Chord events with these rules (docs/controls.md):

* The first edge after a quiet spell is acted on at once (no added latency); further edges
  within ``bounce`` seconds are the same press. Once the window has passed, the switch's real
  state is taken, so a glitch is never left half-reported.
* Holding a button reports Hold once after its hold time: on the tick that finds it held, or
  at its release when no tick came between (then Hold, then the Release), so a late loop never
  turns a hold into a press. Down longer than ``stuck`` seconds, it is reported Stuck once and
  then ignored until it has come up and stayed up for a second: a stuck or chattering switch
  never counts reps.
* While one button is down, a GREEN or AMBER press is ignored as ambiguous. RED always counts.
* A button already down when the kiosk starts is treated as stuck, not as a press.
* GREEN and RED held together for ``chord`` seconds report a Chord (the shutdown gesture).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.data.events import Chord, Event, Hold, Press, Release, Stuck
from kiosk.core.data.model import Button


@dataclass
class _State:
    raw: bool = False  # the latest edge seen
    down: bool = False  # the debounced state
    changed: float = -1e9  # when the debounced state last changed
    pressed_at: float = 0.0
    held: bool = False
    stuck: bool = False
    ignored: bool = False  # this press was swallowed (ambiguous or stuck at start)
    quiet_until: float = -1e9  # a switch that was stuck counts again only after resting up


class ButtonTracker:
    RECOVER = 1.0  # seconds a stuck switch must stay up before its presses count again

    def __init__(
        self,
        *,
        bounce: float = 0.03,
        hold: dict[Button, float] | None = None,
        stuck: float = 5.0,
        chord: float | None = 5.0,
    ) -> None:
        self.bounce = bounce
        self.hold = hold or {Button.GREEN: 1.5, Button.AMBER: 1.5, Button.RED: 2.0}
        self.stuck = stuck
        self.chord = chord
        self._s = {b: _State() for b in Button}
        self._chord_sent = False

    def initial(self, button: Button, down: bool, t: float) -> list[Event]:
        """Tell the tracker a button's state at start-up; one already down counts as stuck."""
        st = self._s[button]
        st.raw = st.down = down
        # Start-up is no edge: a button up at start takes its first press at once, so a press
        # let go within ``bounce`` of start-up is not lost (it was, when start-up counted as a
        # change: the press waited out the window and its release had undone it by then).
        st.changed = t if down else -1e9
        st.pressed_at = t
        st.ignored = st.stuck = down
        if down:
            st.quiet_until = t + self.RECOVER
        return [Stuck(button, t)] if down else []

    def edge(self, button: Button, down: bool, t: float) -> list[Event]:
        st = self._s[button]
        st.raw = down
        if down != st.down and t - st.changed >= self.bounce:
            return self._accept(button, down, t)
        return []

    def tick(self, t: float) -> list[Event]:
        out: list[Event] = []
        gesture = self.chord is not None and self._s[Button.GREEN].down and self._s[Button.RED].down
        for b, st in self._s.items():
            if st.raw != st.down and t - st.changed >= self.bounce:
                out += self._accept(b, st.raw, t)
            if st.down and not st.ignored:
                if not st.held and t - st.pressed_at >= self.hold[b]:
                    st.held = True
                    out.append(Hold(b, t))
                if not st.stuck and not gesture and t - st.pressed_at >= self.stuck:
                    st.stuck = True
                    out.append(Stuck(b, t))
        out += self._check_chord(t)
        return out

    def is_down(self, button: Button) -> bool:
        return self._s[button].down

    def _accept(self, button: Button, down: bool, t: float) -> list[Event]:
        st = self._s[button]
        st.down, st.changed = down, t
        if down:
            st.pressed_at, st.held, st.stuck = t, False, False
            others_down = any(o.down for b, o in self._s.items() if b is not button)
            st.ignored = (button is not Button.RED and others_down) or t < st.quiet_until
            return [] if st.ignored else [Press(button, t)]
        was_ignored, st.ignored = st.ignored, False
        if st.stuck or t < st.quiet_until:
            # The chatter of a stuck switch is not a person pressing: it must rest up first.
            st.quiet_until = t + self.RECOVER
        if was_ignored or st.stuck:
            st.stuck = False
            return []
        # A release after the hold time is a hold, whether or not a tick came between: a late
        # loop must never turn a hold (RED held: end the session now) into a press.
        late = not st.held and t - st.pressed_at >= self.hold[button]
        st.held = st.held or late
        return [*([Hold(button, t)] if late else []), Release(button, t, held=st.held)]

    def _check_chord(self, t: float) -> list[Event]:
        g, r = self._s[Button.GREEN], self._s[Button.RED]
        if not (g.down and r.down):
            self._chord_sent = False
            return []
        since = max(g.pressed_at, r.pressed_at)
        if self.chord is not None and not self._chord_sent and t - since >= self.chord:
            self._chord_sent = True
            return [Chord(t)]
        return []
