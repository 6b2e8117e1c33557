"""The buttons adapter on gpiozero mock pins: edges reach the queue, and nothing else runs."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory

from kiosk.core.data.model import Button
from kiosk.devices import Edge
from kiosk.io.buttons import Buttons

PINS = {Button.GREEN: 17, Button.AMBER: 27, Button.RED: 22}


@pytest.fixture
def factory() -> Iterator[MockFactory]:
    f = MockFactory()
    yield f
    f.reset()
    f.close()


def test_a_press_and_release_reach_the_queue_as_edges(factory: MockFactory) -> None:
    edges: queue.SimpleQueue[Any] = queue.SimpleQueue()
    buttons = Buttons(PINS, factory, lambda: 12.5, edges)
    buttons.pin(Button.AMBER).drive_low()
    assert buttons.is_down(Button.AMBER) and not buttons.is_down(Button.GREEN)
    buttons.pin(Button.AMBER).drive_high()
    assert [edges.get_nowait(), edges.get_nowait()] == [
        Edge(Button.AMBER, True, 12.5), Edge(Button.AMBER, False, 12.5)]
    assert not buttons.is_down(Button.AMBER)
    buttons.close()


def test_the_buttons_start_no_thread_of_their_own(factory: MockFactory) -> None:
    # A gpiozero Button would start a hold thread that wakes ten times a second, for ever:
    # three of them kept an idle kiosk awake 30 times a second.
    before = set(threading.enumerate())
    buttons = Buttons(PINS, factory, lambda: 0.0, queue.SimpleQueue())
    assert set(threading.enumerate()) == before
    buttons.close()
