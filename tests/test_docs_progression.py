"""docs/progression.md's worked 12-week tables are what ``kiosk rehearse`` plays today."""

from __future__ import annotations

from kiosk.rehearse_doc import DOC, with_tables


def test_the_worked_tables_are_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text == with_tables(text), "stale: run python -m kiosk.rehearse_doc"
