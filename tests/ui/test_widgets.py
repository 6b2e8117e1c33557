"""Text that fits, and a breathing circle that breathes."""

from __future__ import annotations

import pygame
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core import phrases
from kiosk.core.view import Pacer
from kiosk.ui import fonts, widgets
from tests.ui.gallery import views

LONG_LINES = [
    phrases.PAIN_STOP,
    phrases.PRIMER_INTRO,
    phrases.SET_PAUSED,
    phrases.CLINICIAN,
    phrases.pain_prompt("pain", 10),
    phrases.summary(20, 3, 10, 10),
    phrases.set_fray(0),
    "Sit-to-stand from a high seat",
]


def _width(text: str, font: pygame.font.Font) -> int:
    return font.size(text)[0]


@pytest.mark.parametrize("width", [120, 300, 760])
@pytest.mark.parametrize("text", LONG_LINES)
def test_the_longest_spoken_lines_wrap_within_the_width(text: str, width: int) -> None:
    font = fonts.font(30)
    lines = widgets.wrap(text, font, width)
    assert all(_width(line, font) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost or added


@settings(max_examples=150, deadline=None)
@given(text=st.text(min_size=0, max_size=200), width=st.integers(min_value=30, max_value=900))
def test_wrapped_lines_never_run_past_the_width(text: str, width: int) -> None:
    font = fonts.font(24)
    lines = widgets.wrap(text, font, width)
    # A single character wider than the line is the one thing that cannot be helped.
    widest_char = max((_width(c, font) for c in text), default=0)
    assert all(_width(line, font) <= max(width, widest_char) for line in lines)


def test_a_word_longer_than_the_line_is_split_not_overflowed() -> None:
    font = fonts.font(30)
    lines = widgets.wrap("Supercalifragilisticexpialidocious", font, 120)
    assert len(lines) > 1
    assert "".join(lines) == "Supercalifragilisticexpialidocious"


def test_a_long_hyphenated_word_breaks_after_a_hyphen() -> None:
    font = fonts.font(30)
    width = _width("Sit-to-", font) + 2
    assert widgets.wrap("Sit-to-stand", font, width) == ["Sit-to-", "stand"]


def test_brackets_stay_together_when_the_line_breaks() -> None:
    font = fonts.font(24)
    width = _width("(hold: confirm)", font) + 4
    assert widgets.wrap("Raise (hold: confirm)", font, width) == ["Raise", "(hold: confirm)"]


def test_fit_text_shrinks_before_it_cuts() -> None:
    roomy = widgets.fit_text([phrases.PAIN_STOP], 760, 400, (60, 20))
    tight = widgets.fit_text([phrases.PAIN_STOP], 760, 90, (60, 20))
    assert tight.font.get_height() < roomy.font.get_height()
    assert tight.height <= 90 and tight.width <= 760
    assert not any(widgets.ELLIPSIS in line for line in tight.lines)


def test_fit_text_that_cannot_fit_is_cut_with_an_ellipsis_inside_the_box() -> None:
    block = widgets.fit_text([phrases.PAIN_STOP] * 3, 300, 60, (30, 20))
    assert block.height <= 60 and block.width <= 300
    assert block.lines[-1].endswith(widgets.ELLIPSIS)


def test_every_gallery_caption_fits_the_narrowest_screen_without_cutting() -> None:
    # 480x320: the caption band is about 420 px wide and 42 px tall.
    for view in views().values():
        block = widgets.fit_text([view.caption], 420, 42, (18, 12))
        assert not any(widgets.ELLIPSIS in line for line in block.lines), view.caption


def test_pacer_fills_on_inhale_and_empties_on_exhale_smoothly() -> None:
    inhale, exhale = Pacer("inhale", 10.0, 4.0), Pacer("exhale", 14.0, 6.0)
    ins = [widgets.fullness(inhale, 10.0 + t / 10) for t in range(41)]
    outs = [widgets.fullness(exhale, 14.0 + t / 10) for t in range(61)]
    assert ins[0] == pytest.approx(0) and ins[-1] == pytest.approx(1)
    assert outs[0] == pytest.approx(1) and outs[-1] == pytest.approx(0)
    assert ins == sorted(ins) and outs == sorted(outs, reverse=True)
    # eased: slow at the turns, fastest mid-breath
    assert ins[1] - ins[0] < ins[21] - ins[20]


def test_pacer_before_and_after_its_phase_holds_still() -> None:
    inhale = Pacer("inhale", 10.0, 4.0)
    assert widgets.fullness(inhale, 5.0) == 0.0
    assert widgets.fullness(inhale, 99.0) == 1.0
    assert widgets.fullness(Pacer("hold", 10.0, 2.0), 11.0, held=0.0) == 0.0
    assert widgets.progress(Pacer("inhale", 10.0, 0.0), 10.0) == 1.0  # no division by zero


def test_legend_slots_keep_their_order_and_stay_inside() -> None:
    rect = pygame.Rect(10, 400, 780, 70)
    slots = widgets.legend_slots(rect, 12)
    assert list(slots) == list(widgets.LEGEND_ORDER)
    lefts = [s.left for s in slots.values()]
    assert lefts == sorted(lefts)
    assert all(rect.contains(s) for s in slots.values())
