"""The coaching rules, built from the config: the planner, the clinician's program's terms and
limits, the signature's starts, the store's replays, the gentle planner and the safety rules.

The kiosk (kiosk.runtime) and every command that plans (``kiosk plan``, ``rituals``,
``summary``, ``report``, ``program``) build them here, so they apply one rule; this module
imports only the config and the core, so a command that plans does not load the kiosk's
screen, voice or buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from kiosk.config import Config
from kiosk.core.coach.program import Terms
from kiosk.core.coach.safety import Rules, SafetyCheck, Setup
from kiosk.core.data.model import Plan
from kiosk.core.data.records import Record, SessionRecord
from kiosk.core.flows.history_screens import ProgressSettings, ladders_of
from kiosk.core.flows.kiosk import GentlePlanner, Planner
from kiosk.core.flows.program import ProgramSetup

if TYPE_CHECKING:
    from kiosk.core.coach.progression import Replays


def progress_settings(cfg: Config) -> ProgressSettings:
    """What the history screens, the weekly summary and the PSFS need from config."""
    return ProgressSettings(
        ladders=ladders_of(cfg.library),
        target=cfg.rituals.weekly_target,
        psfs_activities=cfg.psfs.activities,
        psfs_every_weeks=cfg.psfs.every_weeks,
    )


def make_planner(cfg: Config, base: Any = None) -> Planner:
    """The planner; with ``base`` (a snapshot of the older history, kiosk.core.coach.progression's
    Progress) the sessions it is given are only those after it.

    The kiosk and ``kiosk plan`` (and ``kiosk rituals``, ``kiosk summary``) plan through this,
    from the newest snapshot, whatever the day: a day before the snapshot's latest session (a
    clock gone back) too, so both say the same plan (docs/progression.md). A full replay would
    collapse every session dated after such a day onto one day, and tell a person a year on
    "your pain is higher than usual" from a clock's fault."""
    from kiosk.core.coach.program import program_notes
    from kiosk.core.coach.progression import plan_for_day
    from kiosk.core.coach.signature import latest, tuning
    from kiosk.core.data.records import replayed, sessions_of

    terms = make_terms(cfg)

    def plan(records: Sequence[Record], day: date, pain: int | None) -> Plan:
        """The day's plan from the sessions under the clinician's program in force, tuned by
        the latest movement signature, with what the program says (its review, its note)."""
        tune = tuning(latest(records), cfg.signature)
        made = plan_for_day(cfg.library, replayed(records), day, cfg.progression,
                            cfg.session, pain, base=base, tuning=tune, rhythm=cfg.rhythm)
        said = program_notes(terms(records), [s.started_at for s in sessions_of(records)], day)
        return replace(made, notes=made.notes + said) if said else made

    return plan


def make_terms(cfg: Config) -> Callable[[Sequence[Record]], Terms]:
    """What the clinician's program in force says besides its families, read once a version."""
    from kiosk.config.program import terms_of
    from kiosk.core.data.records import programs_of

    seen: dict[str | None, Terms] = {}

    def terms(records: Sequence[Record]) -> Terms:
        found = programs_of(records)
        key = found[-1].id if found else None
        if key not in seen:
            seen.clear()
            seen[key] = terms_of(found[-1:], cfg.library)
        return seen[key]

    return terms


def program_allows(cfg: Config) -> Callable[[Sequence[Record], str], bool]:
    """Whether the clinician's program in force allows a variation (a ritual's rung): in one
    of its families, between its first and last, free of what it avoids. Without one, all."""
    from kiosk.config.program import file_of
    from kiosk.core.data.records import programs_of

    def allows(records: Sequence[Record], variation: str) -> bool:
        found = programs_of(records)
        read = file_of(found[-1], cfg.library) if found else None
        if read is None or not read.program.clinician:
            return True
        try:
            family, v = cfg.library.variation(variation)
        except KeyError:
            return False
        return family.id in read.program.families and any(
            family.ladder[k].id == v.id for k in read.program.rungs(family))

    return allows


def program_setup(cfg: Config) -> ProgramSetup:
    """The menu's "Load program from USB" and "Previous program": the check of a text against
    this kiosk's library, and the version before the one in force."""
    from kiosk.config.files import DEFAULT_PROGRAM
    from kiosk.config.program import active_program, check_text, load_program, problem_line
    from kiosk.core.flows.program import Review

    def review(text: str) -> Review:
        checked = check_text(text, "backcare-program.toml", cfg.library)
        if not checked.ok:
            return Review(text, problem_line(checked.problems[0]) + " Nothing has changed.")
        return Review(checked.text, "", checked.words)

    def previous(records: Sequence[Record]) -> str | None:
        found = active_program(records, cfg.library, load_program(DEFAULT_PROGRAM, cfg.library))
        before = found.previous
        if before is None:
            return None
        return before.record.text if before.record is not None else ""

    return ProgramSetup(review, previous)


def _starts(cfg: Config) -> dict[str, frozenset[str]]:
    """The rungs the signature's rules may start a family on: where a first session there is
    read as started (kiosk.core.coach.progression)."""
    from kiosk.core.coach.signature import tuning

    return dict(tuning(None, cfg.signature).allowed)


def replays(cfg: Config) -> Replays:
    """How the store replays this config's history into snapshots (kiosk/store/months.py):
    as the planner would, signature starts included."""
    from kiosk.core.coach.progression import Replays

    return Replays(cfg.library, cfg.progression, _starts(cfg), cfg.rhythm)


def make_levels(
    cfg: Config, base: Any = None
) -> Callable[[Sequence[SessionRecord], date], dict[str, str]]:
    """Each exercise family's current variation id on a day, from the history: what opens a
    ritual (kiosk.core.coach.rituals.unlocks); ``base`` as for ``make_planner``."""
    from kiosk.core.coach.progression import exercise_states

    starts = _starts(cfg)

    def levels(sessions: Sequence[SessionRecord], day: date) -> dict[str, str]:
        states = exercise_states(cfg.library, sessions, day, cfg.progression, base=base,
                                starts=starts, rhythm=cfg.rhythm)
        return {fid: s.variation.id for fid, s in states.items()}

    return levels


def make_gentle(cfg: Config, base: Any = None) -> GentlePlanner:
    """The gentle planner; ``base`` as for ``make_planner``. Under a clinician's program, only
    its families, on the variations it allows."""
    from kiosk.config.program import file_of
    from kiosk.core.coach.gentle import gentle_plan
    from kiosk.core.coach.progression import exercise_states
    from kiosk.core.data.records import programs_of, replayed

    starts = _starts(cfg)

    def plan(records: Sequence[Record], day: date, today: Plan) -> Plan:
        states = exercise_states(cfg.library, replayed(records), day, cfg.progression,
                                 base=base, starts=starts, rhythm=cfg.rhythm)
        found = programs_of(records)
        read = file_of(found[-1], cfg.library) if found else None
        return gentle_plan(cfg.library, states, today, most=cfg.progression.exercises_min,
                           program=read.program if read is not None else None)

    return plan


def safety_setup(cfg: Config) -> Setup:
    s, p = cfg.safety, cfg.progression
    rules = Rules(repeat_days=s.repeat_days, emergency_days=s.emergency_days,
                  high_pain=s.high_pain, bad_day_rise=p.bad_day_rise,
                  bad_day_window=p.bad_day_window)
    return Setup(cfg.wording, rules, s.cleared_on, s.answer_seconds, s.gentle_from,
                 s.leg_question)


def safety_checks(records: Sequence[Record]) -> list[SafetyCheck]:
    """The safety answers among the saved records, oldest first."""
    return [r for r in records if isinstance(r, SafetyCheck)]
