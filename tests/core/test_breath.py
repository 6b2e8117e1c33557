"""The breath timeline, for every variation in the packaged library: the breath alternates
across reps, every line that starts a breath names it, and every line fits its breath."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import DEFAULT_EXERCISES, load_library
from kiosk.core.coach import breath
from kiosk.core.coach.breath import Beat, Role
from kiosk.core.data.model import Breath, Variation
from kiosk.core.words.phrases import speech_seconds

LIBRARY = load_library(DEFAULT_EXERCISES)
VARIATIONS = [v for f in LIBRARY.families for v in f.ladder]
RATE_WPM = 150  # the default voice rate
SLACK = 0.5  # a line may run this far into the next breath before the voice audibly lags
NAMES = ("Breathe in", "Breathe out", "breathe in", "breathe out")


def _sides(v: Variation) -> list[str | None]:
    return ["left", "right"] if v.side == "each" else [None]


def _alternates(beats: tuple[Beat, ...]) -> None:
    for a, b in zip(beats, beats[1:], strict=False):
        assert a.breath is not b.breath, (a, b)


def _fits(beats: tuple[Beat, ...]) -> None:
    """Lines queue one after another, as the voice says them: none may end more than SLACK
    after its breath ends, or the voice falls behind the pacer."""
    start = talk_until = 0.0
    for beat in beats:
        talk_until = max(start, talk_until) + sum(speech_seconds(x, RATE_WPM) for x in beat.say)
        start += beat.seconds
        assert talk_until <= start + SLACK, (beat.say, round(talk_until - start, 1))


@settings(max_examples=300, deadline=None)
@given(v=st.sampled_from(VARIATIONS), reps=st.integers(1, 20), data=st.data())
def test_every_set_alternates_the_breath_names_it_and_fits_its_time(
    v: Variation, reps: int, data: st.DataObject
) -> None:
    side = data.draw(st.sampled_from(_sides(v)))
    beats = breath.set_beats(v, reps, side)
    if data.draw(st.booleans()):  # a set begun at a press names its side in the lead-in
        beats = (breath.lead_in(v, side, name_side=True), *beats[1:])
    _alternates(beats)
    for beat in beats:
        for line in beat.say:
            assert any(name in line for name in NAMES), line
    _fits(beats)
    # each rep takes its time: the breaths it is made of, and a rep the time it says it takes
    total = sum(b.seconds for b in beats)
    assert total == pytest.approx(beats[0].seconds + reps * breath.rep_seconds(v))


@pytest.mark.parametrize("v", VARIATIONS, ids=[v.id for v in VARIATIONS])
def test_each_rep_starts_on_the_effort_and_ends_on_the_other_breath(v: Variation) -> None:
    """So reps chain: rep 2's movement follows rep 1's return with no breath repeated, even
    when the rating pause falls between them."""
    for rep in (1, 2, 3, 7):
        beats = breath.rep_beats(v, rep)
        assert beats[0].breath is v.breath.effort and beats[0].role is Role.MOVE
        assert beats[-1].breath is v.breath.effort.other and beats[-1].role is Role.RETURN
        assert beats[0].say, "every rep opens with its count or words, naming the breath"
    assert breath.lead_in(v).breath is v.breath.effort.other


@pytest.mark.parametrize("v", [v for v in VARIATIONS if v.hold_breaths], ids=lambda v: v.id)
def test_a_hold_keeps_breathing_and_counts_down(v: Variation) -> None:
    beats = breath.rep_beats(v, 1)
    holds = [b for b in beats if b.role is Role.HOLD]
    assert len(holds) == 2 * v.hold_breaths
    assert holds[0].say and "Hold" in holds[0].say[0]
    lefts = [b.hold_left for b in holds]
    assert lefts[0] == pytest.approx(v.hold) and lefts == sorted(lefts, reverse=True)
    assert {b.breath for b in holds} == {Breath.IN, Breath.OUT}


def test_full_words_on_rep_one_and_every_third_count_tones_between() -> None:
    v = LIBRARY.variation("bridge-full")[1]
    said = {rep: breath.rep_beats(v, rep)[0].say[0] for rep in range(1, 7)}
    assert said[1] == "Breathe out as you lift your hips into a bridge."
    assert said[2] == "Two. Breathe out."
    assert said[3] == "Three. Breathe out as you lift your hips into a bridge."
    returns = {rep: breath.rep_beats(v, rep)[-1].say for rep in range(1, 5)}
    assert returns[1] == ("Breathe in as you roll down slowly.",)
    assert returns[2] == ()  # the tone carries it
    assert breath.rep_beats(v, 2)[-1].tone == "inhale"


def test_alternating_reps_are_counted_in_pairs() -> None:
    v = LIBRARY.variation("bird-dog-arm")[1]
    openers = [breath.rep_beats(v, rep)[0].say[0] for rep in range(1, 7)]
    assert openers[:2] == ["Left, one. Breathe out as you reach one arm forward.",
                           "Right, one. Breathe out as you reach one arm forward."]
    assert openers[2:4] == ["Left, two. Breathe out.", "Right, two. Breathe out."]
    assert openers[4].startswith("Left, three. Breathe out as you")
    assert [breath.rep_side(v, r) for r in range(1, 5)] == ["left", "right", "left", "right"]


def test_a_walking_minute_is_a_minute_of_paced_breaths() -> None:
    v = LIBRARY.variation("walk-easy")[1]
    assert v.unit == "minutes"
    assert 55 <= breath.rep_seconds(v) <= 65
    second = breath.rep_beats(v, 2)
    assert second[0].say == ("Minute two. Breathe in.",)
    assert all(not b.say for b in second[1:])


# Words that belong to one breath: a line said on the other one contradicts the pacer. The
# in-breath widens the lower ribs sideways; the out-breath lets go and tightens low.
IN_WORDS = ("breathe in", "inhale", "widen", "sideways", "fill your")
OUT_WORDS = ("breathe out", "exhale")


def _named(line: str) -> set[Breath]:
    low = line.lower()
    return ({Breath.IN} if any(w in low for w in IN_WORDS) else set()) | (
        {Breath.OUT} if any(w in low for w in OUT_WORDS) else set())


@settings(max_examples=300, deadline=None)
@given(v=st.sampled_from(VARIATIONS), reps=st.integers(1, 12), data=st.data())
def test_every_cue_names_only_the_breath_it_is_said_on(
    v: Variation, reps: int, data: st.DataObject
) -> None:
    side = data.draw(st.sampled_from(_sides(v)))
    for beat in breath.set_beats(v, reps, side):
        for full, short in beat.cues():
            for line in (full, short):
                assert _named(line) <= {beat.breath}, (beat.breath, line)


def test_the_breathing_primer_says_in_breath_words_on_the_in_breath_only() -> None:
    """The primer opens on the in-breath and cues every second out-breath (session.py)."""
    from kiosk.core.words.phrases import PRIMER_CUES, PRIMER_INTRO

    assert Breath.IN in _named(PRIMER_INTRO)
    for cue in PRIMER_CUES:
        assert _named(cue) == {Breath.OUT}, cue
