"""Every error and warning the kiosk raises, in one hierarchy.

Each leaf also inherits the built-in it resembles, so ``except ValueError`` still works. A
message names the file, key or device at fault and says what to do instead. Where the kiosk can
carry on in a lesser way (no speaker, no screen) it warns with a ``KioskWarning`` instead.
"""

from __future__ import annotations


class KioskError(Exception):
    """Root of every error the kiosk raises on purpose."""


class KioskWarning(UserWarning):
    """A degraded mode: the kiosk carries on without something (speaker, screen, TTS...)."""


class ConfigError(KioskError, ValueError):
    """A configuration file is unreadable or holds a value that is not allowed."""

    def __init__(self, file: str, key: str, value: object, allowed: str) -> None:
        self.file, self.key, self.value, self.allowed = file, key, value, allowed
        super().__init__(f"{file}: {key} = {value!r} is not allowed; expected {allowed}")


class StorageError(KioskError, OSError):
    """History could not be read or written."""


class HardwareError(KioskError, RuntimeError):
    """A device (GPIO, display, audio) could not be opened; the message names the fix."""


class RecordError(KioskError, ValueError):
    """A session record, or the history file holding it, does not match docs/data.md."""
