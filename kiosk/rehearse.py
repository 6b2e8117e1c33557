"""``kiosk rehearse``: the real rules played forward on a simulated person, for clinicians and
tests. Nothing is written anywhere: the sessions live in a list.

Each session is planned by the real planner (after the check-in, as the kiosk plans it) and done
as the simulated person does it, in the very records the kiosk saves, so the history grows as a
real one would. The people are the demo's (kiosk.sim.SimUser), rating the same way:

* ``steady`` rates every rep clean.
* ``slipping`` lets the technique slip after three reps in the second, fourth ... exercise of
  a session and after five in the others.
* ``sore`` presses RED for pain at the second rep of one family (``SORE_FAMILY``), every time.
* ``stuck`` rates clean up to one rep below the target, then AMBER, at any target.
* ``flare`` checks in at two, rates clean, and checks out at nine every third session.

The result is one row per family per week (``ROW_FIELDS``): where it stood at the end of the
week, and the change that week said in words. docs/progression.md shows 12 weeks of it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.core.coach.evidence import ProgressionRules
from kiosk.core.coach.program import Rhythm
from kiosk.core.coach.progression import Progress, exercise_states, plan_for_day
from kiosk.core.data.model import Change, Library, Plan, PlannedExercise, SessionSettings
from kiosk.core.data.records import (
    ExerciseRecord,
    PainEvent,
    ProgramRecord,
    SessionRecord,
    SetRecord,
)

if TYPE_CHECKING:
    from kiosk.config import Config

USERS = ("steady", "slipping", "sore", "stuck", "flare")
SORE_FAMILY = "bird-dog"  # the family the sore person feels, as in the account
ROW_FIELDS = ("week", "family", "rung", "rungs", "variation", "target", "unit", "change",
              "reason")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# N sessions a week, on these weekdays (Monday is 0): spread out, as a person would.
PER_WEEK = {1: (0,), 2: (0, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4),
            6: (0, 1, 2, 3, 4, 5), 7: (0, 1, 2, 3, 4, 5, 6)}
FIRST_MONDAY = date(2026, 1, 5)
CHECKIN = 2
CHECKOUT = 1  # the demo's people check out at one, unless they flare


class BadDays(ValueError):
    """--days names no day, or a day that is not one."""


def session_days(days: str, weeks: int, start: date = FIRST_MONDAY) -> list[date]:
    """The days sessions happen on: "mon,wed,fri", "3-per-week" (see PER_WEEK), or
    "every-other-day"."""
    text = days.strip().lower()
    total = [start + timedelta(days=i) for i in range(7 * weeks)]
    if text in ("every-other-day", "alternate"):
        return total[::2]
    if text.endswith("-per-week"):
        n = text.removesuffix("-per-week")
        if not n.isdigit() or int(n) not in PER_WEEK:
            raise BadDays(f"{days!r}: say 1-per-week to 7-per-week")
        chosen = set(PER_WEEK[int(n)])
    else:
        names = [d.strip()[:3] for d in text.split(",") if d.strip()]
        if not names or any(n not in DAY_NAMES for n in names):
            raise BadDays(f"{days!r}: say days as mon,wed,fri, or N-per-week, or "
                          "every-other-day")
        chosen = {DAY_NAMES.index(n) for n in names}
    return [d for d in total if d.weekday() in chosen]


@dataclass(frozen=True)
class Row:
    week: int
    family: str
    rung: int  # 1-based
    rungs: int
    variation: str
    target: int
    unit: str
    change: str  # new | up | same | down | waits
    reason: str

    def values(self) -> tuple[object, ...]:
        return tuple(getattr(self, f) for f in ROW_FIELDS)


@dataclass
class Rehearsal:
    """What a rehearsal lived through: every plan (after check-in), every session, the rows."""

    plans: list[Plan] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def rehearse(
    library: Library, rules: ProgressionRules, settings: SessionSettings, rhythm: Rhythm, *,
    weeks: int, days: str, user: str, start: date = FIRST_MONDAY,
    program: ProgramRecord | None = None,
) -> Rehearsal:
    """``weeks`` of the rules with ``user`` training on ``days`` (see ``session_days``);
    with ``program``, under a clinician's program loaded the day before (issue 28)."""
    if user not in USERS:
        raise ValueError(f"unknown user {user!r}; choose one of {', '.join(USERS)}")
    out = Rehearsal()
    progress = Progress.start(library, rules, rhythm)
    loaded: list[SessionRecord | ProgramRecord] = [program] if program is not None else []
    progress.feed(loaded)
    last_row: dict[str, Row] = {}
    per_week: dict[int, list[Plan]] = {}
    for n, day in enumerate(session_days(days, weeks, start)):
        plan = plan_for_day(library, [], day, rules, settings, CHECKIN, base=progress,
                            rhythm=rhythm)
        record = do(plan, user, n, day, settings)
        progress.feed([record])
        out.plans.append(plan)
        out.sessions.append(record)
        per_week.setdefault((day - start).days // 7 + 1, []).append(plan)
    end = start
    for week in range(1, weeks + 1):
        end = start + timedelta(days=7 * week)
        lived = [s for s in out.sessions if s.plan_date < end]
        states = exercise_states(library, [*loaded, *lived], end, rules, rhythm=rhythm)
        planned = [p for plan in per_week.get(week, []) for p in plan.exercises]
        families = [f.id for f in library.families
                    if f.id in last_row or any(p.family.id == f.id for p in planned)
                    or states[f.id].waits is not None]
        for fid in families:
            row = _row(week, fid, [p for p in planned if p.family.id == fid],
                       last_row.get(fid), states[fid].waits is not None)
            if row is not None:
                last_row[fid] = row
                out.rows.append(row)
    return out


def _row(week: int, fid: str, done: Sequence[PlannedExercise], before: Row | None,
         waits: bool) -> Row | None:
    """The family's row for the week: where its last session of the week was, and the
    change that week with the reason said for it."""
    if not done:
        if before is None:
            return None
        change = "waits" if waits else "same"
        reason = before.reason if waits and before.change == "waits" else (
            "Waits for your clinician: it kept hurting." if waits else "Not met this week.")
        return Row(week, fid, before.rung, before.rungs, before.variation, before.target,
                   before.unit, change, reason)
    last = done[-1]
    ladder = last.family.ladder
    rung = next(i for i, v in enumerate(ladder) if v.id == last.variation.id) + 1
    kinds = [str(p.change) for p in done]
    if waits:
        change, said = "waits", last
    elif before is None:
        change, said = "new", done[0]
    else:
        was = (before.rung, before.target)
        now = (rung, last.target)
        change = "up" if now > was else "down" if now < was else "same"
        wanted = {"up": (Change.ADVANCE,), "down": (Change.BACK, Change.REENTER)}.get(change, ())
        said = next((p for p in reversed(done) if p.change in wanted), last)
        if change == "same" and Change.BAD_DAY in kinds:
            said = next(p for p in reversed(done) if p.change == Change.BAD_DAY)
    reason = said.reason
    if waits:
        reason = "Waits for your clinician: it hurt three of its last five sessions."
    return Row(week, fid, rung, len(ladder), last.variation.id, last.target,
               last.variation.unit, change, reason)


# --- the simulated person -------------------------------------------------------------------
def do(plan: Plan, user: str, n: int, day: date, settings: SessionSettings) -> SessionRecord:
    """Session ``n`` (0-based) of the rehearsal, done as ``user`` does it, as the kiosk saves
    it."""
    start = datetime.combine(day, datetime.min.time()).replace(hour=9)
    exercises: list[ExerciseRecord] = []
    events: list[PainEvent] = []
    after = 9 if user == "flare" and n % 3 == 2 else CHECKOUT
    for i, p in enumerate(plan.exercises, start=1):
        sets, hurt = _sets(p, user, i, settings)
        exercises.append(ExerciseRecord(
            family=p.family.id, variation=p.variation.id, name=p.variation.name,
            target=p.target, change=str(p.change), reason=p.reason, skipped=False,
            sets=tuple(sets), load=p.variation.load or None))
        if hurt:
            events.append(PainEvent(60.0 * i, p.family.id, p.variation.id, len(sets), 2,
                                    "set", CHECKIN + 1))
    return SessionRecord(
        id=f"rehearse-{n}", plan_date=day, started_at=start,
        ended_at=start + timedelta(minutes=12), duration_s=720.0, pain_before=CHECKIN,
        pain_after=after, ended_by="complete", exercises=tuple(exercises),
        pain_events=tuple(events))


def _sets(p: PlannedExercise, user: str, nth: int,
          settings: SessionSettings) -> tuple[list[SetRecord], bool]:
    """The sets one exercise gets from ``user`` (the ``nth`` of the session), and whether
    RED was pressed for pain."""
    v = p.variation
    if p.away:
        return [_set(None, ["clean"] * p.target, "target")], False
    sides: tuple[str | None, ...] = ("left", "right") if v.side == "each" else (None,)
    count = 1 if v.unit == "minutes" else settings.sets
    clean = _clean_before_slip(p, user, nth)
    out: list[SetRecord] = []
    for _ in range(count):
        for side in sides:
            target = p.side_target(side)
            if user == "sore" and p.family.id == SORE_FAMILY:
                out.append(_set(side, ["clean"], "pain"))  # RED at the second rep
                return out, True
            if clean is not None and clean < target:
                out.append(_set(side, ["clean"] * clean + ["slipped"], "fray"))
                return out, False  # technique slipped: no more sets of it today
            out.append(_set(side, ["clean"] * target, "target"))
    return out, False


def _clean_before_slip(p: PlannedExercise, user: str, nth: int) -> int | None:
    if user == "slipping":
        return 3 + 2 * (nth % 2)
    if user == "stuck":
        return max(0, p.target - 1)
    return None


def _set(side: str | None, reps: list[str], ended: str) -> SetRecord:
    return SetRecord(side, tuple(reps), reps.count("clean"), ended)


# --- output ---------------------------------------------------------------------------------
def as_csv(rows: Sequence[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ROW_FIELDS)
    for r in rows:
        w.writerow(r.values())
    return buf.getvalue()


def as_text(rows: Sequence[Row], names: Callable[[str], str] = str) -> str:
    """A table a clinician reads: a block per week, a line per family."""
    lines: list[str] = []
    week = 0
    for r in rows:
        if r.week != week:
            week = r.week
            lines.append(f"Week {week}")
        unit = "min" if r.unit == "minutes" else "reps"
        lines.append(f"  {names(r.family):<16} rung {r.rung}/{r.rungs}  "
                     f"{r.variation:<26} {r.target:>2} {unit:<4}  {r.change:<5}  {r.reason}")
    return "\n".join(lines) + "\n"


def from_config(
    cfg: Config, *, weeks: int, days: str, user: str, program: str | None = None
) -> Rehearsal:
    """A rehearsal under the kiosk's own config: its library, rules, session and program; with
    ``program`` (a checked program file's text), under that clinician's program."""
    record = None
    if program is not None:
        from kiosk.config.program import program_record

        record = program_record(program, datetime.combine(FIRST_MONDAY, datetime.min.time())
                                - timedelta(days=1))
    return rehearse(cfg.library, cfg.progression, cfg.session, cfg.rhythm, weeks=weeks,
                    days=days, user=user, program=record)


def as_grid(rows: Sequence[Row], names: Callable[[str], str] = str) -> str:
    """A Markdown table, a line per family and a column per week: "rung/target" at the end of
    the week, "+" after it when it stepped up that week, "-" when it stepped back, "new" the
    week it started and "waits" while it waits (docs/progression.md)."""
    weeks = max((r.week for r in rows), default=0)
    order: list[str] = []
    cells: dict[str, dict[int, str]] = {}
    for r in rows:
        if r.family not in cells:
            order.append(r.family)
            cells[r.family] = {}
        mark = {"up": "+", "down": "-", "new": " new", "waits": " waits"}.get(r.change, "")
        cells[r.family][r.week] = f"{r.rung}/{r.target}{mark}"
    head = "| exercise | " + " | ".join(f"w{w}" for w in range(1, weeks + 1)) + " |"
    rule = "|---|" + "---|" * weeks
    lines = [head, rule]
    for fid in order:
        row = [cells[fid].get(w, "") for w in range(1, weeks + 1)]
        lines.append(f"| {names(fid)} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"
