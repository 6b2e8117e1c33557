"""The report and every export onto a USB stick: from the command line and from the kiosk's menu.

A temporary folder stands in for the mount point. A full stick and a locked (read-only) one are
real file systems: a tiny tmpfs mounted in a private mount namespace (``unshare``), so the kiosk
meets the very errors a real stick gives (ENOSPC, EROFS), and nothing on this machine changes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.core.data.model import Button
from kiosk.core.data.records import Record, SessionRecord
from kiosk.core.reports import usb as core_usb
from kiosk.store import export
from kiosk.store.history import MonthFile
from kiosk.usb import copy_all
from tests.core.progress_samples import exercise, pain, session
from tests.shell import Shell, answered_today

HISTORY: list[Record] = [
    session("2026-11-16", exercise("bridge", 9), before=5, after=3),
    pain("2026-11-18", 4),
    session("2026-11-23", exercise("bridge", 10), before=3, after=3),
]
NOW = datetime(2026, 11, 25, 10, 30)


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    answered_today(tmp_path / "data", datetime(2026, 11, 25, 9, 0))  # as Shell starts: at home
    with MonthFile.open(tmp_path / "data") as history:
        for record in HISTORY:
            history.add(record)
    return tmp_path / "data"


def _config(tmp_path: Path, stick: Path, *, require_mount: bool) -> Path:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[usb]\npath = "{stick}"\nrequire_mount = {str(require_mount).lower()}\n')
    return cfg


def test_everything_lands_in_one_new_folder_and_reads_back(tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    cfg = load_config(None).config
    assert copy_all(HISTORY, cfg, stick, now=NOW, require_mount=False) is core_usb.Outcome.DONE
    (folder,) = (stick / core_usb.FOLDER).iterdir()
    assert folder.name == "2026-11-25_103000"
    names = {p.name for p in folder.iterdir()}
    assert {"report.html", "pain.png", "rhythm.png", "history.json", "history.csv",
            "history.fhir.json"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    with open(folder / "history.json", encoding="utf-8") as fp:
        assert sorted(export.read_json(fp), key=lambda r: r.id) == sorted(HISTORY,
                                                                          key=lambda r: r.id)
    assert "23 Nov" in (folder / "report.html").read_text(encoding="utf-8") or \
        "2026-11-23" in (folder / "report.html").read_text(encoding="utf-8")


def test_no_stick_is_said_plainly(tmp_path: Path) -> None:
    cfg = load_config(None).config
    missing = tmp_path / "nothing-here"
    assert copy_all(HISTORY, cfg, missing, now=NOW, require_mount=False) is \
        core_usb.Outcome.NO_DRIVE
    # In use, the mount point is there with no stick on it: an empty folder is not a drive.
    bare = tmp_path / "mountpoint"
    bare.mkdir()
    assert copy_all(HISTORY, cfg, bare, now=NOW) is core_usb.Outcome.NO_DRIVE
    assert list(bare.iterdir()) == [], "nothing written into the bare mount point"
    assert "No USB stick found" in core_usb.words(core_usb.Outcome.NO_DRIVE)


def _in_namespace(script: str) -> subprocess.CompletedProcess[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is missing")
    probe = subprocess.run([unshare, "--map-root-user", "--mount", "true"], capture_output=True,
                           timeout=600, check=False)
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here: {probe.stderr.decode().strip()}")
    return subprocess.run([unshare, "--map-root-user", "--mount", "sh", "-ec", script],
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
@pytest.mark.parametrize(("stick", "mount", "outcome", "code"), [
    ("full", "mount -t tmpfs -o size=16k none \"$STICK\"", core_usb.Outcome.FULL, 5),
    ("read-only", "mount -t tmpfs -o size=4m none \"$STICK\"; "
                  "mount -o remount,ro \"$STICK\"", core_usb.Outcome.READ_ONLY, 4),
])
def test_a_full_or_locked_stick_is_said_and_nothing_half_done_is_left(
        data: Path, tmp_path: Path, stick: str, mount: str, outcome: core_usb.Outcome,
        code: int) -> None:
    mnt = tmp_path / "stick"
    mnt.mkdir()
    cfg = _config(tmp_path, mnt, require_mount=True)
    kiosk = f"{sys.executable} -m kiosk --config {cfg} --data-dir {data}"
    done = _in_namespace(
        f'STICK={mnt}; {mount}; set +e; {kiosk} export --usb; echo "exit=$?"; '
        f'echo "left:"; ls -A "$STICK/{core_usb.FOLDER}" 2>/dev/null; true')
    out = done.stdout
    assert core_usb.words(outcome) in out, out + done.stderr
    assert f"exit={code}" in out
    assert out.split("left:")[1].strip() == "", "no half-written copy stays on the stick"


@pytest.mark.slow
def test_from_the_menu_the_copy_runs_aside_and_its_outcome_is_said(
        data: Path, tmp_path: Path) -> None:
    """The kiosk copies in a child process while the loop goes on: a pain rating logged
    meanwhile is saved at once, and the outcome is said when the copy ends."""
    stick = tmp_path / "stick"
    stick.mkdir()
    shell = Shell(data, cfg_path=str(_config(tmp_path, stick, require_mount=False)))
    gate = threading.Event()
    real = shell.app.usb

    def held_copy() -> core_usb.Outcome:
        gate.wait(600)  # until the pain rating is saved: only a hung run waits this long
        assert real is not None
        return real()

    shell.app.usb = held_copy
    try:
        _choose(shell, "Copy to USB")
        assert shell.wait_for_line(core_usb.STARTING)
        # Meanwhile: RED on the home screen, the pain log; GREEN up to 1, held to save.
        shell.press(Button.RED)
        shell.press(Button.GREEN)
        shell.press(Button.GREEN, hold=2.0)
        _wait(lambda: bool(shell.app.saved_pain), shell)
        assert not [s for s in shell.said if "USB stick" in s and s != core_usb.STARTING]
        gate.set()
        assert shell.wait_for_line(core_usb.words(core_usb.Outcome.DONE), seconds=600)
    finally:
        shell.app.close()
    (folder,) = (stick / core_usb.FOLDER).iterdir()
    assert (folder / "report.html").is_file() and (folder / "history.fhir.json").is_file()
    with open(folder / "history.json", encoding="utf-8") as fp:
        sessions = [r for r in export.read_json(fp) if isinstance(r, SessionRecord)]
    assert len(sessions) == 2


def _choose(shell: Shell, item: str) -> None:
    shell.press(Button.AMBER, hold=2.5)  # the menu
    assert shell.app.view.screen == "menu"
    for _ in range(len(shell.app.view.lines)):
        if any(line.startswith(">") and item in line for line in shell.app.view.lines):
            break
        shell.press(Button.AMBER)
    shell.press(Button.GREEN)


def _wait(ready: object, shell: Shell) -> None:
    import time

    deadline = time.monotonic() + 600
    while not ready():  # type: ignore[operator]
        assert time.monotonic() < deadline, "never happened"
        shell.run(0.1)
