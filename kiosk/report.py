"""``kiosk report``: the clinician's page and its charts, written to a folder. The shell.

The facts and the page come from ``kiosk/core/reports/report.py`` (pure); here the charts are drawn
with
pygame to PNG files beside ``report.html``, and every file is written atomically, so a report
cut short by a pulled drive never leaves a half page under the final name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from kiosk.config import Config
from kiosk.config.program import ProgramFile
from kiosk.core.coach.rhythm import active_days
from kiosk.core.coach.signature import latest as latest_screening
from kiosk.core.data.records import ProgramRecord, Record, ScreeningRecord, SessionRecord
from kiosk.core.flows.history_screens import ladders_of
from kiosk.core.reports import prescribed
from kiosk.core.reports import report as core
from kiosk.core.reports.fhir import PlanActivity, PlanSpec
from kiosk.core.reports.progress import (
    SLACK_DAYS,
    Calendar,
    ExerciseChart,
    PainChart,
    calendar,
    day_of,
    exercise_charts,
    monday_of,
)
from kiosk.core.reports.progress import pain_chart as make_pain_chart
from kiosk.core.reports.report_html import PAGE_FONTS, to_html
from kiosk.errors import StorageError
from kiosk.store.atomic import kind_of

CHART_SIZE = (1000, 340)
MAX_EXERCISE_CHARTS = 6  # the program's exercises; the appendix keeps the rest


def write_report(
    records: Iterable[Record], cfg: Config, out: Path, *, since: date, until: date,
    now: datetime,
) -> Path:
    """Write ``out/report.html`` and its chart PNGs; returns the page's path. ``records`` are
    read once, as they come (``ReportSink``)."""
    sink = ReportSink(cfg, out, since=since, until=until, now=now)
    for record in records:
        sink.add(record)
    sink.finish()
    return sink.page


class ReportSink:
    """The report, fed a record at a time in save order, as an export is (the USB copy feeds
    both from one read of the history): it keeps only what the page needs
    (``core.Gathered``), and replays the sessions before the period into the planner's
    progression as they pass, so what waits for the clinician comes from the whole history
    without holding it."""

    def __init__(self, cfg: Config, out: Path, *, since: date, until: date, now: datetime
                 ) -> None:
        check_folder(out)
        from kiosk.coaching import replays

        self._cfg, self._out, self._now = cfg, out, now
        self._found = core.Gathered(since, until)
        # Sessions before this day go into the replay; from the first one on or after it
        # (in save order, as the planner reads them) the records are kept for the plan.
        self._cut = monday_of(since) - timedelta(days=SLACK_DAYS)
        self._replay = replays(cfg).start()
        self._window: list[Record] | None = None
        self._screenings: list[ScreeningRecord] = []  # the latest tunes the plan
        self._programs: list[ProgramRecord] = []  # fed to the replay before the window
        self.page = out / "report.html"

    def add(self, record: Record) -> None:
        self._found.add(record)
        if isinstance(record, ScreeningRecord):
            self._screenings.append(record)
        if self._window is None:
            if isinstance(record, ProgramRecord):  # the replay switches program here
                self._replay.feed([record])
                self._programs.append(record)
                return
            if not isinstance(record, SessionRecord):
                return
            if record.plan_date < self._cut:
                self._replay.feed([record])
                return
            self._window = [*self._programs[-1:]]  # the program in force, for its terms
        if day_of(record) <= self._found.until:
            self._window.append(record)

    def finish(self) -> None:
        from kiosk.coaching import make_planner

        cfg, found = self._cfg, self._found
        names = {f.id: f.name for f in cfg.library.families}
        latest = latest_screening(self._screenings)
        window = [*([latest] if latest is not None else []), *(self._window or [])]
        waiting = make_planner(cfg, base=self._replay)(window, found.until, None).waiting
        versions = program_versions(found.programs, cfg)
        target = prescribed.in_force(versions, found.until).sessions_per_week
        report = core.build(found, since=found.since, until=found.until, generated=self._now,
                            target=target, names=names, waiting=waiting)
        report = replace(report, first_page=first_page(found, cfg, versions, waiting))
        self._out.mkdir(exist_ok=True)
        charts = _draw_charts(found, report, cfg, self._out)
        write_atomic(self.page, to_html(replace(report, charts=tuple(charts))).encode())


def program_versions(programs: Sequence[ProgramRecord], cfg: Config
                     ) -> list[prescribed.Version]:
    """Every version of the program, oldest first, config/program.toml's first, in the first
    page's plain terms (kiosk/config/program.py reads each)."""
    from kiosk.config.files import DEFAULT_PROGRAM
    from kiosk.config.program import active_program, load_program

    library = cfg.library
    found = active_program(programs, library, load_program(DEFAULT_PROGRAM, library))
    return [_version(v.record, v.file, cfg) for v in found.history]


def _version(record: ProgramRecord | None, file: ProgramFile, cfg: Config
             ) -> prescribed.Version:
    from kiosk.config.program import DIRECTION_WORDS, POSITION_WORDS

    program, library = file.program, cfg.library
    bounds = []
    for fid in program.families:
        family = next((f for f in library.families if f.id == fid), None)
        if family is None:
            continue
        rungs = program.rungs(family) or tuple(range(len(family.ladder)))
        lo, hi = min(rungs), max(rungs)
        bounds.append(prescribed.Bounds(fid, family.name, lo + 1, hi + 1,
                                        family.ladder[lo].name, family.ladder[hi].name,
                                        len(family.ladder), program.cap(fid)))
    avoids = [DIRECTION_WORDS.get(d, d) for d in sorted(program.avoid_directions)]
    avoids += [POSITION_WORDS.get(x, x) for x in sorted(program.avoid_positions)]
    if program.avoid_loads:
        avoids.append("weights")
    return prescribed.Version(
        record.at if record is not None else None, record.source if record is not None else "",
        tuple(bounds), file.sessions_per_week or cfg.rituals.weekly_target, file.review_on,
        tuple(avoids), file.contact, file.note)


def plan_specs(cfg: Config) -> Callable[[ProgramRecord], PlanSpec | None]:
    """How a FHIR export reads a clinician's program for its CarePlan (export.FhirSink): in
    the first page's terms, a record with no text (back to config/program.toml) as that."""
    from kiosk.config.files import DEFAULT_PROGRAM
    from kiosk.config.program import file_of, load_program

    def spec(record: ProgramRecord) -> PlanSpec | None:
        file = file_of(record, cfg.library) or load_program(DEFAULT_PROGRAM, cfg.library)
        v = _version(record, file, cfg)
        said = ([f"Avoids {', '.join(v.avoids)}."] if v.avoids else []) + (
            [f"Review by {v.review_on:%d %b %Y}."] if v.review_on else []) + (
            [f"Clinician's note: {v.note}"] if v.note else [])
        return PlanSpec(v.sessions_per_week, tuple(
            PlanActivity(b.family, b.name, prescribed.allowed_words(b)) for b in v.families),
            " ".join(said))

    return spec


def first_page(found: core.Gathered, cfg: Config, versions: Sequence[prescribed.Version],
               waiting: Sequence[tuple[str, str]]) -> prescribed.FirstPage:
    """The report's first page, "as prescribed", from what the report gathered."""
    standing = {}
    for fid, (variation, name, target, since) in found.doses.items():
        family = next((f for f in cfg.library.families if f.id == fid), None)
        ids = [v.id for v in family.ladder] if family is not None else []
        rung = ids.index(variation) + 1 if variation in ids else 1
        standing[fid] = prescribed.Standing(variation, name, rung, target, since)
    current = found.programs[-1:] if found.programs else []
    from kiosk.config.program import terms_of

    terms = terms_of(current, cfg.library)
    days = [d for d in (cfg.safety.cleared_on, terms.cleared_on) if d is not None]
    sessions = [r for r in found.period if isinstance(r, SessionRecord)]
    return prescribed.build(
        since=found.since, until=found.until, versions=versions, sessions=sessions,
        checks=found.checks, cleared_on=max(days) if days else None, standing=standing,
        waiting=waiting, flare_rise=cfg.session.pain_rise_stop)


def check_folder(out: Path) -> None:
    """Raise ``StorageError`` unless ``out`` can be the report's folder: one there already, or
    a new one in a folder that exists. As ``kiosk export --out`` does for its file, a folder
    above it is never made: a mistyped path (``/media/usbb/report``) is said, not quietly
    made on the SD card, and a refusal leaves nothing behind."""
    if out.is_dir():  # there already (a link to a folder is fine: the owner's choice)
        return
    try:
        mode = os.lstat(out).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise StorageError(f"{out}: cannot write the report ({e.strerror})") from e
    if mode is not None:
        raise StorageError(f"{out} is {kind_of(mode)}, not a folder; give --out a folder for "
                           "report.html and its charts")
    if not out.name:
        raise StorageError(f"--out {str(out)!r} is not a folder name; give a folder such as "
                           "report")
    if not out.parent.is_dir():
        raise StorageError(f"{out}: the folder {out.parent} does not exist; make it first, or "
                           "choose a folder in another one")


def _draw_charts(found: core.Gathered, report: core.Report, cfg: Config, out: Path
                 ) -> list[core.Chart]:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    records = found.period
    weeks = len(report.weeks)
    until = report.until
    in_program = {ex.family for ex in found.latest.exercises} if found.latest else set()
    found_charts: list[tuple[str, ExerciseChart | PainChart | Calendar, str]] = [
        ("pain.png", make_pain_chart(records, until, weeks), "Pain, each rating and the weekly "
         "mean: hollow ring check-in, filled disc check-out, square pain log; a triangle on "
         "the floor is a day with leg symptoms (filled: both legs)"),
        ("rhythm.png", calendar(active_days(records), until, report.target, weeks),
         "Weekly rhythm: a ticked disc is a day practised"),
    ]
    for ex in exercise_charts(records, until, ladders_of(cfg.library), weeks):
        if ex.family in in_program and len(found_charts) < 2 + MAX_EXERCISE_CHARTS:
            found_charts.append((f"reps-{ex.family}.png", ex,
                                 f"{ex.name}: clean reps per session, and the step of its "
                                 "ladder"))
    from kiosk.ui.fonts import page_faces

    for file, face in zip(PAGE_FONTS, page_faces() or (), strict=False):
        write_atomic(out / file, face.read_bytes())  # the page's font, the charts' too
    drawn = []
    for name, chart, title in found_charts:
        write_atomic(out / name, _png(chart))
        drawn.append(core.Chart(name, title, title))
    return drawn


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
