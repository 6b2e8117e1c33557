"""``kiosk report``: the clinician's page and its charts, written to a folder. The shell.

The facts and the page come from ``kiosk/core/reports/report.py`` (pure); here the charts are drawn
with
pygame to PNG files beside ``report.html``, and every file is written atomically, so a report
cut short by a pulled drive never leaves a half page under the final name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from kiosk.config import Config
from kiosk.core.coach.rhythm import active_days
from kiosk.core.data.records import Record, SessionRecord
from kiosk.core.flows.history_screens import ladders_of
from kiosk.core.reports import report as core
from kiosk.core.reports.progress import (
    Calendar,
    ExerciseChart,
    PainChart,
    calendar,
    exercise_charts,
)
from kiosk.core.reports.progress import pain_chart as make_pain_chart

CHART_SIZE = (1000, 340)
MAX_EXERCISE_CHARTS = 6  # the program's exercises; the appendix keeps the rest


def write_report(
    records: Sequence[Record], cfg: Config, out: Path, *, since: date, until: date,
    now: datetime,
) -> Path:
    """Write ``out/report.html`` and its chart PNGs; returns the page's path."""
    names = {f.id: f.name for f in cfg.library.families}
    target = cfg.rituals.weekly_target
    from kiosk.runtime import make_planner

    waiting = make_planner(cfg)(records, until, None).waiting
    report = core.build(records, since=since, until=until, generated=now, target=target,
                        names=names, waiting=waiting)
    out.mkdir(exist_ok=True)  # the folder itself, never its missing parents
    charts = _draw_charts(records, report, cfg, out)
    page = out / "report.html"
    write_atomic(page, core.to_html(replace(report, charts=tuple(charts))).encode())
    return page


def _draw_charts(records: Sequence[Record], report: core.Report, cfg: Config, out: Path
                 ) -> list[core.Chart]:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    weeks = len(report.weeks)
    until = report.until
    in_program = {ex.family for s in _last_sessions(records, until) for ex in s.exercises}
    found: list[tuple[str, ExerciseChart | PainChart | Calendar, str]] = [
        ("pain.png", make_pain_chart(records, until, weeks), "Pain, each rating and the weekly "
         "mean: hollow ring check-in, filled disc check-out, square pain log; a triangle on "
         "the floor is a day with leg symptoms (filled: both legs)"),
        ("rhythm.png", calendar(active_days(records), until, report.target, weeks),
         "Weekly rhythm: a ticked disc is a day practised"),
    ]
    for ex in exercise_charts(records, until, ladders_of(cfg.library), weeks):
        if ex.family in in_program and len(found) < 2 + MAX_EXERCISE_CHARTS:
            found.append((f"reps-{ex.family}.png", ex,
                          f"{ex.name}: clean reps per session, and the step of its ladder"))
    from kiosk.ui.fonts import page_faces

    for file, face in zip(core.PAGE_FONTS, page_faces() or (), strict=False):
        write_atomic(out / file, face.read_bytes())  # the page's font, the charts' too
    drawn = []
    for name, chart, title in found:
        write_atomic(out / name, _png(chart))
        drawn.append(core.Chart(name, title, title))
    return drawn


def _last_sessions(records: Sequence[Record], until: date) -> list[SessionRecord]:
    for r in reversed(records):
        if isinstance(r, SessionRecord) and r.plan_date <= until and r.exercises:
            return [r]
    return []


def _png(chart: ExerciseChart | PainChart | Calendar) -> bytes:
    import io

    import pygame

    from kiosk.ui import charts
    from kiosk.ui.layout import layout_for

    if not pygame.font.get_init():
        pygame.font.init()
    size = CHART_SIZE if not isinstance(chart, Calendar) else (
        CHART_SIZE[0], max(CHART_SIZE[1], 60 + 34 * len(chart.days)))
    surface = pygame.Surface(size)
    surface.fill(charts.PRINT.background)  # made for paper: dark ink on white
    lay = layout_for(size, caption=False, legend=False)
    inner = surface.get_rect().inflate(-2 * lay.margin, -2 * lay.margin)
    charts.draw_chart(surface, chart, inner, lay, ink=charts.PRINT)
    buffer = io.BytesIO()
    pygame.image.save(surface, buffer, "report.png")
    return buffer.getvalue()


def write_atomic(path: Path, data: bytes, *, sync: Callable[[int], None] = os.fsync) -> None:
    """``data`` to ``path`` through a temporary file and a rename: whole or not at all. The
    data is synced before the rename, since a stick may be pulled right after. The temporary
    file is new (O_EXCL, a random name): a file, link or FIFO planted beside ``path`` is never
    written through, waited on or renamed into place. It is 0600, whatever the umask: a report
    is health data (a FAT stick shows every file as its mount says, whatever is asked)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        try:
            os.fchmod(fd, 0o600)  # not less either: a strict umask would cut mkstemp's 0600
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            sync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
