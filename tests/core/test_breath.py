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


PACED = [v for v in VARIATIONS if v.unit != "minutes"]
WALKS = [v for v in VARIATIONS if v.unit == "minutes"]


@settings(max_examples=300, deadline=None)
@given(v=st.sampled_from(PACED), reps=st.integers(1, 20), data=st.data())
def test_every_set_alternates_the_breath_names_it_and_fits_its_time(
    v: Variation, reps: int, data: st.DataObject
) -> None:
    side = data.draw(st.sampled_from(_sides(v)))
    after = data.draw(st.sampled_from([Breath.OUT, Breath.IN]))
    beats = breath.set_beats(v, reps, side, after=after)
    lead = breath.lead_in(v, side, after=after)
    if data.draw(st.booleans()):  # a set begun at a press names its side in the lead-in
        named = breath.lead_in(v, side, name_side=True, after=after)
        beats = (*named, *beats[len(named):])
    assert beats[0].breath is not after, "the lead-in follows the breath cued before it"
    _alternates(beats)
    assert beats[-1].breath is Breath.OUT, "a set ends on an out-breath"
    for beat in beats:
        for line in beat.say:
            assert any(name in line for name in NAMES), line
    _fits(beats)
    # each rep takes its time: the breaths it is made of, and a rep the time it says it takes
    total = sum(b.seconds for b in beats)
    closing = sum(b.seconds for b in beats if b.role is Role.CLOSE)
    assert total == pytest.approx(sum(b.seconds for b in lead) + reps * breath.rep_seconds(v)
                                  + closing)


def test_sets_rests_and_sets_chain_with_never_two_of_one_breath() -> None:
    """The primer and the rests breathe in, then out; a set ends on "Breathe out, and rest.";
    the next set starts on the in-breath: two sets with a rest between never repeat a breath."""
    for v in PACED:
        rest = (Breath.IN, Breath.OUT)
        chain = [*rest, *(b.breath for b in breath.set_beats(v, 3)), *rest,
                 *(b.breath for b in breath.set_beats(v, 2))]
        assert all(a is not b for a, b in zip(chain, chain[1:], strict=False)), v.id
    close = breath.set_beats(LIBRARY.variation("bridge-full")[1], 2)[-1]
    assert close.role is Role.CLOSE and close.say == ("Breathe out, and rest.",)


@pytest.mark.parametrize("v", PACED, ids=[v.id for v in PACED])
def test_each_rep_starts_on_its_first_breath_and_ends_on_the_other(v: Variation) -> None:
    """So reps chain: rep 2 follows rep 1 with no breath repeated, even when the rating pause
    falls between them. Most reps start on the effort; a rep that starts at its end position
    (``starts = "back"``) starts with the way back."""
    first = v.breath.first
    for rep in (1, 2, 3, 7):
        beats = breath.rep_beats(v, rep)
        assert beats[0].breath is first and beats[-1].breath is first.other
        assert beats[0].role is (Role.RETURN if v.starts == "back" else Role.MOVE)
        assert beats[0].say, "every rep opens with its count or words, naming the breath"
    assert breath.lead_in(v)[-1].breath is first.other


def test_the_standing_hip_hinge_starts_standing_so_hips_back_first() -> None:
    v = LIBRARY.variation("hip-hinge-standing")[1]
    beats = breath.set_beats(v, 2)
    said = [(b.breath, b.say) for b in beats]
    assert said[:4] == [
        (Breath.IN, ("Breathe in to prepare.",)),
        (Breath.OUT, ("And breathe out.",)),
        (Breath.IN, ("Breathe in as you push your hips back.",)),
        (Breath.OUT, ("Breathe out as you press your hips forward.",)),
    ]
    assert said[4] == (Breath.IN, ("Two. Breathe in.",))
    assert beats[-1].breath is Breath.OUT and beats[-1].role is Role.MOVE  # no close needed


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


@pytest.mark.parametrize("v", WALKS, ids=[v.id for v in WALKS])
def test_a_walking_minute_is_cued_once_with_the_time_left_and_no_breath(v: Variation) -> None:
    assert breath.rep_seconds(v) == 60
    assert breath.lead_in(v) == ()
    beats = breath.set_beats(v, 3)
    assert [b.say for b in beats] == [("Start walking now. Three minutes to go.",),
                                      ("One minute done. Two minutes to go.",),
                                      ("Two minutes done. One minute to go.",)]
    assert all(b.breath is Breath.FREE and b.tone == "" for b in beats), "no breath tones"


# Words that belong to one breath: a line said on the other one contradicts the pacer. The
# in-breath widens and fills the ribs; the out-breath lets go, softens and rests.
IN_WORDS = ("breathe in", "inhale", "widen", "sideways", "fill your", "fill the")
OUT_WORDS = ("breathe out", "exhale", "soften", "let go", "and rest", "long and")


def _named(line: str) -> set[Breath]:
    low = line.lower()
    return ({Breath.IN} if any(w in low for w in IN_WORDS) else set()) | (
        {Breath.OUT} if any(w in low for w in OUT_WORDS) else set())


def _on_its_breath(beat: Beat) -> None:
    for full, short in beat.cues():
        for line in (full, short):
            assert _named(line) <= {beat.breath}, (beat.breath, line)


@settings(max_examples=300, deadline=None)
@given(v=st.sampled_from(PACED), reps=st.integers(1, 12), data=st.data())
def test_every_cue_names_only_the_breath_it_is_said_on(
    v: Variation, reps: int, data: st.DataObject
) -> None:
    side = data.draw(st.sampled_from(_sides(v)))
    after = data.draw(st.sampled_from([Breath.OUT, Breath.IN]))
    for beat in breath.set_beats(v, reps, side, after=after):
        _on_its_breath(beat)


def test_every_ritual_step_is_said_on_a_breath_that_fits_it() -> None:
    """The rituals ride the same timeline: every line names its own breath only, the breath
    alternates from the lead-in to the close, and a step that repeats a session's movement
    is said on the breath the session gives it (the chair-rise stands on the out-breath and
    sits on the in-breath, as sit-to-stand does)."""
    from kiosk.config import DEFAULT_RITUALS, load_rituals

    book = load_rituals(DEFAULT_RITUALS, LIBRARY, [])
    moves = {(v.move, v.breath.effort) for v in PACED} | {
        (v.back, v.breath.effort.other) for v in PACED}
    by_words = {w: b for w, b in moves}
    for ritual in book.rituals:
        v = LIBRARY.variation(ritual.builds_on)[1]
        beats = breath.ritual_beats(v, ritual.all_steps)
        _alternates(beats)
        assert beats[0].breath is Breath.IN and beats[-1].breath is Breath.OUT, ritual.id
        for beat in beats:
            _on_its_breath(beat)
        for step, beat in zip(ritual.all_steps, [b for b in beats if b.rep], strict=True):
            for words, b in by_words.items():
                if words in step:
                    assert beat.breath is b, (ritual.id, step, beat.breath)
    chair = book.get("chair-rise")
    steps = {b.say[0]: b.breath for b in breath.ritual_beats(
        LIBRARY.variation(chair.builds_on)[1], chair.steps)}
    assert steps["Breathe out as you lean forward and stand up tall."] is Breath.OUT
    assert steps["Breathe in as you sit back down slowly."] is Breath.IN
    wind = book.get("wind-down")
    said = [b for b in breath.ritual_beats(LIBRARY.variation(wind.builds_on)[1], wind.steps)
            if b.rep]
    assert [b.breath for b in said] == [Breath.IN, Breath.OUT] * 2, "wind-down cues its out-breath"


def test_every_probe_step_names_only_its_breath_and_the_breaths_alternate() -> None:
    """The screening's probes (config/signature.toml): within a probe, and from one side to the
    next, the breaths its steps name alternate, and no step's words belong to the other one."""
    from kiosk.config import DEFAULT_SIGNATURE, load_signature

    for probe in load_signature(DEFAULT_SIGNATURE, LIBRARY, []).probes:
        named: list[Breath] = []
        for side in (("left", "right") if probe.sides else (None,)):
            for step in probe.steps:
                line = step.say.replace("{side}", side or "")
                found = _named(line)
                assert len(found) <= 1, line
                named += found
        assert all(a is not b for a, b in zip(named, named[1:], strict=False)), probe.id


def test_the_breathing_primer_says_in_breath_words_on_the_in_breath_only() -> None:
    """The primer opens on the in-breath and cues every second out-breath (session.py)."""
    from kiosk.core.words.phrases import PRIMER_CUES, PRIMER_INTRO

    assert Breath.IN in _named(PRIMER_INTRO)
    for cue in PRIMER_CUES:
        assert _named(cue) == {Breath.OUT}, cue
