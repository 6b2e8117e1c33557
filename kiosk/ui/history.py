"""Every screen rendered to PNG files, for reviewers, the docs and ``kiosk screens``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pygame

from kiosk.core.data.records import Record
from kiosk.core.data.view import View
from kiosk.core.flows.history_screens import history_views
from kiosk.core.reports.weekly import Ladders
from kiosk.ui.screen import Screen


def render(view: View, size: tuple[int, int]) -> pygame.Surface:
    """One View drawn on a fresh surface of ``size``."""
    _init()
    surface = pygame.Surface(size)
    Screen(surface).draw(view, 0.0)
    return surface


def _init() -> None:
    if not pygame.font.get_init():
        pygame.font.init()


def file_name(index: int, view: View) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", view.title.lower()).strip("-")
    return f"{index:02d}-{slug}.png"


def render_history(
    records: Sequence[Record], day: date, ladders: Ladders, target: int, out: Path,
    size: tuple[int, int],
) -> list[Path]:
    """Each history screen as ``out/NN-title.png``; returns the paths written, in order."""
    paths = []
    for i, view in enumerate(history_views(records, day, ladders, target), start=1):
        path = out / file_name(i, view)
        pygame.image.save(render(view, size), str(path))
        paths.append(path)
    return paths


def render_screens(out: Path, size: tuple[int, int]) -> list[Path]:
    """Every other screen the kiosk shows (kiosk/ui/gallery.py: home, check-in, breathing, reps,
    rest, summary, safety, screening, rituals, menu, activities, notices), filled with the
    longest words it says, as ``out/screen-NAME.png``; returns the paths written."""
    from kiosk.ui.gallery import T0, views

    _init()
    paths = []
    for name, view in views().items():
        surface = pygame.Surface(size)
        # Halfway through a breath, so the circle and its word are drawn as a person sees them.
        Screen(surface).draw(view, T0 + (view.pacer.seconds / 2 if view.pacer else 0.0))
        path = out / f"screen-{name.replace('_', '-')}.png"
        pygame.image.save(surface, str(path))
        paths.append(path)
    return paths
