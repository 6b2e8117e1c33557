"""The main loop's own duties, seen from outside: what it renders ahead, and when; how long it
may sleep."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core.data.model import Button
from kiosk.core.words import phrases
from tests.shell import Shell

pytestmark = pytest.mark.slow


def test_todays_lines_are_rendered_ahead_and_again_when_the_day_changes(tmp_path: Path) -> None:
    shell = Shell(tmp_path)
    first = shell.app.kiosk.plan
    assert phrases.welcome(first) in shell.voice.prepared
    intro = phrases.intro(first.exercises[0], 1, len(first.exercises))
    assert set(intro) <= set(shell.voice.prepared), "each exercise's words are ready in advance"
    before = len(shell.voice.prepared)
    shell.run(24 * 3600, dt=60)  # a day at home
    assert shell.app.kiosk.plan.date != first.date
    assert len(shell.voice.prepared) > before
    assert set(phrases.plan_details(shell.app.kiosk.plan)) <= set(shell.voice.prepared)
    shell.app.close()


def test_a_passing_fault_is_told_once_and_the_kiosk_goes_on(tmp_path: Path) -> None:
    from kiosk import app as app_module

    shell = Shell(tmp_path)
    real_step = shell.app.step
    calls = {"n": 0}

    def flaky() -> None:
        calls["n"] += 1
        if calls["n"] in (3, 4):
            raise RuntimeError("a passing fault")
        real_step()

    shell.app.step = flaky  # type: ignore[method-assign]
    for _ in range(10):
        shell.clock.advance(0.05)
        shell.app.guarded_step()
    assert shell.said.count(app_module.FAULT) == 1
    assert shell.app.view.screen == "home"
    shell.app.close()


def test_a_fault_that_repeats_is_raised_so_systemd_restarts(tmp_path: Path) -> None:
    from kiosk import app as app_module

    shell = Shell(tmp_path)

    def broken() -> None:
        raise RuntimeError("always")

    shell.app.step = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        for _ in range(app_module.MAX_FAULTS):
            shell.app.guarded_step()
    assert shell.said.count(app_module.FAULT) == 1
    shell.app.close()


# --- sleeping: the loop wakes only when something is due --------------------------------------
def test_an_idle_home_screen_lets_the_loop_sleep(tmp_path: Path) -> None:
    from kiosk import app as app_module

    shell = Shell(tmp_path)
    shell.run(1.0)
    assert shell.app.view.screen == "home"
    # The target is at most four wake-ups a second on the home screen.
    assert shell.app.due_in(shell.clock.now()) >= 0.25
    shell.voice.speaking = True  # the next queued line starts when this one ends
    assert shell.app.due_in(shell.clock.now()) == app_module.BUSY_WAIT
    shell.voice.speaking = False
    pin = shell.pin(Button.AMBER)
    pin.drive_low()  # a held button has a hold time to notice
    shell.run(0.1)
    assert shell.app.due_in(shell.clock.now()) == app_module.BUSY_WAIT
    pin.drive_high()
    shell.run(0.4)
    shell.press(Button.GREEN)  # a session paces itself
    assert shell.app.view.screen != "home"
    assert shell.app.due_in(shell.clock.now()) == app_module.BUSY_WAIT
    shell.app.close()


def test_the_loop_wakes_for_the_watchdog_in_time(tmp_path: Path) -> None:
    from kiosk.devices import RecordingNotifier

    shell = Shell(tmp_path)
    shell.app.dev.notifier = RecordingNotifier(interval=0.1)
    shell.run(1.0)
    assert shell.app.due_in(shell.clock.now()) <= 0.1  # a ping every half of WatchdogSec
    shell.app.close()


def test_no_keyboard_is_polled_where_none_can_reach_the_display(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `kiosk run --mock --windowed` on SDL's dummy driver (no real window): no keys can come,
    # so the loop need not wake 20 times a second to look for them.
    from kiosk import runtime
    from kiosk.clock import FakeClock
    from kiosk.config import load_config
    from kiosk.devices import RecordingVoice

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    opts = runtime.Options(mock=True, display="windowed", data_dir=tmp_path)
    clock = FakeClock(datetime(2026, 11, 25, 9, 0))
    app = runtime.start_kiosk(load_config().config, opts, [], clock,
                              runtime.Given(voice=RecordingVoice()))
    try:
        app.step()
        assert not app.keyboard
        assert app.due_in(clock.now()) >= 0.25
    finally:
        app.close()


def test_a_save_kept_nowhere_at_close_is_said_before_the_voice_closes(tmp_path: Path) -> None:
    """Issue 29: a session that can be neither saved nor kept for the next start is told."""
    from kiosk.core.data.records import Record
    from kiosk.store.writer import NOT_SAVED

    class LostWriter:
        lost: tuple[str, ...] = ()
        pending_ids: tuple[str, ...] = ()

        def save(self, record: Record) -> None:
            pass

        def warm(self) -> None:
            pass

        def close(self) -> None:
            self.lost = ("s1",)

    shell = Shell(tmp_path)
    real = shell.app.dev.writer
    shell.app.dev.writer = LostWriter()
    shell.app.close()
    real.close()
    assert shell.said[-1] == NOT_SAVED
    assert shell.voice.closed
