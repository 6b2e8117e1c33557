"""How one value of a config file is read: a ``Spec`` turns what TOML gave (an ``object``) into
the type the dataclass wants, or says what is allowed instead.

Every reader narrows with ``isinstance``: nothing typed ``Any`` leaves this module. ``table`` and
``items`` are the two places a TOML table or array becomes a typed one.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeGuard, TypeVar

from kiosk.errors import ConfigError

T = TypeVar("T")

Check = Callable[[object], bool]


class Invalid(enum.Enum):
    """What a reader gives for a value that is not allowed (``None`` can be an allowed one)."""

    VALUE = 0


BAD = Invalid.VALUE


@dataclass(frozen=True)
class Spec(Generic[T]):
    """One kind of value: ``read`` gives it typed, or ``BAD``; ``allowed`` says what may be
    written instead, in the words a ``ConfigError`` shows."""

    read: Callable[[object], T | Invalid]
    allowed: str

    def check(self, value: object) -> bool:
        return not isinstance(self.read(value), Invalid)


def table(value: object) -> dict[str, object] | None:
    """A TOML table (keys are always text), or None."""
    if not isinstance(value, dict):
        return None
    out: dict[str, object] = value
    return out


def items(value: object) -> list[object] | None:
    """A TOML array, or None."""
    if not isinstance(value, list):
        return None
    out: list[object] = value
    return out


# --- predicates: what a value is ----------------------------------------------------------------
def is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def is_id(v: object) -> TypeGuard[str]:
    return (
        isinstance(v, str)
        and 0 < len(v) <= 40
        and all(c.islower() or c.isdigit() or c == "-" for c in v)
    )


def is_line(v: object, most: int) -> TypeGuard[str]:
    """Text with something in it, at most ``most`` characters once stripped."""
    return isinstance(v, str) and 0 < len(v.strip()) <= most


def lines(v: object, fewest: int, most: int, longest: int) -> tuple[str, ...] | None:
    """A list of ``fewest`` to ``most`` lines of text (as ``is_line``), or None."""
    got = items(v)
    if got is None or not fewest <= len(got) <= most:
        return None
    out = tuple(x for x in got if is_line(x, longest))
    return out if len(out) == len(got) else None


def in_range(v: object, lo: float, hi: float) -> TypeGuard[int | float]:
    return (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and (isinstance(v, int) or math.isfinite(v))  # isfinite(10**400) raises
        and lo <= v <= hi
    )


# --- specs: what a value is, typed, with the words for what is allowed ----------------------------
def whole(lo: int, hi: int, allowed: str = "") -> Spec[int]:
    def read(v: object) -> int | Invalid:
        return v if is_int(v) and lo <= v <= hi else BAD

    return Spec(read, allowed or f"a whole number from {lo} to {hi}")


def number(lo: float, hi: float) -> Spec[float]:
    """Any number in the range, read as a float (a whole number written as 5 is 5.0)."""

    def read(v: object) -> float | Invalid:
        return float(v) if in_range(v, lo, hi) else BAD

    return Spec(read, f"a number from {lo:g} to {hi:g}")


def boolean() -> Spec[bool]:
    return Spec(lambda v: v if isinstance(v, bool) else BAD, "true or false")


def text(max_len: int = 200) -> Spec[str]:
    return Spec(lambda v: v if isinstance(v, str) and len(v) <= max_len else BAD,
                f"text of up to {max_len} characters")


def line(most: int, allowed: str) -> Spec[str]:
    """Text with something in it (``is_line``), as it was written."""
    return Spec(lambda v: v if is_line(v, most) else BAD, allowed)


def choice(choices: Container[str], allowed: str) -> Spec[str]:
    return Spec(lambda v: v if isinstance(v, str) and v in choices else BAD, allowed)


def one_of(choices: tuple[str, ...]) -> Spec[str]:
    return choice(choices, "one of " + ", ".join(f'"{c}"' for c in choices))


def ident(allowed: str = "a unique lower-case id", taken: Container[str] = ()) -> Spec[str]:
    return Spec(lambda v: v if is_id(v) and v not in taken else BAD, allowed)


def folder(max_len: int = 400) -> Spec[str]:
    # A NUL passes as text, but no file call takes it: `kiosk run` would stop at mkdir. An
    # empty path is the current folder, wherever the kiosk happened to be started.
    def read(v: object) -> str | Invalid:
        if isinstance(v, str) and v.strip() and len(v) <= max_len and "\0" not in v:
            return v
        return BAD

    return Spec(read, f"a folder path of 1 to {max_len} characters, without NUL characters")


def day() -> Spec[date | None]:
    # None is the default (no clearance yet); a TOML file can only write a date here.
    def read(v: object) -> date | None | Invalid:
        if v is None or (isinstance(v, date) and not isinstance(v, datetime)):
            return v
        return BAD

    return Spec(read, "a date written as 2026-11-20 (no quotes): the day a clinician cleared "
                      "the program")


BCM_PINS = range(2, 28)


def pin() -> Spec[int]:
    return Spec(lambda v: v if is_int(v) and v in BCM_PINS else BAD,
                "a BCM GPIO pin number from 2 to 27")


def led_pin() -> Spec[int]:
    def read(v: object) -> int | Invalid:  # not v == 0, which false and 0.0 pass
        return v if is_int(v) and (type(v) is int and v == 0 or v in BCM_PINS) else BAD

    return Spec(read, "0 (not fitted) or a BCM GPIO pin from 2 to 27")


def activities() -> Spec[tuple[str, ...]]:
    # A tuple passes too: it is how the (frozen) config holds the list it was given.
    def read(v: object) -> tuple[str, ...] | Invalid:
        if not isinstance(v, list | tuple) or len(v) > 5:
            return BAD
        got: tuple[object, ...] = tuple(v)
        out = tuple(a for a in got if isinstance(a, str) and 0 < len(a) <= 60 and a == a.strip())
        return out if len(out) == len(got) else BAD

    return Spec(read, 'a list of up to 5 activities, each 1-60 characters with no spaces '
                      'around it, e.g. ["carry the shopping"]')


# --- times of day ---------------------------------------------------------------------------------
def clock_time(v: object) -> int | None:
    """ "HH:MM" (24-hour) as minutes after midnight, or None."""
    if not isinstance(v, str) or len(v) != 5 or v[2] != ":":
        return None
    hh, mm = v[:2], v[3:]
    if not (hh.isdigit() and mm.isdigit()) or int(hh) > 23 or int(mm) > 59:
        return None
    return int(hh) * 60 + int(mm)


def times(v: object, most: int) -> tuple[int, ...] | None:
    """A list of up to ``most`` times of day, as minutes after midnight, or None."""
    got = items(v)
    if got is None or len(got) > most:
        return None
    out = [clock_time(x) for x in got]
    return None if any(m is None for m in out) else tuple(m for m in out if m is not None)


# --- one table, read key by key ------------------------------------------------------------------
D = TypeVar("D")


class Fields:
    """One table of a file (a [[family.variation]], a [[ritual]], ...), read key by key: a value
    missing or not allowed is one problem, named ``where.key``, and the table is then left out."""

    def __init__(self, file: str, where: str, values: dict[str, object],
                 problems: list[ConfigError]) -> None:
        self.file, self.where, self.values, self.problems = file, where, values, problems
        self.start = len(problems)

    @property
    def failed(self) -> bool:
        """Whether any problem was met since this table was begun."""
        return len(self.problems) > self.start

    def problem(self, key: str, value: object, allowed: str) -> None:
        self.problems.append(ConfigError(self.file, f"{self.where}.{key}", value, allowed))

    def need(self, key: str, spec: Spec[T]) -> T | None:
        """The value of ``key``, which must be written; None (and a problem) when it is not,
        or is not allowed."""
        got = spec.read(self.values[key]) if key in self.values else BAD
        if isinstance(got, Invalid):
            self.problem(key, self.values.get(key), spec.allowed)
            return None
        return got

    def get(self, key: str, spec: Spec[T], default: D) -> T | D:
        """The value of ``key``, or ``default`` when it is not written, or (with a problem)
        is not allowed."""
        if key not in self.values:
            return default
        got = spec.read(self.values[key])
        if isinstance(got, Invalid):
            self.problem(key, self.values[key], spec.allowed)
            return default
        return got

    def unknown(self, known: Iterable[str], allowed: str) -> None:
        """A problem for each key not in ``known``, in the order written."""
        names = set(known)
        for key, value in self.values.items():
            if key not in names:
                self.problem(key, value, allowed)


# --- one section of settings, key by key ---------------------------------------------------------
class Section:
    """One [section] of settings as written, such as kiosk.toml's [voice]. ``take`` reads a key
    into its type, or gives its default; ``finish`` then reports, in the order written, each
    value not allowed and each key that no ``take`` asked for."""

    def __init__(self, file: str, name: str, values: dict[str, object]) -> None:
        self.file, self.name, self.values = file, name, values
        self.keys: dict[str, tuple[str, tuple[Check, str]]] = {}  # key -> (field, spec)
        self.bad: dict[str, str] = {}  # key -> what is allowed
        self.kind: type = object  # the dataclass it was read into

    def take(self, key: str, spec: Spec[T], default: T, field: str = "") -> T:
        """The value of ``key`` (the dataclass ``field`` of the same name unless given), or
        ``default`` when it is not written or not allowed."""
        self.keys[key] = (field or key, (spec.check, spec.allowed))
        if key not in self.values:
            return default
        got = spec.read(self.values[key])
        if isinstance(got, Invalid):
            self.bad[key] = spec.allowed
            return default
        return got

    def finish(self, problems: list[ConfigError]) -> None:
        for key, value in self.values.items():
            if key not in self.keys:
                problems.append(ConfigError(self.file, f"{self.name}.{key}", value,
                                            f"one of: {', '.join(self.keys)}"))
            elif key in self.bad:
                problems.append(ConfigError(self.file, f"{self.name}.{key}", value,
                                            self.bad[key]))


# --- lines said on a breath -----------------------------------------------------------------------
BREATH_SLACK = 0.5  # a line may run this far past its breath (as in tests/core)
REFERENCE_WPM = 150  # the packaged voice rate: lines are checked at it, not at the configured one
