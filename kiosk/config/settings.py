"""The settings of kiosk.toml: one frozen dataclass per [section], and how each is read.

Each section is read by one function that calls its dataclass with every key it knows, each
key read by its ``Spec`` into the field's type: the builder is the one declaration of the
section's keys, and mypy checks each value against its field. ``SCHEMA`` and
``SECTION_TYPES`` are derived from the builders, for ``kiosk check`` and the tests.

An invalid value is one ``ConfigError`` and takes its default; the valid keys around it are kept.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TypeVar

from kiosk.config.files import Raw
from kiosk.config.values import (
    Check,
    Section,
    activities,
    boolean,
    day,
    folder,
    led_pin,
    number,
    one_of,
    pin,
    table,
    text,
    whole,
)
from kiosk.core.data.model import SessionSettings
from kiosk.errors import ConfigError

S = TypeVar("S")


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
    # The rhythm rules (issue 26, docs/progression.md): a break's step back grows with it.
    away_two_steps_days: int = 14
    away_rung_start_days: int = 28
    away_restart_days: int = 60
    wait_hurts: int = 3  # RED for pain in this many of a family's last wait_of sessions: waits
    wait_of: int = 5
    meet_after: int = 3  # middle-band sessions in a row before the target meets the clean count
    walk_cap_minutes: int = 30  # walking climbs to this
    walk_away_minutes: int = 7  # a walk this long happens away from the kiosk, then confirmed


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
    leg_question: bool = True  # leg symptoms asked at every check-in, before the red flags


@dataclass(frozen=True)
class Settings:
    """Every section of kiosk.toml, read and checked against each other."""

    buttons: ButtonsConfig
    leds: LedsConfig
    voice: VoiceConfig
    session: SessionSettings
    progression: ProgressionConfig
    display: DisplayConfig
    storage: StorageConfig
    shutdown: ShutdownConfig
    psfs: PsfsConfig
    usb: UsbConfig
    safety: SafetyConfig


# --- the sections: each key, its spec and its default, in the order they are listed ---------------
def _buttons(s: Section) -> ButtonsConfig:
    d = ButtonsConfig()
    return ButtonsConfig(
        green=s.take("green", pin(), d.green),
        amber=s.take("amber", pin(), d.amber),
        red=s.take("red", pin(), d.red),
        bounce_ms=s.take("bounce_ms", whole(0, 200), d.bounce_ms),
        hold_seconds=s.take("hold_seconds", number(0.5, 5), d.hold_seconds),
        red_hold_seconds=s.take("red_hold_seconds", number(0.5, 5), d.red_hold_seconds),
        stuck_seconds=s.take("stuck_seconds", number(3, 60), d.stuck_seconds),
    )


def _leds(s: Section) -> LedsConfig:
    d = LedsConfig()
    return LedsConfig(status=s.take("status", led_pin(), d.status),
                      breath=s.take("breath", led_pin(), d.breath))


def _voice(s: Section) -> VoiceConfig:
    d = VoiceConfig()
    return VoiceConfig(
        voice=s.take("voice", text(60), d.voice),
        rate=s.take("rate", whole(80, 300), d.rate),
        volume=s.take("volume", number(0, 1), d.volume),
        engine=s.take("engine", one_of(ENGINES), d.engine),
        model=s.take("model", text(400), d.model),
        length_scale=s.take("length_scale", number(0.8, 2), d.length_scale),
    )


def _session(s: Section) -> SessionSettings:
    d = SessionSettings()
    return SessionSettings(
        inhale=s.take("inhale_seconds", number(2, 10), d.inhale, "inhale"),
        exhale=s.take("exhale_seconds", number(2, 12), d.exhale, "exhale"),
        primer_seconds=s.take("primer_seconds", number(0, 300), d.primer_seconds),
        rating_timeout=s.take("rating_timeout_seconds", number(3, 120), d.rating_timeout,
                              "rating_timeout"),
        sets=s.take("sets", whole(1, 5), d.sets),
        rest_seconds=s.take("rest_seconds", number(0, 300), d.rest_seconds),
        pain_rise_stop=s.take("pain_rise_stop", whole(1, 5), d.pain_rise_stop),
    )


def _progression(s: Section) -> ProgressionConfig:
    d = ProgressionConfig()
    return ProgressionConfig(
        advance_window=s.take("advance_window", whole(1, 10), d.advance_window),
        advance_needed=s.take("advance_needed", whole(1, 10), d.advance_needed),
        fray_fraction=s.take("fray_fraction", number(0.1, 1), d.fray_fraction),
        fray_sessions=s.take("fray_sessions", whole(1, 10), d.fray_sessions),
        floor_reps=s.take("floor_reps", whole(1, 10), d.floor_reps),
        quick_rungs=s.take("quick_rungs", whole(0, 10), d.quick_rungs),
        reentry_days=s.take("reentry_days", whole(2, 90), d.reentry_days),
        bad_day_rise=s.take("bad_day_rise", whole(1, 10), d.bad_day_rise),
        bad_day_window=s.take("bad_day_window", whole(1, 60), d.bad_day_window),
        exercises_min=s.take("exercises_min", whole(1, 8), d.exercises_min),
        exercises_max=s.take("exercises_max", whole(1, 8), d.exercises_max),
        session_minutes=s.take("session_minutes", whole(3, 60), d.session_minutes),
        away_two_steps_days=s.take("away_two_steps_days", whole(3, 365), d.away_two_steps_days),
        away_rung_start_days=s.take("away_rung_start_days", whole(3, 365),
                                    d.away_rung_start_days),
        away_restart_days=s.take("away_restart_days", whole(3, 3650), d.away_restart_days),
        wait_hurts=s.take("wait_hurts", whole(1, 10), d.wait_hurts),
        wait_of=s.take("wait_of", whole(1, 20), d.wait_of),
        meet_after=s.take("meet_after", whole(1, 10), d.meet_after),
        walk_cap_minutes=s.take("walk_cap_minutes", whole(1, 120), d.walk_cap_minutes),
        walk_away_minutes=s.take("walk_away_minutes", whole(1, 120), d.walk_away_minutes),
    )


def _display(s: Section) -> DisplayConfig:
    return DisplayConfig(fps=s.take("fps", whole(5, 60), DisplayConfig().fps))


def _storage(s: Section) -> StorageConfig:
    d = StorageConfig()
    return StorageConfig(data_dir=s.take("data_dir", folder(400), d.data_dir),
                         backups=s.take("backups", whole(1, 60), d.backups))


def _shutdown(s: Section) -> ShutdownConfig:
    d = ShutdownConfig()
    return ShutdownConfig(enabled=s.take("enabled", boolean(), d.enabled),
                          hold_seconds=s.take("hold_seconds", number(3, 30), d.hold_seconds))


def _psfs(s: Section) -> PsfsConfig:
    d = PsfsConfig()
    return PsfsConfig(activities=s.take("activities", activities(), d.activities),
                      every_weeks=s.take("every_weeks", whole(1, 26), d.every_weeks))


def _usb(s: Section) -> UsbConfig:
    d = UsbConfig()
    return UsbConfig(path=s.take("path", folder(400), d.path),
                     require_mount=s.take("require_mount", boolean(), d.require_mount))


def _safety(s: Section) -> SafetyConfig:
    d = SafetyConfig()
    return SafetyConfig(
        cleared_on=s.take("cleared_on", day(), d.cleared_on),
        answer_seconds=s.take("answer_seconds", number(20, 300), d.answer_seconds),
        repeat_days=s.take("repeat_days", whole(7, 90), d.repeat_days),
        emergency_days=s.take("emergency_days", whole(1, 28), d.emergency_days),
        high_pain=s.take("high_pain", whole(5, 10), d.high_pain),
        gentle_from=s.take("gentle_from", whole(3, 10), d.gentle_from),
        leg_question=s.take("leg_question", boolean(), d.leg_question),
    )


# --- the whole file -------------------------------------------------------------------------------
def read_settings(
    file: Path, raw: Raw, problems: list[ConfigError], read: dict[str, Section] | None = None
) -> Settings:
    """Every section of ``raw`` (kiosk.toml as parsed), each problem named by ``file``. Each
    section as read is kept in ``read``, when given."""
    sections = read if read is not None else {}

    def section(name: str, build: Callable[[Section], S]) -> S:
        values = table(raw.get(name, {}))
        if values is None:
            problems.append(ConfigError(str(file), f"[{name}]", raw[name], "a table of settings"))
            values = {}
        sections[name] = Section(str(file), name, values)
        got = build(sections[name])
        sections[name].kind = type(got)
        sections[name].finish(problems)
        return got

    settings = Settings(
        buttons=section("buttons", _buttons),
        leds=section("leds", _leds),
        voice=section("voice", _voice),
        session=section("session", _session),
        progression=section("progression", _progression),
        display=section("display", _display),
        storage=section("storage", _storage),
        shutdown=section("shutdown", _shutdown),
        psfs=section("psfs", _psfs),
        usb=section("usb", _usb),
        safety=section("safety", _safety),
    )
    settings = _cross_checks(str(file), settings, problems)
    # The session estimates how long each line takes to say from the voice's own rate.
    return replace(settings, session=replace(settings.session,
                                             speech_rate_wpm=settings.voice.rate))


def _cross_checks(file: str, s: Settings, problems: list[ConfigError]) -> Settings:
    b, leds = s.buttons, s.leds
    pins = {"buttons.green": b.green, "buttons.amber": b.amber, "buttons.red": b.red}
    pins |= {f"leds.{k}": v for k, v in (("status", leds.status), ("breath", leds.breath)) if v}
    seen: dict[int, str] = {}
    for name, p in pins.items():
        if p in seen:
            problems.append(ConfigError(file, name, p, f"a pin not already used by {seen[p]}"))
            # Every pin takes its default (LEDs: not fitted), so none can clash; the button
            # timings are not pins, and are kept.
            d = ButtonsConfig()
            s = replace(s, buttons=replace(b, green=d.green, amber=d.amber, red=d.red),
                        leds=LedsConfig())
            break
        seen[p] = name
    g = s.progression
    dp = ProgressionConfig()  # its pairs are in order, so a pair goes back to them together
    if g.exercises_min > g.exercises_max:
        problems.append(ConfigError(file, "progression.exercises_min", g.exercises_min,
                                    f"at most progression.exercises_max ({g.exercises_max})"))
        g = replace(g, exercises_min=dp.exercises_min, exercises_max=dp.exercises_max)
    if g.advance_needed > g.advance_window:
        problems.append(ConfigError(file, "progression.advance_needed", g.advance_needed,
                                    f"at most progression.advance_window ({g.advance_window})"))
        g = replace(g, advance_needed=dp.advance_needed, advance_window=dp.advance_window)
    return replace(s, progression=g)


def _declared() -> dict[str, Section]:
    sections: dict[str, Section] = {}
    read_settings(Path(), {}, [], sections)
    return sections


# section -> key -> (dataclass field name, (check, allowed)), and section -> its dataclass:
# what the builders above ask for, read once from an empty file.
_DECLARED = _declared()
SCHEMA: dict[str, dict[str, tuple[str, tuple[Check, str]]]] = {
    name: section.keys for name, section in _DECLARED.items()
}
SECTION_TYPES: dict[str, type] = {name: section.kind for name, section in _DECLARED.items()}
