"""The command line never crashes (issue #9): one line of words and an exit code, whatever the
disk, the files or the signals do."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk import cli
from kiosk.clock import FakeClock
from kiosk.config import load_config
from kiosk.store.months import WholeHistory  # the kiosk keeps months
from kiosk.terminal import printable

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_pi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.setenv("KIOSK_DEVICE_MODEL", os.devnull)  # no Pi, whatever board runs this


def test_printable_drops_what_drives_a_terminal_and_keeps_the_words() -> None:
    assert printable("Bridge\x1b]0;title\x07\x1b[2J \u202eevil\x9b tab\tok") == (
        "Bridge]0;title[2J evil tab\tok")


def test_an_export_to_a_terminal_carries_no_escape_sequences(tmp_path: Path) -> None:
    assert cli.main(["--data-dir", str(tmp_path), "demo"]) == 0
    [history] = tmp_path.glob("history/*/history.json")  # the open month (store/months.py)
    data = json.loads(history.read_text())
    for record in data["sessions"].values():
        for ex in record.get("exercises", []):
            ex["reason"] = "\x1b[2J" + ex["reason"]  # free text, saved as it was given
    history.write_text(json.dumps(data))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()  # the CLI must see a terminal (isatty); capsys is none
    assert cli.main(["--data-dir", str(tmp_path), "export", "--format", "csv"],
                    stdout=screen) == 0
    assert "\x1b" not in screen.getvalue() and "[2J" in screen.getvalue()


def test_a_bug_is_one_line_and_v_logs_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken(io.StringIO):
        """A terminal twin with a bug in it: whatever the command writes raises. It stands for
        any bug a command meets, handed in through main's stdout."""

        def write(self, text: str) -> int:
            raise ZeroDivisionError("division by zero")

    assert cli.main(["--data-dir", str(tmp_path), "history"], stdout=Broken()) == 70
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("kiosk history: unexpected error (ZeroDivisionError") and "-v" in line
    with caplog.at_level("INFO"):  # what -v sets; the log, not the screen, gets the traceback
        assert cli.main(["-v", "--data-dir", str(tmp_path), "history"], stdout=Broken()) == 70
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_an_empty_data_dir_in_the_config_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[storage]\ndata_dir = ""\n')
    [problem] = load_config(path).problems
    assert problem.key == "storage.data_dir"
    assert load_config(path).config.data_dir != Path("")  # the default stands in


def test_the_fake_clock_stops_at_the_end_of_the_calendar() -> None:
    clock = FakeClock(datetime(9999, 12, 31, 23, 50))
    clock.advance(3600)
    assert clock.wall() == datetime.max


@pytest.mark.parametrize("day", [str(date.max), "0001-01-02", "1899-12-31", "2201-01-01"])
def test_a_demo_outside_the_kiosks_years_is_refused_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], day: str
) -> None:
    """Issue 29: dates outside 1900-2200 are refused at input (0001-01-02 overflowed)."""
    with pytest.raises(SystemExit) as done:
        cli.main(["--data-dir", str(tmp_path), "demo", "--date", day])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "outside the years the kiosk keeps" in err and "Traceback" not in err


def test_a_writer_on_a_busy_data_dir_refuses_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with WholeHistory.open(tmp_path):  # the kiosk service, say
        assert cli.main(["--data-dir", str(tmp_path), "demo"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"kiosk demo: {tmp_path}: another kiosk is saving sessions here")


@pytest.mark.slow
def test_kiosk_demo_stops_on_sigterm_and_keeps_what_it_saved(tmp_path: Path) -> None:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    env.pop("KIOSK_CONFIG", None)
    # One press and no more: the simulated session would wait hours for the next one.
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path), "demo",
         "--presses", "g"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # it is running: it has spoken
    assert first.startswith("say:")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143
    assert "Traceback" not in err and "the session was stopped (SIGTERM)" in err


@pytest.mark.parametrize("command", [["history"], ["plan"], ["export"]])
def test_an_unreadable_history_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    (tmp_path / "history.json").write_text('{"sessions": {}}')

    def denied(path: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(path))

    # monkeypatch stays: the tests may run as root, who reads a file whatever its mode.
    monkeypatch.setattr("kiosk.store.load.read_regular", denied)
    assert cli.main(["--data-dir", str(tmp_path), *command]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert f"{tmp_path / 'history.json'}: cannot read the exercise history" in line
    assert "Permission denied" in line and "permissions" in line


def test_a_demo_on_a_read_only_disk_with_a_damaged_history_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "history.json").write_text("{not json")

    def read_only(*_: object) -> None:
        raise OSError(30, "Read-only file system")

    # monkeypatch stays: a read-only file system cannot be made without root and a mount;
    # os.replace failing with EROFS is what one does to the kiosk.
    monkeypatch.setattr(os, "replace", read_only)
    assert cli.main(["--data-dir", str(tmp_path), "demo"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    # The first start splits the single file into months, and cannot write them.
    assert ("history.json: cannot split the history into monthly files (Read-only file system)"
            in line)
    assert (tmp_path / "history.json").read_text() == "{not json"


def test_every_read_command_reads_the_demo_history_with_demo_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `make run` (kiosk run --demo-data) or `kiosk demo`, the history is in the demo
    directory; `--demo-data` reads it there, and the real history is left alone."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # where the demo directory is made
    assert cli.main(["demo", "--date", "2026-03-02"]) == 0
    capsys.readouterr()
    assert cli.main(["history", "--demo-data"]) == 0
    out, err = capsys.readouterr()
    assert "reading the demo's history in" in err and str(tmp_path) in err
    assert "2026-03-02" in out and "Sit-to-stand from a high seat" in out
    assert "Key: each set's reps in order: C clean (GREEN), s technique slipped (AMBER)" in out
    for command in (["plan"], ["rituals"], ["rhythm"], ["summary"], ["signature"],
                    ["export", "--format", "csv"], ["check"]):
        assert cli.main([*command, "--demo-data"]) in (0, 1), command  # check may find no speaker
        assert "reading the demo's history" in capsys.readouterr().err
    assert cli.main(["history", "--demo-data", "--data-dir", str(tmp_path / "x")]) == 2
    assert "not both" in capsys.readouterr().err


def test_report_and_export_both_refuse_an_out_in_a_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 30: `report --out` made missing folders while `export --out` refused them. Both
    refuse now, in one line saying which folder; report still makes its own folder."""
    missing = tmp_path / "nowhere"
    assert cli.main(["--data-dir", str(tmp_path / "data"), "report", "--out",
                     str(missing / "report")]) == 1
    err = capsys.readouterr().err
    assert f"the folder {missing} does not exist; make it first" in err and not missing.exists()
    assert cli.main(["--data-dir", str(tmp_path / "data"), "export", "--out",
                     str(missing / "out.json")]) == 1
    assert f"the folder {missing} does not exist; make it first" in capsys.readouterr().err
    assert cli.main(["--data-dir", str(tmp_path / "data"), "report", "--out",
                     str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "report.html").is_file()
