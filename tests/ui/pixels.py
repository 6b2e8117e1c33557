"""Counting pixels the way a person looks at a screen: how much is lit, and in which colour."""

from __future__ import annotations

from collections import Counter

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


def ground_and_ink(surface: pygame.Surface, rect: pygame.Rect) -> tuple[Colour, Colour]:
    """The colour behind a line of text (the commonest) and its ink (the most different)."""
    raw = pygame.image.tobytes(surface.subsurface(rect), "RGB")
    counts = Counter(raw[i : i + 3] for i in range(0, len(raw), 3))
    ground = _rgb(counts.most_common(1)[0][0])
    inks = [_rgb(c) for c, n in counts.items() if n >= 3]  # ignore stray antialiasing
    return ground, max(inks, key=lambda c: contrast_ratio(c, ground))


def _rgb(b: bytes) -> Colour:
    return (b[0], b[1], b[2])


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def luminance(colour: Colour) -> float:
    """WCAG relative luminance, 0 for black and 1 for white."""
    r, g, b = (_channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Colour, b: Colour) -> float:
    """WCAG contrast ratio between two colours, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
