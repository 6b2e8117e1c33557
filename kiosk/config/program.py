"""config/program.toml: the program a session works on, read and checked (docs/progression.md),
and the rhythm rules' settings built from it and [progression].

Bad input never stops the kiosk: a bad value is one ``ConfigError`` naming the file, the key,
the value and what is allowed, and is left out; a file that cannot be read falls back to the
packaged one. The issue "The clinician's program" extends this format (and loads a clinician's
own file); the keys here are the default program's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kiosk.config.files import DEFAULT_PROGRAM, Raw, read_or_packaged
from kiosk.config.settings import ProgressionConfig
from kiosk.config.values import items, table
from kiosk.core.coach.program import Program, Rhythm, walk_capped, with_loads
from kiosk.core.data.model import Library, SessionSettings
from kiosk.errors import ConfigError

KEYS = ("families", "follows", "loads_kg", "cleared", "clinician", "starts")
MOST_KG = 50.0


@dataclass(frozen=True)
class ProgramFile:
    program: Program
    loads_kg: Mapping[str, float] = field(default_factory=dict)  # variation id -> kg
    cleared: Mapping[str, date] = field(default_factory=dict)  # family id -> day cleared


def load_program(
    path: Path, library: Library, problems: list[ConfigError] | None = None
) -> ProgramFile:
    """Read ``path``; an unreadable file falls back to the packaged program, with one
    problem. A family not in the library is left out, with one problem."""
    problems = problems if problems is not None else []
    read = read_or_packaged(path, DEFAULT_PROGRAM, "the packaged program is", problems)
    path, raw = read if read is not None else (path, {})
    file = str(path)
    # The packaged program beside someone's own exercise list: a family or rung that list
    # does not have is left out quietly, as a packaged ritual is; nobody wrote it wrong.
    problems = problems if path != DEFAULT_PROGRAM else []
    for key in raw:
        if key not in KEYS:
            problems.append(ConfigError(file, key, raw[key], f"one of: {', '.join(KEYS)}"))
    ids = {f.id for f in library.families}
    families: list[str] = []
    written = raw.get("families", [f.id for f in library.families])
    listed = items(written)
    if listed is None:
        problems.append(ConfigError(file, "families", written, "a list of family ids"))
        listed = []
    for fid in listed:
        if isinstance(fid, str) and fid in ids and fid not in families:
            families.append(fid)
        else:
            problems.append(ConfigError(file, "families", fid,
                                        "a family id from the exercise library, once"))
    follows: dict[str, str] = {}
    for key, value in _table(file, raw, "follows", problems).items():
        if key in ids and isinstance(value, str) and value in ids and key != value:
            follows[key] = value
        else:
            problems.append(ConfigError(file, f"follows.{key}", value,
                                        "a family id from the exercise library, following "
                                        "another"))
    loaded = {v.id for f in library.families for v in f.ladder if v.load}
    loads: dict[str, float] = {}
    for key, value in _table(file, raw, "loads_kg", problems).items():
        kg = float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
            else None
        if key in loaded and kg is not None and 0 < kg <= MOST_KG:
            loads[key] = kg
        else:
            problems.append(ConfigError(file, f"loads_kg.{key}", value,
                                        f"kilograms, above 0 and at most {MOST_KG:g}, for a "
                                        "loaded variation of the library"))
    cleared: dict[str, date] = {}
    for key, value in _table(file, raw, "cleared", problems).items():
        if key in ids and isinstance(value, date):
            cleared[key] = value
        else:
            problems.append(ConfigError(file, f"cleared.{key}", value,
                                        "a date (YYYY-MM-DD, no quotes) for a family id"))
    starts: dict[str, str] = {}
    for key, value in _table(file, raw, "starts", problems).items():
        rungs = [v.id for f in library.families if f.id == key for v in f.ladder]
        if isinstance(value, str) and value in rungs:
            starts[key] = value
        else:
            problems.append(ConfigError(file, f"starts.{key}", value,
                                        "the id of a variation of that family"))
    clinician = raw.get("clinician", False)
    if not isinstance(clinician, bool):
        problems.append(ConfigError(file, "clinician", clinician, "true or false"))
        clinician = False
    return ProgramFile(Program(tuple(families), follows, clinician, starts), loads, cleared)


def _table(file: str, raw: Raw, name: str, problems: list[ConfigError]) -> dict[str, object]:
    value = raw.get(name, {})
    found = table(value)
    if found is None:
        problems.append(ConfigError(file, f"[{name}]", value, "a table"))
        return {}
    return found


def load_rhythm(
    path: Path, library: Library, p: ProgressionConfig, session: SessionSettings,
    problems: list[ConfigError],
) -> tuple[Library, Rhythm]:
    """The program (config/program.toml) and the rhythm rules' settings; the library as the
    program shapes it: walking up to ``walk_cap_minutes``, loads named in kg."""
    found = load_program(path, library, problems)
    program = found.program if found.program.families else None  # none known: the rotation
    shaped = with_loads(walk_capped(library, p.walk_cap_minutes), found.loads_kg)
    days = (p.reentry_days, p.away_two_steps_days, p.away_rung_start_days, p.away_restart_days)
    away: tuple[int, int, int] = (days[1], days[2], days[3])
    if list(days) != sorted(set(days)):
        problems.append(ConfigError(
            "[progression]", "reentry_days < away_two_steps_days < away_rung_start_days < "
            "away_restart_days", list(days), "days that grow; until then the defaults"))
        away = Rhythm().away_days
    rhythm = Rhythm(program=program, away_days=away, wait_hurts=p.wait_hurts,
                    wait_of=max(p.wait_of, p.wait_hurts), cleared=found.cleared,
                    meet_after=p.meet_after, flare_rise=session.pain_rise_stop,
                    walk_away_minutes=p.walk_away_minutes)
    return shaped, rhythm
