"""The packaged exercise library (config/exercises.toml): it loads, its ladders climb from
supported to loaded, and every line it makes the voice say is short enough to say in time."""

from __future__ import annotations

import pytest

from kiosk.config import DEFAULT_EXERCISES, POSITIONS, load_library
from kiosk.core.coach import breath
from kiosk.core.coach.rotation import POSITION_ORDER, position_rank
from kiosk.core.data.model import Family, Library, Variation
from kiosk.errors import ConfigError

MAX_WORDS = 25
DIAGNOSIS = ("disc", "hernia", "injur", "damage", "degenerat", "sciatica", "arthritis", "tear")


def _load() -> tuple[Library, list[ConfigError]]:
    problems: list[ConfigError] = []
    return load_library(DEFAULT_EXERCISES, problems), problems


LIBRARY, PROBLEMS = _load()
VARIATIONS = [(f, v) for f in LIBRARY.families for v in f.ladder]
IDS = [v.id for _, v in VARIATIONS]


def test_the_packaged_library_loads_with_no_problems() -> None:
    assert PROBLEMS == []


def test_at_least_eight_families_of_at_least_three_variations() -> None:
    assert len(LIBRARY.families) >= 8
    short = [f.id for f in LIBRARY.families if len(f.ladder) < 3]
    assert short == []


def test_the_first_ladders_keep_their_ids() -> None:
    """History records name these ids; renaming one would orphan saved sessions. New rungs may
    go between them, but the old ones stay, in their order."""
    ids = {f.id: [v.id for v in f.ladder] for f in LIBRARY.families}
    for fid, old in {
        "bridge": ["bridge-supported", "bridge-full", "bridge-march"],
        "bird-dog": ["bird-dog-arm", "bird-dog-leg", "bird-dog-full"],
        "sit-to-stand": ["sit-to-stand-high", "sit-to-stand-chair", "squat-goblet"],
        "side-plank": ["side-plank-hip-lift", "side-plank-knees", "side-plank-full"],
    }.items():
        assert [i for i in ids[fid] if i in old] == old


def test_the_staples_are_there() -> None:
    """The big three for spinal stability (curl-up, side plank, bird-dog), cat-camel, a pelvic
    tilt and walking, in minutes."""
    ids = {f.id for f in LIBRARY.families}
    assert {"curl-up", "side-plank", "bird-dog", "cat-camel", "pelvic-tilt", "walking"} <= ids
    assert all(v.unit == "minutes" for v in LIBRARY.family("walking").ladder)


def test_side_plank_rungs_differ_and_holds_progress() -> None:
    """Each rung changes one thing, and somewhere up every ladder with holds, the hold grows."""
    ladder = LIBRARY.family("side-plank").ladder
    assert len({(v.move, v.hold_breaths, v.position, v.cues) for v in ladder}) == len(ladder)
    for f in LIBRARY.families:
        holds = [v.hold_breaths for v in f.ladder]
        if any(holds):
            assert any(v.step == "hold" for v in f.ladder), f.id
            assert max(holds) >= 1


@pytest.mark.parametrize(("family", "v"), VARIATIONS, ids=IDS)
def test_every_variation_has_cues_a_breath_model_and_a_fray_tip(family: Family, v: Variation
                                                                ) -> None:
    assert v.cues and v.fray_tip and v.effort in ("exhale", "inhale") and all(v.tempo)
    assert len(v.fray_tip.split()) <= 14, "a tip is one short thing to fix"
    if v is not family.ladder[0]:
        assert v.step != "start" and v.step_note, "each step up is explained"


def test_the_position_order_names_every_allowed_position() -> None:
    assert sorted(POSITION_ORDER) == sorted(POSITIONS)


@pytest.mark.parametrize("family", LIBRARY.families, ids=lambda f: f.id)
def test_each_ladder_climbs_from_supported_towards_standing_and_loaded(family: Family) -> None:
    ranks = [position_rank(v.position) for v in family.ladder]
    assert ranks == sorted(ranks), [v.position for v in family.ladder]


def test_the_library_as_a_whole_reaches_standing_and_loaded() -> None:
    positions = {v.position for _, v in VARIATIONS}
    assert {"lying", "all-fours", "standing", "loaded"} <= positions


@pytest.mark.parametrize(("family", "v"), VARIATIONS, ids=IDS)
def test_every_spoken_text_is_short_and_plain(family: Family, v: Variation) -> None:
    texts = [family.name, v.name, v.move, v.back, *v.cues, *_rep_lines(v)]
    for text in texts:
        assert len(text.split()) < MAX_WORDS, text
        assert not any(word in text.lower() for word in DIAGNOSIS), text
    assert v.back == v.back.lower(), "the voice capitalises `back` itself"
    assert 1 <= len(v.cues) <= 2, "one or two precision cues"


@pytest.mark.parametrize(("family", "v"), VARIATIONS, ids=IDS)
def test_reps_are_a_small_ladder_step(family: Family, v: Variation) -> None:
    assert 1 <= v.start_reps <= v.max_reps <= 20  # phrases speaks counts up to twenty as words
    assert v.side in ("none", "alternate", "each")


def _rep_lines(v: Variation) -> list[str]:
    return [line for beat in breath.set_beats(v, 3) for line in beat.say]
