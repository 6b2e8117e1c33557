"""MonthFile: sessions saved to history.json survive a restart, once each, in save order."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from store_samples import real_record

from kiosk.core.data.records import PainEntry, last_pain
from kiosk.errors import RecordError
from kiosk.store.history import MonthFile


def test_saved_sessions_are_there_after_a_restart(tmp_path: Path) -> None:
    first, second = real_record("a"), real_record("b", "2026-11-26T09:00:00")
    with MonthFile.open(tmp_path) as history:
        assert history.recovery is None
        assert history.sessions() == []
        history.add(first)
        history.add(second)
    with MonthFile.open(tmp_path) as history:
        assert history.recovery is None
        assert history.sessions() == [first, second]


def test_the_file_holds_each_session_under_its_sequence_number(tmp_path: Path) -> None:
    with MonthFile.open(tmp_path) as history:
        history.add(real_record("a"))
        history.add(real_record("b"))
    data = json.loads((tmp_path / "history.json").read_text("utf-8"))
    assert list(data) == ["sessions"]
    assert {seq: r["id"] for seq, r in data["sessions"].items()} == {"1": "a", "2": "b"}


def test_saving_the_same_session_twice_replaces_it_in_place(tmp_path: Path) -> None:
    with MonthFile.open(tmp_path) as history:
        history.add(real_record("a"))
        history.add(real_record("b"))
        history.add(real_record("a", pain_after=0))
    with MonthFile.open(tmp_path) as history:
        sessions = history.sessions()
    assert [s.id for s in sessions] == ["a", "b"]
    assert sessions[0].pain_after == 0


def test_a_replacement_drops_fields_the_new_record_no_longer_has(tmp_path: Path) -> None:
    with MonthFile.open(tmp_path) as history:
        history.add(real_record("a"))
    path = tmp_path / "history.json"
    data = json.loads(path.read_text("utf-8"))
    data["sessions"]["1"]["note"] = "first try"  # a newer kiosk's field
    path.write_text(json.dumps(data), "utf-8")
    with MonthFile.open(tmp_path) as history:
        history.add(real_record("a"))
    assert "note" not in json.loads(path.read_text("utf-8"))["sessions"]["1"]


def test_pain_entries_are_kept_in_save_order_with_the_sessions(tmp_path: Path) -> None:
    entry = PainEntry("p1", datetime(2026, 11, 25, 20, 15), 6, "after gardening")
    with MonthFile.open(tmp_path) as history:
        history.add(real_record("a"))
        history.add(entry)
        history.add(real_record("b", "2026-11-26T09:00:00"))
    with MonthFile.open(tmp_path) as history:
        assert history.recovery is None
        assert [r.id for r in history.records()] == ["a", "p1", "b"]
        assert history.records()[1] == entry
        assert [s.id for s in history.sessions()] == ["a", "b"]


def test_a_broken_record_is_refused_and_the_file_is_untouched(tmp_path: Path) -> None:
    with MonthFile.open(tmp_path) as history:
        history.add(real_record("a"))
        before = (tmp_path / "history.json").read_bytes()
        with pytest.raises(RecordError, match="session 'b'"):
            history.add(replace(real_record("b"), ended_by="exploded"))
    assert (tmp_path / "history.json").read_bytes() == before


def test_last_pain_comes_from_the_newest_saved_session(tmp_path: Path) -> None:
    with MonthFile.open(tmp_path) as history:
        assert last_pain(history.records()) is None
        history.add(real_record("a", pain_before=4, pain_after=3))
        history.add(real_record("b", pain_before=2, pain_after=1))
        assert last_pain(history.records()) == 1


def test_close_is_safe_twice(tmp_path: Path) -> None:
    history = MonthFile.open(tmp_path)
    history.add(real_record("a"))
    history.close()
    history.close()
    assert [s.id for s in MonthFile.open(tmp_path).sessions()] == ["a"]
