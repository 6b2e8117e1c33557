"""Exports a clinician can open: the history as JSON, and one CSV row per set."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from store_samples import real_record

from kiosk.store.history import History
from kiosk.store.records import encode


def _history(tmp_path: Path) -> History:
    history = History.open(tmp_path)
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
    monday = [r for r in rows if r["session_id"] == "mon"]
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
