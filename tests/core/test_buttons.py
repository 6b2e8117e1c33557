"""Raw switch edges become the presses a person meant."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.data.events import Chord, Hold, Press, Release, Stuck
from kiosk.core.data.model import Button
from kiosk.core.presses.buttons import ButtonTracker

G, A, R = Button.GREEN, Button.AMBER, Button.RED


def kinds(events: list) -> list[str]:
    return [type(e).__name__ for e in events]


def test_press_is_reported_on_the_first_edge_without_delay() -> None:
    tr = ButtonTracker()
    assert tr.edge(G, True, 1.0) == [Press(G, 1.0)]
    assert tr.edge(G, False, 1.2) == [Release(G, 1.2)]


def test_a_bounce_burst_within_30_ms_is_one_press() -> None:
    tr = ButtonTracker(bounce=0.03)
    out = tr.edge(G, True, 1.000)
    for i, down in enumerate([False, True, False, True]):
        out += tr.edge(G, down, 1.002 + i * 0.005)
    out += tr.tick(1.05)
    assert kinds(out) == ["Press"]
    out = tr.edge(G, False, 1.3) + tr.edge(G, True, 1.305) + tr.edge(G, False, 1.31)
    out += tr.tick(1.4)
    assert kinds(out) == ["Release"]


@given(st.lists(st.floats(min_value=0.0, max_value=0.029), min_size=1, max_size=20))
def test_any_burst_shorter_than_bounce_counts_once(gaps: list[float]) -> None:
    tr = ButtonTracker(bounce=0.03)
    down, out = True, tr.edge(A, True, 10.0)
    for gap in sorted(gaps):
        down = not down
        out += tr.edge(A, down, 10.0 + gap)
    out += tr.edge(A, True, 10.0295) + tr.tick(10.1)
    assert kinds(out).count("Press") == 1


def test_hold_is_reported_once_and_release_says_it_was_held() -> None:
    tr = ButtonTracker(hold={G: 1.5, A: 1.5, R: 2.0})
    tr.edge(R, True, 0.0)
    out = [e for t in range(1, 40) for e in tr.tick(t * 0.1)]
    assert out == [Hold(R, 2.0)]
    assert tr.edge(R, False, 4.0) == [Release(R, 4.0, held=True)]


def test_a_release_after_the_hold_time_is_a_hold_even_with_no_tick_between() -> None:
    # A late loop: the press and its release arrive together, 2.5 s apart, no tick between.
    tr = ButtonTracker(hold={G: 1.5, A: 1.5, R: 2.0})
    assert tr.edge(R, True, 0.0) == [Press(R, 0.0)]
    assert tr.edge(R, False, 2.5) == [Hold(R, 2.5), Release(R, 2.5, held=True)]
    assert tr.tick(2.6) == []  # reported once
    tr.edge(G, True, 3.0)
    assert tr.edge(G, False, 4.4) == [Release(G, 4.4, held=False)]  # short of 1.5 s: a press
    tr.edge(G, True, 5.0)
    assert tr.edge(G, False, 6.5) == [Hold(G, 6.5), Release(G, 6.5, held=True)]


def test_a_stuck_button_is_reported_once_and_then_counts_nothing() -> None:
    tr = ButtonTracker(stuck=5.0)
    out = tr.edge(G, True, 0.0)
    out += [e for t in range(1, 100) for e in tr.tick(t * 0.1)]
    assert kinds(out) == ["Press", "Hold", "Stuck"]
    # chatter of the stuck switch and its release never become presses
    assert tr.edge(G, False, 12.0) == []


def test_a_button_down_at_start_up_is_stuck_not_a_press() -> None:
    tr = ButtonTracker()
    assert tr.initial(A, True, 0.0) == [Stuck(A, 0.0)]
    assert [e for t in range(1, 80) for e in tr.tick(t * 0.1)] == []
    assert tr.edge(A, False, 9.0) == []
    assert tr.edge(A, True, 10.0) == [Press(A, 10.0)]


def test_two_buttons_at_once_green_amber_is_ignored_but_red_always_counts() -> None:
    tr = ButtonTracker()
    assert tr.edge(G, True, 1.0) == [Press(G, 1.0)]
    assert tr.edge(A, True, 1.01) == []  # ambiguous: not a second rating
    assert tr.edge(A, False, 1.2) == []
    assert tr.edge(R, True, 1.3) == [Press(R, 1.3)]


def test_green_and_red_held_together_make_the_shutdown_chord() -> None:
    tr = ButtonTracker(chord=5.0, stuck=5.0)
    out = tr.edge(G, True, 0.0) + tr.edge(R, True, 0.1)
    out += [e for t in range(1, 60) for e in tr.tick(round(t * 0.1, 2))]
    assert Chord(5.1) in out
    assert not any(isinstance(e, Stuck) for e in out)
    assert kinds(out).count("Chord") == 1


def test_a_stuck_switch_that_chatters_counts_again_only_after_resting_up() -> None:
    tr = ButtonTracker(stuck=5.0)
    tr.edge(G, True, 0.0)
    [e for t in range(1, 60) for e in tr.tick(t * 0.1)]
    out = []
    t = 6.0
    for _ in range(5):  # chatter: up and down every 50 ms
        out += tr.edge(G, False, t) + tr.tick(t + 0.04)
        out += tr.edge(G, True, t + 0.05) + tr.tick(t + 0.09)
        t += 0.1
    assert not any(isinstance(e, (Press, Hold, Stuck)) for e in out)
    tr.edge(G, False, t)
    tr.tick(t + 0.5)
    assert tr.edge(G, True, t + 1.5) == [Press(G, t + 1.5)], "after a rest it works again"


def test_a_press_let_go_within_the_bounce_window_of_start_up_is_not_lost() -> None:
    """Start-up is no edge: a tap that begins and ends within 30 ms of it is a press."""
    tracker = ButtonTracker(bounce=0.03)
    for b in Button:
        assert tracker.initial(b, False, 10.0) == []
    events = [*tracker.edge(Button.GREEN, True, 10.005), *tracker.edge(Button.GREEN, False, 10.02)]
    events += tracker.tick(10.05)
    assert [type(e) for e in events] == [Press, Release]
    assert events[0].t == 10.005, "acted on at once, as any first edge after a quiet spell"
