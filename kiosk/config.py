"""One validated loader for the kiosk's TOML configuration, into frozen dataclasses.

Bad input never stops the kiosk: every invalid value is reported as a ``ConfigError`` that names
the file, the key, the value and what is allowed, and that key takes its default. A file that
cannot be read or parsed at all falls back to the packaged defaults in ``config/``. ``kiosk
check`` prints the problems and exits non-zero, so they are found before the kiosk is left alone.
"""

from __future__ import annotations

import functools
import math
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk import tomlcache
from kiosk.core.coach.rituals import (
    Ritual,
    RitualBook,
    ScheduleSettings,
    breath_seconds,
    total_seconds,
)
from kiosk.core.coach.safety import GROUPS, Group, Question, Wording
from kiosk.core.coach.signature import WHEN, Probe, ProbeStep, Rule, SignatureSetup
from kiosk.core.data.model import Family, Library, SessionSettings, Step, Variation
from kiosk.core.flows.session import speech_seconds
from kiosk.core.words import phrases
from kiosk.errors import ConfigError

PACKAGED = Path(__file__).resolve().parent.parent / "config"
DEFAULT_CONFIG = PACKAGED / "kiosk.toml"
DEFAULT_EXERCISES = PACKAGED / "exercises.toml"
DEFAULT_RITUALS = PACKAGED / "rituals.toml"
DEFAULT_SAFETY = PACKAGED / "safety.toml"
SYSTEM_CONFIG = Path("/etc/backcare-kiosk/kiosk.toml")

POSITIONS = ("lying", "side-lying", "all-fours", "kneeling", "seated", "standing", "loaded")
SIDES = ("none", "alternate", "each")
UNITS = ("reps", "minutes")
STEPS = tuple(s.value for s in Step)
BCM_PINS = range(2, 28)


@dataclass(frozen=True)
class ButtonsConfig:
    green: int = 17
    amber: int = 27
    red: int = 22
    bounce_ms: int = 30
    hold_seconds: float = 1.5
    red_hold_seconds: float = 2.0
    stuck_seconds: float = 5.0


@dataclass(frozen=True)
class LedsConfig:
    status: int = 0  # 0: not fitted
    breath: int = 0


ENGINES = ("espeak", "piper")


@dataclass(frozen=True)
class VoiceConfig:
    voice: str = "en-us"  # espeak-ng's voice
    rate: int = 150
    volume: float = 0.9
    engine: str = "espeak"  # or "piper": the optional neural voice (docs/voice.md)
    model: str = ""  # a Piper .onnx voice; "" is the packaged one
    length_scale: float = 1.3  # Piper's pace: above 1 is slower, calmer


@dataclass(frozen=True)
class ProgressionConfig:
    advance_window: int = 3
    advance_needed: int = 2
    fray_fraction: float = 0.6
    fray_sessions: int = 2
    floor_reps: int = 2
    quick_rungs: int = 2
    reentry_days: int = 7
    bad_day_rise: int = 2
    bad_day_window: int = 7
    exercises_min: int = 3
    exercises_max: int = 5
    session_minutes: int = 12


@dataclass(frozen=True)
class DisplayConfig:
    fps: int = 30


@dataclass(frozen=True)
class StorageConfig:
    data_dir: str = "~/.local/share/backcare-kiosk"
    backups: int = 7


@dataclass(frozen=True)
class ShutdownConfig:
    enabled: bool = True
    hold_seconds: float = 5.0


@dataclass(frozen=True)
class PsfsConfig:
    """The Patient-Specific Functional Scale (docs/progress.md): the clinician's activities, in
    the person's words, and how often they are asked. No activities: never asked."""

    activities: tuple[str, ...] = ()
    every_weeks: int = 4


def _activities() -> tuple[Check, str]:
    def ok(v: Any) -> bool:
        return isinstance(v, list | tuple) and len(v) <= 5 and all(
            isinstance(a, str) and 0 < len(a) <= 60 and a == a.strip() for a in v)

    return ok, ('a list of up to 5 activities, each 1-60 characters with no spaces around it, '
                'e.g. ["carry the shopping"]')


@dataclass(frozen=True)
class UsbConfig:
    """Where the USB stick for the report and exports is mounted (docs/deploy.md), and whether
    something must be mounted there: false only where the stick is mounted some other way."""

    path: str = "/media/backcare/usb"
    require_mount: bool = True

    @property
    def mount(self) -> Path:
        return Path(os.path.expanduser(self.path))


@dataclass(frozen=True)
class SafetyConfig:
    """When the red-flag questions are asked and what they wait for (docs/safety.md)."""

    cleared_on: date | None = None  # the day a clinician cleared the program; None: not yet
    answer_seconds: float = 60.0  # no answer in this long counts as "yes"
    repeat_days: int = 28  # every group is asked again after this many days
    emergency_days: int = 7  # the emergency group is asked at least this often
    high_pain: int = 9  # a rating this high asks the emergency and urgent groups
    gentle_from: int = 7  # a check-in this high offers only the gentle path


@functools.cache
def packaged_wording() -> Wording:
    """The packaged config/safety.toml; what a missing or broken safety.toml falls back to."""
    wording = _parse_wording(str(DEFAULT_SAFETY), _read_toml(DEFAULT_SAFETY, []) or {}, [])
    assert wording is not None, f"the packaged {DEFAULT_SAFETY} must load"
    return wording


@dataclass(frozen=True)
class Config:
    buttons: ButtonsConfig = field(default_factory=ButtonsConfig)
    leds: LedsConfig = field(default_factory=LedsConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    session: SessionSettings = field(default_factory=SessionSettings)
    progression: ProgressionConfig = field(default_factory=ProgressionConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    shutdown: ShutdownConfig = field(default_factory=ShutdownConfig)
    psfs: PsfsConfig = field(default_factory=PsfsConfig)
    usb: UsbConfig = field(default_factory=UsbConfig)
    safety: SafetyConfig = field(default_factory=SafetyConfig)
    library: Library = field(default_factory=lambda: Library(()))
    rituals: RitualBook = field(default_factory=RitualBook)
    wording: Wording = field(default_factory=packaged_wording)
    signature: SignatureSetup = field(default_factory=SignatureSetup)
    source: str = str(DEFAULT_CONFIG)

    @property
    def data_dir(self) -> Path:
        return Path(os.path.expanduser(self.storage.data_dir))


@dataclass(frozen=True)
class Loaded:
    """A configuration and every problem met while loading it (empty when all is well)."""

    config: Config
    problems: tuple[ConfigError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


# --- small validators ------------------------------------------------------------------------
Check = Callable[[Any], bool]


def _int(lo: int, hi: int) -> tuple[Check, str]:
    def ok(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi

    return ok, f"a whole number from {lo} to {hi}"


def _num(lo: float, hi: float) -> tuple[Check, str]:
    def ok(v: Any) -> bool:
        return (
            isinstance(v, (int, float))
            and not isinstance(v, bool)
            and (isinstance(v, int) or math.isfinite(v))  # isfinite(10**400) raises
            and lo <= v <= hi
        )

    return ok, f"a number from {lo:g} to {hi:g}"


def _bool() -> tuple[Check, str]:
    return (lambda v: isinstance(v, bool)), "true or false"


def _str(max_len: int = 200) -> tuple[Check, str]:
    allowed = f"text of up to {max_len} characters"
    return (lambda v: isinstance(v, str) and len(v) <= max_len), allowed


def _one_of(choices: tuple[str, ...]) -> tuple[Check, str]:
    return (lambda v: v in choices), "one of " + ", ".join(f'"{c}"' for c in choices)


def _path(max_len: int = 400) -> tuple[Check, str]:
    # A NUL passes as text, but no file call takes it: `kiosk run` would stop at mkdir. An
    # empty path is the current folder, wherever the kiosk happened to be started.
    allowed = f"a folder path of 1 to {max_len} characters, without NUL characters"
    return (
        lambda v: isinstance(v, str) and 0 < len(v.strip()) and len(v) <= max_len
        and "\0" not in v
    ), allowed


def _day() -> tuple[Check, str]:
    # None is the default (no clearance yet); a TOML file can only write a date here.
    def ok(v: Any) -> bool:
        return v is None or (isinstance(v, date) and not isinstance(v, datetime))

    return ok, "a date written as 2026-11-20 (no quotes): the day a clinician cleared the program"


def _pin() -> tuple[Check, str]:
    return (lambda v: isinstance(v, int) and not isinstance(v, bool) and v in BCM_PINS), (
        "a BCM GPIO pin number from 2 to 27"
    )


def _led_pin() -> tuple[Check, str]:
    ok_pin, _ = _pin()

    def ok(v: Any) -> bool:  # not v == 0, which false and 0.0 pass
        return (type(v) is int and v == 0) or ok_pin(v)

    return ok, "0 (not fitted) or a BCM GPIO pin from 2 to 27"


# section -> key -> (dataclass field name, (check, allowed))
SCHEMA: dict[str, dict[str, tuple[str, tuple[Check, str]]]] = {
    "buttons": {
        "green": ("green", _pin()),
        "amber": ("amber", _pin()),
        "red": ("red", _pin()),
        "bounce_ms": ("bounce_ms", _int(0, 200)),
        "hold_seconds": ("hold_seconds", _num(0.5, 5)),
        "red_hold_seconds": ("red_hold_seconds", _num(0.5, 5)),
        "stuck_seconds": ("stuck_seconds", _num(3, 60)),
    },
    "leds": {"status": ("status", _led_pin()), "breath": ("breath", _led_pin())},
    "voice": {
        "voice": ("voice", _str(60)),
        "rate": ("rate", _int(80, 300)),
        "volume": ("volume", _num(0, 1)),
        "engine": ("engine", _one_of(ENGINES)),
        "model": ("model", _str(400)),
        "length_scale": ("length_scale", _num(0.8, 2)),
    },
    "session": {
        "inhale_seconds": ("inhale", _num(2, 10)),
        "exhale_seconds": ("exhale", _num(2, 12)),
        "primer_seconds": ("primer_seconds", _num(0, 300)),
        "rating_timeout_seconds": ("rating_timeout", _num(3, 120)),
        "sets": ("sets", _int(1, 5)),
        "rest_seconds": ("rest_seconds", _num(0, 300)),
        "pain_rise_stop": ("pain_rise_stop", _int(1, 5)),
    },
    "progression": {
        "advance_window": ("advance_window", _int(1, 10)),
        "advance_needed": ("advance_needed", _int(1, 10)),
        "fray_fraction": ("fray_fraction", _num(0.1, 1)),
        "fray_sessions": ("fray_sessions", _int(1, 10)),
        "floor_reps": ("floor_reps", _int(1, 10)),
        "quick_rungs": ("quick_rungs", _int(0, 10)),
        "reentry_days": ("reentry_days", _int(2, 90)),
        "bad_day_rise": ("bad_day_rise", _int(1, 10)),
        "bad_day_window": ("bad_day_window", _int(1, 60)),
        "exercises_min": ("exercises_min", _int(1, 8)),
        "exercises_max": ("exercises_max", _int(1, 8)),
        "session_minutes": ("session_minutes", _int(3, 60)),
    },
    "display": {"fps": ("fps", _int(5, 60))},
    "storage": {"data_dir": ("data_dir", _path(400)), "backups": ("backups", _int(1, 60))},
    "shutdown": {"enabled": ("enabled", _bool()), "hold_seconds": ("hold_seconds", _num(3, 30))},
    "psfs": {
        "activities": ("activities", _activities()),
        "every_weeks": ("every_weeks", _int(1, 26)),
    },
    "usb": {"path": ("path", _path(400)), "require_mount": ("require_mount", _bool())},
    "safety": {
        "cleared_on": ("cleared_on", _day()),
        "answer_seconds": ("answer_seconds", _num(20, 300)),
        "repeat_days": ("repeat_days", _int(7, 90)),
        "emergency_days": ("emergency_days", _int(1, 28)),
        "high_pain": ("high_pain", _int(5, 10)),
        "gentle_from": ("gentle_from", _int(3, 10)),
    },
}

SECTION_TYPES: dict[str, type] = {
    "buttons": ButtonsConfig,
    "leds": LedsConfig,
    "voice": VoiceConfig,
    "session": SessionSettings,
    "progression": ProgressionConfig,
    "display": DisplayConfig,
    "storage": StorageConfig,
    "shutdown": ShutdownConfig,
    "psfs": PsfsConfig,
    "usb": UsbConfig,
    "safety": SafetyConfig,
}


# --- loading ------------------------------------------------------------------------------------
def demo_data_dir() -> Path:
    """Where demos and ``make run`` keep their history, never mixed with a person's own."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(base) / "backcare-kiosk-demo"


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to use: --config, then $KIOSK_CONFIG, then /etc, then the packaged one."""
    if explicit:
        return Path(explicit)
    if os.environ.get("KIOSK_CONFIG"):
        return Path(os.environ["KIOSK_CONFIG"])
    if SYSTEM_CONFIG.exists():
        return SYSTEM_CONFIG
    return DEFAULT_CONFIG


def load_config(path: str | os.PathLike[str] | None = None) -> Loaded:
    """Load and validate the kiosk config; never raises for bad content (see module doc)."""
    file = find_config(path)
    problems: list[ConfigError] = []
    raw = _read_toml(file, problems)
    if raw is None and file != DEFAULT_CONFIG:
        bad = problems.pop()
        problems.append(ConfigError(bad.file, bad.key, bad.value,
                                    f"{bad.allowed}; until then the packaged defaults are used"))
        raw = _read_toml(DEFAULT_CONFIG, problems) or {}
    raw = raw or {}
    sections = {name: _section(file, raw, name, problems) for name in SCHEMA}
    _cross_checks(file, sections, problems)
    # The session estimates how long each line takes to say from the voice's own rate.
    sections["session"] = replace(sections["session"], speech_rate_wpm=sections["voice"].rate)
    activities = sections["psfs"].activities
    sections["psfs"] = replace(sections["psfs"], activities=tuple(activities))  # frozen
    for name in raw:
        if name not in SCHEMA and name not in ("exercises", "rituals", "signature"):
            problems.append(ConfigError(str(file), name, raw[name], f"one of {', '.join(SCHEMA)}"))
    library = load_library(_exercises_path(file, raw, problems), problems)
    rituals_path = _sibling_path(file, raw, "rituals", DEFAULT_RITUALS, problems)
    # The packaged rituals beside someone's own exercise list: a ritual on a rung that list
    # does not have is left out quietly; nobody wrote it wrong.
    rituals = load_rituals(rituals_path, library, problems,
                           strict=rituals_path != DEFAULT_RITUALS)
    wording = load_wording(_safety_path(file), problems)
    signature = load_signature(
        _sibling_path(file, raw, "signature", DEFAULT_SIGNATURE, problems), library, problems)
    cfg = Config(library=library, rituals=rituals, wording=wording, signature=signature,
                 source=str(file), **sections)
    return Loaded(cfg, tuple(problems))


def _read_toml(file: Path, problems: list[ConfigError]) -> dict[str, Any] | None:
    try:
        return tomlcache.loads(file, file.read_bytes())  # parsed at install time if packaged
    except FileNotFoundError:
        problems.append(ConfigError(str(file), "(file)", "missing", "an existing TOML file"))
    except OSError as exc:
        problems.append(ConfigError(str(file), "(file)", exc.strerror, "a readable TOML file"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        problems.append(ConfigError(str(file), "(file)", str(exc), "valid TOML"))
    return None


def _section(file: Path, raw: dict[str, Any], name: str, problems: list[ConfigError]) -> Any:
    table = raw.get(name, {})
    kind = SECTION_TYPES[name]
    if not isinstance(table, dict):
        problems.append(ConfigError(str(file), f"[{name}]", table, "a table of settings"))
        return kind()
    values: dict[str, Any] = {}
    for key, value in table.items():
        spec = SCHEMA[name].get(key)
        if spec is None:
            allowed = ", ".join(SCHEMA[name])
            problems.append(ConfigError(str(file), f"{name}.{key}", value, f"one of: {allowed}"))
            continue
        attr, (check, allowed) = spec
        if check(value):
            values[attr] = float(value) if allowed.startswith("a number") else value
        else:
            problems.append(ConfigError(str(file), f"{name}.{key}", value, allowed))
    return kind(**values)


def _cross_checks(file: Path, s: dict[str, Any], problems: list[ConfigError]) -> None:
    b: ButtonsConfig = s["buttons"]
    pins = {"buttons.green": b.green, "buttons.amber": b.amber, "buttons.red": b.red}
    leds: LedsConfig = s["leds"]
    pins |= {f"leds.{k}": v for k, v in (("status", leds.status), ("breath", leds.breath)) if v}
    seen: dict[int, str] = {}
    for name, pin in pins.items():
        if pin in seen:
            problems.append(
                ConfigError(str(file), name, pin, f"a pin not already used by {seen[pin]}")
            )
            # Every pin takes its default (LEDs: not fitted), so none can clash; the button
            # timings are not pins, and are kept.
            d = ButtonsConfig()
            s["buttons"] = replace(b, green=d.green, amber=d.amber, red=d.red)
            s["leds"] = LedsConfig()
            break
        seen[pin] = name
    p: ProgressionConfig = s["progression"]
    dp = ProgressionConfig()  # its pairs are in order, so a pair goes back to them together
    if p.exercises_min > p.exercises_max:
        problems.append(
            ConfigError(
                str(file), "progression.exercises_min", p.exercises_min,
                f"at most progression.exercises_max ({p.exercises_max})",
            )
        )
        p = replace(p, exercises_min=dp.exercises_min, exercises_max=dp.exercises_max)
    if p.advance_needed > p.advance_window:
        problems.append(
            ConfigError(
                str(file), "progression.advance_needed", p.advance_needed,
                f"at most progression.advance_window ({p.advance_window})",
            )
        )
        p = replace(p, advance_needed=dp.advance_needed, advance_window=dp.advance_window)
    s["progression"] = p


def _exercises_path(file: Path, raw: dict[str, Any], problems: list[ConfigError]) -> Path:
    return _sibling_path(file, raw, "exercises", DEFAULT_EXERCISES, problems)


def _sibling_path(
    file: Path, raw: dict[str, Any], key: str, default: Path, problems: list[ConfigError]
) -> Path:
    """The file named by ``key`` (relative to the config), else ``<key>.toml`` beside it."""
    value = raw.get(key)
    if value is None:
        sibling = file.parent / f"{key}.toml"
        return sibling if sibling.exists() else default
    if not isinstance(value, str) or "\0" in value:
        problems.append(ConfigError(str(file), key, value, f"a path to {key}.toml"))
        return default
    return (file.parent / os.path.expanduser(value)).resolve()


def _safety_path(file: Path) -> Path:
    sibling = file.parent / "safety.toml"
    return sibling if sibling.is_file() else DEFAULT_SAFETY


# --- what the kiosk says about itself, and its safety questions --------------------------------
def load_wording(path: Path, problems: list[ConfigError] | None = None) -> Wording:
    """Load config/safety.toml. A broken file falls back to the packaged wording, whole: a
    question set half replaced by defaults would be one nobody has read."""
    problems = problems if problems is not None else []
    before = len(problems)
    raw = _read_toml(path, problems)
    wording = _parse_wording(str(path), raw, problems) if raw is not None else None
    if wording is not None and len(problems) == before:
        return wording
    return packaged_wording()


def _parse_wording(file: str, raw: dict[str, Any], problems: list[ConfigError]) -> Wording | None:
    start = len(problems)
    line_ok, line = (lambda v: isinstance(v, str) and 0 < len(v.strip()) <= 300), "non-empty text"

    def need(table: dict[str, Any], key: str, where: str, check: Check, allowed: str) -> Any:
        value = table.get(key)
        if not check(value):
            problems.append(ConfigError(file, where, value, allowed))
        return value

    def lines_ok(v: Any) -> bool:
        return isinstance(v, list) and 1 <= len(v) <= 4 and all(map(line_ok, v))

    welcome = need(raw, "welcome", "welcome", lines_ok, "a list of one to four lines of text")
    buttons = need(raw, "buttons", "buttons", lines_ok, "a list of one to four lines of text")
    intro = need(raw, "intro", "intro", line_ok, line)
    all_clear = need(raw, "all_clear", "all_clear", line_ok, line)
    advice_raw = raw.get("advice")
    if not isinstance(advice_raw, dict):
        problems.append(ConfigError(file, "[advice]", advice_raw, "a table of advice lines"))
        advice_raw = {}
    advice = {g: need(advice_raw, g.value, f"advice.{g.value}", line_ok, line) for g in GROUPS}
    cleared = need(advice_raw, "cleared", "advice.cleared", line_ok, line)
    questions = _questions(file, raw.get("question"), problems)
    if len(problems) > start:
        return None
    return Wording(
        welcome=tuple(welcome), buttons=tuple(buttons), intro=intro, all_clear=all_clear,
        advice=advice, cleared=cleared, questions=questions,
    )


def _questions(file: str, raw: Any, problems: list[ConfigError]) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(ConfigError(file, "question", raw, "one or more [[question]] tables"))
        return ()
    out: list[Question] = []
    for i, q in enumerate(raw):
        where = f"question[{i}]"
        if not isinstance(q, dict):
            problems.append(ConfigError(file, where, q, "a [[question]] table"))
            continue
        qid, group, text = q.get("id"), q.get("group"), q.get("text")
        if not _is_id(qid) or qid in {x.id for x in out}:
            problems.append(ConfigError(file, f"{where}.id", qid, "a unique lower-case id"))
        elif group not in [g.value for g in GROUPS]:
            problems.append(ConfigError(file, f"{where}.group", group,
                                        "one of " + ", ".join(g.value for g in GROUPS)))
        elif not (isinstance(text, str) and 0 < len(text.strip()) <= 200):
            problems.append(ConfigError(file, f"{where}.text", text, "a question of up to 200 "
                                        "characters"))
        else:
            out.append(Question(str(qid), Group(group), text.strip()))
    for g in GROUPS:
        if out and not any(q.group is g for q in out):
            problems.append(ConfigError(file, "question", f"no {g.value} question",
                                        "at least one question in each group"))
    return tuple(out)


# --- the exercise library ----------------------------------------------------------------------
def load_library(path: Path, problems: list[ConfigError] | None = None) -> Library:
    """Load the exercise ladders. A broken file falls back to the packaged library, whole."""
    problems = problems if problems is not None else []
    before = len(problems)
    raw = _read_toml(path, problems)
    library = _parse_library(str(path), raw, problems) if raw is not None else None
    if library is not None and len(problems) == before:
        return library
    if path != DEFAULT_EXERCISES:
        fallback = _read_toml(DEFAULT_EXERCISES, [])
        parsed = _parse_library(str(DEFAULT_EXERCISES), fallback or {}, [])
        if parsed is not None:
            return parsed
    return library or Library(())


def _parse_library(file: str, raw: dict[str, Any], problems: list[ConfigError]) -> Library | None:
    fams = raw.get("family")
    if not isinstance(fams, list) or not fams:
        problems.append(ConfigError(file, "family", fams, "one or more [[family]] tables"))
        return None
    families: list[Family] = []
    ids: set[str] = set()
    for i, fam in enumerate(fams):
        where = f"family[{i}]"
        if not isinstance(fam, dict):
            problems.append(ConfigError(file, where, fam, "a [[family]] table"))
            continue
        fid, name = fam.get("id"), fam.get("name")
        if not _is_id(fid) or fid in ids:
            problems.append(ConfigError(file, f"{where}.id", fid, "a unique lower-case id"))
            continue
        if not isinstance(name, str) or not name.strip():
            problems.append(ConfigError(file, f"{where}.name", name, "a non-empty name"))
            continue
        rungs = fam.get("variation")
        if not isinstance(rungs, list) or not rungs:  # 5 or "x" or one table: not a ladder
            problems.append(ConfigError(file, f"{where}.variation", rungs,
                                        "one or more [[family.variation]] tables"))
            continue
        ladder = [
            _variation(file, f"{where}.variation[{j}]", v, ids, problems)
            for j, v in enumerate(rungs)
        ]
        if any(v is None for v in ladder):
            continue
        if not _steps_change_what_they_say(file, where, [v for v in ladder if v], problems):
            continue
        ids.add(str(fid))
        families.append(Family(str(fid), name.strip(), tuple(v for v in ladder if v is not None)))
    return Library(tuple(families)) if families else None


def _steps_change_what_they_say(
    file: str, where: str, ladder: list[Variation], problems: list[ConfigError]
) -> bool:
    """A rung that says it holds longer must hold longer, one that says it is slower must be
    slower: the reason the kiosk speaks for a step comes from ``step``, so it must be true."""
    ok = True
    for j, (below, v) in enumerate(zip(ladder, ladder[1:], strict=False), start=1):
        key = f"{where}.variation[{j}].step"
        if v.step == "hold" and v.hold_breaths <= below.hold_breaths:
            problems.append(ConfigError(file, key, v.step,
                                        f"more hold_breaths than the rung below ({below.id})"))
            ok = False
        if v.step == "tempo" and sum(v.tempo) <= sum(below.tempo):
            problems.append(ConfigError(file, key, v.step,
                                        f"a slower tempo than the rung below ({below.id})"))
            ok = False
    if ladder and ladder[0].step != "start":
        problems.append(ConfigError(file, f"{where}.variation[0].step", ladder[0].step,
                                    '"start" (the first rung changes nothing)'))
        ok = False
    return ok


def _is_id(value: Any) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= 40
        and all(c.islower() or c.isdigit() or c == "-" for c in value)
    )


def _variation(
    file: str, where: str, raw: Any, ids: set[str], problems: list[ConfigError]
) -> Variation | None:
    if not isinstance(raw, dict):
        problems.append(ConfigError(file, where, raw, "a [[family.variation]] table"))
        return None
    start = len(problems)

    def need(key: str, check: Check, allowed: str, default: Any = ...) -> Any:
        value = raw.get(key, default)
        if value is ... or not check(value):
            problems.append(ConfigError(file, f"{where}.{key}", raw.get(key), allowed))
            return default if default is not ... else None
        return value

    text = (lambda v: isinstance(v, str) and 0 < len(v.strip()) <= 200), "non-empty text"
    vid = need("id", _is_id, "a unique lower-case id")
    if vid is not None and vid in ids:
        problems.append(ConfigError(file, f"{where}.id", vid, "an id not used elsewhere"))
    name = need("name", *text)
    position = need("position", lambda v: v in POSITIONS, f"one of {', '.join(POSITIONS)}")
    effort = need("effort", lambda v: v in ("exhale", "inhale"), '"exhale" or "inhale"')
    move = need("move", *text)
    back = need("back", *text)
    tempo = need(
        "tempo",
        lambda v: isinstance(v, list) and len(v) == 2 and all(_num(1, 12)[0](x) for x in v),
        "[inhale seconds, exhale seconds], each from 1 to 12",
    )
    cues = need(
        "cues",
        lambda v: isinstance(v, list) and 1 <= len(v) <= 3 and all(text[0](c) for c in v),
        "a list of one to three cues",
    )
    start_reps = need("start_reps", *_int(1, 30))
    max_reps = need("max_reps", *_int(1, 30))
    side = need("side", lambda v: v in SIDES, f"one of {', '.join(SIDES)}", "none")
    hold_breaths = need("hold_breaths", *_int(0, 6), 0)
    fray_tip = need("fray_tip", *text)
    step = need("step", lambda v: v in STEPS, f"one of {', '.join(STEPS)}", "start")
    step_note = need("step_note", *_str(80), "")
    unit = need("unit", lambda v: v in UNITS, f"one of {', '.join(UNITS)}", "reps")
    load = need("load", *_str(60), "")
    if "hold" in raw:
        problems.append(ConfigError(file, f"{where}.hold", raw["hold"],
                                    "hold_breaths: whole breaths held, not seconds"))
    gentle = need("gentle", *_bool(), False)
    if gentle is True and position == "loaded":
        problems.append(ConfigError(file, f"{where}.gentle", gentle,
                                    "false for a loaded variation: the gentle path adds no load"))
    if isinstance(start_reps, int) and isinstance(max_reps, int) and start_reps > max_reps:
        problems.append(
            ConfigError(file, f"{where}.start_reps", start_reps, f"at most max_reps ({max_reps})")
        )
    if step == "load" and not load:
        problems.append(ConfigError(file, f"{where}.load", load,
                                    'what to hold, e.g. "a light weight" (step = "load")'))
    if len(problems) > start:
        return None
    ids.add(vid)
    return Variation(
        id=vid, name=name.strip(), position=position, effort=effort, move=move, back=back,
        tempo=(float(tempo[0]), float(tempo[1])), cues=tuple(cues), start_reps=start_reps,
        max_reps=max_reps, side=side, hold_breaths=hold_breaths, fray_tip=fray_tip.strip(),
        step=step, step_note=step_note.strip(), unit=unit, load=load.strip(), gentle=gentle,
    )


# --- the ritual library and its schedule ------------------------------------------------------
RITUAL_SECONDS = (30.0, 90.0)  # a ritual is a short rehearsal, not a session
BREATH_SLACK = 0.5  # a step's line may run this far past its breath (as in tests/core)
REFERENCE_WPM = 150  # the packaged voice rate


def _clock_time(v: Any) -> int | None:
    """ "HH:MM" (24-hour) as minutes after midnight, or None."""
    if not isinstance(v, str) or len(v) != 5 or v[2] != ":":
        return None
    hh, mm = v[:2], v[3:]
    if not (hh.isdigit() and mm.isdigit()) or int(hh) > 23 or int(mm) > 59:
        return None
    return int(hh) * 60 + int(mm)


def _times(v: Any, most: int) -> tuple[int, ...] | None:
    if not isinstance(v, list) or len(v) > most:
        return None
    out = [_clock_time(x) for x in v]
    return None if any(m is None for m in out) else tuple(m for m in out if m is not None)


SCHEDULE_KEYS: dict[str, tuple[Check, str]] = {
    "quiet_hours": (
        lambda v: _times(v, 2) is not None and len(v) in (0, 2),
        '["HH:MM", "HH:MM"] (from, until; 24-hour) or [] for none',
    ),
    "snooze_minutes": _int(1, 120),
    "answer_minutes": _int(1, 30),
    "window_minutes": _int(5, 240),
}


def load_rituals(
    path: Path, library: Library, problems: list[ConfigError] | None = None,
    *, strict: bool = True,
) -> RitualBook:
    """Load the ritual library and its schedule. A bad value takes its default and a bad
    ritual is left out, each with one problem; an unreadable file falls back to the packaged
    one. Never raises for bad content. Not ``strict``: a ritual on a rung the exercise library
    does not have is left out without a problem.

    Steps are checked against their breath at the reference voice rate (150 words a minute),
    not the configured one: a slower voice is the listener's choice, not a fault in the file.
    """
    problems = problems if problems is not None else []
    requested = str(path)  # named as the source even after a fallback: its problem names it
    raw = _read_toml(path, problems)
    if raw is None and path != DEFAULT_RITUALS:
        bad = problems.pop()
        problems.append(ConfigError(bad.file, bad.key, bad.value,
                                    f"{bad.allowed}; until then the packaged rituals are used"))
        path = DEFAULT_RITUALS
        raw = _read_toml(path, problems)
    if raw is None:
        return RitualBook(source=requested)
    file = str(path)
    schedule = _schedule(file, raw.get("schedule", {}), problems)
    target = _weekly_target(file, raw.get("rhythm", {}), problems)
    rituals = _rituals(file, raw.get("ritual", []), library, schedule, strict, problems)
    for name in raw:
        if name not in ("schedule", "rhythm", "ritual"):
            problems.append(ConfigError(file, name, raw[name], "one of schedule, rhythm, ritual"))
    return RitualBook(rituals, schedule, target, source=requested)


def _schedule(file: str, table: Any, problems: list[ConfigError]) -> ScheduleSettings:
    if not isinstance(table, dict):
        problems.append(ConfigError(file, "[schedule]", table, "a table of settings"))
        return ScheduleSettings()
    values: dict[str, Any] = {}
    for key, value in table.items():
        spec = SCHEDULE_KEYS.get(key)
        if spec is None:
            problems.append(ConfigError(file, f"schedule.{key}", value,
                                        f"one of: {', '.join(SCHEDULE_KEYS)}"))
        elif not spec[0](value):
            problems.append(ConfigError(file, f"schedule.{key}", value, spec[1]))
        elif key == "quiet_hours":
            quiet = _times(value, 2)
            values["quiet"] = (quiet[0], quiet[1]) if quiet else None
        else:
            values[key] = value
    return ScheduleSettings(**values)


def _weekly_target(file: str, table: Any, problems: list[ConfigError]) -> int:
    default = RitualBook().weekly_target
    if not isinstance(table, dict):
        problems.append(ConfigError(file, "[rhythm]", table, "a table of settings"))
        return default
    for key in table:
        if key != "weekly_target":
            problems.append(ConfigError(file, f"rhythm.{key}", table[key], "weekly_target"))
    value = table.get("weekly_target", default)
    check, allowed = _int(1, 7)
    if not check(value):
        problems.append(ConfigError(file, "rhythm.weekly_target", value, allowed))
        return default
    return int(value)


def _rituals(
    file: str, raw: Any, library: Library, schedule: ScheduleSettings, strict: bool,
    problems: list[ConfigError],
) -> tuple[Ritual, ...]:
    if not isinstance(raw, list):
        problems.append(ConfigError(file, "ritual", raw, "[[ritual]] tables"))
        return ()
    ids: set[str] = set()
    out = []
    for i, entry in enumerate(raw):
        missing = isinstance(entry, dict) and not _has_variation(library, entry.get("builds_on"))
        if missing and not strict:
            continue
        ritual = _ritual(file, f"ritual[{i}]", entry, library, schedule, ids, problems)
        if ritual is not None:
            ids.add(ritual.id)
            out.append(ritual)
    return tuple(out)


def _ritual(
    file: str, where: str, raw: Any, library: Library, schedule: ScheduleSettings,
    ids: set[str], problems: list[ConfigError],
) -> Ritual | None:
    if not isinstance(raw, dict):
        problems.append(ConfigError(file, where, raw, "a [[ritual]] table"))
        return None
    start = len(problems)

    def need(key: str, check: Check, allowed: str, default: Any = ...) -> Any:
        if key not in raw and default is not ...:
            return default
        if key not in raw or not check(raw[key]):
            problems.append(ConfigError(file, f"{where}.{key}", raw.get(key), allowed))
            return None
        return raw[key]

    def text(most: int) -> tuple[Check, str]:
        return (lambda v: isinstance(v, str) and 0 < len(v.strip()) <= most), (
            f"non-empty text of up to {most} characters")

    known = {"id", "name", "moment", "builds_on", "setup", "steps", "rounds", "cue", "at", "fits"}
    for key in raw:
        if key not in known:
            problems.append(ConfigError(file, f"{where}.{key}", raw[key],
                                        f"one of: {', '.join(sorted(known))}"))
    rid = need("id", lambda v: _is_id(v) and v not in ids, "a unique lower-case id")
    name = need("name", *text(60))
    moment = need("moment", *text(80))
    setup = need("setup", *text(120))
    variation = None
    vid = need("builds_on", lambda v: isinstance(v, str) and _has_variation(library, v),
               "the id of a variation in the exercise library")
    if vid is not None:
        variation = library.variation(vid)[1]
    steps = need("steps", lambda v: isinstance(v, list) and 1 <= len(v) <= 10
                 and all(text(60)[0](x) for x in v), "a list of one to ten short steps")
    rounds = need("rounds", *_int(1, 4), 1)
    cue = need("cue", lambda v: _int(0, 2)[0](v) and (variation is None
                                                      or v < len(variation.cues)),
               "the number of one of its variation's cues (0 or 1)", None)
    at = need("at", lambda v: _times(v, 6) is not None,
              'a list of up to six times of day, like ["08:00"]', [])
    fits = need("fits", lambda v: v is None or (_times(v, 2) is not None and len(v) == 2),
                '["HH:MM", "HH:MM"]: the part of the day it suits', None)
    times = _times(at, 6) if at is not None else ()
    quiet = tuple(m for m in times or () if schedule.is_quiet(m))
    for m in quiet:
        problems.append(ConfigError(file, f"{where}.at", f"{m // 60:02d}:{m % 60:02d}",
                                    "a time outside the quiet hours"))
    if len(problems) > start:
        return None
    assert variation is not None and steps is not None
    effort = breath_seconds(variation)[1]
    for step in steps:
        line = phrases.ritual_step(variation.effort, step.strip())
        if speech_seconds(line, REFERENCE_WPM) > effort + BREATH_SLACK:
            problems.append(ConfigError(
                file, f"{where}.steps", step,
                f"a step short enough to say in its {effort:g}-second breath"))
            return None
    fit = _times(fits, 2) if fits is not None else None
    ritual = Ritual(
        id=rid, name=name.strip(), moment=moment.strip(), builds_on=vid, setup=setup.strip(),
        steps=tuple(s.strip() for s in steps), rounds=rounds, cue=cue,
        at=tuple(sorted(set(times or ()))), fits=(fit[0], fit[1]) if fit else None,
    )
    seconds = total_seconds(ritual, variation, REFERENCE_WPM)
    lo, hi = RITUAL_SECONDS
    if not lo <= seconds <= hi:
        problems.append(ConfigError(
            file, f"{where}.steps", f"{len(steps)} steps x {rounds} rounds = {seconds:.0f} s",
            f"steps and rounds that take {lo:.0f} to {hi:.0f} seconds"))
        return None
    return ritual


def _has_variation(library: Library, vid: Any) -> bool:
    if not isinstance(vid, str):
        return False
    try:
        library.variation(vid)
    except KeyError:
        return False
    return True


# --- the movement signature: probes and tuning rules (docs/signature.md) ------------------------
DEFAULT_SIGNATURE = PACKAGED / "signature.toml"
RULE_KEYS = ("probe", "when", "family", "reason", "early", "start", "first_side", "extra_reps",
             "hold", "max_position")


def load_signature(
    path: Path, library: Library, problems: list[ConfigError] | None = None
) -> SignatureSetup:
    """Load config/signature.toml. A bad value takes its default and a bad probe or rule is
    left out, each with one problem; an unreadable file falls back to the packaged one (and
    that one failing means no screening at all, never a crash)."""
    problems = problems if problems is not None else []
    raw = _read_toml(path, problems)
    if raw is None and path != DEFAULT_SIGNATURE:
        bad = problems.pop()
        problems.append(ConfigError(bad.file, bad.key, bad.value,
                                    f"{bad.allowed}; until then the packaged signature is used"))
        path = DEFAULT_SIGNATURE
        raw = _read_toml(path, problems)
    if raw is None:
        return SignatureSetup(first_run=False)
    file = str(path)
    for name in raw:
        if name not in ("screening", "probe", "rule"):
            problems.append(ConfigError(file, name, raw[name], "one of screening, probe, rule"))
    every, first = _screening(file, raw.get("screening", {}), problems)
    probes = _probes(file, raw.get("probe", []), problems)
    # The packaged rules beside someone's own exercise list: a rule on a family (or rung) that
    # list does not have is left out quietly, as a packaged ritual is; nobody wrote it wrong.
    strict = path != DEFAULT_SIGNATURE
    rules = _rules(file, raw.get("rule", []), probes, library, problems if strict else [])
    return SignatureSetup(probes, rules, every, first)


def _screening(file: str, table: Any, problems: list[ConfigError]) -> tuple[int, bool]:
    d = SignatureSetup()
    if not isinstance(table, dict):
        problems.append(ConfigError(file, "[screening]", table, "a table of settings"))
        return d.every_days, d.first_run
    every, first = d.every_days, d.first_run
    for key, value in table.items():
        if key == "every_days":
            if _int(0, 365)[0](value):
                every = value
            else:
                problems.append(ConfigError(file, "screening.every_days", value,
                                            "a whole number of days, 0 to 365 (0: only asked)"))
        elif key == "first_run":
            if isinstance(value, bool):
                first = value
            else:
                problems.append(ConfigError(file, "screening.first_run", value, "true or false"))
        else:
            problems.append(ConfigError(file, f"screening.{key}", value,
                                        "one of: every_days, first_run"))
    return every, first


def _line(most: int) -> Check:
    return lambda v: isinstance(v, str) and 0 < len(v.strip()) <= most


def _probes(file: str, raw: Any, problems: list[ConfigError]) -> tuple[Probe, ...]:
    if not isinstance(raw, list):
        problems.append(ConfigError(file, "probe", raw, "[[probe]] tables"))
        return ()
    out: list[Probe] = []
    for i, entry in enumerate(raw):
        where = f"probe[{i}]"
        if not isinstance(entry, dict):
            problems.append(ConfigError(file, where, entry, "a [[probe]] table"))
            continue
        start = len(problems)
        known = ("id", "label", "sides", "setup", "steps")
        for key in entry:
            if key not in known:
                problems.append(ConfigError(file, f"{where}.{key}", entry[key],
                                            f"one of: {', '.join(known)}"))
        pid = entry.get("id")
        if not _is_id(pid) or any(p.id == pid for p in out):
            problems.append(ConfigError(file, f"{where}.id", pid, "a unique lower-case id"))
        label = entry.get("label")
        if not _line(40)(label):
            problems.append(ConfigError(file, f"{where}.label", label,
                                        "non-empty text of up to 40 characters"))
        sides = entry.get("sides", False)
        if not isinstance(sides, bool):
            problems.append(ConfigError(file, f"{where}.sides", sides, "true or false"))
        setup = entry.get("setup")
        if not (isinstance(setup, list) and 1 <= len(setup) <= 4 and all(map(_line(120), setup))):
            problems.append(ConfigError(file, f"{where}.setup", setup,
                                        "a list of one to four short lines"))
        steps = entry.get("steps")
        if not (isinstance(steps, list) and 1 <= len(steps) <= 8 and all(map(_step_ok, steps))):
            problems.append(ConfigError(file, f"{where}.steps", steps,
                                        "a list of one to eight {say = \"...\", seconds = 1-30}"))
        for step in steps if isinstance(steps, list) and len(problems) == start else ():
            # A line must be said within its breath, or the voice runs behind the movement.
            if speech_seconds(step["say"], REFERENCE_WPM) > step["seconds"] + BREATH_SLACK:
                problems.append(ConfigError(
                    file, f"{where}.steps", step["say"],
                    f"a line short enough to say in its {step['seconds']:g} seconds"))
                break
        if len(problems) > start:
            continue
        assert isinstance(pid, str) and isinstance(label, str)
        assert isinstance(setup, list) and isinstance(steps, list)
        out.append(Probe(pid, label.strip(), sides, tuple(s.strip() for s in setup),
                         tuple(ProbeStep(s["say"].strip(), float(s["seconds"])) for s in steps)))
    return tuple(out)


def _step_ok(s: Any) -> bool:
    return (isinstance(s, dict) and set(s) == {"say", "seconds"} and _line(120)(s["say"])
            and _num(1, 30)[0](s["seconds"]))


def _rules(
    file: str, raw: Any, probes: tuple[Probe, ...], library: Library,
    problems: list[ConfigError],
) -> tuple[Rule, ...]:
    if not isinstance(raw, list):
        problems.append(ConfigError(file, "rule", raw, "[[rule]] tables"))
        return ()
    out: list[Rule] = []
    families = {f.id: f for f in library.families}
    for i, entry in enumerate(raw):
        where = f"rule[{i}]"
        if not isinstance(entry, dict):
            problems.append(ConfigError(file, where, entry, "a [[rule]] table"))
            continue
        start = len(problems)

        def need(key: str, check: Check, allowed: str, default: Any = ...,
                 entry: dict[str, Any] = entry, where: str = where) -> Any:
            if key not in entry and default is not ...:
                return default
            if key not in entry or not check(entry[key]):
                problems.append(ConfigError(file, f"{where}.{key}", entry.get(key), allowed))
                return None
            return entry[key]

        for key in entry:
            if key not in RULE_KEYS:
                problems.append(ConfigError(file, f"{where}.{key}", entry[key],
                                            f"one of: {', '.join(RULE_KEYS)}"))
        probe = need("probe", lambda v: any(p.id == v for p in probes),
                     "the id of a [[probe]] in this file")
        when = need("when", lambda v: v in WHEN, f"one of: {', '.join(WHEN)}")
        family = need("family", lambda v: v in families,
                      "the id of a family in the exercise library")
        reason = need("reason", _line(200), "non-empty text of up to 200 characters")
        early = need("early", lambda v: isinstance(v, bool), "true or false", False)
        fam = families.get(family) if isinstance(family, str) else None
        rungs = {x.id for x in fam.ladder} if fam is not None else set()
        start_v = need("start", lambda v: v in rungs,  # noqa: B023 (called at once)
                       "the id of a variation of the rule's family", None)
        first_side = need("first_side", lambda v: v == "stiffer", '"stiffer"', None)
        extra = need("extra_reps", _int(0, 3)[0], "a whole number, 0 to 3", 0)
        hold = need("hold", lambda v: isinstance(v, bool), "true or false", False)
        max_pos = need("max_position", lambda v: v in POSITIONS,
                       f"one of: {', '.join(POSITIONS)}", None)
        if hold and when != "painful":
            problems.append(ConfigError(file, f"{where}.hold", hold,
                                        'hold only with when = "painful": only pain holds back'))
        if first_side and when != "uneven":
            problems.append(ConfigError(file, f"{where}.first_side", first_side,
                                        'first_side only with when = "uneven"'))
        if len(problems) > start:
            continue
        out.append(Rule(probe, when, family, reason.strip(), early, start_v, first_side, extra,
                        hold, max_pos))
    return tuple(out)
