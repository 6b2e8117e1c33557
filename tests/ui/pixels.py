"""Counting pixels the way a person looks at a screen: how much is lit, and in which colour."""

from __future__ import annotations

import pygame

from kiosk.ui import palette
from kiosk.ui.palette import Colour


def count_near(
    surface: pygame.Surface, colour: Colour, rect: pygame.Rect | None = None, tol: int = 24
) -> int:
    """Pixels within ``tol`` per channel of ``colour``, in ``rect`` (default: everywhere)."""
    area = surface.subsurface(rect) if rect is not None else surface
    return pygame.mask.from_threshold(area, colour, (tol, tol, tol, 255)).count()


def count_lit(surface: pygame.Surface, rect: pygame.Rect | None = None) -> int:
    """Pixels that are not the page background: anything drawn."""
    area = rect if rect is not None else surface.get_rect()
    return area.width * area.height - count_near(surface, palette.BACKGROUND, area, tol=6)


def edge_strips(surface: pygame.Surface, width: int) -> list[pygame.Rect]:
    w, h = surface.get_size()
    return [
        pygame.Rect(0, 0, w, width),
        pygame.Rect(0, h - width, w, width),
        pygame.Rect(0, 0, width, h),
        pygame.Rect(w - width, 0, width, h),
    ]
