"""A new person's first start through the real ``kiosk demo`` (issue 30, items 2 and 3).

``--presses`` answers every screen, the welcome, the safety questions and the movement check
included: what is saved on disk is exactly what was pressed, and a script that ends in the
middle of a question saves no answer for it. Read back from the history on disk.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.cli import main  # noqa: E402
from kiosk.config import DEFAULT_CONFIG, load_config  # noqa: E402
from kiosk.core.coach.safety import GROUPS, How, SafetyCheck  # noqa: E402
from kiosk.core.data.records import ScreeningRecord, SessionRecord  # noqa: E402
from kiosk.store.months import WholeHistory  # noqa: E402
from tests.core.helpers import first_start  # noqa: E402

pytestmark = pytest.mark.slow

CFG = load_config(DEFAULT_CONFIG).config
PAGES = len(CFG.wording.about)  # the welcome's screens: any button goes on
QUESTIONS = len(CFG.wording.asking(GROUPS))  # the first start asks every group
TURNS = sum(2 if p.sides else 1 for p in CFG.signature.probes)  # each side rated on its own


def demo(data: Path, capsys: pytest.CaptureFixture[str], presses: str) -> tuple[str, str]:
    assert main(["--config", str(DEFAULT_CONFIG), "--data-dir", str(data), "demo",
                 "--presses", presses]) == 0
    got = capsys.readouterr()
    return got.out, got.err


def history(data: Path) -> list[object]:
    if not (data / "history").exists():
        return []
    with WholeHistory.open(data) as h:
        return list(h.records())


def test_presses_answer_every_screen_of_a_first_start_and_only_they_are_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The welcome, every question "no" (AMBER), GREEN at home, the movement check: begin, then
    # each turn "ready" and its rating (the first stiff, the rest easy), GREEN past each page
    # of the result; then the check-in: GREEN raises the pain to 1, GREEN held confirms it.
    ratings = "a" + "g" * (TURNS - 1)
    script = first_start(ratings) + "gG"
    out, err = demo(tmp_path, capsys, script)
    assert "presses ran out" in out.splitlines()
    assert "only your presses answer" in err

    records = history(tmp_path)
    [check] = [r for r in records if isinstance(r, SafetyCheck)]
    assert [a.how for a in check.answers] == [How.AMBER] * QUESTIONS, "each answer as pressed"
    [signature] = [r for r in records if isinstance(r, ScreeningRecord)]
    assert [r.rating for r in signature.results] == [
        "stiff" if b == "a" else "easy" for b in ratings]
    [session] = [r for r in records if isinstance(r, SessionRecord)]
    assert session.pain_before == 1 and session.ended_by == "interrupted"
    assert not any(ex.sets for ex in session.exercises), "no rep was pressed, none is saved"
    # Each saved record is named once, and nothing else is.
    named = [line for line in out.splitlines() if line.startswith("saved: ")]
    assert [line.split()[1:3] for line in named] == [
        ["safety-answers", check.id], ["signature", signature.id], ["session", session.id]]


def test_a_script_that_ends_mid_question_says_so_and_saves_no_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = demo(tmp_path, capsys, "g" * PAGES + " aaa")
    lines = out.splitlines()
    assert "presses ran out" in lines
    assert (f'demo: the presses ended on "Safety question 4 of {QUESTIONS}", waiting for an '
            "answer: no answer is made up for it") in lines
    assert not any(line.startswith(("saved:", "NOT saved:")) for line in lines)
    assert history(tmp_path) == [], "three answers of twenty are not a round: nothing saved"


def test_a_script_that_ends_mid_movement_check_keeps_only_the_answered_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = demo(tmp_path, capsys, "g" * PAGES + " " + "a" * QUESTIONS + " g g ga g")
    lines = out.splitlines()
    assert any(line.startswith('demo: the presses ended on "') for line in lines), lines
    records = history(tmp_path)
    assert [type(r) for r in records] == [SafetyCheck], "no signature made up from one rating"
    assert [line.split()[1] for line in lines if line.startswith("saved: ")] == [
        "safety-answers"]
    assert "say: The kiosk is closing." not in "\n".join(lines), "no session was open"
