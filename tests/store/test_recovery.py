"""A damaged history at start-up: set aside, restored from a backup, and the user told."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from store_samples import WallClock, real_json, real_record

from kiosk.errors import StorageError
from kiosk.store.history import MonthFile
from kiosk.store.records import read_history


def _good_file(ids: list[str]) -> bytes:
    sessions = {str(i): real_json(sid) for i, sid in enumerate(ids, start=1)}
    return json.dumps({"sessions": sessions}).encode("utf-8")


GOOD = _good_file(["a", "b", "c"])


def _edit(change: Callable[[dict[str, Any]], Any]) -> bytes:
    data = json.loads(GOOD)
    change(data)
    return json.dumps(data).encode("utf-8")


def _first(data: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = data["sessions"]["1"]
    return record


# Every way we have seen (or can imagine) a history file go bad. Each must be set aside.
CORPUS: dict[str, bytes] = {
    "empty": b"",
    "only whitespace": b" \n\t\n",
    "truncated in half": GOOD[: len(GOOD) // 2],
    "truncated by one byte": GOOD[:-1],
    "truncated inside a string": GOOD[: GOOD.index(b'"clean"') + 3],
    "trailing garbage": GOOD + b"\x07garbage",
    "two documents": GOOD + GOOD,
    "all NUL bytes": b"\0" * len(GOOD),
    "NUL-filled tail": GOOD[: len(GOOD) // 3] + b"\0" * (len(GOOD) - len(GOOD) // 3),
    "NUL inside a string": GOOD.replace(b'"clean"', b'"cl\0ean"', 1),
    "plain text": b"history of sessions\n",
    "random bytes": random.Random(7).randbytes(512),
    "invalid UTF-8": GOOD.replace(b'"Bridge 1"', b'"Bridge \xff"', 1),
    "UTF-16": GOOD.decode("utf-8").encode("utf-16"),
    "UTF-8 byte-order mark": b"\xef\xbb\xbf" + GOOD,
    "nested too deep": b"[" * 100_000 + b"]" * 100_000,
    "JSON null": b"null",
    "JSON list": b"[]",
    "JSON number": b"42",
    "JSON text": b'"sessions"',
    "sessions as a list": b'{"sessions": []}',
    "record not an object": b'{"sessions": {"1": "a session"}}',
    "TinyDB default table": GOOD.replace(b'"sessions"', b'"_default"', 1),
    "extra table": _edit(lambda d: d.update(settings={})),
    "key not a sequence number": _edit(lambda d: d.update(sessions={"first": _first(d)})),
    "field missing": _edit(lambda d: _first(d).pop("exercises")),
    "wrong type": _edit(lambda d: _first(d).update(pain_before="two")),
    "pain out of range": _edit(lambda d: _first(d).update(pain_after=42)),
    "unknown schema version": _edit(lambda d: _first(d).update(schema=2)),
    "same id twice": _edit(lambda d: d["sessions"].update({"9": _first(d)})),
    "NaN duration": GOOD.replace(b'"duration_s": 23.4', b'"duration_s": NaN', 1),
    "Infinity in an extra field": _edit(lambda d: _first(d).update(note=float("inf"))),
}


# Damage that leaves session c readable: salvage.py finds it, so it is not lost with the file.
STILL_READABLE = {
    "UTF-8 byte-order mark",
    "TinyDB default table",
    "extra table",
    "field missing",
    "wrong type",
    "pain out of range",
    "unknown schema version",
    "same id twice",
}


def test_the_corpus_is_big_and_every_entry_really_differs_from_good() -> None:
    assert len(CORPUS) >= 20
    assert GOOD not in CORPUS.values()  # every edit above really changed something


# One session spoiled, the others whole: a lenient read keeps the others and names that one.
ONE_SPOILED = ("field missing", "wrong type", "pain out of range", "unknown schema version")


@pytest.mark.parametrize("name", CORPUS)
def test_a_lenient_read_keeps_what_is_whole_and_says_what_it_skipped(name: str) -> None:
    found = read_history(CORPUS[name])
    assert found.skipped, "a damaged file always has something to report"
    assert all(isinstance(why, str) and why for why in found.skipped)
    ids = [r.id for r in found.records.values()]
    assert set(ids) <= {"a", "b", "c"} and len(ids) == len(set(ids))
    if name in ONE_SPOILED:
        assert ids == ["b", "c"]
        assert found.skipped == (found.skipped[0],) and "session 'a'" in found.skipped[0]
    if name in ("extra table", "same id twice"):
        assert ids == ["a", "b", "c"]


def test_a_lenient_read_of_a_good_file_skips_nothing() -> None:
    found = read_history(GOOD)
    assert found.skipped == ()
    assert [r.id for r in found.records.values()] == ["a", "b", "c"]


def _with_backup(tmp_path: Path, day: str, content: bytes) -> Path:
    backup = tmp_path / "backups" / f"history-{day}.json"
    backup.parent.mkdir(exist_ok=True)
    backup.write_bytes(content)
    return backup


@pytest.mark.parametrize("name", CORPUS)
def test_a_damaged_file_is_set_aside_and_the_backup_restored(tmp_path: Path, name: str) -> None:
    damaged = CORPUS[name]
    (tmp_path / "history.json").write_bytes(damaged)
    backup = _with_backup(tmp_path, "2026-11-24", _good_file(["a", "b"]))
    clock = WallClock("2026-11-25T10:15:00")

    history = MonthFile.open(tmp_path, now=clock)

    notice = history.recovery
    assert notice is not None
    # Whatever of a, b and c could still be read from the damaged file is kept, with the backup.
    kept = ["a", "b", "c"] if name in STILL_READABLE else ["a", "b"]
    assert notice.restored_from == backup and notice.sessions == len(kept)
    assert notice.moved_to == tmp_path / "history.json.corrupt-20261125T101500"
    assert notice.moved_to.read_bytes() == damaged  # kept, byte for byte
    assert "restored from the backup of 24 November" in notice.message
    assert [s.id for s in history.sessions()] == kept
    history.add(real_record("d"))  # and the kiosk carries on saving
    history.close()
    again = MonthFile.open(tmp_path, now=clock)
    assert again.recovery is None
    assert [s.id for s in again.sessions()] == [*kept, "d"]


def test_a_damaged_backup_is_passed_over_for_an_older_good_one(tmp_path: Path) -> None:
    (tmp_path / "history.json").write_bytes(CORPUS["truncated in half"])
    _with_backup(tmp_path, "2026-11-24", CORPUS["all NUL bytes"])
    older = _with_backup(tmp_path, "2026-11-20", _good_file(["a"]))
    history = MonthFile.open(tmp_path)
    assert history.recovery is not None and history.recovery.restored_from == older
    assert [s.id for s in history.sessions()] == ["a"]


def test_with_no_usable_backup_a_new_history_starts(tmp_path: Path) -> None:
    (tmp_path / "history.json").write_bytes(CORPUS["plain text"])
    _with_backup(tmp_path, "2026-11-24", CORPUS["JSON list"])
    history = MonthFile.open(tmp_path)
    notice = history.recovery
    assert notice is not None and notice.restored_from is None and notice.sessions == 0
    assert "a new history has been started" in notice.message
    assert notice.moved_to is not None and notice.moved_to.exists()
    assert history.sessions() == []


def test_a_missing_file_is_restored_from_the_backup(tmp_path: Path) -> None:
    _with_backup(tmp_path, "2026-11-24", _good_file(["a"]))
    history = MonthFile.open(tmp_path)
    assert history.recovery is not None and history.recovery.moved_to is None
    assert "was missing" in history.recovery.message
    assert [s.id for s in history.sessions()] == ["a"]


def test_two_recoveries_in_one_second_keep_both_damaged_files(tmp_path: Path) -> None:
    clock = WallClock()
    for damaged in (CORPUS["empty"], CORPUS["JSON null"]):
        (tmp_path / "history.json").write_bytes(damaged)
        MonthFile.open(tmp_path, now=clock).close()
    kept = sorted(p.read_bytes() for p in tmp_path.glob("history.json.corrupt-*"))
    assert kept == [b"", b"null"]


def test_a_damaged_file_that_cannot_be_moved_stops_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "history.json").write_bytes(CORPUS["empty"])

    def read_only(src: object, dst: object) -> None:
        raise OSError(30, "Read-only file system")

    # monkeypatch stays: a read-only file system cannot be made without root and a mount;
    # os.replace failing with EROFS is what one does to the store.
    monkeypatch.setattr(os, "replace", read_only)
    with pytest.raises(StorageError, match="history.json is damaged and cannot be moved aside"):
        MonthFile.open(tmp_path)
    assert (tmp_path / "history.json").read_bytes() == b""  # nothing overwritten
