"""The safety steps through the real shell (docs/safety.md): gpiozero mock pins, a recording
voice, TinyDB on disk, and the kiosk command. What a person notices: what is said and shown,
what is saved, and what the command line prints."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.cli import main  # noqa: E402
from kiosk.config import packaged_wording  # noqa: E402
from kiosk.core.coach.safety import Group, How, Outcome, Reason, SafetyCheck  # noqa: E402
from kiosk.core.data.model import Button  # noqa: E402
from kiosk.core.data.records import Record, SessionRecord  # noqa: E402
from kiosk.core.words import phrases  # noqa: E402
from kiosk.store.months import WholeHistory  # noqa: E402  # the kiosk keeps months
from tests.shell import Shell  # noqa: E402

pytestmark = pytest.mark.slow
WORDING = packaged_wording()
EMERGENCY = WORDING.advice[Group.EMERGENCY]


def records(data: Path) -> list[Record]:
    with WholeHistory.open(data) as h:
        return h.records()


def test_a_fresh_kiosk_welcomes_and_asks_before_any_exercise(tmp_path: Path) -> None:
    shell = Shell(tmp_path, answered=False)
    assert shell.app.view.screen == "welcome"
    assert shell.said[:3] == list(WORDING.welcome)
    # Every question is rendered ahead, like the session's lines: none waits on the engine.
    assert {q.text for q in WORDING.questions} <= set(shell.voice.prepared)
    shell.press(Button.GREEN)
    assert shell.app.view.lines == WORDING.buttons
    shell.press(Button.GREEN)
    for q in WORDING.questions:
        assert shell.app.view.screen == "question" and shell.app.view.lines == (q.text,)
        assert shell.said[-1] == q.text  # one at a time, each after the answer before
        shell.press(Button.AMBER)
    assert shell.app.view.screen == "home"
    assert WORDING.all_clear in shell.said
    shell.press(Button.GREEN)
    # No second round (answered a minute ago); first, how the person moves (signature.md).
    assert shell.app.view.screen == "screening"
    shell.press(Button.AMBER)  # not now: straight on to the session
    assert shell.app.view.screen == "checkin"
    shell.press(Button.RED)
    shell.app.close()
    [answers] = [r for r in records(tmp_path) if isinstance(r, SafetyCheck)]
    assert answers.outcome is Outcome.CLEAR and len(answers.answers) == 20
    # A restart on the same day: no welcome, no questions.
    again = Shell(tmp_path, answered=False)
    assert again.app.view.screen == "home"
    assert WORDING.welcome[0] not in again.said
    again.app.close()


def test_red_on_a_question_counts_as_yes_and_nothing_else_follows(tmp_path: Path) -> None:
    shell = Shell(tmp_path, answered=False)
    shell.press(Button.GREEN)
    shell.press(Button.GREEN)
    shell.press(Button.RED)  # "not sure" on the first question
    assert shell.app.view.screen == "advice" and EMERGENCY in shell.app.view.lines
    assert shell.said[-1] == EMERGENCY
    shell.run(5)
    shell.press(Button.GREEN)  # home, then GREEN again: the advice, never a session
    assert shell.app.view.title == "No exercise now"
    shell.press(Button.GREEN)
    assert shell.app.view.screen == "advice" and shell.app.kiosk.session is None
    shell.app.close()
    [answers] = records(tmp_path)
    assert isinstance(answers, SafetyCheck) and answers.answers[0].how is How.RED


def test_demo_red_flag_prints_the_emergency_advice_and_saves_no_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--user", "red-flag", "--data-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    asked = [line for line in lines if line.removeprefix("say: ") in
             [q.text for q in WORDING.questions]]
    assert asked == [f"say: {WORDING.questions[0].text}"]  # the saddle question, answered yes
    assert f"say: {EMERGENCY}" in lines and lines[-1] == f"advice: {EMERGENCY}"
    assert not any("Pain right now" in line or "Exercise one" in line for line in lines)
    assert not any(line.startswith("saved: session") for line in lines)
    with WholeHistory.open(tmp_path) as h:
        assert h.sessions() == []
        [answers] = h.records()
    assert isinstance(answers, SafetyCheck) and answers.outcome is Outcome.EMERGENCY
    assert main(["history", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "safety questions (first-run): emergency" in out and "saddle-numbness" in out
    assert main(["export", "--data-dir", str(tmp_path)]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["sessions"] == [] and exported["safety"][0]["outcome"] == "emergency"


def test_the_steady_demo_answers_no_and_exercises_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for day in ("2026-03-02", "2026-03-03"):
        assert main(["demo", "--date", day, "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count(f"say: {WORDING.questions[0].text}") == 1  # the first day only
    with WholeHistory.open(tmp_path) as h:
        assert [s.ended_by for s in h.sessions()] == ["complete", "complete"]


def test_a_high_check_in_asks_then_offers_only_gentle_movement(tmp_path: Path) -> None:
    wall = datetime(2026, 11, 25, 9, 0)
    # Three earlier days of a steady person (check-ins at 2), through the real kiosk.
    for d in (3, 2, 1):
        assert main(["demo", "--date", (wall - timedelta(days=d)).date().isoformat(),
                     "--data-dir", str(tmp_path)]) == 0
    shell = Shell(tmp_path, wall=wall)
    shell.press(Button.GREEN)  # start; check-in begins at the last rating (1)
    for _ in range(8):
        shell.press(Button.GREEN)  # raise to 9
    shell.press(Button.GREEN, hold=2.0)  # confirm 9
    assert shell.app.view.screen == "legs"  # first, below the knee (issue 27): no
    shell.press(Button.AMBER)
    assert shell.app.view.screen == "question"
    asked = 0
    while shell.app.view.screen == "question":
        shell.press(Button.AMBER)
        asked += 1
    assert asked == 11  # the emergency and urgent groups, not the background one
    assert shell.app.view.screen == "gentle" and phrases.GENTLE_OFFER in shell.said
    shell.press(Button.GREEN)
    shell.until("intro")
    name = shell.app.view.title
    shell.press(Button.RED, hold=2.5)  # end here
    shell.app.close()
    library = {v.name: v for f in shell_library() for v in f.ladder}
    assert library[name].gentle and library[name].position != "loaded"
    saved = records(tmp_path)
    [high] = [r for r in saved if isinstance(r, SafetyCheck) and r.reason is Reason.HIGH_PAIN]
    assert high.pain == 9 and high.groups == (Group.EMERGENCY, Group.URGENT)
    today = [r for r in saved if isinstance(r, SessionRecord) and r.plan_date == wall.date()]
    assert today and all(e.change == "gentle" for e in today[-1].exercises)


def shell_library():
    from kiosk.config import load_config

    return load_config().config.library.families


def test_the_follow_up_of_a_yes_is_asked_recorded_and_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Emergency yes on Monday; on Tuesday GREEN asks whether a clinician has seen the person
    (the steady person says no): advice again, no session, and the answer is in the history,
    the JSON export, the FHIR export and the report."""
    assert main(["demo", "--user", "red-flag", "--date", "2026-03-02",
                 "--data-dir", str(tmp_path)]) == 0
    assert main(["demo", "--date", "2026-03-03", "--data-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"say: {phrases.SEEN_QUESTION}" in lines
    assert lines.count(f"say: {EMERGENCY}") == 2
    assert not any(line.startswith("saved: session") for line in lines)
    with WholeHistory.open(tmp_path) as h:
        assert h.sessions() == []
        follow_up = h.records()[-1]
    assert isinstance(follow_up, SafetyCheck)
    assert (follow_up.reason, follow_up.seen, follow_up.outcome) == (
        Reason.SEEN, How.AMBER, Outcome.EMERGENCY)
    assert main(["history", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "safety questions (seen): emergency" in out
    assert "seen by a clinician      no" in out
    assert main(["export", "--data-dir", str(tmp_path)]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["safety"][-1]["seen"] == "amber"
    assert main(["export", "--format", "fhir", "--data-dir", str(tmp_path)]) == 0
    bundle = json.loads(capsys.readouterr().out)
    items = [i for e in bundle["entry"] for i in e["resource"].get("item", ())
             if i.get("linkId") == "follow-up-seen"]
    assert items == [{"linkId": "follow-up-seen", "text": "seen by a clinician since",
                      "answer": [{"valueBoolean": False}]}]
    out_dir = tmp_path / "report"
    assert main(["report", "--data-dir", str(tmp_path), "--out", str(out_dir),
                 "--since", "2026-03-01", "--until", "2026-03-31"]) == 0
    capsys.readouterr()
    assert "seen: not seen by a clinician" in (out_dir / "report.html").read_text()
