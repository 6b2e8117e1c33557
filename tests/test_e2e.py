"""Whole sessions through the real shell: gpiozero mock pins, SDL dummy video, TinyDB on disk."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.cli import main  # noqa: E402
from kiosk.core.data.model import Button  # noqa: E402
from kiosk.core.data.records import SessionRecord, SetRecord  # noqa: E402
from kiosk.store.months import WholeHistory  # noqa: E402
from tests.core.helpers import first_start  # noqa: E402
from tests.shell import Shell  # noqa: E402

pytestmark = pytest.mark.slow


def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["demo", "--data-dir", str(tmp_path), *args]) == 0
    return capsys.readouterr().out


def saved(tmp_path: Path) -> list[SessionRecord]:
    with WholeHistory.open(tmp_path) as h:
        return h.sessions()


def test_demo_prints_a_whole_session_and_export_shows_it(tmp_path, capsys) -> None:
    out = demo(tmp_path, capsys)
    lines = out.splitlines()
    # A fresh kiosk: the welcome, the safety questions (the steady person answers no), then
    # the home screen's greeting, and the session.
    assert lines[0] == "say: This kiosk paces your back exercise program."
    greeting = next(i for i, line in enumerate(lines) if line.startswith("say: Good to see you."))
    assert "say: Thank you. Nothing there stops us today." in lines[:greeting]
    assert lines[-3].startswith("saved: safety-answers ")
    # Then, before the first session, how the person moves: the movement signature.
    check = lines.index("say: Let's check how you move today, one movement at a time.")
    checkin = next(i for i, line in enumerate(lines) if "Pain right now, from zero" in line)
    assert greeting < check < checkin
    assert lines[-2].startswith("saved: signature ")
    assert any("Pain right now, from zero to ten" in line for line in lines)
    assert any(line.startswith("say: Let's breathe first.") for line in lines)
    assert sum("Target met" in line for line in lines) >= 3
    assert lines[-1].startswith("saved: session ")
    assert all(line.startswith(("say: ", "saved: ")) for line in lines), lines

    assert main(["export", "--format", "json", "--data-dir", str(tmp_path)]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert list(exported) == ["schema", "sessions", "safety", "screenings"]
    assert exported["schema"] == 1
    [sig] = exported["screenings"]
    assert sig["kind"] == "screening" and {p["rating"] for p in sig["results"]} == {"easy"}
    [answers] = exported["safety"]
    assert answers["kind"] == "safety" and answers["outcome"] == "clear"
    [session] = exported["sessions"]
    assert session["ended_by"] == "complete"
    assert session["pain_before"] == 2 and session["pain_after"] == 1
    assert len(session["exercises"]) >= 3


def test_demo_csv_export_has_one_row_per_set(tmp_path, capsys) -> None:
    demo(tmp_path, capsys, "--user", "slipping")
    out_file = tmp_path / "out.csv"
    assert main(["export", "--format", "csv", "--out", str(out_file),
                 "--data-dir", str(tmp_path)]) == 0
    rows = out_file.read_text().splitlines()
    table = list(__import__("csv").DictReader(rows))
    answers = [row for row in table if row["record"] == "safety answer"]
    assert len(answers) == 20  # the first run's safety answers, one row each
    assert all(row["answer"] in ("yes", "no") and row["reps"] == "" for row in answers)
    sets = [st for ex in saved(tmp_path)[0].exercises for st in ex.sets]
    # The movement signature: a row per probe and side, the side in its own column.
    probes = [row for row in table if row["record"] == "movement check"]
    assert len(probes) == 11 and {p["probe_side"] for p in probes} == {"", "left", "right"}
    assert all(p["side"] == "" for p in probes)
    assert len(rows) == 1 + len(sets) + len(answers) + len(probes)
    assert any("fray" in row for row in rows[1:])


def test_sore_user_red_mid_set_records_pain_event(tmp_path, capsys) -> None:
    out = demo(tmp_path, capsys, "--user", "sore")
    assert "say: Stopped. How much does it hurt right now" in out
    [s] = saved(tmp_path)
    assert s.pain_events and s.pain_events[0].pain == 3
    assert s.exercises[1].sets[-1].ended_by == "pain"


def test_presses_that_run_out_close_the_demo_keeping_what_was_rated(tmp_path, capsys) -> None:
    # After the first start: confirm the check-in, AMBER "no" to the leg question, then reps.
    out = demo(tmp_path, capsys, "--presses", first_start() + "G a g g g a")
    assert "presses ran out" in out.splitlines()
    assert "say: The kiosk is closing. The session so far is saved." in out
    [s] = saved(tmp_path)
    assert s.ended_by == "interrupted"
    first = s.exercises[0].sets[0]
    assert first.reps == ("clean", "clean", "slipped") and first.ended_by == "fray"


def test_bad_presses_get_a_clear_message(tmp_path, capsys) -> None:
    assert main(["demo", "--data-dir", str(tmp_path), "--presses", "gxq"]) == 2
    assert "unknown press 'x'" in capsys.readouterr().err


def test_red_mid_set_through_mock_pins_stops_at_once(tmp_path) -> None:
    k = Shell(tmp_path)
    k.press(Button.GREEN)  # start
    for _ in range(2):
        k.press(Button.GREEN)  # pain 1, 2
    k.press(Button.GREEN, hold=2.0)  # confirm
    k.press(Button.AMBER)  # skip the breathing primer
    k.until("intro")
    k.press(Button.GREEN)  # ready
    k.run(3.0)  # in the middle of rep 1
    k.voice.calls.clear()
    pin = k.pin(Button.RED)
    pin.drive_low()
    k.app.step()  # RED is acted on in the very next pass of the loop
    assert k.app.view.screen == "pain"
    assert any(type(c).__name__ == "Hush" for c in k.voice.calls)
    assert "How much does it hurt" in k.voice.said[-1]
    pin.drive_high()
    k.run(0.5)
    k.press(Button.GREEN)  # pain 3 (from 2)
    k.press(Button.GREEN, hold=2.0)  # confirm: one point up, so the session goes on
    assert k.app.view.screen == "after_pain"
    k.press(Button.RED, hold=2.5)  # hold RED: end now
    k.app.close()
    [s] = saved(tmp_path)
    assert s.ended_by == "stop"
    assert s.pain_events[0].pain == 3
    assert s.exercises[0].sets[0].ended_by == "pain"


def test_amber_mid_set_through_mock_pins_ends_the_set(tmp_path) -> None:
    k = Shell(tmp_path)
    k.press(Button.GREEN)
    k.press(Button.GREEN, hold=2.0)  # pain 0 confirmed
    k.press(Button.AMBER)  # skip primer
    k.until("intro")
    k.press(Button.GREEN)
    for _ in range(3):
        k.run(2.0)
        k.press(Button.GREEN)
    k.press(Button.AMBER)
    assert any("Three clean reps. That is your perfect capacity today." in s
               for s in k.voice.said)
    assert k.app.view.screen == "intro"  # on to the next exercise: no second set after a fray
    k.press(Button.RED, hold=2.5)
    k.app.close()
    [s] = saved(tmp_path)
    assert s.exercises[0].sets == (SetRecord(None, ("clean",) * 3 + ("slipped",), 3, "fray"),)
