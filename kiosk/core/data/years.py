"""The years the kiosk keeps: a date outside them is a typing slip at input and damage in a file.

A history starts no earlier than 1900 and a kiosk runs no later than 2200; between them every
date, a week's plan ahead and a month's snapshot included, is well inside Python's calendar
(which ends at 9999-12-31 and overflows there)."""

from __future__ import annotations

FIRST_YEAR, LAST_YEAR = 1900, 2200


def outside(record: object) -> str | None:
    """The first date or time of ``record`` (a dataclass) outside the kiosk's years, in words;
    None when all are inside."""
    import dataclasses
    from datetime import date

    if not dataclasses.is_dataclass(record):
        return None
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            return f"{f.name} {value.isoformat()} is outside {FIRST_YEAR}-{LAST_YEAR}"
    return None
