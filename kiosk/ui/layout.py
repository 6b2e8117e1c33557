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
    size: tuple[int, int], *, caption: bool = True, legend: bool = True
) -> Layout:
    """Regions top to bottom: title, centre, caption band, button legend.

    A screen with no caption band or no legend (a summary, say) gives their room to the
    centre; the regions that remain keep their size, so nothing jumps between screens.
    """
    width, height = size
    u = unit_for(size)
    margin, gap = round(u * 0.032), round(u * 0.022)
    inner = width - 2 * margin
    title = pygame.Rect(margin, margin, inner, round(u * 0.125))
    legend_h = round(u * 0.175) if legend else 0
    legend_rect = pygame.Rect(margin, height - margin - legend_h, inner, legend_h)
    caption_h = round(u * 0.155) if caption else 0  # two lines of caption at the readable size
    caption_bottom = legend_rect.top - (gap if legend else 0)
    caption_rect = pygame.Rect(margin, caption_bottom - caption_h, inner, caption_h)
    centre_top = title.bottom + round(gap * 1.5)
    centre_bottom = caption_rect.top - (gap if caption or legend else 0)
    centre = pygame.Rect(margin, centre_top, inner, max(0, centre_bottom - centre_top))
    return Layout(size, u, margin, gap, title, centre, caption_rect, legend_rect, _sizes(u))


# The smallest text anywhere, as a share of the unit: 17 px at 480x320, 29 px at 800x480 (caps
# about 12 and 21 px tall, 2.0 and 4.0 mm on the usual 3.5" and 7" panels). Below this, a caption
# or a chart's label no longer reads at 2 m; a block that does not fit is cut short instead.
READABLE = 0.06

# A chart's words are few and must read at 2 m on the densest panel too: 26 px draws capitals
# 19 px tall, 2.9 mm on a 3.5" 480x320 panel (6.5 px/mm), about 5 arcminutes at 2 m, the size
# of a letter on the 6/6 line of an eye chart. On a 7" 800x480 panel READABLE is already more.
CHART_PX = 26


def _sizes(u: float) -> Sizes:
    def px(f: float) -> int:
        return max(8, round(u * f))

    return Sizes(
        title=(px(0.115), px(0.075)),
        body=(px(0.078), px(0.05)),
        statement=(px(0.09), px(0.05)),
        caption=(px(0.072), px(READABLE)),
        chart=max(px(READABLE), CHART_PX),
        # The legend keeps its smaller floor for now: "Raise (hold: confirm)" needs two lines in a
        # third of a 480x320 panel, and at the readable size three lines do not fit its box.
        legend_name=px(0.036),
        legend_action=(px(0.056), px(0.042)),
        pacer_word=px(0.06),
        counter=(px(0.165), px(0.11)),
    )
