"""A ritual end to end through the real shell: gpiozero mock pins for the buttons and the status
LED, a fake clock set to the ritual's time, the real history writer on disk."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from kiosk.core.data.events import Tone
from kiosk.core.data.model import Button
from kiosk.core.data.records import RitualRecord
from kiosk.store.months import WholeHistory  # the kiosk keeps months
from tests.shell import Shell, answered_today

LED = 5  # BCM pin of the status LED in this test's config


def shell_at(tmp_path: Path, wall: datetime) -> Shell:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f"[leds]\nstatus = {LED}\n")
    first_session_done(tmp_path / "data", wall)
    return Shell(tmp_path / "data", cfg_path=str(cfg), wall=wall)


def first_session_done(data: Path, wall: datetime) -> None:
    """The seeded history (the morning's answers, a signature) and a session the week before:
    rituals are offered only after the first session (issue 30)."""
    import json

    from kiosk.store.records import decode, encode

    answered_today(data, wall)
    day = (wall - timedelta(days=8)).date().isoformat()
    session = decode({
        "schema": 1, "id": f"s-{day}", "plan_date": day, "started_at": f"{day}T09:00:00",
        "ended_at": f"{day}T09:05:00", "duration_s": 300.0, "pain_before": 2,
        "pain_after": 2, "ended_by": "stop", "exercises": [], "pain_events": []})
    history = data / "history.json"
    seeded = json.loads(history.read_text())
    seeded["sessions"]["3"] = encode(session)
    history.write_text(json.dumps(seeded))


def led_changes(shell: Shell, seconds: float) -> int:
    pin = shell.pins.pin(LED)
    states = []
    for _ in range(int(seconds / 0.05)):
        shell.run(0.05)
        states.append(pin.state)
    return sum(1 for a, b in zip(states, states[1:], strict=False) if a != b)


def rituals(data: Path) -> list[RitualRecord]:
    return [r for r in WholeHistory.open(data).records() if isinstance(r, RitualRecord)]


def test_at_its_time_the_idle_kiosk_announces_the_ritual_and_green_runs_and_saves_it(
    tmp_path: Path,
) -> None:
    shell = shell_at(tmp_path, datetime(2026, 11, 25, 7, 59, 50))
    calm = led_changes(shell, 2.0)  # home: the usual slow blink
    shell.until("offer", limit=30)
    assert "Time for a short ritual: Morning coffee mobility. Press GREEN to start, AMBER for " \
           "later." in shell.said
    assert Tone("chime") in shell.voice.calls
    assert led_changes(shell, 2.0) > 2 * calm, "the status LED blinks faster for an offer"
    shell.press(Button.GREEN)
    assert shell.app.view.screen == "ritual"
    waited = 0.0
    while shell.app.view.awaiting != "rating":
        shell.run(0.5)
        waited += 0.5
        assert waited < 300, shell.app.view
    shell.press(Button.GREEN)
    shell.wait_for_line("this week")
    assert shell.said[-1] == "One of five this week."
    shell.app.close()
    [record] = rituals(tmp_path / "data")
    assert (record.ritual, record.outcome, record.rating) == ("coffee-mobility", "done", "clean")
    assert record.slot == "coffee-mobility@2026-11-25T08:00" and record.steps_done == 10


def test_a_snooze_and_a_skip_are_saved(tmp_path: Path) -> None:
    shell = shell_at(tmp_path, datetime(2026, 11, 25, 7, 59, 50))
    shell.until("offer", limit=30)
    shell.press(Button.AMBER)
    assert "Later, then. I will ask again in ten minutes." in shell.said
    shell.until("offer", limit=11 * 60)  # ten minutes on, asked again
    shell.run(2 * 60 + 1)  # and left unanswered
    assert shell.app.view.screen == "home"
    shell.app.close()
    assert [r.outcome for r in rituals(tmp_path / "data")] == ["snoozed", "skipped"]
