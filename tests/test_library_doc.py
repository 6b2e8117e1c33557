"""docs/exercises.md is generated from config/exercises.toml and must not go stale."""

from __future__ import annotations

from pathlib import Path

from kiosk import library_doc
from kiosk.config import DEFAULT_EXERCISES, load_library


def test_docs_exercises_md_matches_the_library() -> None:
    expected = library_doc.render(load_library(DEFAULT_EXERCISES))
    actual = library_doc.DOC.read_text(encoding="utf-8")
    assert actual == expected, "docs/exercises.md is stale: run python -m kiosk.library_doc"


def test_the_table_has_one_row_per_rung_with_its_breath_and_tip() -> None:
    library = load_library(DEFAULT_EXERCISES)
    text = library_doc.render(library)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == sum(len(f.ladder) for f in library.families)
    side_plank = next(r for r in rows if "`side-plank-full-long`" in r)
    assert "hold 2 breaths" in side_plank and "hold: the hold grows" in side_plank
    assert "Keep breathing in the hold" in side_plank


def test_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "exercises.md"
    stale.write_text("old\n", encoding="utf-8")
    assert library_doc.main(["--check"], doc=stale) == 1
    assert library_doc.main([], doc=stale) == 0
    assert library_doc.main(["--check"], doc=stale) == 0
    assert library_doc.main(["--check"]) == 0
