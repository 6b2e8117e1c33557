"""The packaged exercise library (config/exercises.toml): it loads, its ladders climb from
supported to loaded, and every line it makes the voice say is short enough to say in time."""

from __future__ import annotations

import pytest

from kiosk.config import DEFAULT_EXERCISES, POSITIONS, load_library
from kiosk.core import phrases
from kiosk.core.model import Family, Library, Variation
from kiosk.core.rotation import POSITION_ORDER, position_rank
from kiosk.core.session import speech_seconds
from kiosk.errors import ConfigError

RATE_WPM = 150  # the default voice rate; a slower voice is the user's choice, not a fault here
SLACK = 0.5  # seconds a line may run into the next breath before the voice audibly lags
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
    """History records name these ids; renaming one would orphan saved sessions."""
    ids = {f.id: [v.id for v in f.ladder] for f in LIBRARY.families}
    assert ids["bridge"][:3] == ["bridge-supported", "bridge-full", "bridge-march"]
    assert ids["bird-dog"][:3] == ["bird-dog-arm", "bird-dog-leg", "bird-dog-full"]
    assert ids["sit-to-stand"][:3] == ["sit-to-stand-high", "sit-to-stand-chair", "squat-goblet"]


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


@pytest.mark.parametrize(("family", "v"), VARIATIONS, ids=IDS)
def test_the_tempo_fits_the_words(family: Family, v: Variation) -> None:
    """On a guided rep every breath has its line; the voice must keep up with the breath.

    The lines queue one after another, as the session's voice does, so a line that overruns
    its breath delays the next one; no line may end more than SLACK after its breath ends.
    """
    inhale, exhale = v.tempo
    effort, other = (exhale, inhale) if v.effort == "exhale" else (inhale, exhale)
    # The worst prefix said before "Breathe in to prepare": a side word, or a long count.
    prefix = "Right side." if v.side == "alternate" else phrases.rep_count(max(v.max_reps, 3))
    phases = [
        (other, [prefix, phrases.rep_cue(v, "prepare")]),
        (effort, [phrases.rep_cue(v, "effort")]),
        *([(v.hold, [phrases.rep_cue(v, "hold")])] if v.hold else []),
        (other, [phrases.rep_cue(v, "back")]),
    ]
    start = talk_until = 0.0
    for seconds, lines in phases:
        talk_until = max(start, talk_until) + sum(speech_seconds(x, RATE_WPM) for x in lines)
        start += seconds
        assert talk_until <= start + SLACK, (lines, round(talk_until - start, 1))


def _rep_lines(v: Variation) -> list[str]:
    return [phrases.rep_cue(v, role) for role in ("prepare", "effort", "hold", "back")]
