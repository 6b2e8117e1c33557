"""The codec: the typed records of ``kiosk.core.data.records`` as JSON (schema 1, docs/data.md).

This is the one place that knows what a record looks like as a dict. The same checks guard
both doors. Writing is strict: ``encode`` refuses a record that holds anything the schema does
not allow, so nothing odd reaches the disk. Reading comes in two strengths: ``decode`` and
``parse_history`` refuse anything wrong (the store treats such a file as damaged and recovers
it, see history.py), while ``decode_each`` and ``read_history`` keep every record that is
whole and report, in words, each one they skipped. Anything this module accepts on save it
also accepts on load. Unknown extra fields in a file are allowed (a newer kiosk may add fields
without changing their meaning) and ignored by the types; a missing field or a wrong type is not.

Each kind of record has a ``kind`` tag in its JSON and an entry in ``KINDS``. A session, the
first kind, is written without a tag, exactly as schema 1 always wrote it, and a record with no
tag is a session.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.core.coach.safety import Answer, Group, How, Outcome, Reason, SafetyCheck
from kiosk.core.data.records import (
    PROBE_RATINGS,
    RATINGS,
    RITUAL_OUTCOMES,
    RITUAL_RATINGS,
    SCHEMA_VERSION,
    SCREENING_REASONS,
    SESSION_ENDS,
    SET_ENDS,
    SIDES,
    ExerciseRecord,
    PainEntry,
    PainEvent,
    ProbeResult,
    PsfsRecord,
    PsfsScore,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
    SetRecord,
)
from kiosk.errors import RecordError

TABLE = "sessions"  # the one TinyDB table in history.json, for every kind; its keys are `seq`
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
            if key not in value and key not in _MAY_BE_ABSENT:
                raise _Bad(f"{where} has no {key!r}")
            check_field(value.get(key), f"{where}.{key}")

    return check


# A record with no kind tag is a session (schema 1 as first written); an exercise with no load
# had none (the key is written only when the person confirmed one); a safety round that was no
# follow-up has no "seen" (the key came with the red-flag follow-up).
_MAY_BE_ABSENT = ("kind", "load", "seen")


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
        "load": _optional(_text),
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
        "kind": _optional(_one_of(("session",))),
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
_pain_entry = _fields(
    {
        "schema": _schema,
        "kind": _one_of(("pain",)),
        "id": _text,
        "at": _time,
        "pain": _is(lambda v: _is_int(v) and 0 <= v <= 10, "a pain rating 0-10"),
        "note": _str,
    }
)
_psfs = _fields(
    {
        "schema": _schema,
        "kind": _one_of(("psfs",)),
        "id": _text,
        "at": _time,
        "scores": _list_of(
            _fields(
                {
                    "activity": _text,
                    "score": _is(lambda v: _is_int(v) and 0 <= v <= 10, "a score 0-10"),
                }
            )
        ),
    }
)
_ritual = _fields(
    {
        "schema": _schema,
        "kind": _one_of(("ritual",)),
        "id": _text,
        "ritual": _text,
        "name": _str,
        "family": _text,
        "variation": _text,
        "slot": _optional(_text),
        "at": _time,
        "outcome": _one_of(RITUAL_OUTCOMES),
        "rating": _optional(_one_of(RITUAL_RATINGS)),
        "duration_s": _seconds,
        "steps_done": _count,
    }
)

_screening = _fields(
    {
        "schema": _schema,
        "kind": _one_of(("screening",)),
        "id": _text,
        "day": _day,
        "at": _time,
        "reason": _one_of(SCREENING_REASONS),
        "complete": _is(lambda v: isinstance(v, bool), "true or false"),
        "results": _list_of(_fields({
            "probe": _text,
            "side": _optional(_one_of(SIDES)),
            "rating": _one_of(PROBE_RATINGS),
            "pain": _pain,
        })),
    }
)

_GROUPS = tuple(g.value for g in Group)
_safety = _fields(
    {
        "schema": _schema,
        "kind": _one_of(("safety",)),
        "id": _text,
        "day": _day,
        "at": _time,
        "reason": _one_of(tuple(r.value for r in Reason)),
        "groups": _list_of(_one_of(_GROUPS)),
        "answers": _list_of(_fields({
            "question": _text,
            "group": _one_of(_GROUPS),
            "how": _one_of(tuple(h.value for h in How)),
            "answer": _one_of(("yes", "no")),
        })),
        "pain": _pain,
        "outcome": _one_of(tuple(o.value for o in Outcome)),
        "seen": _optional(_one_of(tuple(h.value for h in How))),
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


# --- from types to JSON and back, one kind at a time ---------------------------------------------
def _encode_session(r: SessionRecord) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "id": r.id,
        "plan_date": _iso(r.plan_date),
        "started_at": _iso(r.started_at),
        "ended_at": _iso(r.ended_at),
        "duration_s": r.duration_s,
        "pain_before": r.pain_before,
        "pain_after": r.pain_after,
        "ended_by": r.ended_by,
        "exercises": [
            {
                "family": ex.family,
                "variation": ex.variation,
                "name": ex.name,
                "target": ex.target,
                "change": ex.change,
                "reason": ex.reason,
                "skipped": ex.skipped,
                "sets": [
                    {
                        "side": s.side,
                        "reps": list(s.reps),
                        "clean_reps": s.clean_reps,
                        "ended_by": s.ended_by,
                    }
                    for s in ex.sets
                ],
                **({"load": ex.load} if ex.load is not None else {}),
            }
            for ex in r.exercises
        ],
        "pain_events": [
            {
                "at_s": e.at_s,
                "family": e.family,
                "variation": e.variation,
                "set": e.set,
                "rep": e.rep,
                "phase": e.phase,
                "pain": e.pain,
            }
            for e in r.pain_events
        ],
    }


def _decode_session(d: Mapping[str, Any]) -> SessionRecord:
    return SessionRecord(
        id=d["id"],
        plan_date=date.fromisoformat(d["plan_date"]),
        started_at=datetime.fromisoformat(d["started_at"]),
        ended_at=datetime.fromisoformat(d["ended_at"]),
        duration_s=float(d["duration_s"]),
        pain_before=d["pain_before"],
        pain_after=d["pain_after"],
        ended_by=d["ended_by"],
        exercises=tuple(
            ExerciseRecord(
                family=ex["family"],
                variation=ex["variation"],
                name=ex["name"],
                target=ex["target"],
                change=ex["change"],
                reason=ex["reason"],
                skipped=ex["skipped"],
                sets=tuple(
                    SetRecord(s["side"], tuple(s["reps"]), s["clean_reps"], s["ended_by"])
                    for s in ex["sets"]
                ),
                load=ex.get("load"),
            )
            for ex in d["exercises"]
        ),
        pain_events=tuple(
            PainEvent(
                at_s=float(e["at_s"]),
                family=e["family"],
                variation=e["variation"],
                set=e["set"],
                rep=e["rep"],
                phase=e["phase"],
                pain=e["pain"],
            )
            for e in d["pain_events"]
        ),
    )


def _encode_pain_entry(r: PainEntry) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": "pain",
        "id": r.id,
        "at": _iso(r.at),
        "pain": r.pain,
        "note": r.note,
    }


def _decode_pain_entry(d: Mapping[str, Any]) -> PainEntry:
    return PainEntry(id=d["id"], at=datetime.fromisoformat(d["at"]), pain=d["pain"], note=d["note"])


def _encode_psfs(r: PsfsRecord) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": "psfs",
        "id": r.id,
        "at": _iso(r.at),
        "scores": [{"activity": s.activity, "score": s.score} for s in r.scores],
    }


def _decode_psfs(d: Mapping[str, Any]) -> PsfsRecord:
    scores = tuple(PsfsScore(s["activity"], s["score"]) for s in d["scores"])
    return PsfsRecord(id=d["id"], at=datetime.fromisoformat(d["at"]), scores=scores)


def _encode_ritual(r: RitualRecord) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": "ritual",
        "id": r.id,
        "ritual": r.ritual,
        "name": r.name,
        "family": r.family,
        "variation": r.variation,
        "slot": r.slot,
        "at": _iso(r.at),
        "outcome": r.outcome,
        "rating": r.rating,
        "duration_s": r.duration_s,
        "steps_done": r.steps_done,
    }


def _decode_ritual(d: Mapping[str, Any]) -> RitualRecord:
    return RitualRecord(
        id=d["id"], ritual=d["ritual"], name=d["name"], family=d["family"],
        variation=d["variation"], slot=d["slot"], at=datetime.fromisoformat(d["at"]),
        outcome=d["outcome"], rating=d["rating"], duration_s=float(d["duration_s"]),
        steps_done=d["steps_done"],
    )


def _encode_screening(r: ScreeningRecord) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": "screening",
        "id": r.id,
        "day": _iso(r.day),
        "at": _iso(r.at),
        "reason": r.reason,
        "complete": r.complete,
        "results": [{"probe": p.probe, "side": p.side, "rating": p.rating, "pain": p.pain}
                    for p in r.results],
    }


def _decode_screening(d: Mapping[str, Any]) -> ScreeningRecord:
    return ScreeningRecord(
        id=d["id"], day=date.fromisoformat(d["day"]), at=datetime.fromisoformat(d["at"]),
        reason=d["reason"], complete=d["complete"],
        results=tuple(ProbeResult(p["probe"], p["side"], p["rating"], p["pain"])
                      for p in d["results"]),
    )


def _encode_safety(r: SafetyCheck) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": "safety",
        "id": r.id,
        "day": _iso(r.day),
        "at": _iso(r.at),
        "reason": str(r.reason),
        "groups": [str(g) for g in r.groups],
        "answers": [
            # "answer" is for a person reading the file; "how" alone decides it (only amber
            # is a no), and is what is read back.
            {"question": a.question, "group": str(a.group), "how": str(a.how),
             "answer": "yes" if a.yes else "no"}
            for a in r.answers
        ],
        "pain": r.pain,
        "outcome": str(r.outcome),
        **({"seen": str(r.seen)} if r.seen is not None else {}),
    }


def _decode_safety(d: Mapping[str, Any]) -> SafetyCheck:
    return SafetyCheck(
        id=d["id"],
        day=date.fromisoformat(d["day"]),
        at=datetime.fromisoformat(d["at"]),
        reason=Reason(d["reason"]),
        groups=tuple(Group(g) for g in d["groups"]),
        answers=tuple(Answer(a["question"], Group(a["group"]), How(a["how"]))
                      for a in d["answers"]),
        pain=d["pain"],
        outcome=Outcome(d["outcome"]),
        seen=How(d["seen"]) if d.get("seen") is not None else None,
    )


def _iso(value: date | datetime | object) -> object:
    # Anything else is left as it is, for the checks to name it: encoding must never crash.
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class Kind:
    """How one kind of record is checked, and turned into JSON and back."""

    tag: str  # the record's "kind" in JSON
    label: str  # how a message names one: "session 'x': ..."
    type: type
    check: Check
    encode: Callable[[Any], dict[str, Any]]
    decode: Callable[[Mapping[str, Any]], Record]


KINDS = {
    k.tag: k
    for k in (
        Kind("session", "session", SessionRecord, _session, _encode_session, _decode_session),
        Kind("pain", "pain entry", PainEntry, _pain_entry, _encode_pain_entry, _decode_pain_entry),
        Kind("psfs", "PSFS", PsfsRecord, _psfs, _encode_psfs, _decode_psfs),
        Kind("ritual", "ritual", RitualRecord, _ritual, _encode_ritual, _decode_ritual),
        Kind("safety", "safety answers", SafetyCheck, _safety, _encode_safety, _decode_safety),
        Kind("screening", "screening", ScreeningRecord, _screening, _encode_screening,
             _decode_screening),
    )
}
_BY_TYPE = {k.type: k for k in KINDS.values()}


def encode(record: Record) -> dict[str, Any]:
    """The record as JSON, or ``RecordError`` naming what the schema does not allow in it."""
    kind = _BY_TYPE.get(type(record))
    if kind is None:
        raise RecordError(f"{type(record).__name__} is not a kind of record the history keeps")
    raw = kind.encode(record)
    _check(raw, kind, _plain_json)
    return raw


def decode(raw: object) -> Record:
    """A record from its JSON, or ``RecordError`` naming the first thing wrong with it."""
    kind = _kind_of(raw)
    _check(raw, kind)  # parsed JSON is plain JSON: no need to look for odd types
    assert isinstance(raw, dict)
    return kind.decode(raw)


def _kind_of(raw: object) -> Kind:
    tag = raw.get("kind", "session") if isinstance(raw, dict) else "session"
    kind = KINDS.get(tag) if isinstance(tag, str) else None
    if kind is None:
        rid = raw.get("id") if isinstance(raw, dict) else None
        name = f"record {rid!r}" if isinstance(rid, str) else "a record"
        raise RecordError(f"{name} is of kind {tag!r:.40}, which this kiosk does not know "
                          f"(it knows {', '.join(KINDS)}; see docs/data.md)")
    return kind


def _check(record: object, kind: Kind, *more: Check) -> None:
    rid = record.get("id") if isinstance(record, dict) else None
    try:
        for check in (kind.check, *more):
            check(record, "record")
    except _Bad as e:
        name = f"{kind.label} {rid!r}" if isinstance(rid, str) else f"{kind.label} record"
        raise RecordError(f"{name}: {e} (see docs/data.md)") from None


@dataclass(frozen=True)
class Decoded:
    """What a lenient read found: the whole records by ``seq``, and what it skipped, in words."""

    records: dict[int, Record]
    skipped: tuple[str, ...] = ()

    @property
    def sessions(self) -> list[SessionRecord]:
        return [r for r in self.records.values() if isinstance(r, SessionRecord)]


def decode_each(raws: Iterable[object]) -> Decoded:
    """Every record that is whole, numbered from 1 in order; each one skipped is named."""
    records: dict[int, Record] = {}
    skipped: list[str] = []
    for seq, raw in enumerate(raws, start=1):
        try:
            records[seq] = decode(raw)
        except RecordError as e:
            skipped.append(f"record {seq}: {e}")
    return Decoded(records, tuple(skipped))


def read_history(raw: bytes) -> Decoded:
    """Decode a history file leniently: every whole record, and what was skipped and why.

    The file is TinyDB's layout with one table: ``{"sessions": {"<seq>": record, ...}}``.
    """
    try:
        data = _load_json(raw)
    except RecordError as e:
        return Decoded({}, (str(e),))
    return _read_database(data)


def parse_history(raw: bytes) -> dict[int, Record]:
    """Decode a history file into ``{seq: record}`` in save order, or raise ``RecordError``
    for the first thing wrong with it: the store sets such a file aside as damaged."""
    return _strict(read_history(raw))


def parse_trusted(raw: bytes) -> dict[int, Record]:
    """What ``parse_history`` makes of ``raw``, without its checks: only for bytes that passed
    them before, byte for byte, under this very codec (a sealed month, seal.py). Anything that
    does not decode raises ``RecordError``, and the caller reads the file the checked way."""
    try:
        table = json.loads(raw)[TABLE]
        records = {int(key): KINDS[doc.get("kind", "session")].decode(doc)
                   for key, doc in table.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise RecordError(f"not as it was when checked ({e!r:.60})") from None
    return dict(sorted(records.items()))


def _strict(found: Decoded) -> dict[int, Record]:
    if found.skipped:
        raise RecordError(found.skipped[0])
    return found.records


def _load_json(raw: bytes) -> object:
    if not raw.strip():
        raise RecordError("the file is empty")
    try:
        return json.loads(
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


def _no_constant(name: str) -> None:
    raise RecordError(f"the file holds {name}, which is not JSON and which we never write")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON allows a key twice and keeps the last; we never write that, so it is damage.

    Keeping the last copy silently would lose whatever the other copies hold: a second
    ``"sessions"`` would hide every session in the first. salvage.py reads every copy.
    """
    data = dict(pairs)
    if len(data) != len(pairs):  # rare: only then look for which key it was
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise RecordError(f"the file has the key {key!r:.40} twice in one object")
            seen.add(key)
    return data


def _read_database(data: object) -> Decoded:
    shape = f'the file must hold {{"{TABLE}": {{...}}}} and nothing else'
    if not isinstance(data, dict):
        return Decoded({}, (shape,))
    skipped = [shape] if set(data) - {TABLE} else []
    table = data.get(TABLE, {})
    if not isinstance(table, dict):
        return Decoded({}, (*skipped, f'"{TABLE}" must be an object keyed by sequence number'))
    records: dict[int, Record] = {}
    ids: set[str] = set()
    for key, raw in table.items():
        if not re.fullmatch(r"[1-9][0-9]*", key):
            skipped.append(f"{key!r} is not a sequence number")
            continue
        try:
            record = decode(raw)
        except RecordError as e:
            skipped.append(str(e))
            continue
        if record.id in ids:
            skipped.append(f"a record id appears twice: {record.id!r}")
            continue
        ids.add(record.id)
        records[int(key)] = record
    return Decoded(dict(sorted(records.items())), tuple(skipped))
