"""Headless pygame for every screen test, and where their screenshots go."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture(scope="session", autouse=True)
def headless_pygame() -> Iterator[None]:
    # SDL reads these when its subsystems start, so they must be set before pygame.init().
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    import pygame

    pygame.display.init()
    pygame.font.init()
    yield
    from kiosk.ui import fonts

    fonts.forget()
    pygame.quit()


@pytest.fixture(scope="session")
def shots() -> Path:
    """tests/screenshots/ (gitignored): every rendered screen, to look at by eye."""
    SHOTS.mkdir(exist_ok=True)
    return SHOTS
