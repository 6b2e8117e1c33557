"""The LEDs a person sees with no screen, driven through gpiozero's mock PWM pins."""

from __future__ import annotations

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.core.data.view import Pacer, View
from kiosk.io.leds import Leds


@pytest.fixture
def factory():
    f = MockFactory(pin_class=MockPWMPin)
    yield f
    f.reset()
    f.close()


def test_breathing_led_brightens_on_inhale_and_dims_on_exhale(factory) -> None:
    leds = Leds(status=5, breath=6, factory=factory)
    pin = factory.pin(6)
    inhale = View(screen="breathing", title="", pacer=Pacer("inhale", 10.0, 4.0))
    seen = []
    for t in (10.0, 11.0, 12.0, 13.0, 13.99):
        leds.update(inhale, t)
        seen.append(pin.state)
    assert seen == sorted(seen) and seen[0] < 0.1 and seen[-1] > 0.9
    exhale = View(screen="breathing", title="", pacer=Pacer("exhale", 14.0, 6.0))
    seen = []
    for t in (14.0, 16.0, 18.0, 19.99):
        leds.update(exhale, t)
        seen.append(pin.state)
    assert seen == sorted(seen, reverse=True) and seen[-1] < 0.1
    leds.close()


def test_status_led_is_steady_when_ready_and_blinks_while_waiting(factory) -> None:
    leds = Leds(status=5, breath=None, factory=factory)
    pin = factory.pin(5)
    talking = View(screen="intro", title="Bridge")
    states = set()
    for i in range(8):
        leds.update(talking, i * 0.25)
        states.add(pin.state)
    assert states == {True}
    waiting = View(screen="set", title="Bridge", awaiting="rating")
    states_seq = []
    for i in range(8):
        leds.update(waiting, i * 0.25)
        states_seq.append(pin.state)
    assert True in states_seq and False in states_seq
    leds.close()
    assert pin.state in (False, 0)


def test_the_loop_is_woken_in_time_for_each_blink_and_not_otherwise(factory) -> None:
    leds = Leds(status=5, breath=None, factory=factory)
    pin = factory.pin(5)
    waiting = View(screen="home", title="", awaiting="start")
    leds.update(waiting, 10.1)
    before = pin.state
    due = leds.next_change_in(waiting, 10.1)
    leds.update(waiting, 10.1 + due + 1e-6)  # the loop wakes when told to: the LED has changed
    assert pin.state != before
    assert leds.next_change_in(View(screen="intro", title="Bridge"), 10.1) == float("inf")
    offer = View(screen="offer", title="", awaiting="offer")
    leds.update(offer, 10.1)
    before = pin.state
    leds.update(offer, 10.1 + leds.next_change_in(offer, 10.1) + 1e-6)  # the quicker blink too
    assert pin.state != before
    leds.close()


def _changes(states: list[object]) -> int:
    return sum(1 for a, b in zip(states, states[1:], strict=False) if a != b)


def test_status_led_blinks_faster_while_a_ritual_is_offered(factory) -> None:
    """An offer is something new asking for an answer: with no screen, the quicker blink tells
    it apart from the home screen's steady wait."""
    leds = Leds(status=5, breath=None, factory=factory)
    pin = factory.pin(5)
    home = View(screen="home", title="Today's plan", awaiting="start")
    offer = View(screen="offer", title="Morning coffee mobility", awaiting="offer")
    seen: dict[str, list[object]] = {"home": [], "offer": []}
    for name, view in (("home", home), ("offer", offer)):
        for i in range(40):  # two seconds, sampled every 50 ms
            leds.update(view, 100.0 + i * 0.05)
            seen[name].append(pin.state)
    assert _changes(seen["offer"]) > 2 * _changes(seen["home"]) > 0
    leds.close()
