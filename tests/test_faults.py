"""The kiosk runs unattended: faults are told to the user once, nothing is lost, it goes on.

These drive the real shell (gpiozero mock pins, SDL dummy video, TinyDB on disk) on a fake
clock and check what a person would notice: what was said, what the screen shows, what is saved.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import sys
import time
import types
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk import runtime  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.core.data.model import Button  # noqa: E402
from kiosk.core.data.records import SessionRecord  # noqa: E402
from kiosk.devices import RecordingVoice  # noqa: E402
from kiosk.store.atomic import AtomicJSONStorage  # noqa: E402
from kiosk.store.months import WholeHistory  # noqa: E402
from kiosk.store.readonly import read_history  # noqa: E402
from tests.shell import Shell, answered_today  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("journal", [False, True])
def test_corrupt_history_is_set_aside_restored_from_backup_and_told(
    tmp_path: Path, journal: bool
) -> None:
    """Without its journal (a month from before journals, or one lost with the file) the
    backup is the way back; with it, nothing saved is lost (issue 29)."""
    first = Shell(tmp_path)
    first.short_session()
    first.app.close()
    # The day's backup was taken at start-up, when the history held only the morning's safety
    # answers; take it again so that it holds the session, as the next day's backup would.
    for backups in (tmp_path / "history").glob("????-??/backups"):
        shutil.rmtree(backups)
    WholeHistory.open(tmp_path).close()
    good = read_history(tmp_path).sessions
    assert len(good) == 1
    [month] = (tmp_path / "history").glob("????-??")  # the open month: the file saves rewrite
    (month / "history.json").write_bytes(b'{"sessions": {"1": {"schema": 1, "id": "x\x00\x00')

    if not journal:
        (month / "journal.jsonl").unlink()

    shell = Shell(tmp_path)
    [notice] = [s for s in shell.said if "exercise history was damaged" in s]
    assert notice.startswith(
        "The exercise history was damaged, so it has been repaired from its journal; nothing "
        "saved was lost." if journal else
        "The exercise history was damaged, so it has been restored from the backup of ")
    assert shell.app.view.caption == notice  # shown as well as said, until the first press
    assert list(month.glob("history.json.corrupt-*")), "the damaged file is kept aside"
    shell.short_session()  # it keeps running
    shell.app.close()
    ids = [s.id for s in read_history(tmp_path).sessions]
    assert ids[0] == good[0].id and len(ids) == 2


def test_disk_full_keeps_the_session_in_memory_tells_the_user_and_retries(
    tmp_path: Path,
) -> None:
    full = {"on": False}  # the card fills up once the kiosk has started

    class FullCard(AtomicJSONStorage):
        """The storage twin of a card with no room left: every write fails to reach it."""

        @staticmethod
        def fsync(fd: int) -> None:
            if full["on"]:
                raise OSError(errno.ENOSPC, "No space left on device")
            os.fsync(fd)

    shell = Shell(tmp_path, storage=FullCard)
    full["on"] = True
    shell.short_session()
    told = shell.wait_for_line("could not be saved")  # reported by the writer thread
    assert told and "full" in told[0]
    assert shell.app.view.screen == "summary"  # it carries on
    assert shell.app.dev.writer.pending_ids, "the session waits in memory"
    full["on"] = False
    shell.app.close()  # one last try at close
    assert len(read_history(tmp_path).sessions) == 1


def test_unreadable_settings_fall_back_to_defaults_and_the_kiosk_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_bytes(b"[buttons\ngreen = = 3\n\xff\xfe")
    shell = Shell(tmp_path / "data", cfg_path=str(bad))
    assert runtime.SETTINGS_UNREADABLE in shell.said
    assert shell.app.kiosk.plan.exercises, "the packaged defaults still give a plan"
    shell.app.close()


def test_an_invalid_value_is_told_once_and_the_kiosk_runs(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("[session]\nsets = 99\n[voice]\nrate = 'fast'\n")
    shell = Shell(tmp_path / "data", cfg_path=str(cfg))
    assert shell.said.count(runtime.SETTINGS_INVALID) == 1
    shell.short_session()
    shell.app.close()


@pytest.mark.parametrize("fault", ["no lgpio installed", "no access to /dev/gpiochip0"])
def test_gpio_unavailable_on_a_pi_names_the_fix_and_keeps_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    model = tmp_path / "model"
    model.write_bytes(b"Raspberry Pi 4 Model B Rev 1.4\0")  # as /proc/device-tree/model says
    monkeypatch.setenv("KIOSK_DEVICE_MODEL", str(model))

    def refuse(*_: Any, **__: Any) -> None:
        raise OSError(errno.EACCES, "Permission denied: '/dev/gpiochip0'")

    fake = types.SimpleNamespace(LGPIOFactory=refuse) if "access" in fault else None
    monkeypatch.setitem(sys.modules, "gpiozero.pins.lgpio", fake)  # None: import fails
    shell = Shell(tmp_path, mock=False)
    [said] = [s for s in shell.said if "GPIO is not available" in s]
    assert "gpio group" in said and "lgpio" in said
    shell.short_session()  # mock pins stand in, so nothing dies in a restart loop
    shell.app.close()


def test_a_stuck_button_is_announced_and_never_counts_reps(tmp_path: Path) -> None:
    shell = Shell(tmp_path)
    shell.into_first_set()
    green = shell.pin(Button.GREEN)
    green.drive_low()  # the switch sticks down
    shell.run(12.0)
    assert "The GREEN button seems stuck. Please check it." in shell.said
    for _ in range(5):  # chatter of the stuck switch
        green.drive_high()
        shell.run(0.01, dt=0.01)
        green.drive_low()
        shell.run(0.01, dt=0.01)
    session = shell.app.kiosk.session
    assert session is not None
    assert session.results[0].sets[0].reps == ["clean"], "only the first edge was a press"
    shell.press(Button.RED, hold=2.5)
    shell.app.close()


def test_a_button_down_at_start_up_is_stuck_not_a_press(tmp_path: Path) -> None:
    loaded = load_config()
    clock = FakeClock(datetime(2026, 11, 25, 9, 0))
    opts = runtime.Options(mock=True, display="headless", data_dir=tmp_path, demo=True,
                           out=io.StringIO())
    answered_today(tmp_path, clock.wall())
    voice = RecordingVoice()
    app = runtime.build(loaded.config, opts, runtime.Notices(), clock, runtime.Given(voice=voice))
    app.dev.buttons.press(Button.GREEN, True)
    app.start()
    for _ in range(20):
        clock.advance(0.1)
        app.step()
    assert app.view.screen == "home", "a held-down button does not start a session"
    assert any("seems stuck" in s for s in voice.said)
    app.close()


def test_wall_clock_jumps_change_nothing_while_running(tmp_path: Path) -> None:
    shell = Shell(tmp_path)
    plan_before = shell.app.kiosk.plan
    shell.clock.jump(+10 * 86400)  # NTP or an RTC sets the clock ten days on
    shell.run(120)
    assert shell.app.kiosk.plan == plan_before, "no re-entry step from a jump"
    shell.short_session()
    shell.clock.jump(-30 * 86400)
    shell.short_session()
    shell.app.close()
    sessions = read_history(tmp_path).sessions
    assert [s.plan_date.isoformat() for s in sessions] == ["2026-11-25", "2026-11-25"]
    assert sessions[0].started_at < sessions[1].started_at


def test_green_and_red_held_five_seconds_shut_down_after_saving(tmp_path: Path) -> None:
    shell = Shell(tmp_path, mock=False)  # not mock mode: the chord is live
    calls: list[str] = []
    shell.app.power_off = lambda: calls.append("poweroff")
    shell.press(Button.GREEN)
    shell.press(Button.GREEN, hold=2.0)
    shell.press(Button.AMBER)  # no leg symptoms (issue 27): the session goes on
    green = shell.pin(Button.GREEN)
    red = shell.pin(Button.RED)
    green.drive_low()
    red.drive_low()
    shell.run(5.5)
    assert "Shutting down. Everything is saved. Goodbye." in shell.said
    shell.run(5.0)
    assert calls == ["poweroff"]
    green.drive_high()
    red.drive_high()
    shell.app.close()
    [s] = read_history(tmp_path).sessions
    assert s.ended_by == "stop"


def test_no_shutdown_in_mock_mode(tmp_path: Path) -> None:
    shell = Shell(tmp_path, mock=True)
    calls: list[str] = []
    shell.app.power_off = lambda: calls.append("poweroff")
    shell.pin(Button.GREEN).drive_low()
    shell.pin(Button.RED).drive_low()
    shell.run(8.0)
    assert calls == [] and not any("Shutting down" in s for s in shell.said)
    shell.app.close()


def test_a_broken_exercise_list_is_named_as_such(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('exercises = "mine.toml"\n')
    (tmp_path / "mine.toml").write_text("[[family]]\nid = 'x'\n")
    shell = Shell(tmp_path / "data", cfg_path=str(cfg))
    assert runtime.EXERCISES_UNREADABLE in shell.said
    assert runtime.SETTINGS_UNREADABLE not in shell.said
    assert len(shell.app.kiosk.plan.exercises) >= 3, "the packaged exercises stand in"
    shell.app.close()


def test_a_power_cut_mid_session_keeps_every_finished_exercise(tmp_path: Path) -> None:
    shell = Shell(tmp_path)
    shell.press(Button.GREEN)
    shell.press(Button.GREEN, hold=2.0)
    shell.press(Button.AMBER)  # no leg symptoms (issue 27)
    shell.press(Button.AMBER)  # skip the breathing
    shell.until("intro")
    shell.press(Button.AMBER)  # skip the first exercise
    shell.until("intro")
    shell.press(Button.GREEN)
    for _ in range(2):
        shell.run(2.0)
        shell.press(Button.GREEN)
    shell.press(Button.AMBER)  # frays: on to the third exercise, and a checkpoint is saved
    shell.until("intro")
    deadline = time.monotonic() + 120  # only a hung writer takes this long
    on_disk: list[SessionRecord] = []
    while time.monotonic() < deadline and not on_disk:  # what a power cut now would leave
        time.sleep(0.05)
        on_disk = [s for s in read_history(tmp_path).sessions if len(s.exercises[1].sets)]
    [partial] = on_disk
    assert partial.ended_by == "interrupted"
    assert partial.exercises[0].skipped is True
    assert partial.exercises[1].sets[0].reps == ("clean", "clean", "slipped")
    shell.press(Button.RED, hold=2.5)
    shell.app.close()
    [final] = read_history(tmp_path).sessions
    assert final.id == partial.id and final.ended_by == "stop"
