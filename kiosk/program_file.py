"""config/program.toml: the program a session works on, read and checked (docs/progression.md).

Bad input never stops the kiosk: a bad value is one ``ConfigError`` naming the file, the key,
the value and what is allowed, and is left out; a file that cannot be read falls back to the
packaged one. The issue "The clinician's program" extends this format (and loads a clinician's
own file); the keys here are the default program's.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kiosk import tomlcache
from kiosk.core.coach.program import Program
from kiosk.core.data.model import Library
from kiosk.errors import ConfigError

DEFAULT_PROGRAM = Path(__file__).resolve().parent.parent / "config" / "program.toml"
KEYS = ("families", "follows", "loads_kg", "cleared", "clinician")
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
    raw = _read(path, problems)
    if raw is None and path != DEFAULT_PROGRAM:
        bad = problems.pop()
        problems.append(ConfigError(bad.file, bad.key, bad.value,
                                    f"{bad.allowed}; until then the packaged program is used"))
        path = DEFAULT_PROGRAM
        raw = _read(path, problems)
    file = str(path)
    raw = raw or {}
    for key in raw:
        if key not in KEYS:
            problems.append(ConfigError(file, key, raw[key], f"one of: {', '.join(KEYS)}"))
    ids = {f.id for f in library.families}
    families: list[str] = []
    listed = raw.get("families", [f.id for f in library.families])
    if not isinstance(listed, list):
        problems.append(ConfigError(file, "families", listed, "a list of family ids"))
        listed = []
    for fid in listed:
        if fid in ids and fid not in families:
            families.append(fid)
        else:
            problems.append(ConfigError(file, "families", fid,
                                        "a family id from the exercise library, once"))
    follows: dict[str, str] = {}
    for key, value in _table(file, raw, "follows", problems).items():
        if key in ids and value in ids and key != value:
            follows[key] = value
        else:
            problems.append(ConfigError(file, f"follows.{key}", value,
                                        "a family id from the exercise library, following "
                                        "another"))
    loaded = {v.id for f in library.families for v in f.ladder if v.load}
    loads: dict[str, float] = {}
    for key, value in _table(file, raw, "loads_kg", problems).items():
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if key in loaded and ok and 0 < value <= MOST_KG:
            loads[key] = float(value)
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
    clinician = raw.get("clinician", False)
    if not isinstance(clinician, bool):
        problems.append(ConfigError(file, "clinician", clinician, "true or false"))
        clinician = False
    return ProgramFile(Program(tuple(families), follows, clinician), loads, cleared)


def _table(file: str, raw: dict[str, Any], name: str,
           problems: list[ConfigError]) -> dict[str, Any]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        problems.append(ConfigError(file, f"[{name}]", table, "a table"))
        return {}
    return table


def _read(path: Path, problems: list[ConfigError]) -> dict[str, Any] | None:
    try:
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):  # saved on Windows: a byte-order mark is not TOML
            data = data[3:]
        return tomlcache.loads(path, data.replace(b"\r\n", b"\n"))
    except FileNotFoundError:
        problems.append(ConfigError(str(path), "(file)", "missing", "an existing TOML file"))
    except OSError as exc:
        problems.append(ConfigError(str(path), "(file)", exc.strerror, "a readable TOML file"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        problems.append(ConfigError(str(path), "(file)", str(exc), "valid TOML"))
    return None

