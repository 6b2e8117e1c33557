"""kiosk/config/: bad configuration never stops the kiosk (issue #4, point 4).

Every invalid value gives exactly one ConfigError that names the file, the key, the value and
what is allowed; that key takes its default and the valid keys around it are kept. A file that
cannot be read or parsed falls back to the packaged defaults wholesale, and its problem says so.
A broken exercise library falls back to the packaged library, whole. Hypothesis fuzzes both
files: the loader never raises and always hands back a Config the kiosk can run on.
"""

from __future__ import annotations

import copy
import math
import os
import tempfile
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import (
    DEFAULT_CONFIG,
    DEFAULT_EXERCISES,
    DEFAULT_RITUALS,
    DEFAULT_SIGNATURE,
    POSITIONS,
    SCHEMA,
    SECTION_TYPES,
    SIDES,
    Config,
    Loaded,
    load_config,
    load_library,
    load_rituals,
    load_signature,
)
from kiosk.config.files import DEFAULT_PROGRAM, read_toml
from kiosk.config.program import load_rhythm
from kiosk.config.settings import ProgressionConfig
from kiosk.core.data.model import Library, SessionSettings
from kiosk.errors import ConfigError

PACKAGED_LIBRARY = load_library(DEFAULT_EXERCISES)
PACKAGED_RITUALS = load_rituals(DEFAULT_RITUALS, PACKAGED_LIBRARY)
# As the kiosk runs it: shaped by the packaged program (walking's cap, loads in kg; issue 26).
SHAPED_LIBRARY = load_rhythm(DEFAULT_PROGRAM, PACKAGED_LIBRARY, ProgressionConfig(),
                             SessionSettings(), [])[0]
PINS = ("buttons.green", "buttons.amber", "buttons.red", "leds.status", "leds.breath")
FALLBACK = "packaged defaults"  # what an unreadable file's problem says the kiosk does instead


# --- writing TOML -----------------------------------------------------------------------------
def toml_str(text: str) -> str:
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)  # nan, inf, -inf, 1e+16 are TOML as Python writes them
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, (date, time)):  # datetime is a date
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_str(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def toml_doc(doc: dict[str, Any]) -> str:
    """Top-level values first, then one [table] per top-level dict (nested dicts inline)."""
    lines = [f"{toml_str(k)} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for name, table in doc.items():
        if isinstance(table, dict):
            lines.append(f"[{toml_str(name)}]")
            lines += [f"{toml_str(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def raw_doc(entries: dict[str, str]) -> str:
    """A file from "section.key" (or top-level "key") -> the value as written in TOML."""
    top = [f"{k} = {v}" for k, v in entries.items() if "." not in k]
    sections: dict[str, list[str]] = {}
    for where, v in entries.items():
        if "." in where:
            section, key = where.split(".", 1)
            sections.setdefault(section, []).append(f"{key} = {v}")
    body = [f"[{s}]\n" + "\n".join(lines) for s, lines in sections.items()]
    return "\n".join(top + body) + "\n"


# --- what a good result looks like ------------------------------------------------------------
def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


def assert_names(p: ConfigError, *, file: Path | str, key: str, value: Any, allowed: str) -> None:
    """One message, naming the file, the key, the value (repr) and what is allowed."""
    assert isinstance(p, ConfigError)
    assert (p.file, p.key) == (str(file), key), str(p)
    assert same(p.value, value), str(p)
    assert allowed in p.allowed, str(p)
    text = str(p)
    for part in (str(file), key, repr(value), p.allowed):
        assert part in text


def assert_well_formed(p: ConfigError) -> None:
    assert isinstance(p, ConfigError)
    assert p.file and p.allowed and isinstance(p.key, str)  # TOML allows an empty key: ""
    assert str(p) == f"{p.file}: {p.key} = {p.value!r} is not allowed; expected {p.allowed}"


def expected(path: Path, keeps: dict[str, Any], library: Library = PACKAGED_LIBRARY) -> Config:
    """The default Config with these "section.key" settings kept."""
    values: dict[str, dict[str, Any]] = {name: {} for name in SCHEMA}
    for where, v in keeps.items():
        section, key = where.split(".")
        values[section][SCHEMA[section][key][0]] = v
    sections = {name: SECTION_TYPES[name](**kw) for name, kw in values.items()}
    sections["session"] = replace(sections["session"], speech_rate_wpm=sections["voice"].rate)
    rituals = PACKAGED_RITUALS if library == PACKAGED_LIBRARY else load_rituals(
        DEFAULT_RITUALS, library, [], strict=False)
    signature = load_signature(DEFAULT_SIGNATURE, library, [])
    # Issue 26: the program shapes the library (walking's cap, loads in kg) and the rhythm.
    library, rhythm = load_rhythm(DEFAULT_PROGRAM, library, sections["progression"],
                                  sections["session"], [])
    return Config(library=library, rituals=rituals, signature=signature, source=str(path),
                  rhythm=rhythm, **sections)


def default_loaded() -> Loaded:
    return load_config(DEFAULT_CONFIG)


# --- the packaged config ----------------------------------------------------------------------
def test_the_packaged_config_loads_with_no_problems() -> None:
    loaded = default_loaded()
    assert loaded.ok and loaded.problems == ()
    assert loaded.config == expected(DEFAULT_CONFIG, {})
    assert loaded.config.library.families


def test_loading_leaves_what_each_file_parsed_to_as_it_was() -> None:
    """The same text is parsed once a process (kiosk/config/files.py) and handed to every
    load: a loader that changed it would change the next load's config."""
    files = sorted(DEFAULT_CONFIG.parent.glob("*.toml"))
    before = {f: copy.deepcopy(read_toml(f, [])) for f in files}
    assert all(before.values())
    default_loaded()
    assert {f: read_toml(f, []) for f in files} == before


def test_every_key_is_optional_an_empty_file_is_the_packaged_config(tmp_path: Path) -> None:
    """config/kiosk.toml says it shows the defaults: an empty file must give the same Config."""
    path = tmp_path / "kiosk.toml"
    path.write_text("# nothing set\n")
    loaded = load_config(path)
    assert loaded.problems == ()
    assert loaded.config == replace(default_loaded().config, source=str(path))


# --- one bad value: one message, its default, the rest kept ------------------------------------
@dataclass(frozen=True)
class Bad:
    where: str  # "section.key" as written, or a top-level name
    toml: str  # the value as written in the file
    value: Any  # the value as the loader reads it
    allowed: str  # part of the allowed text the message must carry
    key: str = ""  # the key the message names, when it is not `where`
    others: tuple[tuple[str, str], ...] = ()  # valid settings written with it, reset with it
    resets: tuple[str, ...] = ()  # settings that go back to their default along with it

    @property
    def id(self) -> str:
        return f"{self.where}={self.toml[:24]}"


PIN = "a BCM GPIO pin number from 2 to 27"
LED = "0 (not fitted) or a BCM GPIO pin from 2 to 27"
SECTIONS = "one of buttons, leds, voice, session, progression, display, storage, shutdown"

BAD_VALUES = [
    # wrong type
    Bad("buttons.green", '"17"', "17", PIN),
    Bad("voice.rate", '"fast"', "fast", "a whole number from 80 to 300"),
    Bad("voice.rate", "{ wpm = 150 }", {"wpm": 150}, "a whole number from 80 to 300"),
    Bad("voice.voice", "42", 42, "text of up to 60 characters"),
    Bad("storage.data_dir", "[1, 2]", [1, 2], "400 characters"),
    Bad("storage.backups", "1979-05-27", date(1979, 5, 27), "a whole number from 1 to 60"),
    Bad("shutdown.enabled", '"yes"', "yes", "true or false"),
    Bad("shutdown.enabled", "1", 1, "true or false"),
    Bad("session.exhale_seconds", "[6]", [6], "a number from 2 to 12"),
    Bad("session.sets", "2.5", 2.5, "a whole number from 1 to 5"),
    Bad("display.fps", "30.0", 30.0, "a whole number from 5 to 60"),
    # out of range
    Bad("buttons.green", "28", 28, PIN),
    Bad("buttons.red", "1", 1, PIN),
    Bad("buttons.bounce_ms", "201", 201, "a whole number from 0 to 200"),
    Bad("leds.status", "28", 28, LED),
    Bad("leds.breath", "1", 1, LED),
    Bad("voice.volume", "1.5", 1.5, "a number from 0 to 1"),
    Bad("voice.voice", toml_str("x" * 61), "x" * 61, "text of up to 60 characters"),
    Bad("session.inhale_seconds", "1.9", 1.9, "a number from 2 to 10"),
    Bad("progression.exercises_max", "9", 9, "a whole number from 1 to 8"),
    Bad("display.fps", "61", 61, "a whole number from 5 to 60"),
    Bad("voice.volume", "1" + "0" * 400, 10**400, "a number from 0 to 1"),  # past any float
    # negative
    Bad("buttons.bounce_ms", "-5", -5, "a whole number from 0 to 200"),
    Bad("session.rest_seconds", "-1.0", -1.0, "a number from 0 to 300"),
    Bad("storage.backups", "-1", -1, "a whole number from 1 to 60"),
    Bad("progression.reentry_days", "-7", -7, "a whole number from 2 to 90"),
    # NaN and infinities (TOML nan / inf; 1e400 reads as inf)
    Bad("voice.volume", "nan", math.nan, "a number from 0 to 1"),
    Bad("session.inhale_seconds", "-nan", math.nan, "a number from 2 to 10"),
    Bad("buttons.hold_seconds", "inf", math.inf, "a number from 0.5 to 5"),
    Bad("buttons.stuck_seconds", "-inf", -math.inf, "a number from 3 to 60"),
    Bad("session.primer_seconds", "1e400", math.inf, "a number from 0 to 300"),
    # bool where a number is wanted (bool is an int in Python)
    Bad("display.fps", "true", True, "a whole number from 5 to 60"),
    Bad("buttons.amber", "true", True, PIN),
    Bad("progression.advance_window", "false", False, "a whole number from 1 to 10"),
    Bad("voice.volume", "true", True, "a number from 0 to 1"),
    Bad("leds.status", "false", False, LED),
    Bad("leds.breath", "0.0", 0.0, LED),
    # a folder path with a NUL in it would stop `kiosk run` when it makes the data folder
    Bad("storage.data_dir", toml_str("/srv/a\0b"), "/srv/a\0b", "400 characters"),
    # unknown keys and sections
    Bad("voice.pitch", "50", 50, "one of: voice, rate, volume"),
    Bad("buttons.Green", "17", 17, "one of: green, amber, red"),
    Bad("session.inhale", "4.0", 4.0, "one of: inhale_seconds"),  # the field, not the key
    Bad("session.speech_rate_wpm", "150", 150, "one of: inhale_seconds"),
    Bad("sound", "{ volume = 1 }", {"volume": 1}, SECTIONS),
    Bad("colour", '"blue"', "blue", SECTIONS),
    Bad("display", "30", 30, "a table of settings", key="[display]"),
    Bad("buttons", "[17, 27, 22]", [17, 27, 22], "a table of settings", key="[buttons]"),
    Bad("exercises", "5", 5, "a path to exercises.toml"),
    Bad("exercises", toml_str("ex\0.toml"), "ex\0.toml", "a path to exercises.toml"),
    # settings that are each fine, but not together
    Bad("buttons.amber", "17", 17, "a pin not already used by buttons.green", resets=PINS),
    Bad("buttons.red", "27", 27, "a pin not already used by buttons.amber", resets=PINS),
    Bad("leds.status", "22", 22, "a pin not already used by buttons.red", resets=PINS),
    Bad("leds.breath", "5", 5, "a pin not already used by leds.status",
        others=(("leds.status", "5"),), resets=PINS),
    Bad("progression.exercises_min", "6", 6, "at most progression.exercises_max (4)",
        others=(("progression.exercises_max", "4"),), resets=("progression.exercises_max",)),
    Bad("progression.advance_needed", "5", 5, "at most progression.advance_window (4)",
        others=(("progression.advance_window", "4"),), resets=("progression.advance_window",)),
]

# Valid settings that differ from the defaults, one per section, written around each bad value.
KEEP: dict[str, list[tuple[str, Any]]] = {
    "buttons": [("bounce_ms", 50), ("stuck_seconds", 10.0)],
    "leds": [("breath", 12), ("status", 13)],
    "voice": [("rate", 120), ("volume", 0.5)],
    "session": [("sets", 3), ("rest_seconds", 20.0)],
    "progression": [("session_minutes", 20), ("fray_sessions", 3)],
    "display": [],
    "storage": [("backups", 9), ("data_dir", "/srv/kiosk")],
    "shutdown": [("enabled", False), ("hold_seconds", 10.0)],
}


def keeps_for(bad: Bad) -> dict[str, Any]:
    taken = {bad.where, *(k for k, _ in bad.others)}
    keeps: dict[str, Any] = {}
    for section, choices in KEEP.items():
        if section in taken:  # the section itself is the bad value
            continue
        for key, value in choices:
            if f"{section}.{key}" not in taken:
                keeps[f"{section}.{key}"] = value
                break
    return keeps


@pytest.mark.parametrize("bad", BAD_VALUES, ids=lambda b: b.id)
def test_a_bad_value_gives_one_message_and_takes_its_default(tmp_path: Path, bad: Bad) -> None:
    assert all(k in bad.resets for k, _ in bad.others)
    keeps = keeps_for(bad)
    entries = {k: toml_value(v) for k, v in keeps.items()} | dict(bad.others)
    entries[bad.where] = bad.toml
    path = tmp_path / "kiosk.toml"
    path.write_text(raw_doc(entries), encoding="utf-8")

    loaded = load_config(path)

    assert len(loaded.problems) == 1, [str(p) for p in loaded.problems]
    assert_names(loaded.problems[0], file=path, key=bad.key or bad.where, value=bad.value,
                 allowed=bad.allowed)
    kept = {k: v for k, v in keeps.items() if k not in bad.resets}
    assert loaded.config == expected(path, kept)


def test_several_bad_values_give_one_message_each(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(raw_doc({
        "buttons.green": "99", "buttons.amber": "5", "buttons.red": "5",
        "voice.volume": "nan", "voice.rate": "120", "progression.exercises_min": "7",
        "progression.exercises_max": "2", "progression.session_minutes": "20",
    }))
    loaded = load_config(path)
    keys = sorted(p.key for p in loaded.problems)
    assert keys == ["buttons.green", "buttons.red", "progression.exercises_min", "voice.volume"]
    assert loaded.config == expected(path, {"voice.rate": 120, "progression.session_minutes": 20})


# --- a file that cannot be read at all --------------------------------------------------------
def _deep(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    return path


def _write(name: str, data: bytes) -> Any:
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.mkdir()
    return path


def _unreadable(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text("[voice]\nrate = 120\n")
    path.chmod(0)
    return path


PACKAGED_TEXT = DEFAULT_CONFIG.read_text(encoding="utf-8")
TRUNCATED = PACKAGED_TEXT[: PACKAGED_TEXT.index('"en-us"') + 4].encode()
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

UNREADABLE = [
    pytest.param(lambda p: p / "missing.toml", "missing", "an existing TOML file", id="missing"),
    pytest.param(_directory, "Is a directory", "a readable TOML file", id="directory"),
    pytest.param(_unreadable, "Permission denied", "a readable TOML file", id="chmod-000",
                 marks=pytest.mark.skipif(AS_ROOT, reason="root reads a chmod 000 file")),
    pytest.param(_write("kiosk.toml", b'[voice]\nvoice = "\xff\xfe"\n'), None, "valid TOML",
                 id="not-utf8"),
    pytest.param(_write("kiosk.toml", b"[voice\nrate = 120\n"), None, "valid TOML", id="syntax"),
    pytest.param(_write("kiosk.toml", b"[voice]\nrate = 120\nrate = 130\n"), None, "valid TOML",
                 id="duplicate-key"),
    pytest.param(_write("kiosk.toml", TRUNCATED), None, "valid TOML", id="truncated"),
    pytest.param(_write("kiosk.toml", b"\x00\x01\x02binary"), None, "valid TOML", id="binary"),
    pytest.param(_deep, None, "valid TOML", id="nested-5000-deep"),
]


@pytest.mark.parametrize(("make", "value", "allowed"), UNREADABLE)
def test_an_unreadable_file_falls_back_to_the_packaged_defaults_and_says_so(
    tmp_path: Path, make: Any, value: str | None, allowed: str
) -> None:
    path = make(tmp_path)
    loaded = load_config(path)

    assert len(loaded.problems) == 1, [str(p) for p in loaded.problems]
    p = loaded.problems[0]
    assert_names(p, file=path, key="(file)", value=p.value if value is None else value,
                 allowed=allowed)
    assert isinstance(p.value, str) and p.value
    assert FALLBACK in str(p)
    assert loaded.config == replace(default_loaded().config, source=str(path))


# --- a broken exercise library -----------------------------------------------------------------
VARIATION = """
  [[family.variation]]
  id = "{id}"
  name = "Reach"
  position = "lying"
  effort = "exhale"
  move = "reach up"
  back = "come back"
  tempo = [3, 4]
  cues = ["Breathe out as you reach."]
  fray_tip = "Reach long, not high."
  start_reps = 6
  max_reps = 10
"""
FAMILY = '[[family]]\nid = "{id}"\nname = "Reach"\n'
GOOD_LIBRARY = FAMILY.format(id="reach") + VARIATION.format(id="reach-a")


def _variation(old: str, new: str) -> str:
    assert old in GOOD_LIBRARY
    return GOOD_LIBRARY.replace(old, new)


V0 = "family[0].variation[0]"
TEMPO = "[inhale seconds, exhale seconds], each from 1 to 12"
BAD_LIBRARIES = [
    pytest.param(_variation('  move = "reach up"\n', ""), f"{V0}.move", None, "non-empty text",
                 id="missing-move"),
    pytest.param(_variation("  start_reps = 6\n", ""), f"{V0}.start_reps", None,
                 "a whole number from 1 to 30", id="missing-start-reps"),
    pytest.param(_variation("start_reps = 6", "start_reps = 12"), f"{V0}.start_reps", 12,
                 "at most max_reps (10)", id="start-over-max"),
    pytest.param(_variation('"lying"', '"hanging"'), f"{V0}.position", "hanging",
                 "one of lying, side-lying", id="unknown-position"),
    pytest.param(_variation('"exhale"', '"hold"'), f"{V0}.effort", "hold", '"exhale" or "inhale"',
                 id="unknown-effort"),
    pytest.param(_variation("max_reps = 10", 'max_reps = 10\n  side = "both"'), f"{V0}.side",
                 "both", "one of none, alternate, each", id="unknown-side"),
    pytest.param(_variation("max_reps = 10", 'max_reps = 10\n  directions = ["sideways"]'),
                 f"{V0}.directions", ["sideways"], "from: flexion, extension, rotation, side-bend",
                 id="unknown-direction"),
    pytest.param(_variation("max_reps = 10", 'max_reps = 10\n  directions = "flexion"'),
                 f"{V0}.directions", "flexion", "a list of the directions",
                 id="direction-not-list"),
    pytest.param(_variation("max_reps = 10",
                            'max_reps = 10\n  directions = ["flexion", "flexion"]'),
                 f"{V0}.directions", ["flexion", "flexion"], "each at most once",
                 id="direction-twice"),
    pytest.param(_variation("max_reps = 10", "max_reps = 10\n  hold_breaths = -1"),
                 f"{V0}.hold_breaths", -1, "a whole number from 0 to 6", id="negative-hold"),
    pytest.param(_variation("max_reps = 10", "max_reps = 10\n  hold_breaths = nan"),
                 f"{V0}.hold_breaths", math.nan, "a whole number from 0 to 6", id="nan-hold"),
    pytest.param(_variation("max_reps = 10", "max_reps = 10\n  hold_breaths = 1" + "0" * 400),
                 f"{V0}.hold_breaths", 10**400, "a whole number from 0 to 6", id="huge-hold"),
    pytest.param(_variation("max_reps = 10", "max_reps = 10\n  hold = 2"), f"{V0}.hold", 2,
                 "hold_breaths: whole breaths held, not seconds", id="hold-in-seconds"),
    pytest.param(_variation('  fray_tip = "Reach long, not high."\n', ""), f"{V0}.fray_tip", None,
                 "non-empty text", id="missing-fray-tip"),
    pytest.param(_variation("max_reps = 10", 'max_reps = 10\n  step = "height"'), f"{V0}.step",
                 "height", "one of start, reps, hold", id="unknown-step"),
    pytest.param(_variation("max_reps = 10", 'max_reps = 10\n  unit = "hours"'), f"{V0}.unit",
                 "hours", "one of reps, minutes", id="unknown-unit"),
    pytest.param(GOOD_LIBRARY + VARIATION.format(id="reach-b").replace(
        "max_reps = 10", 'max_reps = 10\n  step = "hold"'), "family[0].variation[1].step", "hold",
                 "more hold_breaths than the rung below (reach-a)", id="hold-step-holds-no-longer"),
    pytest.param(GOOD_LIBRARY + VARIATION.format(id="reach-b").replace(
        "max_reps = 10", 'max_reps = 10\n  step = "tempo"'), "family[0].variation[1].step",
                 "tempo", "a slower tempo than the rung below (reach-a)",
                 id="tempo-step-no-slower"),
    pytest.param(GOOD_LIBRARY + VARIATION.format(id="reach-a"), "family[0].variation[1].id",
                 "reach-a", "an id not used elsewhere", id="duplicate-variation-id"),
    pytest.param(GOOD_LIBRARY + FAMILY.format(id="reach") + VARIATION.format(id="reach-b"),
                 "family[1].id", "reach", "a unique lower-case id", id="duplicate-family-id"),
    pytest.param(_variation('id = "reach"', 'id = "Reach"'), "family[0].id", "Reach",
                 "a unique lower-case id", id="upper-case-family-id"),
    pytest.param(_variation('name = "Reach"\n', ""), "family[0].name", None, "a non-empty name",
                 id="family-without-name"),
    pytest.param(_variation("tempo = [3, 4]", "tempo = [3]"), f"{V0}.tempo", [3], TEMPO,
                 id="tempo-one-number"),
    pytest.param(_variation("tempo = [3, 4]", "tempo = [3, 4, 5]"), f"{V0}.tempo", [3, 4, 5],
                 TEMPO, id="tempo-three-numbers"),
    pytest.param(_variation("tempo = [3, 4]", 'tempo = "3/4"'), f"{V0}.tempo", "3/4", TEMPO,
                 id="tempo-text"),
    pytest.param(_variation("tempo = [3, 4]", "tempo = [0, 4]"), f"{V0}.tempo", [0, 4], TEMPO,
                 id="tempo-zero"),
    pytest.param(_variation("tempo = [3, 4]", "tempo = [3, true]"), f"{V0}.tempo", [3, True],
                 TEMPO, id="tempo-bool"),
    pytest.param(_variation('cues = ["Breathe out as you reach."]', "cues = []"), f"{V0}.cues",
                 [], "a list of one to three cues", id="no-cues"),
    pytest.param(FAMILY.format(id="reach"), "family[0].variation", None,
                 "variation", id="family-without-variations"),
    pytest.param(FAMILY.format(id="reach") + "variation = 5\n", "family[0].variation", 5,
                 "variation", id="variation-a-number"),
    pytest.param(FAMILY.format(id="reach") + 'variation = "reach-a"\n', "family[0].variation",
                 "reach-a", "variation", id="variation-text"),
    pytest.param(FAMILY.format(id="reach") + 'variation = { id = "reach-a" }\n',
                 "family[0].variation", {"id": "reach-a"}, "variation", id="variation-one-table"),
    pytest.param("family = 5\n", "family", 5, "one or more [[family]] tables", id="family-number"),
    pytest.param("family = [1]\n", "family[0]", 1, "a [[family]] table", id="family-not-table"),
    pytest.param("# no families\n", "family", None, "one or more [[family]] tables", id="empty"),
]


@pytest.mark.parametrize(("text", "key", "value", "allowed"), BAD_LIBRARIES)
def test_a_broken_library_gives_one_message_and_the_packaged_library_is_used(
    tmp_path: Path, text: str, key: str, value: Any, allowed: str
) -> None:
    ex = tmp_path / "ex.toml"
    ex.write_text(text, encoding="utf-8")
    path = tmp_path / "kiosk.toml"
    path.write_text('exercises = "ex.toml"\n[voice]\nrate = 120\n')

    loaded = load_config(path)

    assert len(loaded.problems) == 1, [str(p) for p in loaded.problems]
    assert_names(loaded.problems[0], file=ex.resolve(), key=key, value=value, allowed=allowed)
    assert loaded.config == expected(path, {"voice.rate": 120})


def test_the_good_library_in_those_tests_is_used_as_written(tmp_path: Path) -> None:
    """The cases above break a library that loads, so each failure is the one change made."""
    (tmp_path / "ex.toml").write_text(GOOD_LIBRARY)
    path = tmp_path / "kiosk.toml"
    path.write_text('exercises = "ex.toml"\n')
    loaded = load_config(path)
    assert loaded.problems == ()
    assert [(f.id, [v.id for v in f.ladder]) for f in loaded.config.library.families] == [
        ("reach", ["reach-a"])
    ]


@pytest.mark.parametrize(
    ("make", "value", "allowed"),
    [
        pytest.param(lambda d: d / "ex.toml", "missing", "an existing TOML file", id="missing"),
        pytest.param(lambda d: (d / "ex.toml").mkdir() or d / "ex.toml", "Is a directory",
                     "a readable TOML file", id="directory"),
        pytest.param(lambda d: _write("ex.toml", b"[[family]]\nid = \"\xff\"\n")(d), None,
                     "valid TOML", id="not-utf8"),
        pytest.param(lambda d: _write("ex.toml", b"[[family]\n")(d), None, "valid TOML",
                     id="syntax"),
    ],
)
def test_an_unreadable_library_falls_back_to_the_packaged_one(
    tmp_path: Path, make: Any, value: str | None, allowed: str
) -> None:
    ex = make(tmp_path)
    path = tmp_path / "kiosk.toml"
    path.write_text('exercises = "ex.toml"\n')
    loaded = load_config(path)
    assert len(loaded.problems) == 1, [str(p) for p in loaded.problems]
    p = loaded.problems[0]
    assert_names(p, file=ex.resolve(), key="(file)", value=p.value if value is None else value,
                 allowed=allowed)
    assert loaded.config.library == SHAPED_LIBRARY


# --- fuzzing: the loader never raises and the Config is always usable --------------------------
NAMES = st.text(max_size=10)
SCHEMA_KEYS = sorted({key for table in SCHEMA.values() for key in table})
TZ = st.integers(-1439, 1439).map(lambda m: timezone(timedelta(minutes=m)))
SCALARS = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers(-3, 320),  # near the real ranges, so many values are valid
    st.integers(10**300, 10**320),  # past what a float can hold
    st.floats(),
    st.floats(-1, 320),
    st.text(max_size=16),
    st.sampled_from(["en-us", "", "~/data", "\0"]),
    st.dates(),
    st.datetimes(timezones=st.none() | TZ),
    st.times(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=3),
    max_leaves=6,
)
TABLES = st.dictionaries(st.sampled_from(SCHEMA_KEYS) | NAMES, VALUES, max_size=8)
SAFE_EXERCISES = st.sampled_from(["missing.toml", "", "."]) | VALUES.filter(
    lambda v: not isinstance(v, str)  # a random path could name a device that never ends
)


@st.composite
def config_docs(draw: st.DrawFn) -> dict[str, Any]:
    doc = draw(st.dictionaries(
        st.sampled_from(sorted(SCHEMA)) | NAMES.filter(lambda n: n != "exercises"),
        TABLES | VALUES,
        max_size=8,
    ))
    if draw(st.booleans()):
        doc["exercises"] = draw(SAFE_EXERCISES)
    return doc


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for at, byte in edits:
        out[at % len(out)] = byte
    return bytes(out)


def damaged(packaged: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=300),
        st.integers(0, len(packaged)).map(lambda n: packaged[:n]),
        st.lists(st.tuples(st.integers(0, len(packaged)), st.integers(0, 255)), min_size=1,
                 max_size=4).map(lambda edits: _mutate(packaged, edits)),
    )


CONFIG_FILES = config_docs().map(lambda d: toml_doc(d).encode()) | damaged(
    DEFAULT_CONFIG.read_bytes()
)
FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def parse(data: bytes) -> dict[str, Any] | None:
    try:
        return tomllib.loads(data.decode())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError, ValueError):
        return None


def assert_usable(cfg: Config) -> None:
    """Sections are the right dataclasses and every value is one the loader allows."""
    assert isinstance(cfg, Config)
    for name, table in SCHEMA.items():
        section = getattr(cfg, name)
        assert type(section) is SECTION_TYPES[name]
        for key, (attr, (check, allowed)) in table.items():
            value = getattr(section, attr)
            assert check(value), f"{name}.{key} = {value!r}, expected {allowed}"
            if allowed.startswith("a number"):
                assert type(value) is float
    assert cfg.session.speech_rate_wpm == cfg.voice.rate
    pins = [cfg.buttons.green, cfg.buttons.amber, cfg.buttons.red, cfg.leds.status, cfg.leds.breath]
    used = [p for p in pins if p]
    assert len(used) == len(set(used)), pins
    assert type(cfg.leds.status) is int and type(cfg.leds.breath) is int
    p = cfg.progression
    assert p.exercises_min <= p.exercises_max and p.advance_needed <= p.advance_window
    assert "\0" not in os.fspath(cfg.data_dir)
    assert_usable_library(cfg.library)


def assert_usable_library(library: Library) -> None:
    assert library.families
    ids = [f.id for f in library.families] + [v.id for f in library.families for v in f.ladder]
    assert len(ids) == len(set(ids))
    for family in library.families:
        assert family.ladder and family.name
        for v in family.ladder:
            assert v.position in POSITIONS and v.side in SIDES and v.effort in ("exhale", "inhale")
            assert 1 <= v.start_reps <= v.max_reps <= 30
            assert len(v.tempo) == 2 and all(1 <= t <= 12 for t in v.tempo)
            assert 1 <= len(v.cues) <= 3 and 0 <= v.hold_breaths <= 6 and v.fray_tip


def expected_problem_keys(raw: dict[str, Any]) -> Counter[str]:
    """The key of every value in a parsed file that the schema does not allow, once each."""
    keys: Counter[str] = Counter()
    for name, table in raw.items():
        if name == "exercises":
            keys["exercises"] += not isinstance(table, str)
        elif name not in SCHEMA:
            keys[name] += 1
        elif not isinstance(table, dict):
            keys[f"[{name}]"] += 1
        else:
            for key, value in table.items():
                spec = SCHEMA[name].get(key)
                keys[f"{name}.{key}"] += spec is None or not spec[1][0](value)
    return +keys


CROSS = ("a pin not already used", "at most progression.")


def assert_valid_keys_kept(raw: dict[str, Any], loaded: Loaded) -> None:
    """Each allowed value in the file is in the Config, unless it clashed with another."""
    cross = [p for p in loaded.problems if p.allowed.startswith(CROSS)]
    reset: set[str] = set()
    if any(p.allowed.startswith(CROSS[0]) for p in cross):
        reset |= set(PINS)
    for p in cross:
        if p.key == "progression.exercises_min":
            reset |= {p.key, "progression.exercises_max"}
        if p.key == "progression.advance_needed":
            reset |= {p.key, "progression.advance_window"}
    for name, table in raw.items():
        if name not in SCHEMA or not isinstance(table, dict):
            continue
        for key, value in table.items():
            spec = SCHEMA[name].get(key)
            if spec is None or not spec[1][0](value) or f"{name}.{key}" in reset:
                continue
            got = getattr(getattr(loaded.config, name), spec[0])
            if isinstance(value, list):  # a list is kept as a tuple: the config is frozen
                value = tuple(value)
            assert got == value, f"{name}.{key} = {value!r} was not kept"


@FUZZ
@given(data=CONFIG_FILES)
def test_fuzzed_config_files_never_raise_and_give_a_usable_config(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kiosk.toml"
        path.write_bytes(data)
        loaded = load_config(path)

        assert isinstance(loaded, Loaded)
        assert_usable(loaded.config)
        assert loaded.config.source == str(path)
        for p in loaded.problems:
            assert_well_formed(p)
        raw = parse(data)
        if raw is None:
            assert len(loaded.problems) == 1 and loaded.problems[0].key == "(file)"
            assert FALLBACK in str(loaded.problems[0])
            assert loaded.config == replace(default_loaded().config, source=str(path))
            return
        own = [p for p in loaded.problems if p.file == str(path)]
        plain = Counter(p.key for p in own if not p.allowed.startswith(CROSS))
        assert plain == expected_problem_keys(raw), [str(p) for p in own]
        assert_valid_keys_kept(raw, loaded)
        others = {p.file for p in loaded.problems} - {str(path)}
        if others:  # a library that could not be used: the packaged one stands in, whole
            assert loaded.config.library == SHAPED_LIBRARY


# Library documents: a small good ladder with a few fields changed, removed or duplicated.
GOOD_VARIATION = {
    "id": "v", "name": "Reach", "position": "lying", "effort": "exhale", "move": "reach up",
    "back": "come back", "tempo": [3, 4], "cues": ["Breathe out."], "start_reps": 6,
    "max_reps": 10, "fray_tip": "Reach long.",
}
DROP = object()
FIELD_VALUES = {
    "id": st.sampled_from(["v0", "v1", "f0", "Bad", "", "x" * 41]),
    "position": st.sampled_from([*POSITIONS, "hanging", ""]),
    "effort": st.sampled_from(["exhale", "inhale", "hold"]),
    "tempo": st.lists(st.integers(0, 13) | st.floats(0, 13) | VALUES, max_size=3),
    "cues": st.lists(st.text(max_size=8), max_size=4),
    "start_reps": st.integers(0, 31),
    "max_reps": st.integers(0, 31),
    "side": st.sampled_from([*SIDES, "both"]),
    "hold_breaths": st.integers(-1, 7) | st.floats(-1, 7) | st.integers(10**300, 10**310),
    "step": st.sampled_from(["start", "hold", "tempo", "load", "height"]),
    "unit": st.sampled_from(["reps", "minutes", "hours"]),
}
FIELDS = st.sampled_from([*GOOD_VARIATION, "side", "hold_breaths", "step", "unit", "extra"])


@st.composite
def variations(draw: st.DrawFn, fid: str, j: int) -> Any:
    v = dict(GOOD_VARIATION, id=f"{fid}-{j}")
    for key in draw(st.lists(FIELDS, max_size=2)):
        new = draw(st.just(DROP) | FIELD_VALUES.get(key, VALUES) | VALUES)
        if new is DROP:
            v.pop(key, None)
        else:
            v[key] = new
    return v if draw(st.integers(0, 19)) else draw(VALUES)


@st.composite
def families(draw: st.DrawFn, i: int) -> Any:
    # Mostly a good id and name, so the ladder under them gets checked too.
    fid = f"f{i}" if draw(st.integers(0, 4)) else draw(st.sampled_from(["f0", "Bad", ""]))
    name = "Reach" if draw(st.integers(0, 4)) else draw(st.sampled_from(["", " ", None]))
    family: dict[str, Any] = {"id": fid} if name is None else {"id": fid, "name": name}
    count = draw(st.integers(0, 3))
    family["variation"] = [draw(variations(f"f{i}", j)) for j in range(count)]
    if not draw(st.integers(0, 5)):
        family["variation"] = draw(SCALARS | VALUES)
    return family if draw(st.integers(0, 19)) else draw(VALUES)


@st.composite
def library_docs(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(0, 3))
    doc: dict[str, Any] = {"family": [draw(families(i)) for i in range(count)]}
    if not draw(st.integers(0, 9)):
        doc["family"] = draw(VALUES)
    return doc


LIBRARY_FILES = library_docs().map(lambda d: toml_doc(d).encode()) | damaged(
    DEFAULT_EXERCISES.read_bytes()
)


@FUZZ
@given(data=LIBRARY_FILES)
def test_fuzzed_libraries_always_leave_a_usable_library(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ex = Path(tmp) / "ex.toml"
        ex.write_bytes(data)
        path = Path(tmp) / "kiosk.toml"
        path.write_text('exercises = "ex.toml"\n')
        loaded = load_config(path)

        library = loaded.config.library
        assert_usable_library(library)
        for p in loaded.problems:
            assert_well_formed(p)
            assert p.file == str(ex.resolve())
        raw = parse(data)
        if loaded.problems or raw is None:
            assert loaded.problems and library == SHAPED_LIBRARY
        else:
            assert [f.id for f in library.families] == [f["id"] for f in raw["family"]]
        assert loaded.config == expected(path, {}, library)
