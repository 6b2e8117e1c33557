"""The codec: the typed records of ``kiosk.core.data.records`` as JSON (schema 1, docs/data.md).

This is the one place that knows what a record looks like as a dict, and it knows it from the
records' declarations alone: one generic codec over standard-library dataclasses and their
type hints. A field's type says how it is written and read (text, whole number, number, true or
false, a date, a time, an enum's value, a list of records, an object of records), its
``Annotated`` rule what it may hold (``kiosk.core.data.fields``), and a record's ``problem()``
what its fields must agree on. No kind of record has an encoder, a decoder or a field check of
its own here: a new field is one edit to its dataclass.

The same checks guard both doors. Writing is strict: ``encode`` refuses a record that holds
anything the schema does not allow, so nothing odd reaches the disk. Reading comes in two
strengths: ``decode`` and ``parse_history`` refuse anything wrong (the store treats such a file
as damaged and recovers it, see history.py), while ``decode_each`` and ``read_history`` keep
every record that is whole and report, in words, each one they skipped. Anything this module
accepts on save it also accepts on load. Unknown extra fields in a file are allowed (a newer
kiosk may add fields without changing their meaning) and ignored by the types; a missing field
is allowed only when the dataclass gives it a default (a field added later: older histories
lack it), and a wrong type never is. The bounds of what is read, in size and in nesting, are
``load_json``'s.

Each kind of record has a ``kind`` tag in its JSON (its ``TAG``). A session, the first kind, is
written without a tag, exactly as schema 1 always wrote it, and a record with no tag is a
session. The same codec writes and reads the progression snapshot (``to_json``, ``from_json``).

Standard-library dataclasses, not msgspec Structs: msgspec has no wheel for 32-bit Raspberry Pi
OS (armv7l), and the records stay plain types the core builds without a dependency.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin, get_type_hints

from kiosk.core.data.fields import DAY_S, MAX_TARGET, WHEN_SET, Rule
from kiosk.core.data.records import SCHEMA_VERSION, Record, SessionRecord
from kiosk.errors import RecordError

__all__ = ["DAY_S", "MAX_TARGET", "TABLE", "decode", "encode", "from_json", "to_json"]

TABLE = "sessions"  # the one TinyDB table in history.json, for every kind; its keys are `seq`

T = TypeVar("T")
Read = Callable[[object], object]  # a JSON value -> its typed value; _Bad when it is not one


class _Bad(Exception):
    """One problem found in a record; turned into a RecordError that names the record and the
    field. The path to the field is put together only on the way out, so that reading a good
    record builds no strings."""

    def __init__(self, rest: str) -> None:
        super().__init__(rest)
        self.rest = rest  # " must be text, not 3", " has no 'id'"
        self.path: list[str] = []  # innermost first: ".reps", "[0]", ".sets", "[2]"

    def at(self, root: str) -> str:
        return root + "".join(reversed(self.path)) + self.rest


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    # NaN and infinity are not JSON; json.dumps would write them anyway and break other readers.
    return (_is_int(v) or isinstance(v, float)) and math.isfinite(v)  # type: ignore[arg-type]


def _where(e: _Bad, step: str) -> _Bad:
    e.path.append(step)
    return e


# --- reading: a reader for each type, made once from its hints -----------------------------------
def _leaf(test: Callable[[Any], bool], what: str, make: Callable[[Any], object] | None,
          checked: bool) -> Read:
    """A reader of one JSON value: ``test`` it (if ``checked``), then ``make`` the typed value."""
    if not checked:
        return (lambda v: v) if make is None else make

    def read(v: object) -> object:
        try:
            ok = test(v)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise _Bad(f" must be {what}, not {v!r:.40}")
        return v if make is None else make(v)

    return read


def _in_rule(v: Any, rule: Rule | None) -> bool:
    if rule is None:
        return True
    if rule.nonempty and v == "":
        return False
    if rule.values is not None and v not in rule.values:
        return False
    if rule.low is not None and v < rule.low:
        return False
    return rule.high is None or v <= rule.high


def _parses_as(parse: Callable[[str], object]) -> Callable[[object], bool]:
    def test(v: object) -> bool:
        if not isinstance(v, str):
            return False
        parse(v)  # ValueError: not that
        return True

    return test


def _reader(tp: Any, checked: bool, nullable: bool = False) -> Read:
    """How to read a JSON value into ``tp``, checking it against ``tp`` if ``checked``."""
    rule: Rule | None = None
    if get_origin(tp) is Annotated:
        tp, *meta = get_args(tp)
        rule = next((m for m in meta if isinstance(m, Rule)), None)
    null = " or null" if nullable else ""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1 or len(args) != 2:
            raise TypeError(f"the codec reads X | None, not {tp}")
        read = _reader(inner[0], checked, nullable=True)
        return lambda v: None if v is None else read(v)
    if origin in (tuple, list):
        args = get_args(tp)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return _fixed(tuple(_reader(a, checked) for a in args), checked, null)
        return _sequence(_reader(args[0], checked), tuple if origin is tuple else list,
                         checked, null)
    if origin is dict:
        key, value = get_args(tp)
        if key is not str:
            raise TypeError(f"the codec reads objects keyed by text, not {tp}")
        return _mapping(_reader(value, checked), checked, null)
    if dataclasses.is_dataclass(tp):
        return _object_reader(tp, checked, null)  # type: ignore[arg-type]
    if isinstance(tp, type) and issubclass(tp, Enum):
        values = tuple(e.value for e in tp)
        return _leaf(lambda v: v in values, "one of " + "|".join(map(str, values)) + null, tp,
                     checked)
    what = (rule.what if rule is not None else _WHAT.get(tp, str(tp))) + null
    if tp is bool:
        return _leaf(lambda v: isinstance(v, bool), what, None, checked)
    if tp is int:
        return _leaf(lambda v: _is_int(v) and _in_rule(v, rule), what, None, checked)
    if tp is float:
        return _leaf(lambda v: _is_number(v) and _in_rule(v, rule), what, float, checked)
    if tp is str:
        return _leaf(lambda v: isinstance(v, str) and _in_rule(v, rule), what, None, checked)
    if tp is datetime:
        return _leaf(_parses_as(datetime.fromisoformat), what, datetime.fromisoformat, checked)
    if tp is date:
        return _leaf(_parses_as(date.fromisoformat), what, date.fromisoformat, checked)
    raise TypeError(f"the codec cannot read {tp!r}")


_WHAT: dict[object, str] = {
    bool: "true or false", int: "a whole number", float: "a number", str: "text",
    date: "a date YYYY-MM-DD", datetime: "an ISO 8601 timestamp",
}


def _sequence(item: Read, make: Callable[[Iterable[object]], object], checked: bool,
              null: str) -> Read:
    def read(v: Any) -> object:
        if checked and not isinstance(v, list):
            raise _Bad(f" must be a list{null}, not {v!r:.40}")
        try:
            return make([item(x) for x in v])
        except _Bad as e:  # which one: only now, and only for the message
            raise _where(e, f"[{_first_bad(item, v)}]") from None

    return read


def _first_bad(item: Read, values: list[object]) -> int:
    for i, x in enumerate(values):
        try:
            item(x)
        except _Bad:
            return i
    return -1


def _mapping(item: Read, checked: bool, null: str) -> Read:
    def read(v: Any) -> object:
        if checked and not isinstance(v, dict):
            raise _Bad(f" must be an object{null}, not {v!r:.40}")
        out = {}
        for k, x in v.items():
            try:
                out[k] = item(x)
            except _Bad as e:
                raise _where(e, f".{k}") from None
        return out

    return read


def _fixed(items: tuple[Read, ...], checked: bool, null: str) -> Read:
    def read(v: Any) -> object:
        if checked and not (isinstance(v, list) and len(v) == len(items)):
            raise _Bad(f" must be a list of {len(items)}{null}, not {v!r:.40}")
        out = []
        for i, (r, x) in enumerate(zip(items, v, strict=True)):
            try:
                out.append(r(x))
            except _Bad as e:
                raise _where(e, f"[{i}]") from None
        return tuple(out)

    return read


_MISSING = object()
_readers: dict[tuple[type, bool, str], Read] = {}


def _object_reader(cls: type, checked: bool, null: str = "") -> Read:
    """A dataclass from a JSON object: its fields by name, each read by its type; a field with a
    default may be missing (older files), and keys it does not declare are ignored."""
    cached = _readers.get((cls, checked, null))
    if cached is not None:
        return cached
    hints = get_type_hints(cls, include_extras=True)
    plan = [
        (f.name, _reader(hints[f.name], checked),
         f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING,
         f.metadata.get("absent", _MISSING))
        for f in dataclasses.fields(cls) if f.init
    ]
    problem = getattr(cls, "problem", None) if checked else None

    def read(v: Any) -> object:
        if not isinstance(v, dict):
            raise _Bad(f" must be an object{null}, not {v!r:.40}")
        given: dict[str, object] = {}
        for name, field_reader, optional, absent in plan:
            x = v.get(name, _MISSING)
            if x is _MISSING:
                if absent is not _MISSING:
                    given[name] = absent  # what an older file lacking it meant (fields.py)
                    continue
                if optional:
                    continue
                raise _Bad(f" has no {name!r}")
            try:
                given[name] = field_reader(x)
            except _Bad as e:
                raise _where(e, f".{name}") from None
        made = cls(**given)
        if problem is not None:
            wrong = made.problem()
            if wrong is not None:
                raise _Bad(f".{wrong}")
        return made

    _readers[(cls, checked, null)] = read
    return read


# --- writing: the same walk, the other way --------------------------------------------------------
_plans: dict[type, tuple[tuple[str, bool, object], ...]] = {}


def _dump(value: object) -> object:
    """``value`` as JSON values, by the same rules the readers read it back. Anything the rules
    do not know is left as it is, for the checks to name it: encoding must never crash."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        plan = _plans.get(cls)
        if plan is None:
            plan = _plans[cls] = tuple((f.name, f.metadata.get("json") == WHEN_SET["json"],
                                        f.metadata.get("absent", _MISSING))
                                       for f in dataclasses.fields(cls))
        out: dict[str, object] = {}
        for name, when_set, absent in plan:
            x = getattr(value, name)
            # An older file's value of a field added later is written as it was: left out.
            if not (when_set and x is None) and not (absent is not _MISSING and x == absent):
                out[name] = _dump(x)
        for name in getattr(cls, "ALSO_WRITTEN", ()):
            out[name] = _dump(getattr(value, name))
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_dump(x) for x in value]
    if isinstance(value, dict):
        return {k: _dump(x) for k, x in value.items()}
    return value


def _plain_json(value: object) -> None:
    """Only what JSON holds, so that writing can never fail half-way on an odd value."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise _Bad(f" has a key {k!r:.40} that is not text")
            try:
                _plain_json(v)
            except _Bad as e:
                raise _where(e, f".{k}") from None
    elif isinstance(value, list):
        for i, v in enumerate(value):
            try:
                _plain_json(v)
            except _Bad as e:
                raise _where(e, f"[{i}]") from None
    elif not (value is None or isinstance(value, str | bool | int) or _is_number(value)):
        raise _Bad(" must be JSON (text, number, true/false, null, list, object)")


# --- the kinds of record -------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    """One kind of record: its tag in JSON, how a message names one, and its type."""

    tag: str  # the record's "kind" in JSON
    label: str  # how a message names one: "session 'x': ..."
    type: type


KINDS = {k.TAG: Kind(k.TAG, k.LABEL, k) for k in get_args(Record)}
_BY_TYPE = {k.type: k for k in KINDS.values()}


def _schema(raw: dict[str, object]) -> None:
    if "schema" not in raw:
        raise _Bad(" has no 'schema'")
    value = raw["schema"]
    if not _is_int(value) or value != SCHEMA_VERSION:
        raise _where(_Bad(f" is {value!r:.40}; this kiosk reads schema {SCHEMA_VERSION} only"),
                     ".schema")


def encode(record: Record) -> dict[str, Any]:
    """The record as JSON, or ``RecordError`` naming what the schema does not allow in it."""
    kind = _BY_TYPE.get(type(record))
    if kind is None:
        raise RecordError(f"{type(record).__name__} is not a kind of record the history keeps")
    raw: dict[str, Any] = {"schema": SCHEMA_VERSION}
    if kind.type is not SessionRecord:
        raw["kind"] = kind.tag
    raw.update(_dump(record))  # type: ignore[call-overload]
    # Read back by the same checks as a file is: every declared field is then plain JSON (what
    # the types declare is all JSON holds), so nothing odd can reach the disk.
    _check(raw, kind)
    return raw


def decode(raw: object) -> Record:
    """A record from its JSON, or ``RecordError`` naming the first thing wrong with it."""
    kind = _kind_of(raw)
    return _check(raw, kind)


def _kind_of(raw: object) -> Kind:
    tag = raw.get("kind", "session") if isinstance(raw, dict) else "session"
    kind = KINDS.get(tag) if isinstance(tag, str) else None
    if kind is None:
        rid = raw.get("id") if isinstance(raw, dict) else None
        name = f"record {rid!r}" if isinstance(rid, str) else "a record"
        raise RecordError(f"{name} is of kind {tag!r:.40}, which this kiosk does not know "
                          f"(it knows {', '.join(KINDS)}; see docs/data.md)")
    return kind


def _check(raw: object, kind: Kind) -> Record:
    """The record ``raw`` holds, checked; or ``RecordError`` naming the record and the field."""
    rid = raw.get("id") if isinstance(raw, dict) else None
    try:
        if isinstance(raw, dict):
            _schema(raw)
        record: Record = _object_reader(kind.type, True)(raw)  # type: ignore[assignment]
    except _Bad as e:
        name = f"{kind.label} {rid!r}" if isinstance(rid, str) else f"{kind.label} record"
        raise RecordError(f"{name}: {e.at('record')} (see docs/data.md)") from None
    return record


# --- anything else the store keeps as JSON: the progression snapshot -----------------------------
def to_json(value: object) -> Any:
    """A dataclass (or a list, dict, date, enum of them) as JSON values, as records are written;
    ``RecordError`` if anything in it is not JSON."""
    raw = _dump(value)
    try:
        _plain_json(raw)
    except _Bad as e:
        raise RecordError(e.at(type(value).__name__)) from None
    return raw


def from_json(cls: type[T], raw: object, what: str = "the snapshot") -> T:
    """A ``cls`` from what ``to_json`` wrote (or an older version of it, which lacks fields
    added since with a default), checked by its type hints; or ``RecordError`` saying why not."""
    try:
        return _object_reader(cls, True)(raw)  # type: ignore[return-value]
    except _Bad as e:
        raise RecordError(e.at(what)) from None


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
        data = load_json(raw)
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
        records: dict[int, Record] = {
            int(key): _object_reader(KINDS[doc.get("kind", "session")].type, False)(  # type: ignore[misc]
                doc) for key, doc in table.items()}
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, _Bad) as e:
        raise RecordError(f"not as it was when checked ({e!r:.60})") from None
    return dict(sorted(records.items()))


def _strict(found: Decoded) -> dict[int, Record]:
    if found.skipped:
        raise RecordError(found.skipped[0])
    return found.records


# The bounds of what is read. A month's file is tens of KB, and the single-file history of
# before the months (read once, to split it) a few MB in year ten; a bigger file is damage, and
# is refused before it is parsed, so that it can never take the kiosk's memory. Nesting is
# bounded twice: the parser refuses a document deeper than Python's recursion limit (damage,
# never a RecursionError), and the readers above walk only as deep as the records' declared
# types (a few levels), never into keys they do not declare.
MAX_BYTES = 64 * 1024 * 1024


def load_json(raw: bytes, what: str = "the file") -> object:
    """``raw`` parsed as the JSON the kiosk writes, or ``RecordError`` saying why it is not:
    empty, not UTF-8, not JSON, a key twice in one object, NaN or Infinity, more than
    ``MAX_BYTES``, or nested too deeply to parse. Never RecursionError or MemoryError."""
    if len(raw) > MAX_BYTES:
        raise RecordError(f"{what} is {len(raw)} bytes, more than the {MAX_BYTES} a kiosk "
                          "ever writes")
    if not raw.strip():
        raise RecordError(f"{what} is empty")
    try:
        data = json.loads(
            raw.decode("utf-8"), parse_constant=_no_constant, object_pairs_hook=_no_duplicates
        )
    except UnicodeDecodeError as e:
        raise RecordError(f"{what} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise RecordError(f"{what} is not valid JSON ({e})") from None
    except RecursionError:
        raise RecordError(f"{what} nests too deeply to be a history") from None
    except MemoryError:
        raise RecordError(f"{what} is too big to read") from None
    except ValueError as e:  # a number too long for Python to convert, for one
        raise RecordError(f"{what} holds a value no kiosk writes ({e})") from None
    return data


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
