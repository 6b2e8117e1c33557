"""Charts a clinician reads (issue 30, item 6), checked on the pixels at both panel sizes: a gap
of weeks is a gap, the weekly pain line shows over ratings piled at 0, every step is labelled,
and no two labels meet. The charts are also kept as PNGs in tests/ui/golden/, and compared.

To look at them: tests/screenshots/chart-*.png. To accept a deliberate change of drawing:
KIOSK_GOLDEN=write pytest tests/ui/test_chart_reading.py, then look at the new PNGs.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pygame
import pytest

from kiosk.core.data.view import View
from kiosk.core.flows.history_screens import history_views
from kiosk.core.reports.progress import PainChart
from kiosk.ui import charts, palette
from kiosk.ui.layout import layout_for
from kiosk.ui.screen import Screen
from tests.core.progress_samples import exercise, session
from tests.ui.chart_samples import DAY, GAP, LADDERS, gappy
from tests.ui.pixels import count_near

PANELS = [(800, 480), (480, 320)]
GOLDEN = Path(__file__).with_name("golden")


def _views(records: list) -> tuple[View, ...]:
    return history_views(records, DAY, LADDERS, 5)


def _draw(view: View, size: tuple[int, int]) -> Screen:
    screen = Screen(pygame.Surface(size))
    screen.draw(view, 0.0)
    return screen


def _plot(view: View, size: tuple[int, int], labels: list[str], rows_below: int
          ) -> pygame.Rect:
    lay = layout_for(size, caption=False)
    return charts._plot_area(lay.centre, lay, labels, rows_below)


def _x(plot: pygame.Rect, day: date) -> int:
    return charts._x(plot, DAY - timedelta(days=55), DAY, day)


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_three_weeks_without_a_session_are_a_gap_not_a_line(size: tuple[int, int]) -> None:
    def line_in_gap(records: list) -> int:
        view = _views(records)[0]
        plot = _plot(view, size, ["10", "reps"], 2)
        left, right = _x(plot, GAP[0] + timedelta(days=2)), _x(plot, GAP[1] - timedelta(days=2))
        inside = pygame.Rect(left, plot.top, right - left, plot.height)
        return count_near(_draw(view, size).surface, palette.PACER_RING, inside, tol=30)

    assert line_in_gap(gappy()) == 0
    # The same weeks with one session on each side two weeks apart: joined, as usual.
    close = [r for r in gappy()] + [session((GAP[0] + timedelta(days=10)).isoformat(),
                                            exercise("bridge", 7, rung=5))]
    assert line_in_gap(close) > 0


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_weekly_pain_line_shows_over_ratings_piled_at_zero(size: tuple[int, int]) -> None:
    view = next(v for v in _views(gappy()) if isinstance(v.chart, PainChart))
    assert isinstance(view.chart, PainChart)
    surface = _draw(view, size).surface
    plot = _plot(view, size, ["pain", "10"], 1)
    week_w = plot.width / len(view.chart.weekly)
    shown = []
    for i, mean in enumerate(view.chart.weekly):
        if mean is None:
            continue
        x = plot.left + round((i + 0.5) * week_w)
        y = charts._y(plot, mean, 10)
        column = pygame.Rect(x - 2, y - 4, 5, 9)
        shown.append(count_near(surface, palette.PACER_RING, column, tol=30) > 0)
    assert shown and all(shown), shown


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_step_of_the_ladder_is_labelled_once(size: tuple[int, int]) -> None:
    """Step 5, two sessions on step 4, then step 5 again: three labelled segments."""
    view = _views(gappy())[0]
    screen = _draw(view, size)
    plot = _plot(view, size, ["10", "reps"], 2)
    row_h = charts._row_h(layout_for(size))
    band = pygame.Rect(plot.left, plot.bottom + row_h, plot.width, row_h + layout_for(size).gap)
    labels = [r for r in screen.text_rects if band.collidepoint(r.left, r.centery)
              and r.top > plot.bottom + row_h // 2]
    assert len(labels) == 3, labels


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("index", range(3))
def test_no_two_labels_on_a_chart_meet(size: tuple[int, int], index: int, shots: Path) -> None:
    view = _views(gappy())[index]
    screen = _draw(view, size)
    pygame.image.save(screen.surface, shots / f"chart-{index}_{size[0]}x{size[1]}.png")
    rects = screen.text_rects
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.colliderect(b), f"{view.title}: {a} meets {b}"


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("index", range(2))
def test_the_charts_look_as_they_were_approved(size: tuple[int, int], index: int) -> None:
    """Compared with the PNGs kept in tests/ui/golden/, looked at when they were made: at most
    one pixel in a hundred may differ (antialiasing between library versions)."""
    surface = _draw(_views(gappy())[index], size).surface
    path = GOLDEN / f"chart-{index}_{size[0]}x{size[1]}.png"
    if os.environ.get("KIOSK_GOLDEN") == "write":
        GOLDEN.mkdir(exist_ok=True)
        pygame.image.save(surface, str(path))
    kept = pygame.image.load(str(path))
    assert kept.get_size() == surface.get_size()
    w, h = surface.get_size()
    differ = sum(1 for x in range(0, w, 2) for y in range(0, h, 2)
                 if max(abs(a - b) for a, b in zip(kept.get_at((x, y))[:3],
                                                   surface.get_at((x, y))[:3], strict=True)) > 40)
    assert differ <= w * h / 4 / 100, f"{path.name}: {differ} pixels differ"


def test_the_reports_charts_and_page_are_one_font(tmp_path: Path) -> None:
    """The page's words and its charts' words in one face: the page carries its font files,
    asks for them first, and the charts' labels are as wide as that face draws them."""
    import re
    from datetime import datetime

    from kiosk.config import load_config
    from kiosk.core.reports.report_html import PAGE_FONTS
    from kiosk.report import write_report
    from kiosk.ui import fonts

    faces = fonts.page_faces()
    if faces is None:
        pytest.skip("this system has no DejaVu Sans: charts and page fall back separately")
    write_report(gappy(), load_config().config, tmp_path, since=DAY - timedelta(weeks=4),
                 until=DAY, now=datetime(2026, 11, 26, 12))
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert re.search(r'font: [^;]*"Report Sans"', page)
    for file, face in zip(PAGE_FONTS, faces, strict=True):
        assert f'url("{file}")' in page
        assert (tmp_path / file).read_bytes() == face.read_bytes()
    # A print chart's key, drawn: each word exactly as wide as the page's bold face makes it.
    chart = next(v.chart for v in _views(gappy()) if isinstance(v.chart, PainChart))
    assert isinstance(chart, PainChart)
    lay = layout_for((1000, 340), caption=False, legend=False)
    surface = pygame.Surface((1000, 340))
    rects = charts.draw_chart(surface, chart, surface.get_rect().inflate(-20, -20), lay,
                              ink=charts.PRINT)
    page_bold = fonts.font(lay.sizes.chart, faces[1])
    kiosk_font = fonts.font(lay.sizes.chart)
    widths = sorted(r.width for r in rects)
    assert page_bold.size("logged")[0] in widths
    assert kiosk_font.size("logged")[0] not in widths
