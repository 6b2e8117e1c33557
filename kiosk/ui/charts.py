"""The history screens' charts: clean reps per exercise, pain, and the weekly rhythm. Drawing only.

The data comes ready from kiosk/core/reports/progress.py; these functions only place it. Each chart
keeps
to a few lines, labels its axes in words, and tells its marks apart by shape and a word in a key
as well as by colour: a session's check-in is a hollow circle, its check-out a filled one, a
logged rating a square; a day done is a filled disc, today a ring, a rest day a small dash. No
text is drawn smaller than the layout's chart size (kiosk/ui/layout.py: CHART_PX, READABLE).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pygame

from kiosk.core.reports.progress import Calendar, ExerciseChart, PainChart, PainPoint
from kiosk.ui import fonts, palette
from kiosk.ui.layout import Layout
from kiosk.ui.palette import Colour

Chart = ExerciseChart | PainChart | Calendar


@dataclass(frozen=True)
class Inks:
    """The colours a chart is drawn in: light on dark for the kiosk's screen (``SCREEN``), dark
    on white for paper (``PRINT``, the clinician's report). Shapes and words carry the meaning
    in both; on paper the weekly line is also dashed, so it survives a grey photocopy."""

    background: Colour
    text: Colour  # titles, numbers, the key's words
    text_soft: Colour  # axis labels
    axis: Colour  # the axes
    guide: Colour  # week lines and the top guide
    line: Colour  # the one data line of a chart
    mark: Colour  # rings and discs
    logged: Colour  # a pain-log square
    done: Colour  # a day done: a disc with a tick
    tick: Colour  # the tick on it
    rest: Colour  # a rest day's dash
    step_a: Colour  # the ladder band's segments, alternating
    step_b: Colour
    dashed: bool = False  # the weekly pain line
    face: Path | None = None  # the font file: the kiosk's own unless given (the report's page)


SCREEN = Inks(
    background=palette.BACKGROUND, text=palette.TEXT, text_soft=palette.TEXT_SOFT,
    axis=palette.MUTED, guide=palette.FAINT, line=palette.PACER_RING, mark=palette.TEXT,
    logged=palette.AMBER, done=palette.GREEN, tick=palette.INK, rest=palette.MUTED,
    step_a=palette.PANEL, step_b=palette.FAINT,
)
PRINT = Inks(
    background=palette.PAPER, text=palette.PRINT_TEXT, text_soft=palette.PRINT_SOFT,
    axis=palette.PRINT_AXIS, guide=palette.PRINT_GUIDE, line=palette.PRINT_LINE,
    mark=palette.PRINT_TEXT, logged=palette.PRINT_LOGGED, done=palette.PRINT_DONE,
    tick=palette.PAPER, rest=palette.PRINT_AXIS, step_a=palette.PRINT_STEP_A,
    step_b=palette.PRINT_STEP_B, dashed=True,
    face=(fonts.page_faces() or (None, None))[1],  # bold, in the report page's own face
)

# The font file of the chart being drawn (draw_chart sets it from its Inks).
_face: ContextVar[Path | None] = ContextVar("chart_face", default=None)


def _font(px: int) -> pygame.font.Font:
    return fonts.font(px, _face.get())


def draw_chart(surface: pygame.Surface, chart: Chart, rect: pygame.Rect, lay: Layout, *,
               ink: Inks = SCREEN) -> list[pygame.Rect]:
    """Draw ``chart`` inside ``rect`` (on a surface filled with ``ink.background``); returns
    the rectangle of every text drawn."""
    token = _face.set(ink.face)
    try:
        if isinstance(chart, ExerciseChart):
            return _exercise(surface, chart, rect, lay, ink)
        if isinstance(chart, PainChart):
            return _pain(surface, chart, rect, lay, ink)
        return _calendar(surface, chart, rect, lay, ink)
    finally:
        _face.reset(token)


# --- text --------------------------------------------------------------------------------------
def _px(lay: Layout) -> int:
    return lay.sizes.chart


def _text(
    surface: pygame.Surface, text: str, lay: Layout, colour: Colour, *,
    px: int | None = None, **where: int | tuple[int, int],
) -> pygame.Rect:
    image = _font(px or _px(lay)).render(text, True, colour)
    return surface.blit(image, image.get_rect(**where))


def _row_h(lay: Layout) -> int:
    return _font(_px(lay)).get_linesize()


# --- axes --------------------------------------------------------------------------------------
def _plot_area(
    rect: pygame.Rect, lay: Layout, y_labels: Sequence[str], rows_below: int
) -> pygame.Rect:
    font = _font(_px(lay))
    left = max(font.size(t)[0] for t in y_labels) + lay.gap
    top = rect.top + _row_h(lay) + lay.gap  # the key or headline row
    bottom = rect.bottom - rows_below * _row_h(lay) - lay.gap // 2
    return pygame.Rect(rect.left + left, top, rect.width - left - lay.gap, bottom - top)


def _x(plot: pygame.Rect, first: date, last: date, day: date) -> int:
    span = max(1, (last - first).days + 1)
    return plot.left + round(((day - first).days + 0.5) * plot.width / span)


def _y(plot: pygame.Rect, value: float, top: float) -> int:
    return plot.bottom - round(value / max(1e-9, top) * plot.height)


def _axes(
    surface: pygame.Surface, plot: pygame.Rect, lay: Layout, top_label: str, first: date,
    last: date, ink: Inks,
) -> list[pygame.Rect]:
    """The y axis labelled 0 and its top, the x axis by week: '8 weeks ago' ... 'this week'."""
    width = max(1, lay.px(0.006))
    pygame.draw.line(surface, ink.axis, plot.bottomleft, plot.bottomright, width)
    pygame.draw.line(surface, ink.axis, plot.bottomleft, plot.topleft, width)
    pygame.draw.line(surface, ink.guide, plot.topleft, plot.topright, width)
    weeks = ((last - first).days + 1) // 7
    for w in range(1, weeks):
        x = plot.left + round(w * 7 * plot.width / ((last - first).days + 1))
        pygame.draw.line(surface, ink.guide, (x, plot.top), (x, plot.bottom), 1)
    soft, label_x, below = ink.text_soft, plot.left - lay.gap // 2, plot.bottom + lay.gap // 2
    drawn = [
        # Inside the axis's span, so neither meets the key above or "8 weeks ago" below.
        _text(surface, "0", lay, soft, right=label_x, bottom=plot.bottom),
        _text(surface, top_label, lay, soft, right=label_x, top=plot.top),
        _text(surface, f"{weeks} weeks ago", lay, soft, left=plot.left, top=below),
        _text(surface, "this week", lay, soft, right=plot.right, top=below),
    ]
    return drawn


# --- clean reps of one exercise ------------------------------------------------------------------
def _exercise(
    surface: pygame.Surface, chart: ExerciseChart, rect: pygame.Rect, lay: Layout, ink: Inks
) -> list[pygame.Rect]:
    top = max(5, chart.best + (5 - chart.best % 5) % 5)  # a round number just above the best
    plot = _plot_area(rect, lay, [str(top), "reps"], rows_below=2)
    drawn = _axes(surface, plot, lay, str(top), chart.first, chart.last, ink)
    drawn += _steps(surface, chart, plot, lay, ink)
    pts = [(_x(plot, chart.first, chart.last, p.day), _y(plot, p.clean, top))
           for p in chart.points]
    for run in _runs([p.day for p in chart.points], pts):
        if len(run) > 1:
            pygame.draw.lines(surface, ink.line, False, run, max(2, lay.px(0.01)))
    r = max(4, lay.px(0.02))
    for x, y in pts:
        pygame.draw.circle(surface, ink.mark, (x, y), r)
    drawn.append(_text(surface, _headline(chart, rect.width, lay), lay, ink.text,
                       left=rect.left, top=rect.top))
    drawn += _middle_label(surface, "reps", plot, lay, ink)
    return drawn


# Sessions further apart than this are not joined by a line: a gap of weeks shows as a gap.
GAP_DAYS = 14


def _runs(days: Sequence[date], pts: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """The points in runs to join, split wherever two sessions are more than GAP_DAYS apart."""
    runs: list[list[tuple[int, int]]] = []
    for i, pt in enumerate(pts):
        if not runs or (days[i] - days[i - 1]).days > GAP_DAYS:
            runs.append([])
        runs[-1].append(pt)
    return runs


def _middle_label(surface: pygame.Surface, word: str, plot: pygame.Rect, lay: Layout,
                  ink: Inks) -> list[pygame.Rect]:
    """The y axis's word ("reps", "pain") half-way up, where it clears the 0 and the top
    labels; on a plot too short for three labels it is left out (the title says it)."""
    if plot.height < 3 * _row_h(lay) + 2 * lay.gap:
        return []
    return [_text(surface, word, lay, ink.text_soft, right=plot.left - lay.gap // 2,
                  centery=plot.centery)]


def _headline(chart: ExerciseChart, width: int, lay: Layout) -> str:
    """The longest wording of the latest numbers that fits on one line at the chart's size."""
    if not chart.points:
        wordings = ["No sessions of this exercise in these weeks", "No sessions in these weeks"]
    else:
        c, b, r, n = chart.points[-1].clean, chart.best, chart.points[-1].rung, chart.rungs
        wordings = [f"Last {c} clean reps, best {b}, step {r} of {n}",
                    f"Last {c}, best {b}, step {r} of {n}", f"Last {c}, best {b}"]
    font = _font(_px(lay))
    return next((w for w in wordings if font.size(w)[0] <= width), wordings[-1])


def _steps(
    surface: pygame.Surface, chart: ExerciseChart, plot: pygame.Rect, lay: Layout, ink: Inks
) -> list[pygame.Rect]:
    """A band under the x labels: one segment per rung of the ladder, named "step N", so a
    move up reads as a new segment and a word, not a colour."""
    band = pygame.Rect(plot.left, plot.bottom + _row_h(lay) + lay.gap // 2, plot.width,
                       _row_h(lay))
    runs: list[tuple[int, int, int]] = []  # (rung, x from, x to)
    for p in chart.points:
        x = _x(plot, chart.first, chart.last, p.day)
        if runs and runs[-1][0] == p.rung:
            runs[-1] = (p.rung, runs[-1][1], x)
        else:
            runs.append((p.rung, x, x))
    drawn = []
    font = _font(_px(lay))
    for i, (rung, x0, _) in enumerate(runs):
        x1 = runs[i + 1][1] if i + 1 < len(runs) else band.right
        seg = pygame.Rect(x0, band.top, max(2, x1 - x0), band.height)
        pygame.draw.rect(surface, ink.step_a if i % 2 == 0 else ink.step_b, seg)
        pygame.draw.line(surface, ink.text_soft, seg.topleft, seg.bottomleft, 2)
        # Every segment says its step: in words where they fit, else the number alone.
        label = next((t for t in (f"step {rung}", str(rung))
                      if font.size(t)[0] + lay.gap <= seg.width), None)
        if label is not None:
            drawn.append(_text(surface, label, lay, ink.text, left=seg.left + lay.gap // 2,
                               centery=seg.centery))
    return drawn


# --- pain ------------------------------------------------------------------------------------
def _pain(
    surface: pygame.Surface, chart: PainChart, rect: pygame.Rect, lay: Layout, ink: Inks
) -> list[pygame.Rect]:
    plot = _plot_area(rect, lay, ["pain", "10"], rows_below=1)
    drawn = _axes(surface, plot, lay, "10", chart.first, chart.last, ink)
    drawn += _middle_label(surface, "pain", plot, lay, ink)
    r = max(4, lay.px(0.02))
    for p in chart.points:
        _pain_marks(surface, p, plot, chart, r, ink)
    for day, legs in chart.legs:  # leg symptoms: a triangle on the floor of the plot
        _leg_mark(surface, (_x(plot, chart.first, chart.last, day), plot.bottom - r), r, ink,
                  both=legs == "both")
    # The weekly line over the marks, edged in the background, so ratings piled at 0 never
    # hide it; a week with no rating breaks it, as a gap.
    week_w = plot.width / len(chart.weekly)
    width = max(3, lay.px(0.014))
    for run in _week_runs(chart.weekly):
        trend = [(plot.left + round((i + 0.5) * week_w), _y(plot, m, 10)) for i, m in run]
        if len(trend) > 1:
            _trend(surface, replace(ink, line=ink.background), trend, width + 4)
            _trend(surface, ink, trend, width)
        elif trend:  # a lone week: a short dash, as wide as the week
            x, y = trend[0]
            pygame.draw.line(surface, ink.line, (x - round(week_w / 3), y),
                             (x + round(week_w / 3), y), width)
    key_r = max(r, _px(lay) // 3)  # as big as the words
    drawn += _pain_key(surface, rect, lay, key_r, ink)
    if chart.legs:  # its key between "8 weeks ago" and "this week": the top row is full
        word = _font(_px(lay)).size("legs")[0]
        x = (drawn[2].right + drawn[3].left - 2 * key_r - lay.gap // 2 - word) // 2
        _leg_mark(surface, (x + key_r, drawn[2].centery), key_r, ink, both=True)
        drawn.append(_text(surface, "legs", lay, ink.text, left=x + 2 * key_r + lay.gap // 2,
                           centery=drawn[2].centery))
    return drawn


def _leg_mark(surface: pygame.Surface, centre: tuple[int, int], r: int, ink: Inks, *,
              both: bool) -> None:
    """A day with leg symptoms: a triangle pointing up, filled for both legs, hollow for one."""
    x, y = centre
    corners = [(x, y - r), (x - r, y + r), (x + r, y + r)]
    pygame.draw.polygon(surface, ink.mark, corners, 0 if both else max(1, r // 2))


def _week_runs(weekly: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive weeks with ratings, as (week, mean) runs; an empty week ends a run."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, m in enumerate(weekly):
        if m is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, m))
    return [run for run in runs if run]


def _trend(surface: pygame.Surface, ink: Inks, pts: Sequence[tuple[int, int]], width: int
           ) -> None:
    """The weekly line: solid on the screen; dashed on paper, where it must not be told from
    the marks by its colour alone."""
    if not ink.dashed:
        pygame.draw.lines(surface, ink.line, False, pts, width)
        return
    dash, gap = 4 * width, 2 * width
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        length = max(1.0, ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5)
        at = 0.0
        while at < length:
            end = min(length, at + dash)
            pygame.draw.line(surface, ink.line, (x0 + (x1 - x0) * at / length,
                                                 y0 + (y1 - y0) * at / length),
                             (x0 + (x1 - x0) * end / length, y0 + (y1 - y0) * end / length),
                             width)
            at += dash + gap


def _pain_marks(
    surface: pygame.Surface, p: PainPoint, plot: pygame.Rect, chart: PainChart, r: int,
    ink: Inks,
) -> None:
    x = _x(plot, chart.first, chart.last, p.day)
    if p.logged and p.after is not None:
        box = pygame.Rect(0, 0, 2 * r, 2 * r)
        box.center = (x, _y(plot, p.after, 10))
        pygame.draw.rect(surface, ink.logged, box)
        return
    if p.before is not None:
        pygame.draw.circle(surface, ink.mark, (x, _y(plot, p.before, 10)), r, max(1, r // 2))
    if p.after is not None:
        pygame.draw.circle(surface, ink.mark, (x, _y(plot, p.after, 10)), r)


def _pain_key(surface: pygame.Surface, rect: pygame.Rect, lay: Layout, r: int, ink: Inks
              ) -> list[pygame.Rect]:
    """The key, in one row above the plot: each mark's shape, then its word."""
    y = rect.top + _row_h(lay) // 2
    x = rect.left
    drawn = []
    for shape, word in (("ring", "before"), ("disc", "after"), ("square", "logged"),
                        ("line", "week")):
        if shape == "ring":
            pygame.draw.circle(surface, ink.mark, (x + r, y), r, max(1, r // 2))
        elif shape == "disc":
            pygame.draw.circle(surface, ink.mark, (x + r, y), r)
        elif shape == "square":
            pygame.draw.rect(surface, ink.logged, pygame.Rect(x, y - r, 2 * r, 2 * r))
        else:
            line = 5 * r if ink.dashed else 3 * r  # room for a dash and a gap and a dash
            _trend(surface, ink, [(x, y), (x + line, y)], max(3, lay.px(0.014)))
        x += ((5 if ink.dashed else 3) * r if shape == "line" else 2 * r) + lay.gap // 2
        drawn.append(_text(surface, word, lay, ink.text, left=x, centery=y))
        x = drawn[-1].right + lay.gap * 2
    return drawn


# --- the weekly rhythm -------------------------------------------------------------------------
DAY_LETTERS = ("M", "T", "W", "T", "F", "S", "S")


def _calendar(
    surface: pygame.Surface, cal: Calendar, rect: pygame.Rect, lay: Layout, ink: Inks
) -> list[pygame.Rect]:
    """Weeks as rows, newest at the bottom; each day a mark; each week's count in words."""
    row_h = _row_h(lay)
    font = _font(_px(lay))
    count_w = font.size(f"{7} of {cal.target}")[0] + lay.gap
    grid = pygame.Rect(rect.left, rect.top + row_h, rect.width - count_w, 0)
    grid.height = rect.bottom - row_h - lay.gap - grid.top  # room for the key below
    # As many of the latest weeks as have a row for their count's words: on a 480x320 panel
    # fewer weeks, each one readable, rather than counts drawn over each other.
    shown = max(1, min(len(cal.days), grid.height // row_h))
    skip = len(cal.days) - shown
    weeks = shown
    cell_w, cell_h = grid.width / 7, grid.height / weeks
    r = max(3, min(round(cell_w * 0.3), round(cell_h * 0.38)))
    drawn = [
        _text(surface, letter, lay, ink.text, centerx=grid.left + round((i + 0.5) * cell_w),
              top=rect.top)
        for i, letter in enumerate(DAY_LETTERS)
    ]
    for w, row in enumerate(cal.days[skip:]):
        cy = grid.top + round((w + 0.5) * cell_h)
        for d, state in enumerate(row):
            _day_mark(surface, state, (grid.left + round((d + 0.5) * cell_w), cy), r, ink)
        count = f"{cal.count(skip + w)} of {cal.target}"
        drawn.append(_text(surface, count, lay, ink.text, right=rect.right, centery=cy))
    drawn += _calendar_key(surface, rect, lay, r, ink)
    return drawn


def _day_mark(surface: pygame.Surface, state: str, centre: tuple[int, int], r: int, ink: Inks
              ) -> None:
    if state == "done":
        pygame.draw.circle(surface, ink.done, centre, r)
        # a tick on the disc: done reads by shape too
        x, y = centre
        pts = [(x - r // 2, y), (x - r // 8, y + r // 3), (x + r // 2, y - r // 3)]
        pygame.draw.lines(surface, ink.tick, False, pts, max(2, r // 4))
    elif state == "today":
        pygame.draw.circle(surface, ink.text, centre, r, max(2, r // 4))
    elif state == "rest":
        x, y = centre
        pygame.draw.line(surface, ink.rest, (x - r // 2, y), (x + r // 2, y), max(2, r // 4))


def _calendar_key(surface: pygame.Surface, rect: pygame.Rect, lay: Layout, r: int, ink: Inks
                  ) -> list[pygame.Rect]:
    y = rect.bottom - _row_h(lay) // 2
    x = rect.left
    drawn = []
    for state, word in (("done", "done"), ("today", "today"), ("rest", "rest day")):
        small = min(r, _row_h(lay) // 2 - 1)
        _day_mark(surface, state, (x + small, y), small, ink)
        x += 2 * small + lay.gap // 2
        drawn.append(_text(surface, word, lay, ink.text, left=x, centery=y))
        x = drawn[-1].right + lay.gap * 2
    return drawn
