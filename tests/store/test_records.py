"""The schema-1 check: what the kiosk saves passes, anything else is named and refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from store_samples import real_record

from kiosk.core.session import SCHEMA_VERSION as CORE_SCHEMA
from kiosk.errors import RecordError
from kiosk.store.records import SCHEMA_VERSION, check_record, last_pain, parse_history


def test_store_reads_the_schema_the_core_writes() -> None:
    # A new core schema needs a new reader here (and a line in docs/data.md) first.
    assert SCHEMA_VERSION == CORE_SCHEMA


def test_a_real_session_record_passes() -> None:
    check_record(real_record())


def test_extra_fields_are_allowed() -> None:
    record = real_record()
    record["device"] = {"name": "kiosk-2"}
    check_record(record)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(r: dict[str, Any]) -> None:
        target: Any = r
        *path, last = key.split(".")
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value

    return change


BROKEN = {
    "schema 2": (_set("schema", 2), "schema 1 only"),
    "schema as text": (_set("schema", "1"), "schema 1 only"),
    "no id": (lambda r: r.pop("id"), "has no 'id'"),
    "empty id": (_set("id", ""), "record.id must be non-empty text"),
    "pain as words": (_set("pain_before", "two"), "record.pain_before must be a pain rating"),
    "pain 11": (_set("pain_after", 11), "record.pain_after must be a pain rating"),
    "unknown ending": (_set("ended_by", "crash"), "complete|pain|stop|timeout"),
    "bad start time": (_set("started_at", "yesterday"), "ISO 8601"),
    "bad plan date": (_set("plan_date", "25/11/2026"), "YYYY-MM-DD"),
    "nan duration": (_set("duration_s", float("nan")), "record.duration_s"),
    "rep rating": (_set("exercises.0.sets.0.reps", ["maybe"]), "exercises[0].sets[0].reps[0]"),
    "set ending": (_set("exercises.0.sets.0.ended_by", ""), "target|fray|pain|stop|timeout"),
    "skipped as text": (_set("exercises.2.skipped", "yes"), "true or false"),
    "event not object": (_set("pain_events", [3]), "pain_events[0] must be an object"),
    "not JSON": (_set("device", {1, 2}), "must be JSON"),
    "clean reps above reps": (_set("exercises.0.sets.0.clean_reps", 10**9), "more than its 2 reps"),
    "negative duration": (_set("duration_s", -1), "record.duration_s"),
    "duration over a day": (_set("duration_s", 86401), "from 0 to 86400"),
    "pain event after a day": (_set("pain_events.0.at_s", 1e308), "at_s"),
    "target of a billion": (_set("exercises.0.target", 10**9), "exercises[0].target"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_record_is_refused_with_its_session_and_field(name: str) -> None:
    change, words = BROKEN[name]
    record = copy.deepcopy(real_record("s-42"))
    change(record)
    with pytest.raises(RecordError) as err:
        check_record(record)
    assert words in str(err.value)
    if record.get("id") == "s-42":
        assert "session 's-42'" in str(err.value)
    assert isinstance(err.value, ValueError)  # `except ValueError` still catches it


def test_last_pain_is_the_newest_rating() -> None:
    assert last_pain([]) is None
    old = real_record("a", pain_before=5, pain_after=4)
    stopped = real_record("b") | {"pain_before": 3, "pain_after": None}
    unrated = real_record("c") | {"pain_before": None, "pain_after": None}
    assert last_pain([old]) == 4
    assert last_pain([old, stopped]) == 3
    assert last_pain([old, stopped, unrated]) == 3


def test_a_key_written_twice_is_damage_not_a_silent_choice() -> None:
    good = json.dumps({"sessions": {"1": real_record("a")}})
    with pytest.raises(RecordError, match="the key 'sessions' twice"):
        parse_history((good[:-1] + ', "sessions": {}}').encode())


def test_a_number_too_long_to_convert_is_damage() -> None:
    with pytest.raises(RecordError, match="a value no kiosk writes"):
        parse_history(b'{"sessions": {"1": ' + b"9" * 5000 + b"}}")


def test_future_dates_stay_allowed() -> None:
    # docs/progression.md: a clock that jumps ahead must not make a session unreadable.
    check_record(real_record("f", "2099-12-31T23:00:00"))
