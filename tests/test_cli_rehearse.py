"""``kiosk rehearse`` (issue 26, item 9): the rules played forward, writing nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kiosk.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_has_one_row_per_family_per_week_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    code, out, err = run(capsys, "rehearse", "--data-dir", str(data), "--weeks", "3", "--days",
                         "mon,wed,fri", "--user", "steady", "--format", "csv")
    assert code == 0, err
    assert not data.exists()  # nothing written to the data directory, not even the folder
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["week", "family", "rung", "rungs", "variation", "target", "unit",
                       "change", "reason"]
    body = rows[1:]
    assert {r[0] for r in body} == {"1", "2", "3"}
    per_week = {w: [r[1] for r in body if r[0] == w] for w in ("1", "2", "3")}
    assert all(len(v) == len(set(v)) == 6 for v in per_week.values())
    assert all(r[7] in ("new", "up", "same", "down", "waits") for r in body)
    assert all(1 <= int(r[2]) <= int(r[3]) for r in body)


def test_text_is_a_table_with_each_weeks_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rehearse", "--weeks", "2", "--days", "3-per-week", "--user",
                       "stuck")
    assert code == 0
    assert "Week 1" in out and "Week 2" in out
    assert "Staying at six: five were clean last time." in out


def test_bad_days_are_one_line_naming_what_is_allowed(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "rehearse", "--days", "someday")
    assert code == 2 and out == ""
    assert err.strip() == ("kiosk rehearse: --days 'someday': say days as mon,wed,fri, or "
                           "N-per-week, or every-other-day")
