"""Pacing by the real length of each rendered line (kiosk/core/words/speech.py): the breath keeps
its
time whatever the voice does; a cue too long for its breath is said short, or not at all."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.core.data.events import Paced
from kiosk.core.data.model import Breath
from kiosk.core.words import phrases, speech
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


# --- everything else the kiosk says is timed the same way: captions, question pages, pain log --
LONG = "Breathe out slowly."  # about 1.6 s by its words at 150 a minute


def test_a_caption_stays_up_as_long_as_its_file_plays() -> None:
    from kiosk.core.words.captions import Captions

    for lengths, shown_at_4 in (({LONG: 5.0}, LONG), (None, "Next.")):
        captions = Captions(150, lengths)
        captions.say(LONG, 0.0)
        captions.say("Next.", 0.0)
        assert captions.at(4.0) == shown_at_4  # measured 5 s: still the first line
    measured = Captions(150, {LONG: 5.0})
    measured.say(LONG, 0.0)
    assert measured.quiet_at() == pytest.approx(5.0 + speech.LINE_GAP)


def test_a_question_is_asked_again_half_the_answer_time_after_its_file_ends() -> None:
    from kiosk.config import packaged_wording
    from kiosk.core.coach.safety import GROUPS, Reason
    from kiosk.core.data.events import Say, Tick
    from kiosk.core.flows.questions import Questions

    wording = packaged_wording()
    first = wording.questions[0].text

    def repeated_at(lengths: dict[str, float] | None) -> float:
        q = Questions(wording, GROUPS, Reason.FIRST_RUN, t0=0.0, answer_seconds=60.0,
                      rate_wpm=150, lengths=lengths)
        q.start()
        t = 0.0
        while t < 500:
            t += 0.5
            if any(isinstance(e, Say) and e.text == first for e in q.handle(Tick(t))):
                return t
        raise AssertionError("never asked again")

    estimated = repeated_at(None)
    measured = repeated_at({wording.intro: 20.0, first: 20.0})
    assert measured == pytest.approx(40.0 + 2 * speech.LINE_GAP + 30.0, abs=0.5)
    assert estimated < measured - 20  # the words-per-minute guess would have asked far sooner


def test_a_choice_waits_its_timeout_from_the_end_of_the_offer_as_rendered() -> None:
    from kiosk.core.data.events import Tick
    from kiosk.core.flows.questions import Choice

    c = Choice("gentle", "Gentle", ("x",), (LONG,), t0=0.0, rate_wpm=150, yes="Gentle",
               no="Rest", timeout=10.0, lengths={LONG: 30.0})
    c.start()
    c.handle(Tick(35.0))  # 10 s after the estimate, but the offer is still being said
    assert not c.done
    c.handle(Tick(41.0))
    assert c.accepted is False


def test_the_pain_log_asks_again_only_after_its_prompt_has_been_said() -> None:
    from datetime import datetime

    from kiosk.core.data.events import Say, Tick
    from kiosk.core.flows.painlog import PainLog

    prompt = phrases.pain_log_prompt(0)  # about 12 s by its words
    at = FAST.pain_timeout + 15.0  # past the estimate's deadline, not past a 40 s prompt's
    for lengths, asked_again in (({prompt: 40.0}, False), ({}, True)):
        log = PainLog(replace(FAST, spoken=lengths), t0=0.0, at=datetime(2026, 11, 25, 9),
                      entry_id="p1", last_pain=None)
        log.start()
        said = [e.text for e in log.handle(Tick(at)) if isinstance(e, Say)]
        assert (said == [phrases.PAIN_LOG_REPROMPT]) is asked_again, lengths


def test_the_kiosk_hands_the_measured_lengths_to_its_captions() -> None:
    from kiosk.sim import SimUser
    from tests.core.helpers import Run

    class Long(dict[str, float]):
        def get(self, text: str, default: float | None = None) -> float | None:  # type: ignore[override]
            return 20.0

    plain = Run(SimUser(presses=""))
    measured = Run(SimUser(presses=""), settings=replace(FAST, spoken=Long()))
    assert plain.said and plain.said == measured.said  # the same greeting...
    assert plain.kiosk.captions.quiet_at() < 20.0  # ...estimated from its words
    assert measured.kiosk.captions.quiet_at() >= 20.0 * len(measured.said)  # ...or its file


@pytest.mark.parametrize(
    ("days", "said"),
    [(1, "one day"), (10, "ten days"), (14, "two weeks"), (20, "more than two weeks"),
     (21, "three weeks"), (59, "more than eight weeks"), (60, "two months"),
     (196, "more than six months"), (300, "ten months"), (729, "more than one year"),
     (730, "two years"), (1489, "more than four years")],
)
def test_spans_of_days_are_said_as_a_person_says_them(days: int, said: str) -> None:
    from kiosk.core.words.phrases import duration

    assert duration(days) == said
