"""Small drawing pieces the screen is made of: the breathing pacer, the pain scale, rep dots,
the speaker mark and the button legend. Their words go through kiosk.ui.text.

Each function draws into a rectangle it is given and never outside it, so the screen only has to
get the rectangles right. Shapes are drawn, not typed as glyphs, because the bundled font has no
reliable circle, triangle or square and a drawn shape reads better from across a room.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

import pygame

from kiosk.core.data.model import Button
from kiosk.core.data.view import Pacer
from kiosk.ui import fonts, palette
from kiosk.ui.palette import Colour
from kiosk.ui.text import draw_line, draw_text, fit_text, wrap


# --- circles --------------------------------------------------------------------------------
def filled_circle(
    surface: pygame.Surface, colour: Colour, centre: tuple[int, int], radius: int, width: int = 0
) -> None:
    # pygame-ce 2.5 draws antialiased circles; older pygame falls back to hard edges.
    draw = getattr(pygame.draw, "aacircle", pygame.draw.circle)
    draw(surface, colour, centre, radius, width)


# --- the breathing pacer ---------------------------------------------------------------------
PACER_WORDS = {"inhale": "INHALE", "exhale": "EXHALE", "hold": "HOLD"}
SMALLEST = 0.55  # the empty-lungs circle, as a fraction of the largest


def progress(pacer: Pacer, now: float) -> float:
    """How far through its phase the pacer is, from 0 to 1."""
    if pacer.seconds <= 0:
        return 1.0
    return min(1.0, max(0.0, (now - pacer.started) / pacer.seconds))


def ease(t: float) -> float:
    """Sine ease in and out: breath starts and ends slowly, like a real one."""
    return (1 - math.cos(math.pi * min(1.0, max(0.0, t)))) / 2


def fullness(pacer: Pacer, now: float, held: float = 1.0) -> float:
    """How full of air the circle is, 0 (empty) to 1 (full). A hold keeps ``held``."""
    p = ease(progress(pacer, now))
    if pacer.phase == "inhale":
        return p
    if pacer.phase == "exhale":
        return 1 - p
    return held


def hold_left(pacer: Pacer, now: float) -> float:
    """The share of a breathed-through hold still to go, from 1 down to 0."""
    if pacer.hold_until is None or pacer.hold_seconds <= 0:
        return 0.0
    return min(1.0, max(0.0, (pacer.hold_until - now) / pacer.hold_seconds))


def hold_count(pacer: Pacer, now: float) -> int:
    """Whole seconds of the hold still to go, counting down to 1 (never 0 while holding)."""
    if pacer.hold_until is None:
        return 0
    return max(1, math.ceil(pacer.hold_until - now - 1e-6))


def pacer_radius(rect: pygame.Rect, fill: float) -> int:
    largest = min(rect.width, rect.height) // 2 - 2
    return round(largest * (SMALLEST + (1 - SMALLEST) * fill))


def draw_pacer(
    surface: pygame.Surface,
    rect: pygame.Rect,
    *,
    fill: float,
    word: str,
    word_px: int,
    hold: float | None = None,
    sub: str = "",
    min_px: int = 8,
) -> list[pygame.Rect]:
    """The breathing circle: a guide ring at full size, the breath inside it, the word on top.

    The guide ring shows where the breath is going, so the person can pace themselves to it.
    During a hold an arc inside the circle shows how much of the hold is left.
    """
    centre = rect.center
    full = pacer_radius(rect, 1.0)
    ring = max(2, full // 40)
    filled_circle(surface, palette.FAINT, centre, full, max(1, ring // 2))
    radius = pacer_radius(rect, fill)
    filled_circle(surface, palette.PACER_FILL, centre, radius)
    filled_circle(surface, palette.PACER_RING, centre, radius, ring)
    if hold is not None and hold < 1:
        _hold_arc(surface, centre, round(radius * 0.84), ring, 1 - hold)
    if not word:
        return []
    # The word grows and shrinks with the breath: it fits the smallest circle, and is the
    # same size for every phase at the same fullness, so nothing jumps at a turn.
    # Never under ``min_px``: in a small circle (a 480x320 panel) the word reaches past it.
    smallest = pacer_radius(rect, 0.0)
    px = max(min_px, round(_word_px(round(2 * smallest * 0.88), word_px) * radius / smallest))
    where = _word_rect(centre, radius, px)
    if not sub:
        return draw_line(surface, word, where, (px, px), palette.TEXT, align="center")
    # A hold breathes on: the breath's word stays, and the hold counts down beneath it.
    small = max(min_px, round(px * 0.85))
    below = pygame.Rect(where.left, where.bottom, where.width, fonts.line_height(small))
    where.move_ip(0, -below.height // 2)
    below.move_ip(0, -below.height // 2)
    return (draw_line(surface, word, where, (px, px), palette.TEXT, align="center")
            + draw_line(surface, sub, below, (small, small), palette.TEXT, align="center"))


@lru_cache(maxsize=16)
def _word_px(room: int, largest: int) -> int:
    """The largest word size, up to ``largest``, at which every phase word fits ``room``."""
    px = largest
    while px > 8 and max(fonts.font(px).size(w)[0] for w in PACER_WORDS.values()) > room:
        px -= 1
    return px


def pacer_word_width(px: int) -> int:
    """The widest word the circle shows at ``px``: a phase, or a hold's count."""
    font = fonts.font(px)
    return max(font.size(w)[0] for w in (*PACER_WORDS.values(), "HOLD 88"))


def _word_rect(centre: tuple[int, int], radius: int, px: int) -> pygame.Rect:
    rect = pygame.Rect(0, 0, max(2 * radius, px * 5), fonts.line_height(px))
    rect.center = centre
    return rect


def _hold_arc(
    surface: pygame.Surface, centre: tuple[int, int], radius: int, width: int, left: float
) -> None:
    """What is left of the hold, as an arc from twelve o'clock running clockwise, drawn as a
    chain of round dots: pygame's thick arcs have gaps in them."""
    dot = max(2, width)
    steps = max(2, round(2 * math.pi * radius * left / dot))
    for i in range(steps + 1):
        angle = -math.pi / 2 + 2 * math.pi * left * i / steps
        x = centre[0] + radius * math.cos(angle)
        y = centre[1] + radius * math.sin(angle)
        filled_circle(surface, palette.PACER_RING, (round(x), round(y)), dot)


def draw_resting_circle(surface: pygame.Surface, rect: pygame.Rect) -> None:
    """The pacer's place between breaths: its guide ring and a quiet empty circle."""
    full = pacer_radius(rect, 1.0)
    ring = max(2, full // 40)
    filled_circle(surface, palette.FAINT, rect.center, full, max(1, ring // 2))
    filled_circle(surface, palette.MUTED, rect.center, pacer_radius(rect, 0.0), ring)


def draw_question(
    surface: pygame.Surface, rect: pygame.Rect, text: str, sizes: tuple[int, int]
) -> list[pygame.Rect]:
    """A short question where the circle was, inside its guide ring: the pause is for you."""
    full = pacer_radius(rect, 1.0)
    ring = max(2, full // 40)
    filled_circle(surface, palette.PACER_RING, rect.center, full, ring)
    inner = rect.inflate(-rect.width // 5, -rect.height // 3)
    return draw_line(surface, text, inner, sizes, palette.TEXT, align="center")


# --- pain scale and rep dots ------------------------------------------------------------------
def draw_pain_scale(surface: pygame.Surface, rect: pygame.Rect, value: int,
                    min_px: int = 8) -> None:
    """Eleven cells, 0 to 10, lit up to the value; the value's own cell is white and taller.

    Position, fill and size carry the value, not hue, and each cell shows its number where
    the number would be at least ``min_px`` (on a 480x320 panel the big number says it).
    """
    gap = max(2, rect.width // 120)
    cell_w = (rect.width - 10 * gap) // 11
    cell_h = min(round(rect.height / 1.3), round(cell_w * 0.75))
    left = rect.left + (rect.width - (11 * cell_w + 10 * gap)) // 2
    top = rect.top + (rect.height - cell_h) // 2
    digits = fonts.font(round(cell_h * 0.62)) if round(cell_h * 0.62) >= min_px else None
    for n in range(11):
        cell = pygame.Rect(left + n * (cell_w + gap), top, cell_w, cell_h)
        if n == value:
            cell.inflate_ip(0, round(cell_h * 0.3))
        _pain_cell(surface, cell, n, value, digits)


def _pain_cell(
    surface: pygame.Surface, cell: pygame.Rect, n: int, value: int,
    digits: pygame.font.Font | None,
) -> None:
    fill = palette.TEXT if n == value else palette.SCALE_LIT if n < value else palette.FAINT
    pygame.draw.rect(surface, fill, cell, border_radius=max(2, cell.width // 10))
    if digits is None:
        return
    ink = palette.INK if n <= value else palette.TEXT_SOFT
    image = digits.render(str(n), True, ink)
    surface.blit(image, image.get_rect(center=cell.center))


def draw_dots(surface: pygame.Surface, rect: pygame.Rect, done: int, total: int) -> None:
    """A row of ``total`` dots, the first ``done`` filled: progress towards the target."""
    if total <= 0:
        return
    step = min(rect.height, rect.width // total)
    radius = max(2, round(step * 0.32))
    y = rect.centery
    for i in range(total):
        x = rect.left + i * step + step // 2
        if i < done:
            filled_circle(surface, palette.TEXT, (x, y), radius)
        else:
            filled_circle(surface, palette.MUTED, (x, y), radius, max(1, radius // 4))


def draw_speaker(surface: pygame.Surface, rect: pygame.Rect, colour: Colour) -> None:
    """A small loudspeaker with two sound waves: 'this is what the kiosk said'."""
    s = min(rect.width, rect.height)
    x, y = rect.left, rect.centery
    body = pygame.Rect(x, y - s // 6, s // 5, s // 3)
    pygame.draw.rect(surface, colour, body)
    cone = [(body.right, body.top), (x + s // 2, y - s // 3), (x + s // 2, y + s // 3),
            (body.right, body.bottom)]
    pygame.draw.polygon(surface, colour, cone)
    for i, r in enumerate((s // 4, s * 5 // 12)):
        box = pygame.Rect(0, 0, 2 * r, 2 * r)
        box.center = (x + s // 2, y)
        pygame.draw.arc(surface, colour, box, -0.8, 0.8, max(2, s // 14) - i // 2)


# --- button legend ---------------------------------------------------------------------------
LEGEND_ORDER = (Button.GREEN, Button.AMBER, Button.RED)
BUTTON_COLOURS: dict[Button, Colour] = {
    Button.GREEN: palette.GREEN,
    Button.AMBER: palette.AMBER,
    Button.RED: palette.RED,
}


def draw_shape(
    surface: pygame.Surface, button: Button, rect: pygame.Rect, colour: Colour, width: int = 0
) -> None:
    """The button's own shape: GREEN a circle, AMBER a triangle, RED a square."""
    size = min(rect.width, rect.height)
    box = pygame.Rect(0, 0, size, size)
    box.center = rect.center
    if button is Button.GREEN:
        filled_circle(surface, colour, box.center, size // 2, width)
    elif button is Button.AMBER:
        points = [(box.centerx, box.top), (box.right, box.bottom - size // 8),
                  (box.left, box.bottom - size // 8)]
        pygame.draw.polygon(surface, colour, points, width)
        pygame.draw.aalines(surface, colour, True, points)
    else:
        square = box.inflate(-size // 7, -size // 7)
        pygame.draw.rect(surface, colour, square, width, border_radius=max(1, size // 12))


def legend_slots(
    rect: pygame.Rect, gap: int, buttons: Mapping[Button, str] | None = None, px: int = 0
) -> dict[Button, pygame.Rect]:
    """Three boxes, always in the same order, so each button keeps its place.

    Given the buttons and the action's font size, a box whose words need more room than a
    third ("Raise (hold: confirm)" at 26 px on a 480x320 panel) takes it from the others, and
    a button that does nothing now keeps only room for its faint shape; otherwise equal."""
    total = rect.width - 2 * gap
    widths = {b: total // 3 for b in LEGEND_ORDER}
    if buttons and px:
        # Each action on one line if all fit so; else on up to two.
        need = {b: _slot_need(rect, b, buttons.get(b), px, 1) for b in LEGEND_ORDER}
        if sum(need.values()) > total:
            need = {b: _slot_need(rect, b, buttons.get(b), px, 2) for b in LEGEND_ORDER}
        level = total // 3
        while level > 0 and sum(max(n, level) for n in need.values()) > total:
            level -= 1
        if sum(max(n, level) for n in need.values()) <= total:
            widths = {b: max(n, level) for b, n in need.items()}
            widths[LEGEND_ORDER[-1]] += total - sum(widths.values())
    out, left = {}, rect.left
    for b in LEGEND_ORDER:
        out[b] = pygame.Rect(left, rect.top, widths[b], rect.height)
        left += widths[b] + gap
    return out


def _slot_need(rect: pygame.Rect, button: Button, action: str | None, px: int,
               lines: int) -> int:
    """The narrowest box that shows ``action`` in ``lines`` lines at ``px``, and its name."""
    pad = _pad(rect)
    if action is None:
        return round(rect.height * 0.6)
    font = fonts.font(px)
    name = round((rect.height - 2 * pad) / _rows_in(rect) * SHAPE) + pad + font.size(button.word)[0]
    words = action.split()
    widths = sorted({font.size(" ".join(words[:i]))[0] for i in range(1, len(words) + 1)}
                    | {font.size(" ".join(words[i:]))[0] for i in range(len(words))})
    text = next((w for w in widths if len(wrap(action, font, w)) <= lines), widths[-1])
    return max(name, text) + 2 * pad + 1


def draw_legend(
    surface: pygame.Surface,
    rect: pygame.Rect,
    buttons: Mapping[Button, str],
    *,
    gap: int,
    name_px: int,
    action_sizes: tuple[int, int],
) -> list[pygame.Rect]:
    """One box per button: shape and colour, the name in words, and what it does right now.

    A button that does nothing now keeps only a faint outline of its box and shape, so the
    others do not jump around when it comes back.
    """
    drawn: list[pygame.Rect] = []
    for button, slot in legend_slots(rect, gap, buttons, action_sizes[1]).items():
        action = buttons.get(button)
        if action is None:
            _idle_slot(surface, slot, button)
        else:
            drawn += _active_slot(surface, slot, button, action, name_px, action_sizes)
    return drawn


def draw_legend_slot(
    surface: pygame.Surface,
    rect: pygame.Rect,
    buttons: Mapping[Button, str],
    button: Button,
    *,
    gap: int,
    name_px: int,
    action_sizes: tuple[int, int],
) -> tuple[pygame.Rect, list[pygame.Rect]]:
    """Repaint one button's box (for the hold ring); returns the box and its words."""
    slot = legend_slots(rect, gap, buttons, action_sizes[1])[button]
    surface.fill(palette.BACKGROUND, slot)
    action = buttons.get(button)
    if action is None:
        _idle_slot(surface, slot, button)
        return slot, []
    return slot, _active_slot(surface, slot, button, action, name_px, action_sizes)


def draw_hold_ring(
    surface: pygame.Surface, rect: pygame.Rect, button: Button, fill: float, *, gap: int,
    buttons: Mapping[Button, str] | None = None, px: int = 0,
) -> pygame.Rect:
    """The ring of a hold in progress, around the held button's shape in its box: a faint
    track, filled clockwise from twelve o'clock in the button's colour as the hold goes on.
    Returns the button's box."""
    slot = legend_slots(rect, gap, buttons, px)[button]
    centre = _shape_rect(slot).center
    radius = round(_name_row(slot).height * 0.5)
    width = max(3, round(radius * 0.28))
    colour = BUTTON_COLOURS[button]
    # The shape shrinks inside the ring, so the ring has room and the box's words keep theirs.
    filled_circle(surface, palette.PANEL, centre, radius)
    side = round(1.4 * (radius - width))
    inner = pygame.Rect(0, 0, side, side)
    inner.center = centre
    draw_shape(surface, button, inner, colour)
    filled_circle(surface, palette.FAINT, centre, radius, width)
    fill = min(1.0, max(0.0, fill))
    if fill > 0:
        steps = max(2, round(64 * fill))
        outer, ring_in = [], []
        for i in range(steps + 1):
            angle = -math.pi / 2 + 2 * math.pi * fill * i / steps
            c, s = math.cos(angle), math.sin(angle)
            outer.append((centre[0] + radius * c, centre[1] + radius * s))
            ring_in.append((centre[0] + (radius - width) * c, centre[1] + (radius - width) * s))
        pygame.draw.polygon(surface, colour, outer + ring_in[::-1])
    return slot


def draw_hint(
    surface: pygame.Surface, rect: pygame.Rect, lines: tuple[str, ...], sizes: tuple[int, int]
) -> list[pygame.Rect]:
    """The answer to a press with no role: a panel saying so, and what each button does."""
    radius = max(4, rect.height // 14)
    pygame.draw.rect(surface, palette.PANEL, rect, border_radius=radius)
    pygame.draw.rect(surface, palette.TEXT_SOFT, rect, max(2, rect.height // 60),
                     border_radius=radius)
    inner = rect.inflate(-2 * max(6, rect.height // 12), -2 * max(4, rect.height // 14))
    block = fit_text(list(lines), inner.width, inner.height, sizes)
    return draw_text(surface, block, inner, palette.TEXT, valign="middle")


def _idle_slot(surface: pygame.Surface, slot: pygame.Rect, button: Button) -> None:
    radius = max(4, slot.height // 7)
    pygame.draw.rect(surface, palette.FAINT, slot, max(1, slot.height // 40),
                     border_radius=radius)
    draw_shape(surface, button, _shape_rect(slot), palette.FAINT, max(1, slot.height // 30))


def _pad(slot: pygame.Rect) -> int:
    return max(3, min(round(slot.height * 0.06), slot.width // 20))


def _name_row(slot: pygame.Rect) -> pygame.Rect:
    """The top row of a box: the button's shape, then its name. Set by the layout: the legend
    is as tall as its rows (kiosk/ui/layout.py), so this row is a name's line high."""
    pad = _pad(slot)
    rows = _rows_in(slot)
    return pygame.Rect(slot.left + pad, slot.top + pad, slot.width - 2 * pad,
                       (slot.height - 2 * pad) // rows)


def _rows_in(slot: pygame.Rect) -> int:
    """How many rows of words the box was made for: its height over a line of the smallest
    words (the name's and the action's)."""
    from kiosk.ui.layout import MIN_PX

    return max(2, min(3, (slot.height - 2 * _pad(slot)) // fonts.line_height(MIN_PX)))


SHAPE = 0.7  # a button's shape, as a share of its name's row


def _shape_rect(slot: pygame.Rect) -> pygame.Rect:
    row = _name_row(slot)
    size = round(row.height * SHAPE)
    return pygame.Rect(row.left, row.centery - size // 2, size, size)


def legend_rows(buttons: Mapping[Button, str], rect: pygame.Rect, gap: int,
                action_px: int) -> int:
    """Rows a legend needs: the names' row, and one or two for the longest action."""
    slots = legend_slots(rect, gap, buttons, action_px)
    font = fonts.font(action_px)
    lines = max((len(wrap(a, font, slots[b].width - 2 * _pad(slots[b])))
                 for b, a in buttons.items()), default=1)
    return 1 + min(2, lines)


def _active_slot(
    surface: pygame.Surface,
    slot: pygame.Rect,
    button: Button,
    action: str,
    name_px: int,
    action_sizes: tuple[int, int],
) -> list[pygame.Rect]:
    colour = BUTTON_COLOURS[button]
    radius = max(4, slot.height // 7)
    pygame.draw.rect(surface, palette.PANEL, slot, border_radius=radius)
    # The border in the cap's colour ties the box to its button without tinting the words,
    # which stay near-white for contrast.
    pygame.draw.rect(surface, colour, slot, max(2, slot.height // 26), border_radius=radius)
    shape = _shape_rect(slot)
    draw_shape(surface, button, shape, colour)
    return _slot_words(surface, slot, button.word, action, name_px, action_sizes)


def _slot_words(
    surface: pygame.Surface,
    slot: pygame.Rect,
    name: str,
    action: str,
    name_px: int,
    action_sizes: tuple[int, int],
) -> list[pygame.Rect]:
    """The name beside the shape on top, what the button does now below it across the whole
    box, on two lines if the words need them. Neither is ever smaller than MIN_PX."""
    row = _name_row(slot)
    shape = _shape_rect(slot)
    name_rect = pygame.Rect(shape.right + _pad(slot), row.top, 0, row.height)
    name_rect.width = row.right - name_rect.left
    drawn = draw_line(surface, name, name_rect, (name_px, name_px), palette.TEXT_SOFT)
    below = pygame.Rect(row.left, row.bottom, row.width, slot.bottom - _pad(slot) - row.bottom)
    block = fit_text([action], below.width, below.height, action_sizes)
    return drawn + draw_text(surface, block, below, palette.TEXT, valign="middle")
