"""The shape of a saved session (schema 1, see docs/data.md) and of the history file around it.

The same checks guard both doors: a record the kiosk is about to save, and a history file read
at start-up. A file that fails them is treated as damaged, so anything this module accepts on
save it must also accept on load. Unknown extra fields are allowed and kept (a newer kiosk may
add fields without changing their meaning); a missing field or a wrong type is not.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from kiosk.errors import RecordError

SCHEMA_VERSION = 1  # the only version this store reads and writes; docs/data.md describes it
TABLE = "sessions"  # the one TinyDB table in history.json; its document keys are `seq`

SESSION_ENDS = ("complete", "pain", "stop", "timeout", "interrupted")
SET_ENDS = ("target", "fray", "pain", "stop", "timeout")
RATINGS = ("clean", "slipped")
DAY_S = 24 * 3600  # no session, and nothing in one, lasts a day: a longer time is damage
MAX_TARGET = 1000  # far above any ladder's max_reps; a bigger target is damage, not a plan

Check = Callable[[object, str], None]


class _Bad(Exception):
    """One problem found in a record; turned into a RecordError that names the session."""


def _is(test: Callable[[Any], bool], what: str) -> Check:
    def check(value: object, where: str) -> None:
        if not test(value):
            raise _Bad(f"{where} must be {what}, not {value!r:.40}")

    return check


def _optional(inner: Check) -> Check:
    def check(value: object, where: str) -> None:
        if value is not None:
            inner(value, where)

    return check


def _list_of(item: Check) -> Check:
    def check(value: object, where: str) -> None:
        if not isinstance(value, list):
            raise _Bad(f"{where} must be a list, not {value!r:.40}")
        for i, v in enumerate(value):
            item(v, f"{where}[{i}]")

    return check


def _fields(spec: Mapping[str, Check]) -> Check:
    def check(value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise _Bad(f"{where} must be an object, not {value!r:.40}")
        for key, check_field in spec.items():
            if key not in value:
                raise _Bad(f"{where} has no {key!r}")
            check_field(value[key], f"{where}.{key}")

    return check


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    # NaN and infinity are not JSON; json.dumps would write them anyway and break other readers.
    return (_is_int(v) or isinstance(v, float)) and math.isfinite(v)  # type: ignore[arg-type]


def _parses(parse: Callable[[str], object]) -> Callable[[object], bool]:
    def test(v: object) -> bool:
        try:
            parse(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return True

    return test


def _schema(value: object, where: str) -> None:
    if not _is_int(value) or value != SCHEMA_VERSION:
        raise _Bad(f"{where} is {value!r:.40}; this kiosk reads schema {SCHEMA_VERSION} only")


_text = _is(lambda v: isinstance(v, str) and v != "", "non-empty text")
_str = _is(lambda v: isinstance(v, str), "text")
_count = _is(lambda v: _is_int(v) and v >= 0, "a whole number >= 0")
_seconds = _is(
    lambda v: _is_number(v) and 0 <= v <= DAY_S, f"a number of seconds from 0 to {DAY_S}"
)
_target = _is(lambda v: _is_int(v) and 0 <= v <= MAX_TARGET, f"a whole number 0-{MAX_TARGET}")
_pain = _optional(_is(lambda v: _is_int(v) and 0 <= v <= 10, "a pain rating 0-10 or null"))
_day = _is(_parses(date.fromisoformat), "a date YYYY-MM-DD")
_time = _is(_parses(datetime.fromisoformat), "an ISO 8601 timestamp")


def _one_of(values: tuple[str, ...]) -> Check:
    return _is(lambda v: v in values, "one of " + "|".join(values))


def _all(*checks: Check) -> Check:
    def check(value: object, where: str) -> None:
        for each in checks:
            each(value, where)

    return check


def _clean_within_reps(value: Any, where: str) -> None:
    if value["clean_reps"] > len(value["reps"]):
        raise _Bad(
            f"{where}.clean_reps is {value['clean_reps']!r:.40}, more than its "
            f"{len(value['reps'])} reps"
        )


_set = _all(
    _fields(
        {
            "side": _optional(_text),
            "reps": _list_of(_one_of(RATINGS)),
            "clean_reps": _count,
            "ended_by": _one_of(SET_ENDS),
        }
    ),
    _clean_within_reps,
)
_exercise = _fields(
    {
        "family": _text,
        "variation": _text,
        "name": _str,
        "target": _target,
        "change": _str,
        "reason": _str,
        "skipped": _is(lambda v: isinstance(v, bool), "true or false"),
        "sets": _list_of(_set),
    }
)
_pain_event = _fields(
    {
        "at_s": _seconds,
        "family": _optional(_text),
        "variation": _optional(_text),
        "set": _optional(_count),
        "rep": _optional(_count),
        "phase": _str,
        "pain": _pain,
    }
)
_session = _fields(
    {
        "schema": _schema,
        "id": _text,
        "plan_date": _day,
        "started_at": _time,
        "ended_at": _time,
        "duration_s": _seconds,
        "pain_before": _pain,
        "pain_after": _pain,
        "ended_by": _one_of(SESSION_ENDS),
        "exercises": _list_of(_exercise),
        "pain_events": _list_of(_pain_event),
    }
)


def _plain_json(value: object, where: str) -> None:
    """Only what JSON holds, so that writing can never fail half-way on an odd value."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise _Bad(f"{where} has a key {k!r:.40} that is not text")
            _plain_json(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _plain_json(v, f"{where}[{i}]")
    elif not (value is None or isinstance(value, str | bool | int) or _is_number(value)):
        raise _Bad(f"{where} must be JSON (text, number, true/false, null, list, object)")


def check_record(record: object) -> None:
    """Raise ``RecordError`` unless ``record`` is a schema-1 session record."""
    _check(record, _session, _plain_json)


def _check(record: object, *checks: Check) -> None:
    rid = record.get("id") if isinstance(record, dict) else None
    try:
        for check in checks:
            check(record, "record")
    except _Bad as e:
        name = f"session {rid!r}" if isinstance(rid, str) else "session record"
        raise RecordError(f"{name}: {e} (see docs/data.md)") from None


def parse_history(raw: bytes) -> dict[int, dict[str, Any]]:
    """Decode a history file into ``{seq: record}`` in save order, or raise ``RecordError``.

    The file is TinyDB's layout with one table: ``{"sessions": {"<seq>": record, ...}}``.
    """
    if not raw.strip():
        raise RecordError("the file is empty")
    try:
        data = json.loads(
            raw.decode("utf-8"), parse_constant=_no_constant, object_pairs_hook=_no_duplicates
        )
    except UnicodeDecodeError as e:
        raise RecordError(f"the file is not UTF-8 text ({e.reason} at byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise RecordError(f"the file is not valid JSON ({e})") from None
    except RecursionError:
        raise RecordError("the file nests too deeply to be a history") from None
    except ValueError as e:  # a number too long for Python to convert, for one
        raise RecordError(f"the file holds a value no kiosk writes ({e})") from None
    return check_database(data)


def _no_constant(name: str) -> None:
    raise RecordError(f"the file holds {name}, which is not JSON and which we never write")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON allows a key twice and keeps the last; we never write that, so it is damage.

    Keeping the last copy silently would lose whatever the other copies hold: a second
    ``"sessions"`` would hide every session in the first. salvage.py reads every copy.
    """
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise RecordError(f"the file has the key {key!r:.40} twice in one object")
        data[key] = value
    return data


def check_database(data: object) -> dict[int, dict[str, Any]]:
    """Check a decoded history file and return its sessions as ``{seq: record}``."""
    if not isinstance(data, dict) or set(data) - {TABLE}:
        raise RecordError(f'the file must hold {{"{TABLE}": {{...}}}} and nothing else')
    table = data.get(TABLE, {})
    if not isinstance(table, dict):
        raise RecordError(f'"{TABLE}" must be an object keyed by sequence number')
    sessions: dict[int, dict[str, Any]] = {}
    for key, record in table.items():
        if not re.fullmatch(r"[1-9][0-9]*", key):
            raise RecordError(f"{key!r} is not a sequence number")
        _check(record, _session)  # parsed JSON is plain JSON: no need to look for odd types
        sessions[int(key)] = record
    ids = [r["id"] for r in sessions.values()]
    if len(set(ids)) != len(ids):
        raise RecordError("a session id appears twice")
    return dict(sorted(sessions.items()))


def last_pain(records: Iterable[Mapping[str, Any]]) -> int | None:
    """The latest pain rating: the newest session's check-out, else its check-in."""
    for record in reversed(list(records)):
        for key in ("pain_after", "pain_before"):
            if record.get(key) is not None:
                return int(record[key])
    return None
