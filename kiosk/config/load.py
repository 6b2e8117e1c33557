"""The kiosk's whole configuration: kiosk.toml and the files beside it, read into one ``Config``.

Bad input never stops the kiosk (see the package doc): ``load_config`` hands back a ``Config``
the kiosk can run on and every problem it met, each naming the file, the key, the value and
what is allowed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config.exercises import load_library
from kiosk.config.files import (
    DEFAULT_CONFIG,
    DEFAULT_EXERCISES,
    DEFAULT_PROGRAM,
    DEFAULT_RITUALS,
    DEFAULT_SIGNATURE,
    SYSTEM_CONFIG,
    read_or_packaged,
    safety_path,
    sibling_path,
)
from kiosk.config.program import load_rhythm
from kiosk.config.rituals import load_rituals
from kiosk.config.safety import load_wording, packaged_wording
from kiosk.config.settings import (
    SCHEMA,
    ButtonsConfig,
    DisplayConfig,
    LedsConfig,
    ProgressionConfig,
    PsfsConfig,
    SafetyConfig,
    ShutdownConfig,
    StorageConfig,
    UsbConfig,
    VoiceConfig,
    read_settings,
)
from kiosk.config.signature import load_signature
from kiosk.core.coach.program import Rhythm
from kiosk.core.coach.rituals import RitualBook
from kiosk.core.coach.safety import Wording
from kiosk.core.coach.signature import SignatureSetup
from kiosk.core.data.model import Library, SessionSettings
from kiosk.errors import ConfigError

SIBLINGS = ("exercises", "rituals", "signature", "program")  # kiosk.toml keys naming the others


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
    # The program and the rhythm rules' settings (config/program.toml, [progression]).
    rhythm: Rhythm = field(default_factory=Rhythm)

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
    """Load and validate the kiosk config; never raises for bad content (see the package doc)."""
    file = find_config(path)
    problems: list[ConfigError] = []
    # An unreadable kiosk.toml reads the packaged one in its place; problems still name it,
    # and the files beside it are still looked for beside it.
    read = read_or_packaged(file, DEFAULT_CONFIG, "the packaged defaults are", problems)
    raw = read[1] if read is not None else {}
    s = read_settings(file, raw, problems)
    for name in raw:
        if name not in SCHEMA and name not in SIBLINGS:
            problems.append(ConfigError(str(file), name, raw[name], f"one of {', '.join(SCHEMA)}"))
    library = load_library(sibling_path(file, raw, "exercises", DEFAULT_EXERCISES, problems),
                           problems)
    library, rhythm = load_rhythm(sibling_path(file, raw, "program", DEFAULT_PROGRAM, problems),
                                  library, s.progression, s.session, problems)
    rituals_path = sibling_path(file, raw, "rituals", DEFAULT_RITUALS, problems)
    # The packaged rituals beside someone's own exercise list: a ritual on a rung that list
    # does not have is left out quietly; nobody wrote it wrong.
    rituals = load_rituals(rituals_path, library, problems,
                           strict=rituals_path != DEFAULT_RITUALS)
    wording = load_wording(safety_path(file), problems)
    signature = load_signature(
        sibling_path(file, raw, "signature", DEFAULT_SIGNATURE, problems), library, problems)
    cfg = Config(
        buttons=s.buttons, leds=s.leds, voice=s.voice, session=s.session,
        progression=s.progression, display=s.display, storage=s.storage, shutdown=s.shutdown,
        psfs=s.psfs, usb=s.usb, safety=s.safety, library=library, rituals=rituals,
        wording=wording, signature=signature, source=str(file), rhythm=rhythm,
    )
    return Loaded(cfg, tuple(problems))
