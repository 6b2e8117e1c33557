"""What a saved field may hold beyond its type: the rules the store's codec reads from the
records' declarations (``kiosk.core.data.records``, ``kiosk.core.coach.safety``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

DAY_S = 24 * 3600  # no session, and nothing in one, lasts a day: a longer time is damage
MAX_TARGET = 1000  # far above any ladder's max_reps; a bigger target is damage, not a plan


@dataclass(frozen=True)
class Rule:
    """What a saved field may hold, beyond its type: checked by the store's codec on the way
    out and on the way in. ``what`` is how a message names it ("a pain rating 0-10")."""

    what: str
    low: float | None = None  # numbers: the least allowed
    high: float | None = None  # numbers: the most allowed
    values: tuple[str, ...] | None = None  # text: the only values allowed
    nonempty: bool = False  # text: not ""


def OneOf(values: tuple[str, ...]) -> Rule:  # noqa: N802  # reads as a type in declarations
    return Rule("one of " + "|".join(values), values=values)


Text = Annotated[str, Rule("non-empty text", nonempty=True)]
Count = Annotated[int, Rule("a whole number >= 0", low=0)]
Pain = Annotated[int, Rule("a pain rating 0-10", 0, 10)]
Score = Annotated[int, Rule("a score 0-10", 0, 10)]
Seconds = Annotated[float, Rule(f"a number of seconds from 0 to {DAY_S}", 0, DAY_S)]
Target = Annotated[int, Rule(f"a whole number 0-{MAX_TARGET}", 0, MAX_TARGET)]
# A field whose key is written only when it holds something (read back as its default).
WHEN_SET = {"json": "when set"}


def absent_means(value: object) -> dict[str, object]:
    """A field added later whose absence in an older file means ``value``, not its default
    (the default is what new records hold); written only when it is not ``value``."""
    return {"absent": value}
