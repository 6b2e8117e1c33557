"""The packaged ritual library (config/rituals.toml), what opens each ritual, and the quick ritual
that fits the time of day (kiosk/core/coach/rituals.py, kiosk.config.load_rituals)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import DEFAULT_EXERCISES, DEFAULT_RITUALS, load_library, load_rituals
from kiosk.core.coach.rituals import (
    RitualBook,
    duration,
    fitting,
    hhmm,
    open_ids,
    ritual_cue,
    step_beats,
    unlocks,
)
from kiosk.core.words import phrases
from kiosk.core.words.phrases import speech_seconds
from kiosk.errors import ConfigError

LIBRARY = load_library(DEFAULT_EXERCISES)
PROBLEMS: list[ConfigError] = []
BOOK = load_rituals(DEFAULT_RITUALS, LIBRARY, PROBLEMS)
RATE_WPM = 150
SLACK = 0.5
DIAGNOSIS = ("disc", "hernia", "injur", "damage", "degenerat", "sciatica", "arthritis", "tear")


def m(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


def test_the_packaged_rituals_load_with_no_problems() -> None:
    assert PROBLEMS == []
    assert len(BOOK.rituals) >= 8


def test_the_daily_moments_the_issue_names_are_all_there() -> None:
    ids = {r.id for r in BOOK.rituals}
    assert {"coffee-mobility", "grocery-lift", "desk-pivot", "shelf-reach", "car-reach",
            "stairs", "floor-rise", "wind-down", "chair-rise"} <= ids


def test_wind_down_coffee_and_chair_are_open_from_the_first_day() -> None:
    first_day = open_ids(unlocks(BOOK, LIBRARY, {}))
    assert {"wind-down", "coffee-mobility", "chair-rise"} <= first_day
    assert "grocery-lift" not in first_day  # a loaded lift waits for a clean standing hinge


@pytest.mark.parametrize("ritual", BOOK.rituals, ids=lambda r: r.id)
def test_each_ritual_lasts_30_to_90_seconds_on_its_rungs_breath(ritual) -> None:
    _, v = LIBRARY.variation(ritual.builds_on)
    opening = phrases.ritual_opening(ritual.name, ritual.setup, ritual_cue(ritual, v))
    seconds = duration(ritual, v, sum(speech_seconds(x, RATE_WPM) for x in opening))
    assert 30 <= seconds <= 90


@pytest.mark.parametrize("ritual", BOOK.rituals, ids=lambda r: r.id)
def test_each_step_fits_the_breath_that_carries_it(ritual) -> None:
    _, v = LIBRARY.variation(ritual.builds_on)
    for _, beat in step_beats(ritual, v):
        line = beat.say[0]
        assert speech_seconds(line, RATE_WPM) <= beat.seconds + SLACK, line
        assert not any(w in line.lower() for w in DIAGNOSIS), line


def test_no_scheduled_time_falls_in_quiet_hours() -> None:
    for r in BOOK.rituals:
        assert not any(BOOK.schedule.is_quiet(t) for t in r.at), r.id


def test_a_ritual_opens_when_its_family_reaches_the_rung_and_closes_after_a_step_back() -> None:
    before = unlocks(BOOK, LIBRARY, {"hip-hinge": "hip-hinge-kneeling"})["grocery-lift"]
    assert not before.open
    assert before.why == ("opens when Hip hinge reaches standing hip hinge "
                          "(now: kneeling hip hinge)")
    at = unlocks(BOOK, LIBRARY, {"hip-hinge": "hip-hinge-standing"})["grocery-lift"]
    assert at.open and at.why == "open: Hip hinge has reached standing hip hinge"
    above = unlocks(BOOK, LIBRARY, {"hip-hinge": "hip-hinge-weight"})["grocery-lift"]
    assert above.open
    assert unlocks(BOOK, LIBRARY, {})["wind-down"].why == "open from the first day (Rib breathing)"


def test_a_ritual_on_a_rung_the_library_no_longer_has_is_left_out() -> None:
    lib = load_library(DEFAULT_EXERCISES)
    problems: list[ConfigError] = []
    from dataclasses import replace

    smaller = replace(lib, families=tuple(f for f in lib.families if f.id != "hip-hinge"))
    book = load_rituals(DEFAULT_RITUALS, smaller, problems)
    assert "grocery-lift" not in {r.id for r in book.rituals}
    assert [p.key for p in problems] == ["ritual[4].builds_on"]


@pytest.mark.parametrize(
    ("now", "opened", "expected"),
    [
        ("06:30", None, "coffee-mobility"),
        ("07:45", None, "car-reach"),  # the most particular moment wins
        ("07:45", {"coffee-mobility", "wind-down", "chair-rise"}, "coffee-mobility"),
        ("14:30", {"coffee-mobility", "wind-down", "chair-rise"}, "chair-rise"),
        ("23:10", None, "wind-down"),
        ("01:30", None, "wind-down"),  # a part of the day that wraps midnight
        ("03:00", {"coffee-mobility", "chair-rise"}, "chair-rise"),  # none fits: the latest begun
    ],
)
def test_the_quick_ritual_fits_the_time_of_day(now: str, opened: set[str] | None,
                                               expected: str) -> None:
    allowed = opened if opened is not None else {r.id for r in BOOK.rituals}
    r = fitting(BOOK, m(now), allowed)
    assert r is not None and r.id == expected


def test_the_quick_ritual_takes_the_unscheduled_ones_in_turn() -> None:
    everything = {r.id for r in BOOK.rituals}
    turns = [fitting(BOOK, m("15:00"), everything, turn) for turn in range(12)]
    ids = [r.id for r in turns if r is not None]
    unscheduled = [r.id for r in BOOK.rituals if not r.at]
    best = ids[0]
    assert best == "shelf-reach" and "stairs" in unscheduled  # 13:00-16:00 fits 15:00 best
    assert set(ids[:len(unscheduled)]) == set(unscheduled)  # the best fit is unscheduled too
    assert ids[len(unscheduled)] == best  # and round again


def test_no_quick_ritual_when_none_is_open() -> None:
    assert fitting(BOOK, m("08:00"), set()) is None


def test_times_of_day_read_back() -> None:
    assert hhmm(0) == "00:00" and hhmm(21 * 60 + 30) == "21:30"
    assert ("coffee-mobility", 8 * 60) in BOOK.times()


# --- bad input ---------------------------------------------------------------------------
def _load(tmp_path: Path, text: str) -> tuple[RitualBook, list[str]]:
    path = tmp_path / "rituals.toml"
    path.write_text(text, encoding="utf-8")
    problems: list[ConfigError] = []
    book = load_rituals(path, LIBRARY, problems)
    return book, [str(p) for p in problems]


GOOD = """
[[ritual]]
id = "chair"
name = "Getting up from a chair"
moment = "leaving a chair"
builds_on = "sit-to-stand-high"
setup = "Sit near the front of your chair."
steps = ["hinge forward", "stand up tall", "reach your hips back", "sit down slowly"]
rounds = 2
at = ["14:00"]
"""


def test_a_good_file_gives_its_ritual_and_the_defaults(tmp_path: Path) -> None:
    book, problems = _load(tmp_path, GOOD)
    assert problems == []
    assert [r.id for r in book.rituals] == ["chair"]
    assert book.rituals[0].at == (14 * 60,)
    assert book.weekly_target == 5 and book.schedule.snooze_minutes == 10


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('at = ["14:00"]', 'at = ["25:00"]'), "ritual[0].at"),
        (('at = ["14:00"]', 'at = ["23:00"]'), "ritual[0].at"),  # quiet hours by default
        (('builds_on = "sit-to-stand-high"', 'builds_on = "nope"'), "ritual[0].builds_on"),
        (("rounds = 2", "rounds = 9"), "ritual[0].rounds"),
        (("rounds = 2", "rounds = 1"), "ritual[0].steps"),  # 28 s + speech: too short? see test
        (('"hinge forward"', '"hinge forward and then keep going much further down to the floor"'),
         "ritual[0].steps"),
        (('id = "chair"', 'id = "Chair!"'), "ritual[0].id"),
        (('moment = "leaving a chair"', "moment = 3"), "ritual[0].moment"),
        (("rounds = 2", "rounds = 2\ncolour = 1"), "ritual[0].colour"),
    ],
)
def test_a_bad_value_names_its_key_and_leaves_that_ritual_out(
    tmp_path: Path, change: tuple[str, str], key: str
) -> None:
    text = GOOD.replace(*change)
    book, problems = _load(tmp_path, text)
    if key == "ritual[0].steps" and change[1] == "rounds = 1":
        # 4 steps of 7 s plus the opening is just over 30 s: allowed. One step is not.
        book, problems = _load(tmp_path, GOOD.replace(
            '["hinge forward", "stand up tall", "reach your hips back", "sit down slowly"]',
            '["stand up tall"]'))
    assert len(problems) == 1 and f": {key} = " in problems[0], problems
    assert book.rituals == ()


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ('[schedule]\nquiet_hours = ["22:00"]', "schedule.quiet_hours"),
        ("[schedule]\nsnooze_minutes = 0", "schedule.snooze_minutes"),
        ("[schedule]\nnap = 1", "schedule.nap"),
        ("[rhythm]\nweekly_target = 8", "rhythm.weekly_target"),
    ],
)
def test_a_bad_setting_takes_its_default_and_keeps_the_rituals(
    tmp_path: Path, section: str, key: str
) -> None:
    book, problems = _load(tmp_path, section + "\n" + GOOD)
    assert len(problems) == 1 and f": {key} = " in problems[0], problems
    assert [r.id for r in book.rituals] == ["chair"]
    assert book.weekly_target == 5 and book.schedule == RitualBook().schedule


def test_no_quiet_hours_at_all(tmp_path: Path) -> None:
    book, problems = _load(tmp_path, "[schedule]\nquiet_hours = []\n" + GOOD)
    assert problems == [] and book.schedule.quiet is None


def test_an_unreadable_file_falls_back_to_the_packaged_rituals(tmp_path: Path) -> None:
    book, problems = _load(tmp_path, "[[ritual]\nid =")
    assert len(problems) == 1 and "packaged rituals are used" in problems[0]
    assert {r.id for r in book.rituals} == {r.id for r in BOOK.rituals}
