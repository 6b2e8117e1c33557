"""Every colour text is drawn in reaches WCAG AAA (7:1) on every surface it is drawn on."""

from __future__ import annotations

import pytest

from kiosk.ui import palette
from tests.ui.pixels import contrast_ratio


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio((10, 20, 30), (10, 20, 30)) == pytest.approx(1.0)


@pytest.mark.parametrize(("text", "surface"), palette.TEXT_PAIRS + palette.PRINT_TEXT_PAIRS)
def test_every_text_colour_reaches_aaa_on_its_surface(text: palette.Colour,
                                                      surface: palette.Colour) -> None:
    assert contrast_ratio(text, surface) >= 7.0


@pytest.mark.parametrize("cap", [palette.GREEN, palette.AMBER, palette.RED])
def test_button_shapes_stand_out_from_their_box(cap: palette.Colour) -> None:
    # Shapes are graphics, not text: WCAG asks 3:1 for them.
    assert contrast_ratio(cap, palette.PANEL) >= 3.0
    assert contrast_ratio(cap, palette.BACKGROUND) >= 3.0


@pytest.mark.parametrize("mark", palette.PRINT_MARKS)
def test_the_reports_marks_stand_out_on_paper(mark: palette.Colour) -> None:
    assert contrast_ratio(mark, palette.PAPER) >= 3.0
    assert contrast_ratio(palette.PAPER, palette.PRINT_DONE) >= 3.0  # the tick on a day done
