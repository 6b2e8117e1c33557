"""The kiosk's TOML configuration, validated into frozen dataclasses.

Bad input never stops the kiosk: every invalid value is reported as a ``ConfigError`` that names
the file, the key, the value and what is allowed, and that key takes its default. A file that
cannot be read or parsed at all falls back to the packaged defaults in ``config/``. ``kiosk
check`` prints the problems and exits non-zero, so they are found before the kiosk is left alone.

One file per config file, each read from TOML into its dataclasses with nothing untyped on the
way (only the dict ``tomllib`` returns, in ``files.read_toml``):

- ``load``       ``load_config``: kiosk.toml and the files beside it, into one ``Config``
- ``settings``   kiosk.toml's [sections]: their dataclasses, keys and checks across keys
- ``exercises``  config/exercises.toml, the exercise library
- ``rituals``    config/rituals.toml, the rituals and their schedule
- ``safety``     config/safety.toml, the wording and the red-flag questions
- ``signature``  config/signature.toml, the screening's probes and the tuning rules
- ``files``      where the files are; reading one; the packaged file read in its place
- ``values``     how one value is read into its type (``Spec``), and a table key by key

A new kiosk.toml key is a field on its section's dataclass and one ``take`` line in the
section's builder (settings.py); a new section is a dataclass, a builder and one line in
``read_settings``. ``SCHEMA`` follows from the builders.
"""

from kiosk.config.exercises import POSITIONS, SIDES, STEPS, UNITS, load_library
from kiosk.config.files import (
    DEFAULT_CONFIG,
    DEFAULT_EXERCISES,
    DEFAULT_RITUALS,
    DEFAULT_SAFETY,
    DEFAULT_SIGNATURE,
    PACKAGED,
    SYSTEM_CONFIG,
)
from kiosk.config.load import Config, Loaded, demo_data_dir, find_config, load_config
from kiosk.config.rituals import RITUAL_SECONDS, load_rituals
from kiosk.config.safety import load_wording, packaged_wording
from kiosk.config.settings import (
    ENGINES,
    SCHEMA,
    SECTION_TYPES,
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
)
from kiosk.config.signature import RULE_KEYS, load_signature
from kiosk.config.values import BCM_PINS, BREATH_SLACK, REFERENCE_WPM, Check

__all__ = [
    "BCM_PINS", "BREATH_SLACK", "DEFAULT_CONFIG", "DEFAULT_EXERCISES", "DEFAULT_RITUALS",
    "DEFAULT_SAFETY", "DEFAULT_SIGNATURE", "ENGINES", "PACKAGED", "POSITIONS", "REFERENCE_WPM",
    "RITUAL_SECONDS", "RULE_KEYS", "SCHEMA", "SECTION_TYPES", "SIDES", "STEPS", "SYSTEM_CONFIG",
    "UNITS", "ButtonsConfig", "Check", "Config", "DisplayConfig", "LedsConfig", "Loaded",
    "ProgressionConfig", "PsfsConfig", "SafetyConfig", "ShutdownConfig", "StorageConfig",
    "UsbConfig", "VoiceConfig", "demo_data_dir", "find_config", "load_config", "load_library",
    "load_rituals", "load_signature", "load_wording", "packaged_wording",
]
