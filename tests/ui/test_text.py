"""Text that fits: the kiosk's longest lines on its smallest screens."""

from __future__ import annotations

import pygame
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.words import phrases
from kiosk.ui import fonts
from kiosk.ui.text import ELLIPSIS, fit_text, wrap
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
    lines = wrap(text, font, width)
    assert all(_width(line, font) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost or added


@settings(max_examples=150, deadline=None)
@given(text=st.text(min_size=0, max_size=200), width=st.integers(min_value=30, max_value=900))
def test_wrapped_lines_never_run_past_the_width(text: str, width: int) -> None:
    font = fonts.font(24)
    lines = wrap(text, font, width)
    # A single character wider than the line is the one thing that cannot be helped.
    widest_char = max((_width(c, font) for c in text), default=0)
    assert all(_width(line, font) <= max(width, widest_char) for line in lines)


def test_a_word_longer_than_the_line_is_split_not_overflowed() -> None:
    font = fonts.font(30)
    lines = wrap("Supercalifragilisticexpialidocious", font, 120)
    assert len(lines) > 1
    assert "".join(lines) == "Supercalifragilisticexpialidocious"


def test_a_long_hyphenated_word_breaks_after_a_hyphen() -> None:
    font = fonts.font(30)
    width = _width("Sit-to-", font) + 2
    assert wrap("Sit-to-stand", font, width) == ["Sit-to-", "stand"]


def test_brackets_stay_together_when_the_line_breaks() -> None:
    font = fonts.font(24)
    width = _width("(hold: confirm)", font) + 4
    assert wrap("Raise (hold: confirm)", font, width) == ["Raise", "(hold: confirm)"]


def test_fit_text_shrinks_before_it_cuts() -> None:
    roomy = fit_text([phrases.PAIN_STOP], 760, 400, (60, 20))
    tight = fit_text([phrases.PAIN_STOP], 760, 90, (60, 20))
    assert tight.font.get_height() < roomy.font.get_height()
    assert tight.height <= 90 and tight.width <= 760
    assert not any(ELLIPSIS in line for line in tight.lines)


def test_fit_text_that_cannot_fit_is_cut_with_an_ellipsis_inside_the_box() -> None:
    block = fit_text([phrases.PAIN_STOP] * 3, 300, 60, (30, 20))
    assert block.height <= 60 and block.width <= 300
    assert block.lines[-1].endswith(ELLIPSIS)


def test_every_gallery_caption_fits_the_narrowest_screen_without_cutting() -> None:
    # 480x320: the caption band is about 420 px wide and 42 px tall.
    for view in views().values():
        block = fit_text([view.caption], 420, 42, (18, 12))
        assert not any(ELLIPSIS in line for line in block.lines), view.caption


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',.?-", min_size=1,
                              max_size=12), min_size=1, max_size=40),
       width=st.integers(min_value=60, max_value=900), px=st.sampled_from([18, 30, 64]))
def test_lines_are_filled_as_full_as_measuring_every_candidate_would(
        words: list[str], width: int, px: int) -> None:
    """The fast wrap (each word measured once) breaks exactly where measuring each candidate
    line would: no line is left short, and none is longer."""
    from kiosk.ui.text import _wrap_measured

    font = fonts.font(px)
    text = " ".join(words)
    assert wrap(text, font, width) == _wrap_measured(text, font, width)


def _walked_down(paragraphs: list[str], width: int, height: int, sizes: tuple[int, int]) -> int:
    """The size the kiosk used to choose by trying every size from the largest down."""
    px = sizes[0]
    while True:
        from kiosk.ui.text import layout_text

        if layout_text(paragraphs, fonts.font(px), width).height <= height or px <= sizes[1]:
            return px
        px = max(sizes[1], px - max(1, px // 24))


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.sampled_from(["Breathe", "in", "as", "you", "lift", "your", "hips.",
                                       "GREEN", "raises", "(hold:", "confirm)", "Sit-to-stand",
                                       "slowly,", "and", "the", "ribs", "widen", "sideways."]),
                      min_size=1, max_size=40),
       width=st.integers(min_value=80, max_value=760), height=st.integers(min_value=30,
                                                                          max_value=400))
def test_the_largest_text_that_fits_is_found_without_trying_every_size(
        words: list[str], width: int, height: int) -> None:
    paragraphs = [" ".join(words)]
    block = fit_text(paragraphs, width, height, (64, 20))
    assert block.font is fonts.font(_walked_down(paragraphs, width, height, (64, 20)))
