"""Every word on every screen reads at 2 m: the smallest capitals on each screen, measured from
the pixels as drawn (tests/ui/pixels.py: cap_height), not from the font size asked for.

The figures (kiosk/ui/layout.py, docs/screens.md): a letter on the 6/6 line at 2 m is 2.9 mm;
that is 19 px of capital ink on a 3.5" 480x320 panel (0.154 mm a pixel) and 15 px on a 7"
800x480 panel (0.19 mm a pixel). The screens are the gallery `kiosk screens` draws, and the
history screens from a month of history. Screenshots land in tests/screenshots/ink-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from kiosk.core.data.view import View
from kiosk.core.flows.history_screens import history_views
from kiosk.ui.gallery import T0, views
from kiosk.ui.layout import CAP_PX, CAP_PX_7IN
from kiosk.ui.screen import Screen
from tests.core.progress_samples import LADDERS
from tests.ui.pixels import cap_height, smallest_capitals
from tests.ui.test_charts import DAY, month

PANELS = {(480, 320): CAP_PX, (800, 480): CAP_PX_7IN}


def _screens() -> dict[str, View]:
    out = dict(views())
    for i, view in enumerate(history_views(month(), DAY, LADDERS, 5)):
        out[f"history-{i}"] = view
    return out


SCREENS = _screens()


@pytest.mark.parametrize("size", list(PANELS), ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
def test_every_word_has_capitals_readable_at_two_metres(
    name: str, size: tuple[int, int], shots: Path
) -> None:
    view = SCREENS[name]
    screen = Screen(pygame.Surface(size))
    screen.draw(view, T0 + (view.pacer.seconds / 2 if view.pacer else 0))
    pygame.image.save(screen.surface, shots / f"ink-{name}_{size[0]}x{size[1]}.png")
    assert screen.text_rects
    height, where = smallest_capitals(screen.surface, screen.text_rects)
    assert height >= PANELS[size], f"{name}: capitals {height} px tall at {where}"


def test_the_measure_sees_small_text_as_small() -> None:
    """The ruler itself: a 17 px font's capitals measure 12 px, a 26 px font's 19 px."""
    from kiosk.ui import fonts

    for px, caps in ((17, 12), (26, 19), (40, 29)):
        surface = pygame.Surface((400, 60))
        surface.fill((20, 20, 20))
        rect = surface.blit(fonts.font(px).render("Hold the bridge", True, (240, 240, 240)),
                            (5, 5))
        assert abs(cap_height(surface, rect) - caps) <= 1, px
