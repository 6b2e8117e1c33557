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


def cap_height(surface: pygame.Surface, rect: pygame.Rect) -> int:
    """The height of a line's capitals as drawn, in pixels, from its ink alone.

    Ink is every pixel more than half-way from the line's ground (its commonest colour) to its
    most different colour, so antialiased fringes do not count. The top is the first row with
    ink (a capital's or an ascender's top); the bottom is the baseline, the last row carrying
    at least a third of an inked row's mean ink, so the thin descenders of a line (g, p, y)
    are left out while the stem of a lone "T" is not. A line
    of only short letters ("one") would measure its x-height: smaller, never flattering.
    """
    area = surface.subsurface(rect.clip(surface.get_rect()))
    w, h = area.get_size()
    raw = pygame.image.tobytes(area, "RGB")
    pixels = [raw[i : i + 3] for i in range(0, len(raw), 3)]
    ground = Counter(pixels).most_common(1)[0][0]

    def distance(p: bytes) -> int:
        return max(abs(p[0] - ground[0]), abs(p[1] - ground[1]), abs(p[2] - ground[2]))

    far = max((distance(p) for p in pixels), default=0)
    if far == 0:
        return 0
    rows = [sum(1 for x in range(w) if 2 * distance(pixels[y * w + x]) > far) for y in range(h)]
    inked = [y for y, n in enumerate(rows) if n > 0]
    mean = sum(rows) / len(inked)
    body = [y for y, n in enumerate(rows) if 3 * n >= mean]
    return body[-1] - inked[0] + 1


def smallest_capitals(surface: pygame.Surface, rects: list[pygame.Rect]) -> tuple[int, pygame.Rect]:
    """The smallest capitals of any text on ``surface``, and where: each line of text measured
    by ``cap_height``. Lines drawn in one font share their line box's height, so a line of only
    short letters ("reps ...", "tomorrow.") counts as tall as the tallest line of its size on the
    same screen; a short-lettered line alone in its size still counts its x-height."""
    measured = [(cap_height(surface, r), r) for r in rects]
    tallest: dict[int, int] = {}
    for h, r in measured:
        tallest[r.height] = max(tallest.get(r.height, 0), h)
    return min(((tallest[r.height], r) for _, r in measured), key=lambda x: x[0])
