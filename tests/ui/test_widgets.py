"""The breathing circle breathes, and the legend keeps every button in its place."""

from __future__ import annotations

import pygame
import pytest

from kiosk.core.data.view import Pacer
from kiosk.ui import widgets


def test_pacer_fills_on_inhale_and_empties_on_exhale_smoothly() -> None:
    inhale, exhale = Pacer("inhale", 10.0, 4.0), Pacer("exhale", 14.0, 6.0)
    ins = [widgets.fullness(inhale, 10.0 + t / 10) for t in range(41)]
    outs = [widgets.fullness(exhale, 14.0 + t / 10) for t in range(61)]
    assert ins[0] == pytest.approx(0) and ins[-1] == pytest.approx(1)
    assert outs[0] == pytest.approx(1) and outs[-1] == pytest.approx(0)
    assert ins == sorted(ins) and outs == sorted(outs, reverse=True)
    # eased: slow at the turns, fastest mid-breath
    assert ins[1] - ins[0] < ins[21] - ins[20]


def test_pacer_before_and_after_its_phase_holds_still() -> None:
    inhale = Pacer("inhale", 10.0, 4.0)
    assert widgets.fullness(inhale, 5.0) == 0.0
    assert widgets.fullness(inhale, 99.0) == 1.0
    assert widgets.fullness(Pacer("hold", 10.0, 2.0), 11.0, held=0.0) == 0.0
    assert widgets.progress(Pacer("inhale", 10.0, 0.0), 10.0) == 1.0  # no division by zero


def test_legend_slots_keep_their_order_and_stay_inside() -> None:
    rect = pygame.Rect(10, 400, 780, 70)
    slots = widgets.legend_slots(rect, 12)
    assert list(slots) == list(widgets.LEGEND_ORDER)
    lefts = [s.left for s in slots.values()]
    assert lefts == sorted(lefts)
    assert all(rect.contains(s) for s in slots.values())


def test_each_button_has_its_own_shape_not_just_its_own_colour() -> None:
    # Drawn in one colour, the three shapes must still differ: a colour-blind eye sees this.
    masks = {}
    for button in widgets.LEGEND_ORDER:
        surface = pygame.Surface((100, 100))
        widgets.draw_shape(surface, button, surface.get_rect(), (255, 255, 255))
        masks[button] = pygame.mask.from_threshold(surface, (255, 255, 255), (10, 10, 10, 255))
    buttons = list(widgets.LEGEND_ORDER)
    for i, a in enumerate(buttons):
        for b in buttons[i + 1 :]:
            shared = masks[a].overlap_area(masks[b], (0, 0))
            differ = masks[a].count() + masks[b].count() - 2 * shared
            assert differ > 0.15 * min(masks[a].count(), masks[b].count()), (a, b)
