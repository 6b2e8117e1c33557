"""kiosk/config/: the [safety] settings and the wording in safety.toml (docs/safety.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.config import DEFAULT_SAFETY, load_config, packaged_wording


def test_cleared_on_is_a_toml_date(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[safety]\ncleared_on = 2026-11-20\n")
    loaded = load_config(path)
    assert loaded.problems == () and loaded.config.safety.cleared_on == date(2026, 11, 20)


@pytest.mark.parametrize("value", ['"2026-11-20"', "2026-11-20T10:00:00", "20261120", "true"])
def test_a_cleared_on_that_is_not_a_date_is_named_and_means_not_cleared(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f"[safety]\ncleared_on = {value}\n")
    loaded = load_config(path)
    assert [p.key for p in loaded.problems] == ["safety.cleared_on"]
    assert "no quotes" in str(loaded.problems[0])
    assert loaded.config.safety.cleared_on is None


def test_the_leg_question_is_on_unless_turned_off(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[safety]\n")
    assert load_config(path).config.safety.leg_question is True
    path.write_text("[safety]\nleg_question = false\n")
    loaded = load_config(path)
    assert loaded.problems == () and loaded.config.safety.leg_question is False


@pytest.mark.parametrize("value", ['"no"', "0", '"false"'])
def test_a_leg_question_that_is_not_true_or_false_is_named_and_stays_on(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f"[safety]\nleg_question = {value}\n")
    loaded = load_config(path)
    assert [p.key for p in loaded.problems] == ["safety.leg_question"]
    assert "true or false" in str(loaded.problems[0])
    assert loaded.config.safety.leg_question is True  # asked: the safe side


def test_a_safety_toml_beside_the_config_is_used(tmp_path: Path) -> None:
    text = DEFAULT_SAFETY.read_text().replace("Have you ever had cancer?",
                                              "Have you ever been treated for cancer?")
    (tmp_path / "safety.toml").write_text(text)
    (tmp_path / "kiosk.toml").write_text("")
    loaded = load_config(tmp_path / "kiosk.toml")
    assert loaded.problems == ()
    texts = [q.text for q in loaded.config.wording.questions]
    assert "Have you ever been treated for cancer?" in texts


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (('group = "urgent"', 'group = "soon"'), "question[6].group"),
        (('id = "bowel"', 'id = "bladder"'), "question[2].id"),
        (('emergency = "Stop.', 'emergencyx = "Stop.'), "advice.emergency"),
        (("welcome = [", "welcome = 5\nx = ["), "welcome"),
    ],
    ids=["unknown-group", "duplicate-id", "missing-advice", "welcome-not-a-list"],
)
def test_a_broken_safety_toml_is_named_and_the_packaged_wording_is_used_whole(
    tmp_path: Path, edit: tuple[str, str], key: str
) -> None:
    text = DEFAULT_SAFETY.read_text()
    assert edit[0] in text
    (tmp_path / "safety.toml").write_text(text.replace(edit[0], edit[1], 1))
    (tmp_path / "kiosk.toml").write_text("")
    loaded = load_config(tmp_path / "kiosk.toml")
    assert [p.key for p in loaded.problems] == [key]
    assert loaded.problems[0].file == str(tmp_path / "safety.toml")
    assert loaded.config.wording == packaged_wording()


def test_a_group_with_no_question_is_named(tmp_path: Path) -> None:
    text = DEFAULT_SAFETY.read_text().replace('group = "background"', 'group = "urgent"')
    (tmp_path / "safety.toml").write_text(text)
    (tmp_path / "kiosk.toml").write_text("")
    loaded = load_config(tmp_path / "kiosk.toml")
    assert [str(p.value) for p in loaded.problems] == ["no background question"]
