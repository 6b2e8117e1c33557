"""Text that fits its box: wrapped by words, shrunk before it is ever cut, never drawn outside.

Every piece of text on screen goes through ``fit_text`` (blocks) or ``draw_line`` (one line),
so one set of rules decides how the kiosk's longest sentences meet its smallest screens.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pygame

from kiosk.ui import fonts
from kiosk.ui.palette import Colour

ELLIPSIS = "…"


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
    """Measures each word once and adds up the widths, then checks each line it made as a
    whole: kerning across a space could make a line a pixel wider than its parts. Only when
    a line does not fit, or a word is wider than a line, it measures word by word."""
    words = text.split()
    space = _width(font, " ")
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in words:
        w = _width(font, word)
        if w > width:
            return _wrap_measured(text, font, width)  # a word to split: the careful way
        if current and math.ceil(used + space + w) > width:
            lines.append(" ".join(current))
            current, used = [], 0
        used = used + space + w if current else w
        current.append(word)
    if current or not lines:
        lines.append(" ".join(current))
    if len(lines) > 1 and any(line.rfind(" (") > 0 for line in lines):
        return _wrap_measured(text, font, width)  # brackets to keep together (_keep_brackets)
    if any(font.size(line)[0] > width for line in lines):
        return _wrap_measured(text, font, width)
    return lines


@lru_cache(maxsize=4096)
def _width(font: pygame.font.Font, text: str) -> float:
    return fonts.exact_width(font, text)


def _wrap_measured(text: str, font: pygame.font.Font, width: int) -> list[str]:
    """Wrapping that measures every candidate line: exact, and slow on long sentences."""
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

    Remembered: a screen draws the same sentences frame after frame, and measuring their words
    was most of a frame's work. The font is in the key, so fonts made again after
    ``fonts.forget()`` are never mixed with the old ones.
    """
    return _fit_text(tuple(paragraphs), width, height, sizes, fonts.font(sizes[0]))


@lru_cache(maxsize=512)
def _fit_text(paragraphs: tuple[str, ...], width: int, height: int, sizes: tuple[int, int],
              _largest: pygame.font.Font) -> TextBlock:
    # The sizes tried, largest first, each about 4 % below the last. The largest that fits is
    # found by halving the list rather than walking down it: each size tried is a font made
    # (a few ms the first time), and a long question walked through eight of them in a frame.
    candidates = _candidates(*sizes)
    blocks: dict[int, TextBlock] = {}

    def fits(i: int) -> bool:
        blocks[i] = layout_text(paragraphs, fonts.font(candidates[i]), width)
        return blocks[i].height <= height

    if fits(0):
        return blocks[0]
    lo, hi = 0, len(candidates) - 1  # candidates[lo] does not fit; is there one that does?
    if not fits(hi):
        return _truncate(blocks[hi], width, height)
    while hi - lo > 1:  # candidates[hi] fits: the largest that fits is in (lo, hi]
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid
    return blocks[hi]


@lru_cache(maxsize=64)
def _candidates(largest: int, smallest: int) -> tuple[int, ...]:
    out = [largest]
    while out[-1] > smallest:
        px = out[-1]
        out.append(max(smallest, px - max(1, px // 24)))
    return tuple(out)


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
    block = _fit_line(text, rect.width, rect.height, sizes, fonts.font(sizes[0]))
    return draw_text(surface, block, rect, colour, align=align, valign="middle")


@lru_cache(maxsize=512)
def _fit_line(text: str, width: int, height: int, sizes: tuple[int, int],
              _largest: pygame.font.Font) -> TextBlock:
    """The font and the (perhaps shortened) text of ``draw_line``; remembered as ``fit_text``."""
    px = sizes[0]
    while px > 6 and (fonts.line_height(px) > height or (
            px > sizes[1] and fonts.font(px).size(text)[0] > width)):
        px -= max(1, px // 24)
    font = fonts.font(px)
    line = ellipsize(text, font, width)
    return TextBlock(font, (line,), frozenset({0}), font.get_linesize(), 0)
