"""Pacing by the real length of each rendered line (kiosk/core/speech.py): the breath keeps its
time whatever the voice does; a cue too long for its breath is said short, or not at all."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.core import phrases, speech
from kiosk.core.events import Paced
from kiosk.core.model import Breath
from kiosk.sim import SimUser
from tests.core.helpers import FAST, Run
from tests.core.test_session_breath import planner_of

FULL = "Breathe out as you lift your hips."
SHORT = "Breathe out."


@pytest.mark.parametrize(
    ("lengths", "budget", "said"),
    [
        ({FULL: 2.0, SHORT: 0.8}, 4.0, FULL),  # fits: the full words
        ({FULL: 5.0, SHORT: 0.8}, 4.0, SHORT),  # too long for the breath: the short form
        ({FULL: 5.0, SHORT: 4.0}, 2.0, ""),  # even that is too long: the tone alone
        ({}, 4.0, FULL),  # not rendered yet: the estimate (3.2 s) fits
        ({}, 1.0, SHORT),  # ...and here only the short form's estimate (1.2 s) does
    ],
)
def test_a_cue_takes_the_form_that_fits_its_breath(
    lengths: dict[str, float], budget: float, said: str
) -> None:
    settings = replace(FAST, spoken=lengths)
    assert speech.fitting(settings, FULL, SHORT, budget) == said


def test_a_measured_line_is_timed_by_its_file_not_its_words() -> None:
    settings = replace(FAST, spoken={FULL: 1.6})
    assert speech.seconds_to_say(settings, FULL) == pytest.approx(1.6 + speech.LINE_GAP)
    assert speech.seconds_to_say(FAST, FULL) == phrases.speech_seconds(FULL, 150)


def _breaths_and_cues(run: Run) -> tuple[list[tuple[float, float]], list[tuple[str, ...]]]:
    paced = [e for e in run.effects if isinstance(e, Paced)]
    return [(p.at, p.seconds) for p in paced], [p.say for p in paced]


def test_long_lines_shorten_the_cues_and_never_move_the_breath() -> None:
    """The same session twice, once with every line far too long to say in a breath: the
    breaths fall at exactly the same times, and the long voice says only short cues."""
    plan = planner_of(("bridge-hold", 2))

    class Slow(dict[str, float]):
        def get(self, text: str, default: float | None = None) -> float | None:  # type: ignore[override]
            # Only the bare breath names are short enough; everything else takes 9 s to say.
            return 0.8 if text in (SHORT, "Breathe in.") else 9.0

    normal = Run(SimUser("steady"), settings=FAST, planner=plan).until_finished()
    slow = Run(SimUser("steady"), settings=replace(FAST, spoken=Slow()),
               planner=plan).until_finished()
    times, cues = _breaths_and_cues(normal)
    slow_times, slow_cues = _breaths_and_cues(slow)
    # The breaths of the first set: the user's presses come at the same moments in both runs
    # until the voice differs, so compare the set's own timeline, relative to its start.
    n = min(len(times), len(slow_times), 6)
    assert [round(s - times[0][0], 3) for s, _ in times[:n]] == \
        [round(s - slow_times[0][0], 3) for s, _ in slow_times[:n]]
    assert [d for _, d in times[:n]] == [d for _, d in slow_times[:n]]
    spoken = [line for say in slow_cues for line in say]
    assert spoken and set(spoken) <= {phrases.breath_only(b) for b in Breath}
    assert any(len(line) > len(SHORT) for say in cues for line in say)  # normally: full words
