"""Fonts by pixel height, cached.

The kiosk uses only the font bundled with pygame (FreeSans Bold), so it looks the same on every
Pi with no network and no system fonts. Bold is deliberate: strokes stay solid at 2 m and on
cheap panels with poor viewing angles.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pygame

FONT_FILE = Path(pygame.__file__).with_name("freesansbold.ttf")
# pygame shrinks the size given to Font(None, size) by this factor; undone in the fallback.
_DEFAULT_FONT_SCALE = 0.6875


@lru_cache(maxsize=128)
def font(px: int) -> pygame.font.Font:
    """The kiosk font at size ``px``: its capitals are about 0.73 ``px`` tall."""
    if not pygame.font.get_init():
        pygame.font.init()
    px = max(6, int(px))
    if FONT_FILE.exists():
        return pygame.font.Font(FONT_FILE, px)
    # Some distribution packages strip the .ttf; pygame's built-in default is the same face.
    return pygame.font.Font(None, round(px / _DEFAULT_FONT_SCALE))


def line_height(px: int) -> int:
    """Height of one rendered line at size ``px``: taller than ``px``, as it leaves room for
    accents above and descenders below. Rows of text are laid out with this, not ``px``."""
    return font(px).get_linesize()


def forget() -> None:
    """Drop cached fonts; call after pygame.font.quit(), whose fonts are then unusable."""
    font.cache_clear()
