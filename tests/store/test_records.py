"""The codec: typed records to schema-1 JSON and back, strict on the way out, and on the way in
either strict (the store's check of a file) or lenient (keep what is whole, say what was not)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_samples import real_json, real_record

from kiosk.core.coach.safety import Answer, Group, How, Outcome, Reason, SafetyCheck
from kiosk.core.data.records import (
    LEGS,
    PROBE_RATINGS,
    PROGRAM_SOURCES,
    RATINGS,
    RITUAL_OUTCOMES,
    RITUAL_RATINGS,
    SCREENING_REASONS,
    SESSION_ENDS,
    SET_ENDS,
    SIDES,
    ExerciseRecord,
    PainEntry,
    PainEvent,
    ProbeResult,
    ProgramRecord,
    PsfsRecord,
    PsfsScore,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
    SetRecord,
    checksum,
    last_pain,
)
from kiosk.errors import RecordError
from kiosk.store.records import (
    KINDS,
    MAX_BYTES,
    decode,
    decode_each,
    encode,
    from_json,
    load_json,
    parse_history,
    to_json,
)

PROPS = settings(max_examples=150, deadline=None)


def test_a_real_session_record_passes_both_ways() -> None:
    record = real_record()
    assert decode(encode(record)) == record


def test_a_session_is_written_as_schema_1_always_wrote_it() -> None:
    raw = real_json("s-1")
    assert list(raw) == ["schema", "id", "plan_date", "started_at", "ended_at", "duration_s",
                         "pain_before", "pain_after", "ended_by", "exercises", "pain_events",
                         "rules"]  # issue 26: the coaching rules it was planned under
    assert raw["schema"] == 1 and "kind" not in raw and raw["rules"] == 2
    assert raw["started_at"] == "2026-11-25T09:00:00"


def test_the_leg_answer_is_written_only_once_asked_and_older_sessions_read_as_not_asked(
) -> None:
    """Issue 27: ``legs`` (none | one | both) joins the session; a session saved before it,
    or with the question off, has no key and reads back as None (not asked)."""
    old = decode(real_json("s-1"))
    assert "legs" not in real_json("s-1") and isinstance(old, SessionRecord) and old.legs is None
    asked = replace(real_record("s-1"), legs="one")
    assert encode(asked)["legs"] == "one" and decode(encode(asked)) == asked


def test_extra_fields_are_allowed() -> None:
    raw = real_json()
    raw["device"] = {"name": "kiosk-2"}
    assert decode(raw) == real_record()


def test_a_session_may_say_its_kind() -> None:
    assert decode(real_json() | {"kind": "session"}) == real_record()


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
    "rep rating": (_set("exercises.0.sets.0.reps", ["maybe"]), "exercises[0].sets[0].reps[0]"),
    "set ending": (_set("exercises.0.sets.0.ended_by", ""), "target|fray|pain|stop|timeout"),
    "skipped as text": (_set("exercises.2.skipped", "yes"), "true or false"),
    "event not object": (_set("pain_events", [3]), "pain_events[0] must be an object"),
    "unknown kind": (_set("kind", "diary"), "of kind 'diary'"),
    "clean reps above reps": (_set("exercises.0.sets.0.clean_reps", 10**9), "more than its 2 reps"),
    "negative duration": (_set("duration_s", -1), "record.duration_s"),
    "duration over a day": (_set("duration_s", 86401), "from 0 to 86400"),
    "pain event after a day": (_set("pain_events.0.at_s", 1e308), "at_s"),
    "target of a billion": (_set("exercises.0.target", 10**9), "exercises[0].target"),
    "legs as yes": (_set("legs", "yes"), "record.legs must be one of none|one|both"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_record_is_refused_with_its_session_and_field(name: str) -> None:
    change, words = BROKEN[name]
    raw = copy.deepcopy(real_json("s-42"))
    change(raw)
    with pytest.raises(RecordError) as err:
        decode(raw)
    assert words in str(err.value)
    if raw.get("id") == "s-42":
        assert "'s-42'" in str(err.value)
    assert isinstance(err.value, ValueError)  # `except ValueError` still catches it


SPOILED = {
    "pain 11": lambda r: replace(r, pain_after=11),
    "NaN duration": lambda r: replace(r, duration_s=float("nan")),
    "empty id": lambda r: replace(r, id=""),
    "unknown ending": lambda r: replace(r, ended_by="crash"),
    "rep rating": lambda r: replace(
        r, exercises=(replace(r.exercises[0], sets=(SetRecord(None, ("maybe",), 0, "fray"),)),)
    ),
    "negative pain entry": lambda r: PainEntry("p", datetime(2026, 1, 1), -1),
    "ritual of an unknown outcome": lambda r: RitualRecord(
        "r", "wind-down", "Wind-down", "rib-breathing", "rib-breathing-side", None,
        datetime(2026, 1, 1), "later", None, 0.0, 0),
}


@pytest.mark.parametrize("name", SPOILED)
def test_writing_refuses_what_reading_would_refuse(name: str) -> None:
    with pytest.raises(RecordError):
        encode(SPOILED[name](real_record("s-42")))


def test_a_lenient_read_keeps_the_whole_records_and_names_the_others() -> None:
    good, other = real_json("a"), real_json("c")
    found = decode_each([good, {"schema": 1, "id": "b"}, "junk", other])
    assert [r.id for r in found.records.values()] == ["a", "c"]
    assert list(found.records) == [1, 4]  # numbered by their place in what was read
    assert len(found.skipped) == 2
    assert "record 2" in found.skipped[0] and "session 'b'" in found.skipped[0]
    assert "record 3" in found.skipped[1]


def test_last_pain_is_the_newest_rating() -> None:
    assert last_pain([]) is None
    old = real_record("a", pain_before=5, pain_after=4)
    stopped = replace(real_record("b"), pain_before=3, pain_after=None)
    unrated = replace(real_record("c"), pain_before=None, pain_after=None)
    logged = PainEntry("p", datetime(2026, 11, 25, 20, 0), 7)
    assert last_pain([old]) == 4
    assert last_pain([old, stopped]) == 3
    assert last_pain([old, stopped, unrated]) == 3
    assert last_pain([old, logged, unrated]) == 7
    assert last_pain([logged, old]) == 4


# --- round trips over every kind -----------------------------------------------------------
text = st.text(min_size=1, max_size=12)
pain = st.integers(0, 10)
seconds = st.floats(0, 10_000, allow_nan=False, allow_infinity=False)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
sets = st.builds(
    lambda side, reps, ended: SetRecord(side, tuple(reps), reps.count("clean"), ended),
    st.sampled_from([None, "left", "right"]),
    st.lists(st.sampled_from(RATINGS), max_size=12),
    st.sampled_from(SET_ENDS),
)
exercises = st.builds(
    ExerciseRecord,
    family=text, variation=text, name=st.text(max_size=20), target=st.integers(0, 30),
    change=st.sampled_from(["same", "advance", "back", "reenter", "bad-day", "new"]),
    reason=st.text(max_size=40), skipped=st.booleans(),
    sets=st.lists(sets, max_size=4).map(tuple), load=st.none() | text,
)
events = st.builds(
    PainEvent,
    at_s=seconds, family=st.none() | text, variation=st.none() | text,
    set=st.none() | st.integers(0, 9), rep=st.none() | st.integers(0, 30),
    phase=st.sampled_from(["primer", "intro", "set", "rest"]), pain=st.none() | pain,
)
session_records = st.builds(
    lambda sid, day, start, duration, before, after, ended, exs, evs, legs: SessionRecord(
        sid, day, start, start + timedelta(seconds=duration), duration, before, after, ended,
        tuple(exs), tuple(evs), legs=legs,
    ),
    text, st.dates(min_value=date(2000, 1, 1)), times, seconds, st.none() | pain,
    st.none() | pain, st.sampled_from(SESSION_ENDS), st.lists(exercises, max_size=5),
    st.lists(events, max_size=4), st.none() | st.sampled_from(LEGS),
)
pain_entries = st.builds(PainEntry, id=text, at=times, pain=pain, note=st.text(max_size=40))
psfs_records = st.builds(
    PsfsRecord, id=text, at=times,
    scores=st.lists(st.builds(PsfsScore, text, st.integers(0, 10)), max_size=5).map(tuple),
)
ritual_records = st.builds(
    RitualRecord,
    id=text, ritual=text, name=st.text(max_size=30), family=text, variation=text,
    slot=st.none() | text, at=times.map(lambda t: t.replace(microsecond=0)),
    outcome=st.sampled_from(RITUAL_OUTCOMES), rating=st.none() | st.sampled_from(RITUAL_RATINGS),
    duration_s=seconds, steps_done=st.integers(0, 40),
)
safety_checks = st.builds(
    SafetyCheck,
    id=text, day=st.dates(min_value=date(2000, 1, 1)), at=times,
    reason=st.sampled_from(Reason), groups=st.lists(st.sampled_from(Group)).map(tuple),
    answers=st.lists(st.builds(Answer, text, st.sampled_from(Group), st.sampled_from(How)),
                     max_size=12).map(tuple),
    pain=st.none() | pain, outcome=st.sampled_from(Outcome),
)
screening_records = st.builds(
    ScreeningRecord,
    id=text, day=st.dates(min_value=date(2000, 1, 1)), at=times,
    reason=st.sampled_from(SCREENING_REASONS),
    results=st.lists(st.builds(ProbeResult, text, st.none() | st.sampled_from(SIDES),
                               st.sampled_from(PROBE_RATINGS), st.none() | pain),
                     max_size=12).map(tuple),
    complete=st.booleans(),
)
program_records = st.builds(
    lambda rid, at, body, source: ProgramRecord(rid, at, body, checksum(body), source),
    text, times, st.text(max_size=200), st.sampled_from(PROGRAM_SOURCES),
)
any_record: st.SearchStrategy[Record] = st.one_of(
    session_records, pain_entries, safety_checks, ritual_records, psfs_records,
    screening_records, program_records
)


def test_a_program_whose_text_changed_on_the_card_is_refused() -> None:
    # The checksum guards the text: an edit (or a flipped bit) is never obeyed as a program.
    kept = ProgramRecord("p", datetime(2026, 12, 8, 9), 'families = ["bridge"]\n',
                         checksum('families = ["bridge"]\n'))
    raw = encode(kept)
    assert decode(raw) == kept
    raw["text"] = 'families = ["bridge", "plank"]\n'
    with pytest.raises(RecordError, match="checksum does not match its text"):
        decode(raw)


def test_every_kind_has_a_strategy_here() -> None:
    # A new kind of record joins the round trips below: add its strategy to any_record.
    assert {k.type for k in KINDS.values()} == {SessionRecord, PainEntry, SafetyCheck,
                                                RitualRecord, PsfsRecord, ScreeningRecord,
                                                ProgramRecord}


@given(any_record)
@PROPS
def test_property_every_record_reads_back_as_it_was_written(record: Record) -> None:
    assert decode(encode(record)) == record


@given(any_record)
@PROPS
def test_property_what_is_written_is_plain_json_and_writes_again_the_same(record: Record) -> None:
    import json

    raw = encode(record)
    again = json.loads(json.dumps(raw, allow_nan=False))
    assert again == raw
    assert encode(decode(again)) == raw


@given(st.lists(any_record, max_size=6))
@PROPS
def test_property_a_lenient_read_of_whole_records_skips_nothing(records: list[Record]) -> None:
    found = decode_each([encode(r) for r in records])
    assert found.skipped == ()
    assert list(found.records.values()) == records


def test_a_key_written_twice_is_damage_not_a_silent_choice() -> None:
    good = json.dumps({"sessions": {"1": real_json("a")}})
    with pytest.raises(RecordError, match="the key 'sessions' twice"):
        parse_history((good[:-1] + ', "sessions": {}}').encode())


def test_a_number_too_long_to_convert_is_damage() -> None:
    with pytest.raises(RecordError, match="a value no kiosk writes"):
        parse_history(b'{"sessions": {"1": ' + b"9" * 5000 + b"}}")


def test_future_dates_stay_allowed() -> None:
    # docs/progression.md: a clock that jumps ahead must not make a session unreadable.
    future = real_record("f", "2099-12-31T23:00:00")
    assert decode(encode(future)) == future


def test_a_document_nested_too_deep_is_damage_not_a_crash() -> None:
    raw = b'{"sessions": {"1": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    with pytest.raises(RecordError, match="nests too deeply"):
        parse_history(raw)
    with pytest.raises(RecordError, match="nests too deeply"):
        load_json(raw)


def test_deep_keys_a_record_does_not_declare_are_never_walked() -> None:
    raw = real_json("a") | {"device": json.loads('{"a": ' * 200 + "1" + "}" * 200)}
    assert decode(raw) == real_record("a")


def test_a_document_too_big_is_damage_refused_before_it_is_parsed() -> None:
    raw = b" " * (MAX_BYTES + 1)  # would be "empty" if it were parsed
    with pytest.raises(RecordError, match=f"more than the {MAX_BYTES}"):
        parse_history(raw)


def test_what_the_kiosk_writes_nests_within_the_bound() -> None:
    deepest = {"sessions": {"1": real_json("a")}}
    assert load_json(json.dumps(deepest).encode()) == deepest


@dataclass(frozen=True)
class _DayBefore:
    day: date
    sessions: int


@dataclass(frozen=True)
class _DayAfter:  # the same, once a field was added: one edit, no codec change
    day: date
    sessions: int
    rests: int = 0
    note: str | None = None


def test_a_field_added_with_a_default_reads_from_what_was_written_before_it() -> None:
    old = json.loads(json.dumps(to_json([_DayBefore(date(2026, 1, 2), 3)])))
    assert old == [{"day": "2026-01-02", "sessions": 3}]
    assert from_json(_DayAfter, old[0]) == _DayAfter(date(2026, 1, 2), 3)
    new = to_json(_DayAfter(date(2026, 1, 2), 3, 1, "walk"))
    assert from_json(_DayAfter, new) == _DayAfter(date(2026, 1, 2), 3, 1, "walk")
    with pytest.raises(RecordError, match="the snapshot has no 'sessions'"):
        from_json(_DayAfter, {"day": "2026-01-02"})
    with pytest.raises(RecordError, match=r"the snapshot.rests must be a whole number"):
        from_json(_DayAfter, {"day": "2026-01-02", "sessions": 1, "rests": True})
