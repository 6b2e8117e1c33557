"""Rows of marks on the screen: the week strip (a day each, its mark and word) and the
movement signature's grid (a probe on two lines, each side's state in words). Their words go
through kiosk.ui.text; marks are drawn shapes, as in kiosk.ui.widgets."""

from __future__ import annotations

import pygame

from kiosk.core.data.model import Button
from kiosk.core.data.view import GridRow
from kiosk.ui import fonts, palette
from kiosk.ui.text import draw_line
from kiosk.ui.widgets import BUTTON_COLOURS, draw_shape, filled_circle


# --- the week strip ---------------------------------------------------------------------------
def draw_week(
    surface: pygame.Surface, rect: pygame.Rect, marks: tuple[tuple[str, str], ...], label: str,
    sizes: tuple[int, int],
) -> list[pygame.Rect]:
    """This week as seven circles, Monday first, then the count in words.

    A day done is a lit disc with its letter in dark ink; today, not yet done, a bright ring;
    a day gone by with nothing is a plain quiet ring, never a cross or a red mark; days ahead
    are faint. Fill and ring carry the meaning, not hue, and the words say the count.
    """
    if not marks:
        return []
    label_w = rect.width * 2 // 5
    cells = pygame.Rect(rect.left, rect.top, rect.width - label_w, rect.height)
    step = min(cells.height, cells.width // len(marks))
    radius = max(4, round(step * 0.42))
    letter_px = max(8, round(radius * 0.95))
    drawn: list[pygame.Rect] = []
    for i, (letter, state) in enumerate(marks):
        centre = (cells.left + i * step + step // 2, cells.centery)
        ring = max(2, radius // 8)
        if state == "done":
            filled_circle(surface, palette.SCALE_LIT, centre, radius)
            ink = palette.INK
        elif state == "today":
            filled_circle(surface, palette.TEXT, centre, radius, ring)
            ink = palette.TEXT
        elif state == "rest":
            filled_circle(surface, palette.MUTED, centre, radius, max(1, ring // 2))
            ink = palette.TEXT_SOFT
        else:
            filled_circle(surface, palette.FAINT, centre, radius, max(1, ring // 2))
            ink = palette.TEXT_SOFT
        if letter_px >= sizes[1]:  # a day's letter, where it reads; the words say the count
            box = pygame.Rect(0, 0, round(radius * 1.1), round(radius * 1.1))
            box.center = centre
            drawn += draw_line(surface, letter, box, (letter_px, letter_px), ink,
                               align="center")
    words = pygame.Rect(cells.right + step // 3, rect.top, 0, rect.height)
    words.width = rect.right - words.left
    return drawn + draw_line(surface, label, words, sizes, palette.TEXT)


# --- the movement signature grid ------------------------------------------------------------
# Each state by shape and word as well as colour: the buttons' own shapes, as rated.
GRID_STATES: dict[str, tuple[Button | None, str]] = {
    "easy": (Button.GREEN, "easy"),
    "stiff": (Button.AMBER, "stiff"),
    "painful": (Button.RED, "painful"),
    "skipped": (None, "not done"),
}


def draw_grid(
    surface: pygame.Surface, rect: pygame.Rect, rows: tuple[GridRow, ...], sizes: tuple[int, int],
    gap: int,
) -> list[pygame.Rect]:
    """The signature: a probe on two lines, its name, then "Left" and its state beside
    "Right" and its state (one state for a probe with no sides). A table's columns squeezed
    the words to 15 px on a 3.5" panel; on two lines they keep 19 px, with a page of the grid
    a screen (kiosk/core/flows/screening_view.py). A state is its button's shape, in its
    colour, and its word in plain text; a probe not reached is a dash and "not done". Probes
    alternate a quiet panel."""
    if not rows:
        return []
    line_h = min(rect.height // (2 * len(rows)), fonts.line_height(sizes[0]) * 5 // 4)
    px = min(sizes[0], max(sizes[1] // 2, round(line_h * 0.9)))
    text_sizes = (px, max(8, px * 2 // 3))
    font = fonts.font(px)
    drawn: list[pygame.Rect] = []
    for n, row in enumerate(rows):
        top = rect.top + 2 * n * line_h
        if n % 2 == 0:
            pygame.draw.rect(surface, palette.PANEL, pygame.Rect(rect.left, top, rect.width,
                                                                 2 * line_h),
                             border_radius=max(2, line_h // 6))
        name = pygame.Rect(rect.left + gap, top, rect.width - 2 * gap, line_h)
        drawn += draw_line(surface, row.label, name, text_sizes, palette.TEXT)
        below = pygame.Rect(rect.left + gap, top + line_h, rect.width - 2 * gap, line_h)
        if not row.sided:  # one state for the movement, where the left one would be
            cell = pygame.Rect(below.left, below.top,
                               _cell_width(row.both, px, line_h, gap), line_h)
            drawn += _grid_cell(surface, cell, row.both, text_sizes, gap)
            continue
        half = below.width // 2
        for i, (side, state) in enumerate((("Left", row.left), ("Right", row.right))):
            word_w = font.size(side)[0]
            where = pygame.Rect(below.left + i * half, below.top, word_w, line_h)
            drawn += draw_line(surface, side, where, text_sizes, palette.TEXT_SOFT)
            cell = pygame.Rect(where.right + gap, below.top, half - word_w - 2 * gap, line_h)
            drawn += _grid_cell(surface, cell, state, text_sizes, gap)
    return drawn


def _cell_width(state: str | None, px: int, height: int, gap: int) -> int:
    word = GRID_STATES.get(state or "skipped", (None, "not done"))[1]
    return max(8, round(height * 0.8)) + gap + fonts.font(px).size(word)[0]


def _grid_cell(
    surface: pygame.Surface, cell: pygame.Rect, state: str | None, sizes: tuple[int, int],
    gap: int,
) -> list[pygame.Rect]:
    button, word = GRID_STATES.get(state or "skipped", (None, "not done"))
    font = fonts.font(sizes[0])
    icon = max(8, round(cell.height * 0.8))
    width = icon + gap + font.size(word)[0]
    left = cell.left + max(0, (cell.width - width) // 2)
    shape = pygame.Rect(left, cell.centery - icon // 2, icon, icon)
    if button is None:  # not reached: a short dash, quiet, never a colour
        bar = pygame.Rect(0, 0, icon, max(2, icon // 6))
        bar.center = shape.center
        pygame.draw.rect(surface, palette.MUTED, bar)
    else:
        draw_shape(surface, button, shape, BUTTON_COLOURS[button])
    words = pygame.Rect(shape.right + gap, cell.top, cell.right - shape.right - gap, cell.height)
    colour = palette.TEXT if button is not None else palette.TEXT_SOFT
    return draw_line(surface, word, words, sizes, colour)
