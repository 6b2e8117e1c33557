"""Where each region of the screen goes, and how big its text is, for any surface size.

Everything scales with one unit: the surface height, or less on a tall narrow surface, so the
same proportions hold on a 480x320 hat, the usual 800x480 panel and a 1080p monitor. Text sizes
are a range, largest first: a block that does not fit shrinks towards the smallest before it
would ever be cut short.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class Sizes:
    """Font sizes in pixels of line height, each as (largest, smallest)."""

    floor: int  # no text anywhere is smaller (floor_px)
    title: tuple[int, int]
    body: tuple[int, int]
    statement: tuple[int, int]  # a spoken line shown as the whole content (summary)
    caption: tuple[int, int]
    chart: int  # every word on a history chart: axes, key, step names, counts
    legend_name: int
    legend_action: tuple[int, int]
    pacer_word: int
    counter: tuple[int, int]


@dataclass(frozen=True)
class Layout:
    size: tuple[int, int]
    unit: float
    margin: int
    gap: int
    title: pygame.Rect
    centre: pygame.Rect
    caption: pygame.Rect
    legend: pygame.Rect
    sizes: Sizes

    def px(self, fraction: float) -> int:
        """A length as a fraction of the layout unit, at least one pixel."""
        return max(1, round(self.unit * fraction))


def unit_for(size: tuple[int, int]) -> float:
    """The scaling unit: the height, unless the surface is narrower than 5:3 landscape."""
    width, height = size
    return min(height, width * 0.6)


def layout_for(
    size: tuple[int, int], *, caption: bool = True, legend: bool = True, legend_rows: int = 2
) -> Layout:
    """Regions top to bottom: title, centre, caption band, button legend.

    A screen with no caption band or no legend (a summary, say) gives their room to the
    centre; the regions that remain keep their size, so nothing jumps between screens. The
    legend has a row for the buttons' names and one for what they do; an action too long for
    one line at the smallest size ("Raise (hold: confirm)" on a 480x320 panel) asks for
    ``legend_rows=3``.
    """
    width, height = size
    u = unit_for(size)
    margin, gap = round(u * 0.032), round(u * 0.022)
    inner = width - 2 * margin
    sizes = _sizes(u)
    title_h = max(round(u * 0.125), _line(sizes.title[1]))
    title = pygame.Rect(margin, margin, inner, title_h)
    pad = legend_pad(u)
    rows_h = _line(sizes.legend_name) + (legend_rows - 1) * _line(sizes.legend_action[1])
    legend_h = max(round(u * 0.175), rows_h + 2 * pad + 2) if legend else 0
    legend_rect = pygame.Rect(margin, height - margin - legend_h, inner, legend_h)
    # Two lines of caption at the readable size.
    caption_h = (max(round(u * 0.155), 2 * _line(sizes.caption[1]) + round(u * 0.025))
                 if caption else 0)  # _draw_caption's padding
    caption_bottom = legend_rect.top - (gap if legend else 0)
    caption_rect = pygame.Rect(margin, caption_bottom - caption_h, inner, caption_h)
    centre_top = title.bottom + round(gap * 1.5)
    centre_bottom = caption_rect.top - (gap if caption or legend else 0)
    centre = pygame.Rect(margin, centre_top, inner, max(0, centre_bottom - centre_top))
    return Layout(size, u, margin, gap, title, centre, caption_rect, legend_rect, sizes)


def legend_pad(u: float) -> int:
    """Room between a legend box's edge and its words."""
    return max(3, round(u * 0.02))


def _line(px: int) -> int:
    from kiosk.ui import fonts

    return fonts.line_height(px)


# The smallest text anywhere, by panel. A letter on the 6/6 line of an eye chart, read at 2 m,
# is 2.9 mm tall (about 5 arcminutes). On a 3.5" 480x320 panel (0.154 mm a pixel) that is 19 px
# of capital ink, which a 26 px font draws (an H as drawn, measured from the pixels by
# tests/ui/test_ink.py). On a 7" 800x480 panel (0.19 mm a pixel) it is 15 px, a 21 px font.
# Every size below is a share of the unit, but never under the floor for its panel.
MIN_PX = 26  # a 480x320 panel, or any surface whose unit is under SMALL_UNIT
CAP_PX = 19  # the capitals MIN_PX draws
MIN_PX_7IN = 21  # an 800x480 panel and larger
CAP_PX_7IN = 15
SMALL_UNIT = 400


def floor_px(u: float) -> int:
    """The smallest font size on a surface of unit ``u``: 2.9 mm capitals on its panel."""
    return MIN_PX if u < SMALL_UNIT else MIN_PX_7IN


# Captions and chart words as a share of the unit: 29 px at 800x480; at 480x320 MIN_PX wins.
READABLE = 0.06
CHART_PX = MIN_PX  # a chart's words on the small panel: the same floor as every other word


def _sizes(u: float) -> Sizes:
    def px(f: float) -> int:
        return max(floor_px(u), round(u * f))

    return Sizes(
        floor=floor_px(u),
        title=(px(0.115), px(0.075)),
        body=(px(0.078), px(0.05)),
        statement=(px(0.09), px(0.05)),
        caption=(px(0.072), px(READABLE)),
        chart=px(READABLE),
        legend_name=px(0.036),
        legend_action=(px(0.056), px(0.042)),
        pacer_word=px(0.06),
        counter=(px(0.165), px(0.11)),
    )
