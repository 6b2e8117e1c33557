"""The history screens drawn at both panel sizes, from a month of real-looking history.

Screenshots land in tests/screenshots/history-*_WxH.png, to look at by eye.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pygame
import pytest

from kiosk.core.data.records import Record
from kiosk.core.flows.history_screens import history_views
from kiosk.ui import fonts, palette
from kiosk.ui.history import render
from kiosk.ui.layout import CHART_PX, READABLE, layout_for, unit_for
from tests.core.progress_samples import LADDERS, exercise, pain, session
from tests.ui.pixels import count_near

DAY = date(2026, 11, 26)
PANELS = [(800, 480), (480, 320)]


def month() -> list[Record]:
    out: list[Record] = []
    for i in range(28):
        day = DAY - timedelta(days=27 - i)
        if i % 3 == 2:
            continue
        rung = 1 if i < 14 else 2
        out.append(session(day.isoformat(), exercise("bridge", 6 + i % 5, rung=rung),
                           exercise("bird-dog", (3, 4)), before=4 - i // 10, after=3 - i // 14))
    out.append(pain("2026-11-10", 6))
    return out


VIEWS = history_views(month(), DAY, LADDERS, 5)


def _readable_px(size: tuple[int, int]) -> int:
    """A chart's words: at least the readable caption size, and never under CHART_PX (2.9 mm
    capitals on the 3.5" panel, which read at 2 m)."""
    return max(round(unit_for(size) * READABLE), CHART_PX)


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("index", range(len(VIEWS)))
def test_each_history_screen_fits_and_reads_at_two_metres(index: int, size: tuple[int, int],
                                                          shots: Path) -> None:
    view = VIEWS[index]
    surface = render(view, size)
    name = view.title.split(":")[0].lower().replace(" ", "-").replace(",", "")
    pygame.image.save(surface, shots / f"history-{index}-{name}_{size[0]}x{size[1]}.png")
    from kiosk.ui.screen import Screen

    screen = Screen(pygame.Surface(size))
    screen.draw(view, 0.0)
    bounds = screen.surface.get_rect()
    smallest = fonts.line_height(_readable_px(size))
    assert len(screen.text_rects) >= 5, "labels, a key or a headline, and the legend"
    centre = layout_for(size, caption=False).centre
    for rect in screen.text_rects:
        assert bounds.contains(rect), f"{view.title}: text at {rect} leaves the screen"
        if centre.contains(rect):  # the chart's own words (the legend has its own sizes)
            assert rect.height >= smallest - 1, f"{view.title}: {rect} is smaller than readable"


def test_the_screens_come_in_order_exercises_then_pain_then_rhythm() -> None:
    assert [v.title for v in VIEWS] == [
        "Bridge 2: clean reps", "Bird-Dog 1: clean reps", "Pain, last 8 weeks",
        "Your weekly rhythm"]
    assert all(v.buttons and v.caption for v in VIEWS)


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_logged_pain_shows_as_an_amber_square_only_when_there_is_one(
        size: tuple[int, int]) -> None:
    (with_log,) = [v for v in VIEWS if v.title.startswith("Pain")]
    without = [r for r in month() if r.id != "p-2026-11-10-6"]
    (no_log,) = [v for v in history_views(without, DAY, LADDERS, 5) if v.title.startswith("Pain")]
    centre = layout_for(size, caption=False).centre
    key_h = fonts.line_height(_readable_px(size)) + 2
    plot = pygame.Rect(centre.left, centre.top + key_h, centre.width, centre.height - key_h)
    assert count_near(render(with_log, size), palette.AMBER, plot) > 0
    assert count_near(render(no_log, size), palette.AMBER, plot) == 0


def test_each_day_done_is_a_filled_mark() -> None:
    def green_in_grid(records: list[Record]) -> int:
        view = history_views(records, DAY, LADDERS, 5)[-1]
        return count_near(render(view, (800, 480)), palette.GREEN,
                          layout_for((800, 480), caption=False).centre)

    one = green_in_grid([session("2026-11-24", exercise("bridge", 3))])
    two = green_in_grid([session("2026-11-24", exercise("bridge", 3)),
                         session("2026-11-25", exercise("bridge", 3))])
    assert green_in_grid([]) > 0  # the key's "done" mark only
    assert two > one > green_in_grid([])


def test_a_higher_best_draws_the_line_higher() -> None:
    def top_of_line(clean: int) -> int:
        view = history_views([session("2026-11-18", exercise("bridge", clean)),
                              session("2026-11-25", exercise("bridge", clean))], DAY, LADDERS,
                             5)[0]
        surface = render(view, (800, 480))
        centre = layout_for((800, 480), caption=False).centre
        mask = pygame.mask.from_threshold(surface.subsurface(centre), palette.PACER_RING,
                                          (24, 24, 24, 255))
        return min(y for x, y in mask.outline()) if mask.count() else 10**6

    # the y axis tops at a round number above the best, so 7 of 10 sits below 9 of 10
    assert top_of_line(9) < top_of_line(7)


@pytest.mark.parametrize("size", [(480, 320), (800, 480)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_caption_is_below_the_readable_size(size: tuple[int, int]) -> None:
    sizes = layout_for(size).sizes
    assert min(sizes.caption) >= round(unit_for(size) * READABLE) >= 17
    assert sizes.chart >= _readable_px(size) >= 26




def test_the_reports_charts_are_dark_ink_on_white_paper(tmp_path: Path) -> None:
    """The clinician's report is printed: its charts are not the kiosk's dark screens."""
    from datetime import datetime

    from kiosk.config import load_config
    from kiosk.report import write_report

    write_report(month(), load_config().config, tmp_path, since=DAY - timedelta(weeks=4),
                 until=DAY, now=datetime(2026, 11, 26, 12))
    pngs = {p.name: pygame.image.load(str(p)) for p in tmp_path.glob("*.png")}
    assert {"pain.png", "rhythm.png"} <= set(pngs)
    for name, shot in pngs.items():
        w, h = shot.get_size()
        assert count_near(shot, palette.PAPER, tol=6) > 0.6 * w * h, f"{name}: not on paper"
        assert count_near(shot, palette.PRINT_TEXT, tol=40) > 300, f"{name}: no dark ink"
    pain = pngs["pain.png"]
    assert count_near(pain, palette.PRINT_LOGGED, tol=20) > 0  # the pain log's square


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_days_with_leg_symptoms_are_marked_on_the_pain_chart_and_its_key_fits(
        size: tuple[int, int]) -> None:
    """Issue 27: a triangle on the floor of the plot for each day with leg symptoms, and
    "legs" in the key, which still fits the screen."""
    from dataclasses import replace

    from kiosk.core.data.records import SessionRecord
    from kiosk.core.data.view import View
    from kiosk.ui.screen import Screen

    records = month()
    with_legs = [replace(r, legs="one" if r.plan_date.day % 2 else "both")
                 if isinstance(r, SessionRecord) and r.plan_date.day > 15 else r
                 for r in records]

    def pain_view(recs: list[Record]) -> View:
        (view,) = [v for v in history_views(recs, DAY, LADDERS, 5) if v.title.startswith("Pain")]
        return view

    centre = layout_for(size, caption=False).centre
    floor = pygame.Rect(centre.left, centre.bottom - centre.height // 4, centre.width,
                        centre.height // 4)
    marked = count_near(render(pain_view(with_legs), size), palette.TEXT, floor)
    plain = count_near(render(pain_view(records), size), palette.TEXT, floor)
    assert marked > plain
    screen = Screen(pygame.Surface(size))
    screen.draw(pain_view(with_legs), 0.0)
    words = [r for r in screen.text_rects if centre.contains(r)]
    for i, rect in enumerate(words):
        assert screen.surface.get_rect().contains(rect), f"text at {rect} leaves the screen"
        assert rect.collidelist(words[i + 1:]) == -1, f"text at {rect} overlaps another"
