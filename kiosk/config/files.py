"""Where the config files are, how one is read, and the packaged file read in its place.

A file that cannot be read or parsed is one ``ConfigError`` on its ``(file)`` key; what it parses
to is a plain table of ``object`` values for the loaders to read with ``kiosk.config.values``.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
import tomllib
from pathlib import Path

from kiosk.errors import ConfigError

PACKAGED = Path(__file__).resolve().parent.parent.parent / "config"
DEFAULT_CONFIG = PACKAGED / "kiosk.toml"
DEFAULT_EXERCISES = PACKAGED / "exercises.toml"
DEFAULT_RITUALS = PACKAGED / "rituals.toml"
DEFAULT_SAFETY = PACKAGED / "safety.toml"
DEFAULT_SIGNATURE = PACKAGED / "signature.toml"
DEFAULT_PROGRAM = PACKAGED / "program.toml"
SYSTEM_CONFIG = Path("/etc/backcare-kiosk/kiosk.toml")

Raw = dict[str, object]  # a parsed file: its top-level tables and keys
MAX_BYTES = 1_000_000  # a config file is a few kilobytes; ten megabytes of it is a mistake


def read_file(file: Path) -> bytes:
    """The bytes of a config file: a regular file (a link to one is fine: config lives outside
    the data directory) of at most ``MAX_BYTES``. Opened with O_NONBLOCK and checked before a
    byte is read, so a FIFO or a device named as the config is refused at once, never waited
    on or read without end. ``OSError`` in words (``strerror``) otherwise."""
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file (a FIFO, device or folder)",
                          str(file))
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError(errno.EFBIG, f"it is bigger than {MAX_BYTES // 1_000_000} MB, far more "
                      "than any config", str(file))
    return data


def read_toml(file: Path, problems: list[ConfigError]) -> Raw | None:
    """The parsed file, or None and one problem when it cannot be read or parsed."""
    try:
        return _parse(read_file(file).decode("utf-8"))
    except FileNotFoundError:
        problems.append(ConfigError(str(file), "(file)", "missing", "an existing TOML file"))
    except OSError as exc:
        problems.append(ConfigError(str(file), "(file)", exc.strerror, "a readable TOML file"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        problems.append(ConfigError(str(file), "(file)", str(exc), "valid TOML"))
    return None


@functools.lru_cache(maxsize=16)  # type: ignore[misc]  # typeshed's Callable[..., T]
def _parse(text: str) -> Raw:
    """What ``text`` parses to. The same text is parsed once a process (the packaged files are
    read again by each ``load_config``, and the tests load hundreds): the loaders only read what
    this returns, never change it. Raises as ``tomllib`` does."""
    raw: Raw = tomllib.loads(text)  # tomllib's dict[str, Any]: the one untyped value
    return raw


def read_or_packaged(
    path: Path, packaged: Path, instead: str, problems: list[ConfigError]
) -> tuple[Path, Raw] | None:
    """``path`` and what it parses to; when it cannot be read or parsed, its problem says that
    ``instead`` (e.g. "the packaged rituals are") is used until it is fixed, and the packaged
    file is read in its place. None when neither can be read."""
    raw = read_toml(path, problems)
    if raw is None and path != packaged:
        bad = problems.pop()
        problems.append(ConfigError(bad.file, bad.key, bad.value,
                                    f"{bad.allowed}; until then {instead} used"))
        path, raw = packaged, read_toml(packaged, problems)
    return None if raw is None else (path, raw)


def sibling_path(
    file: Path, raw: Raw, key: str, default: Path, problems: list[ConfigError]
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


def safety_path(file: Path) -> Path:
    """safety.toml beside the config, else the packaged one (it is never named in the config)."""
    sibling = file.parent / "safety.toml"
    return sibling if sibling.is_file() else DEFAULT_SAFETY
