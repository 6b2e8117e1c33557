"""Small drawing pieces the screen is made of: fitted text, the breathing pacer, the pain scale,
rep dots, the speaker mark and the button legend.

Each function draws into a rectangle it is given and never outside it, so the screen only has to
get the rectangles right. Shapes are drawn, not typed as glyphs, because the bundled font has no
reliable circle, triangle or square and a drawn shape reads better from across a room.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pygame

from kiosk.core.model import Button
from kiosk.core.view import Pacer
from kiosk.ui import fonts, palette
from kiosk.ui.palette import Colour

ELLIPSIS = "…"


# --- text -----------------------------------------------------------------------------------
def wrap(text: str, font: pygame.font.Font, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels in ``font``.

    Lines break between words; a single word wider than the line (a long URL, a typo with no
    spaces) is split between letters rather than allowed to run off the screen.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(_wrap_paragraph(paragraph, font, width))
    return lines


def _wrap_paragraph(text: str, font: pygame.font.Font, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.size(candidate)[0] <= width:
            current = candidate
            continue
        done, current = _keep_brackets(current)
        if done:
            lines.append(done)
        candidate = f"{current} {word}" if current else word
        if current and font.size(candidate)[0] <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _split_word(word, font, width)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current or not lines:
        lines.append(current)
    return lines


def _keep_brackets(line: str) -> tuple[str, str]:
    """Split a full line before an unclosed "(", so "Raise (hold: confirm)" breaks as
    "Raise" / "(hold: confirm)" rather than inside the brackets."""
    at = line.rfind(" (")
    if at <= 0 or ")" in line[at:]:
        return line, ""
    return line[:at], line[at + 1 :]


def _split_word(word: str, font: pygame.font.Font, width: int) -> list[str]:
    """A word too wide for the line: break after its hyphens, then between letters."""
    pieces: list[str] = []
    current = ""
    for chunk in re.findall(r"[^-]+-*|-+", word):
        if current and font.size(current + chunk)[0] > width:
            pieces.append(current)
            current = ""
        if font.size(chunk)[0] <= width:
            current += chunk
            continue
        for char in chunk:
            if current and font.size(current + char)[0] > width:
                pieces.append(current)
                current = ""
            current += char
    return [*pieces, current]


def ellipsize(text: str, font: pygame.font.Font, width: int) -> str:
    """``text`` cut at a word (or letter) and ended with an ellipsis so it fits ``width``."""
    if font.size(text)[0] <= width:
        return text
    words = text.split()
    while len(words) > 1 and font.size(" ".join(words) + ELLIPSIS)[0] > width:
        words.pop()
    cut = " ".join(words)
    while cut and font.size(cut + ELLIPSIS)[0] > width:
        cut = cut[:-1]
    return cut.rstrip(" ,.;:") + ELLIPSIS


@dataclass(frozen=True)
class TextBlock:
    """Lines already wrapped for one font; ``starts`` marks lines that begin a paragraph."""

    font: pygame.font.Font
    lines: tuple[str, ...]
    starts: frozenset[int]
    line_height: int
    paragraph_gap: int

    @property
    def height(self) -> int:
        gaps = sum(1 for i in self.starts if i > 0)
        return len(self.lines) * self.line_height + gaps * self.paragraph_gap

    @property
    def width(self) -> int:
        return max((self.font.size(line)[0] for line in self.lines), default=0)


def layout_text(paragraphs: Sequence[str], font: pygame.font.Font, width: int) -> TextBlock:
    lines: list[str] = []
    starts: set[int] = set()
    for paragraph in paragraphs:
        starts.add(len(lines))
        lines.extend(wrap(paragraph, font, width))
    height = font.get_linesize()
    return TextBlock(font, tuple(lines), frozenset(starts), height, round(height * 0.35))


def fit_text(
    paragraphs: Sequence[str], width: int, height: int, sizes: tuple[int, int]
) -> TextBlock:
    """The largest text, from ``sizes`` (largest, smallest), that fits the box when wrapped.

    If even the smallest size is too tall, the block keeps the lines that fit and ends the last
    one with an ellipsis: cut short, but never drawn outside the box.
    """
    largest, smallest = sizes
    px = largest
    while True:
        block = layout_text(paragraphs, fonts.font(px), width)
        if block.height <= height or px <= smallest:
            break
        px = max(smallest, px - max(1, px // 24))
    return block if block.height <= height else _truncate(block, width, height)


def _truncate(block: TextBlock, width: int, height: int) -> TextBlock:
    keep = list(block.lines)
    trimmed = False
    while keep and _height(block, len(keep)) > height:
        keep.pop()
        trimmed = True
    if keep and trimmed:
        keep[-1] = ellipsize(keep[-1] + " " + ELLIPSIS, block.font, width)
    starts = frozenset(i for i in block.starts if i < len(keep))
    return TextBlock(block.font, tuple(keep), starts, block.line_height, block.paragraph_gap)


def _height(block: TextBlock, count: int) -> int:
    gaps = sum(1 for i in block.starts if 0 < i < count)
    return count * block.line_height + gaps * block.paragraph_gap


def draw_text(
    surface: pygame.Surface,
    block: TextBlock,
    rect: pygame.Rect,
    colour: Colour,
    *,
    align: str = "left",
    valign: str = "top",
) -> list[pygame.Rect]:
    """Draw a fitted block inside ``rect``; returns the rectangle of each line drawn."""
    y = rect.top + {"top": 0, "middle": (rect.height - block.height) // 2}.get(valign, 0)
    y = max(rect.top, y)
    drawn = []
    for i, line in enumerate(block.lines):
        if i in block.starts and i > 0:
            y += block.paragraph_gap
        image = block.font.render(line, True, colour)
        where = image.get_rect(top=y)
        _align(where, rect, align)
        drawn.append(surface.blit(image, where))
        y += block.line_height
    return drawn


def _align(where: pygame.Rect, rect: pygame.Rect, align: str) -> None:
    if align == "center":
        where.centerx = rect.centerx
    elif align == "right":
        where.right = rect.right
    else:
        where.left = rect.left


def draw_line(
    surface: pygame.Surface,
    text: str,
    rect: pygame.Rect,
    sizes: tuple[int, int],
    colour: Colour,
    *,
    align: str = "left",
) -> list[pygame.Rect]:
    """One line of text, shrunk (then shortened) to fit ``rect``, centred vertically."""
    px = sizes[0]
    while px > 6 and (fonts.line_height(px) > rect.height or (
            px > sizes[1] and fonts.font(px).size(text)[0] > rect.width)):
        px -= max(1, px // 24)
    font = fonts.font(px)
    line = ellipsize(text, font, rect.width)
    block = TextBlock(font, (line,), frozenset({0}), font.get_linesize(), 0)
    return draw_text(surface, block, rect, colour, align=align, valign="middle")


# --- circles --------------------------------------------------------------------------------
def _circle(
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
) -> list[pygame.Rect]:
    """The breathing circle: a guide ring at full size, the breath inside it, the word on top.

    The guide ring shows where the breath is going, so the person can pace themselves to it.
    During a hold an arc inside the circle shows how much of the hold is left.
    """
    centre = rect.center
    full = pacer_radius(rect, 1.0)
    ring = max(2, full // 40)
    _circle(surface, palette.FAINT, centre, full, max(1, ring // 2))
    radius = pacer_radius(rect, fill)
    _circle(surface, palette.PACER_FILL, centre, radius)
    _circle(surface, palette.PACER_RING, centre, radius, ring)
    if hold is not None and hold < 1:
        _hold_arc(surface, centre, round(radius * 0.84), ring, 1 - hold)
    if not word:
        return []
    # The word grows and shrinks with the breath: it fits the smallest circle, and is the
    # same size for every phase at the same fullness, so nothing jumps at a turn.
    smallest = pacer_radius(rect, 0.0)
    px = round(_word_px(round(2 * smallest * 0.88), word_px) * radius / smallest)
    return draw_line(surface, word, _word_rect(centre, radius, px), (px, px), palette.TEXT,
                     align="center")


@lru_cache(maxsize=16)
def _word_px(room: int, largest: int) -> int:
    """The largest word size, up to ``largest``, at which every phase word fits ``room``."""
    px = largest
    while px > 8 and max(fonts.font(px).size(w)[0] for w in PACER_WORDS.values()) > room:
        px -= 1
    return px


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
        _circle(surface, palette.PACER_RING, (round(x), round(y)), dot)


def draw_resting_circle(surface: pygame.Surface, rect: pygame.Rect) -> None:
    """The pacer's place between breaths: its guide ring and a quiet empty circle."""
    full = pacer_radius(rect, 1.0)
    ring = max(2, full // 40)
    _circle(surface, palette.FAINT, rect.center, full, max(1, ring // 2))
    _circle(surface, palette.MUTED, rect.center, pacer_radius(rect, 0.0), ring)


def draw_question(
    surface: pygame.Surface, rect: pygame.Rect, text: str, sizes: tuple[int, int]
) -> list[pygame.Rect]:
    """A short question where the circle was, inside its guide ring: the pause is for you."""
    full = pacer_radius(rect, 1.0)
    ring = max(2, full // 40)
    _circle(surface, palette.PACER_RING, rect.center, full, ring)
    inner = rect.inflate(-rect.width // 5, -rect.height // 3)
    return draw_line(surface, text, inner, sizes, palette.TEXT, align="center")


# --- pain scale and rep dots ------------------------------------------------------------------
def draw_pain_scale(surface: pygame.Surface, rect: pygame.Rect, value: int) -> None:
    """Eleven cells, 0 to 10, lit up to the value; the value's own cell is white and taller.

    Position, fill and size carry the value, not hue, and each cell shows its number.
    """
    gap = max(2, rect.width // 120)
    cell_w = (rect.width - 10 * gap) // 11
    cell_h = min(round(rect.height / 1.3), round(cell_w * 0.75))
    left = rect.left + (rect.width - (11 * cell_w + 10 * gap)) // 2
    top = rect.top + (rect.height - cell_h) // 2
    digits = fonts.font(round(cell_h * 0.62))
    for n in range(11):
        cell = pygame.Rect(left + n * (cell_w + gap), top, cell_w, cell_h)
        if n == value:
            cell.inflate_ip(0, round(cell_h * 0.3))
        _pain_cell(surface, cell, n, value, digits)


def _pain_cell(
    surface: pygame.Surface, cell: pygame.Rect, n: int, value: int, digits: pygame.font.Font
) -> None:
    fill = palette.TEXT if n == value else palette.SCALE_LIT if n < value else palette.FAINT
    pygame.draw.rect(surface, fill, cell, border_radius=max(2, cell.width // 10))
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
            _circle(surface, palette.TEXT, (x, y), radius)
        else:
            _circle(surface, palette.MUTED, (x, y), radius, max(1, radius // 4))


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
SHAPE_NAMES = {Button.GREEN: "circle", Button.AMBER: "triangle", Button.RED: "square"}


def draw_shape(
    surface: pygame.Surface, button: Button, rect: pygame.Rect, colour: Colour, width: int = 0
) -> None:
    """The button's own shape: GREEN a circle, AMBER a triangle, RED a square."""
    size = min(rect.width, rect.height)
    box = pygame.Rect(0, 0, size, size)
    box.center = rect.center
    if button is Button.GREEN:
        _circle(surface, colour, box.center, size // 2, width)
    elif button is Button.AMBER:
        points = [(box.centerx, box.top), (box.right, box.bottom - size // 8),
                  (box.left, box.bottom - size // 8)]
        pygame.draw.polygon(surface, colour, points, width)
        pygame.draw.aalines(surface, colour, True, points)
    else:
        square = box.inflate(-size // 7, -size // 7)
        pygame.draw.rect(surface, colour, square, width, border_radius=max(1, size // 12))


def legend_slots(rect: pygame.Rect, gap: int) -> dict[Button, pygame.Rect]:
    """Three equal boxes, always in the same order, so each button keeps its place."""
    width = (rect.width - 2 * gap) // 3
    return {
        b: pygame.Rect(rect.left + i * (width + gap), rect.top, width, rect.height)
        for i, b in enumerate(LEGEND_ORDER)
    }


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
    for button, slot in legend_slots(rect, gap).items():
        action = buttons.get(button)
        if action is None:
            _idle_slot(surface, slot, button)
        else:
            drawn += _active_slot(surface, slot, button, action, name_px, action_sizes)
    return drawn


def _idle_slot(surface: pygame.Surface, slot: pygame.Rect, button: Button) -> None:
    radius = max(4, slot.height // 7)
    pygame.draw.rect(surface, palette.FAINT, slot, max(1, slot.height // 40),
                     border_radius=radius)
    draw_shape(surface, button, _shape_rect(slot), palette.FAINT, max(1, slot.height // 30))


def _pad(slot: pygame.Rect) -> int:
    return max(3, round(slot.height * 0.15))


def _shape_rect(slot: pygame.Rect) -> pygame.Rect:
    size = round(slot.height * 0.42)
    return pygame.Rect(slot.left + _pad(slot), slot.centery - size // 2, size, size)


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
    pad = _pad(slot)
    text = pygame.Rect(shape.right + pad, slot.top + pad // 2, 0, slot.height - pad)
    text.width = slot.right - pad - text.left
    return _slot_words(surface, text, button.word, action, name_px, action_sizes)


def _slot_words(
    surface: pygame.Surface,
    rect: pygame.Rect,
    name: str,
    action: str,
    name_px: int,
    action_sizes: tuple[int, int],
) -> list[pygame.Rect]:
    """The name small on top, what the button does now large below it, on two lines if the
    words need them."""
    name_h = fonts.line_height(name_px)
    block = fit_text([action], rect.width, rect.height - name_h, action_sizes)
    top = rect.top + (rect.height - name_h - block.height) // 2
    name_rect = pygame.Rect(rect.left, top, rect.width, name_h)
    drawn = draw_line(surface, name, name_rect, (name_px, name_px // 2), palette.TEXT_SOFT)
    below = pygame.Rect(rect.left, name_rect.bottom, rect.width, block.height)
    return drawn + draw_text(surface, block, below, palette.TEXT)
