"""Histories the kiosk wrote before its records were typed still read back exactly the same.

Each folder in ``histories/`` holds a ``history.json`` written by the kiosk itself, and what
``kiosk history``, ``kiosk export`` and ``kiosk plan`` printed from it at the time. A change to
how records are read that loses or bends anything shows here as a changed line of output.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.store.records import encode, parse_history, read_history

HISTORIES = Path(__file__).parent / "histories"
NAMES = sorted(p.name for p in HISTORIES.iterdir() if p.is_dir())
COMMANDS = {
    "history.txt": ["history"],
    "export.csv": ["export", "--format", "csv"],
    "export.json": ["export", "--format", "json"],
    "plan-2026-11-16.txt": ["plan", "--date", "2026-11-16"],
    "plan-2026-11-26.txt": ["plan", "--date", "2026-11-26"],
}


def _data_dir(tmp_path: Path, name: str) -> Path:
    shutil.copy(HISTORIES / name / "history.json", tmp_path / "history.json")
    return tmp_path


def test_there_are_histories_to_read() -> None:
    assert len(NAMES) >= 4


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("output", sorted(COMMANDS))
def test_the_commands_print_what_they_printed_when_the_history_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, output: str
) -> None:
    data = _data_dir(tmp_path, name)
    assert main(["--data-dir", str(data), *COMMANDS[output]]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    with open(HISTORIES / name / output, encoding="utf-8", newline="") as f:
        assert out == f.read()  # newline="": the CSV rows end in CRLF, and must stay so


@pytest.mark.parametrize("name", NAMES)
def test_every_record_reads_into_its_type_and_writes_back_exactly_as_it_was(name: str) -> None:
    raw = (HISTORIES / name / "history.json").read_bytes()
    on_disk = json.loads(raw)["sessions"]
    records = parse_history(raw)  # strictly: nothing in a file the kiosk wrote is refused
    assert read_history(raw).skipped == ()
    assert [str(seq) for seq in records] == list(on_disk)
    for seq, record in records.items():
        assert encode(record) == on_disk[str(seq)]


@pytest.mark.parametrize("name", NAMES)
def test_reading_a_history_leaves_its_file_as_it_was(tmp_path: Path, name: str) -> None:
    data = _data_dir(tmp_path, name)
    before = (data / "history.json").read_bytes()
    for args in COMMANDS.values():
        main(["--data-dir", str(data), *args])
    assert (data / "history.json").read_bytes() == before
