"""Fonts by pixel height, cached.

The kiosk uses only the font bundled with pygame (FreeSans Bold), so it looks the same on every
Pi with no network and no system fonts. Bold is deliberate: strokes stay solid at 2 m and on
cheap panels with poor viewing angles. The report's page and its charts use the same face
(kiosk/core/reports/report.py embeds this file), so a clinician reads one font.

Small text is drawn three times larger and scaled down. FreeType hints FreeSans to whole pixels
glyph by glyph: each letter's advance is rounded on its own, so at 17-30 px some pairs gained a
pixel and words fell apart ("progra m", "Saf ety", "di agnosis"). At three times the size the
rounding is a third of a pixel, and the scaled-down line has the even spacing the face was
designed with. Measuring (``size``) uses the same large font, so wrapping agrees with drawing.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pygame
from pygame.typing import ColorLike

FONT_FILE = Path(pygame.__file__).with_name("freesansbold.ttf")
# pygame shrinks the size given to Font(None, size) by this factor; undone in the fallback.
_DEFAULT_FONT_SCALE = 0.6875
SUPERSAMPLE = 3  # drawn this many times larger, then scaled down
SUPERSAMPLE_BELOW = 64  # px: from here up, a pixel of rounding is too little to see


class Font(pygame.font.Font):
    """A pygame font whose small sizes are measured and drawn supersampled (see above)."""

    def __init__(self, path: Path | None, px: int) -> None:
        super().__init__(path, px)
        self._big: pygame.font.Font | None = None
        if px < SUPERSAMPLE_BELOW:
            self._big = pygame.font.Font(path, px * SUPERSAMPLE)

    def size(self, text: str | bytes, /) -> tuple[int, int]:
        if self._big is None or not text:
            return super().size(text)
        w, h = self._big.size(text)
        return math.ceil(w / SUPERSAMPLE), math.ceil(h / SUPERSAMPLE)

    def render(
        self, text: str | bytes | None, antialias: bool, color: ColorLike,
        bgcolor: ColorLike | None = None, wraplength: int = 0,
    ) -> pygame.Surface:
        if self._big is None or not text or wraplength or not antialias:
            return super().render(text, antialias, color, bgcolor, wraplength)
        bg = None if bgcolor is None else tuple(pygame.Color(bgcolor))
        return _render(self._big, str(text), tuple(pygame.Color(color)), bg)


@lru_cache(maxsize=1024)
def _render(big: pygame.font.Font, text: str, colour: tuple[int, ...],
            bgcolor: tuple[int, ...] | None) -> pygame.Surface:
    """One line drawn large and scaled down; remembered, as a screen draws the same words
    frame after frame. Callers only blit it, never draw on it."""
    image = big.render(text, True, colour, bgcolor)
    w, h = image.get_size()
    size = (math.ceil(w / SUPERSAMPLE), math.ceil(h / SUPERSAMPLE))
    small = pygame.transform.smoothscale(image, size)
    # Scaling rounds every channel down a little; the ink keeps its exact colour.
    small.fill(colour[:3], special_flags=pygame.BLEND_RGB_MAX)
    return small


# The clinician's report is read in a browser, whose page font is DejaVu Sans wherever it is
# installed (Raspberry Pi OS and Debian have it). Its charts are drawn in the same face, and
# the page carries a copy of it (kiosk/report.py), so page and charts are one font everywhere.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
PAGE_REGULAR = DEJAVU / "DejaVuSans.ttf"
PAGE_BOLD = DEJAVU / "DejaVuSans-Bold.ttf"


def page_faces() -> tuple[Path, Path] | None:
    """The report page's regular and bold font files, if this system has them."""
    if PAGE_REGULAR.is_file() and PAGE_BOLD.is_file():
        return PAGE_REGULAR, PAGE_BOLD
    return None


@lru_cache(maxsize=128)
def font(px: int, face: Path | None = None) -> pygame.font.Font:
    """The kiosk font at size ``px``: its capitals are about 0.73 ``px`` tall. ``face``: another
    font file (the report's charts, in the page's font)."""
    if not pygame.font.get_init():
        pygame.font.init()
    px = max(6, int(px))
    if face is not None and face.is_file():
        return Font(face, px)
    if FONT_FILE.exists():
        return Font(FONT_FILE, px)
    # Some distribution packages strip the .ttf; pygame's built-in default is the same face.
    return Font(None, round(px / _DEFAULT_FONT_SCALE))


def exact_width(font: pygame.font.Font, text: str) -> float:
    """``text``'s width in pixels with its fraction: widths that add up, for wrapping."""
    big = getattr(font, "_big", None)
    if isinstance(big, pygame.font.Font) and text:
        return big.size(text)[0] / SUPERSAMPLE
    return float(font.size(text)[0])


def line_height(px: int) -> int:
    """Height of one rendered line at size ``px``: taller than ``px``, as it leaves room for
    accents above and descenders below. Rows of text are laid out with this, not ``px``."""
    return font(px).get_linesize()


def forget() -> None:
    """Drop cached fonts; call after pygame.font.quit(), whose fonts are then unusable."""
    font.cache_clear()
    _render.cache_clear()
