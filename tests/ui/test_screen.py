"""Every screen, drawn at three sizes and judged as a person would see it.

Screenshots land in tests/screenshots/ (gitignored), named screen_WxH.png, for a look by eye.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pygame
import pytest

from kiosk.core.data.model import Button
from kiosk.core.data.view import Pacer, View
from kiosk.ui import palette, widgets
from kiosk.ui.layout import layout_for
from kiosk.ui.screen import ANIMATION_FRAME, IDLE_FRAME, Screen
from tests.ui.gallery import EXHALE, INHALE, SIZES, T0, views
from tests.ui.pixels import (
    contrast_ratio,
    count_lit,
    count_near,
    edge_strips,
    ground_and_ink,
)

GALLERY = views()


def _draw(view: View, size: tuple[int, int] = (800, 480), now: float = T0) -> Screen:
    screen = Screen(pygame.Surface(size))
    assert screen.draw(view, now)
    return screen


def _slot(screen: Screen) -> pygame.Rect:
    # The circle's square: the first (and only) dirty rect of an animation frame.
    assert screen._centre is not None and screen._centre.slot is not None
    return screen._centre.slot


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(GALLERY))
def test_every_screen_draws_inside_the_surface(name: str, size: tuple[int, int],
                                               shots: Path) -> None:
    view = GALLERY[name]
    now = T0 + (view.pacer.seconds / 2 if view.pacer else 0)
    screen = _draw(view, size, now)
    pygame.image.save(screen.surface, shots / f"{name}_{size[0]}x{size[1]}.png")
    bounds = screen.surface.get_rect()
    assert screen.text_rects, "every screen shows some words"
    for rect in screen.text_rects:
        assert bounds.contains(rect), f"text at {rect} leaves the {size} screen"
    # A calm margin: nothing at all is drawn in the outermost strip of the screen.
    strip = max(2, layout_for(size).margin // 2)
    for edge in edge_strips(screen.surface, strip):
        assert count_lit(screen.surface, edge) == 0, f"{name} touches the edge at {edge}"


@pytest.mark.parametrize("name", list(GALLERY))
def test_text_in_different_regions_never_overlaps(name: str) -> None:
    rects = _draw(GALLERY[name]).text_rects
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.colliderect(b), f"{name}: text at {a} overlaps text at {b}"


@pytest.mark.parametrize("name", list(GALLERY))
def test_every_line_of_text_reaches_aaa_contrast_as_drawn(name: str) -> None:
    screen = _draw(GALLERY[name])
    for rect in screen.text_rects:
        ground, ink = ground_and_ink(screen.surface, rect)
        assert contrast_ratio(ink, ground) >= 7, f"{name}: text at {rect}"


def test_title_is_very_large_and_body_large_on_the_usual_panel() -> None:
    sizes = layout_for((800, 480)).sizes
    # At 800x480 on a 7" panel 1 px is about 0.19 mm: a 55 px title has 7-8 mm capitals.
    assert sizes.title[0] >= 52
    assert sizes.body[0] >= 36
    assert sizes.counter[0] >= 76


def test_pacer_circle_is_larger_at_the_end_of_an_inhale_than_at_its_start() -> None:
    view = GALLERY["breathing_inhale"]
    start = _draw(view, now=INHALE.started)
    end = _draw(view, now=INHALE.started + INHALE.seconds)
    fill_start = count_near(start.surface, palette.PACER_FILL, _slot(start))
    fill_end = count_near(end.surface, palette.PACER_FILL, _slot(end))
    assert fill_end > fill_start * 2


def test_pacer_circle_shrinks_through_an_exhale() -> None:
    view = GALLERY["breathing_exhale"]
    sizes = []
    for t in (0.0, 2.0, 4.0, 6.0):
        screen = _draw(view, now=EXHALE.started + t)
        sizes.append(count_near(screen.surface, palette.PACER_FILL, _slot(screen)))
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1] * 2


@pytest.mark.parametrize("phase", ["inhale", "exhale", "hold"])
def test_pacer_says_its_phase_in_words(phase: str) -> None:
    view = replace(GALLERY["breathing_inhale"], pacer=Pacer(phase, T0, 4.0))
    screen = _draw(view, now=T0 + 2)
    slot = _slot(screen)
    words = [r for r in screen.text_rects if slot.contains(r)]
    assert len(words) == 1
    assert count_near(screen.surface, palette.TEXT, words[0], tol=3) > 30


def test_the_pain_number_is_drawn_huge_and_changes_with_the_value() -> None:
    three = _draw(GALLERY["checkin"])
    seven = _draw(replace(GALLERY["checkin"], pain=7))
    number = three.text_rects[1]  # after the title
    assert number.height >= 480 * 0.2
    assert count_near(three.surface, palette.TEXT, number, tol=3) > 2000
    assert pygame.image.tobytes(three.surface, "RGB") != pygame.image.tobytes(seven.surface, "RGB")


def test_legend_shows_all_three_colours_when_all_three_buttons_work() -> None:
    screen = _draw(GALLERY["rep"])
    legend = layout_for((800, 480)).legend
    for colour in (palette.GREEN, palette.AMBER, palette.RED):
        assert count_near(screen.surface, colour, legend, tol=10) > 200


def test_a_button_that_does_nothing_is_not_shown_in_colour() -> None:
    screen = _draw(GALLERY["home"])  # GREEN start, AMBER hear plan; RED does nothing
    legend = layout_for((800, 480)).legend
    assert count_near(screen.surface, palette.GREEN, legend, tol=10) > 200
    assert count_near(screen.surface, palette.RED, legend, tol=30) == 0


def test_every_active_button_is_named_in_words_in_its_own_box() -> None:
    screen = _draw(GALLERY["rep"])
    lay = layout_for((800, 480))
    slots = widgets.legend_slots(lay.legend, lay.gap)
    for button in Button:
        inside = [r for r in screen.text_rects if slots[button].contains(r)]
        assert len(inside) >= 2, f"{button.word}: its name and what it does"


def test_an_idle_home_screen_does_not_redraw_the_same_view() -> None:
    screen = Screen(pygame.Surface((800, 480)))
    home = GALLERY["home"]
    assert screen.draw(home, 0.0)
    same = replace(home, buttons=dict(home.buttons))  # an equal, new View, as the core makes
    assert not screen.needs_frame(same, 5.0)
    assert not screen.draw(same, 5.0)
    assert screen.dirty == []
    assert screen.next_frame_in(same, 5.0) == IDLE_FRAME


def test_a_changed_view_redraws_at_once() -> None:
    screen = _draw(GALLERY["home"])
    changed = replace(GALLERY["home"], caption="Today, three exercises.")
    assert screen.next_frame_in(changed, T0) == 0.0
    assert screen.draw(changed, T0)
    assert screen.dirty == [screen.surface.get_rect()]


def test_while_breathing_only_the_circle_is_redrawn_at_animation_rate() -> None:
    view = GALLERY["breathing_inhale"]
    screen = _draw(view, now=INHALE.started)
    mid = INHALE.started + 1.0
    assert screen.next_frame_in(view, INHALE.started + 0.001) in (0.0, ANIMATION_FRAME)
    assert screen.draw(view, mid)
    assert screen.dirty == [_slot(screen)]
    assert screen.next_frame_in(view, mid) == ANIMATION_FRAME
    slow = Screen(pygame.Surface((800, 480)), fps=15)
    slow.draw(view, mid)
    assert slow.next_frame_in(view, mid) == pytest.approx(1 / 15)


def test_a_finished_breath_stops_animating() -> None:
    view = GALLERY["breathing_inhale"]
    end = INHALE.started + INHALE.seconds
    screen = _draw(view, now=end + 0.5)
    assert not screen.draw(view, end + 3.0)
    assert screen.next_frame_in(view, end + 3.0) == IDLE_FRAME


def test_a_breath_that_starts_soon_wakes_the_loop_in_time() -> None:
    view = replace(GALLERY["breathing_inhale"], pacer=Pacer("inhale", T0 + 0.4, 4.0))
    screen = _draw(view, now=T0)
    assert screen.next_frame_in(view, T0) == pytest.approx(0.4)


def test_a_new_breath_phase_repaints_only_the_circle() -> None:
    screen = _draw(GALLERY["rep"], now=T0 + 3)
    inhale = replace(GALLERY["rep"], pacer=Pacer("inhale", T0 + 6, 3.0))
    assert screen.draw(inhale, T0 + 6)
    assert screen.dirty == [_slot(screen)]


def test_rating_prompt_replaces_the_circle_with_a_question() -> None:
    screen = _draw(GALLERY["rep_rating"])
    slot = _slot(screen)
    asked = [r for r in screen.text_rects if slot.contains(r)]
    assert len(asked) == 1
    assert count_near(screen.surface, palette.PACER_FILL, slot, tol=4) == 0  # no breath drawn


def test_a_resized_surface_is_laid_out_again() -> None:
    screen = _draw(GALLERY["home"])
    screen.surface = pygame.Surface((1920, 1080))
    assert screen.draw(GALLERY["home"], T0)
    assert max(r.bottom for r in screen.text_rects) > 900


def test_invalidate_forces_a_full_repaint() -> None:
    screen = _draw(GALLERY["home"])
    screen.invalidate()
    assert screen.draw(GALLERY["home"], T0)
    screen.surface = pygame.Surface((800, 480))  # a reopened display starts blank
    assert screen.draw(GALLERY["home"], T0)
    assert count_near(screen.surface, palette.TEXT, screen.text_rects[0], tol=3) > 100


@pytest.mark.parametrize("profile", ["steady", "slipping", "sore"])
def test_every_view_of_a_real_session_draws_inside_the_screen(profile: str) -> None:
    """Drive the real core with a simulated person and draw every View it shows."""
    from kiosk.core.data.events import Show
    from kiosk.sim import SimUser
    from tests.core.helpers import Run

    run = Run(SimUser(profile))
    shown: list[tuple[float, View]] = [(0.0, e.view) for e in run.effects if isinstance(e, Show)]
    while run.t < 3600 and not (run.finished and run.kiosk.session is None):
        before = len(run.effects)
        run.step(0.25)
        shown += [(run.t, e.view) for e in run.effects[before:] if isinstance(e, Show)]
    screens = {v.screen for _, v in shown}
    assert {"home", "checkin", "breathing", "intro", "set", "checkout", "summary"} <= screens
    for size in ((800, 480), (480, 320)):
        screen = Screen(pygame.Surface(size))
        bounds = screen.surface.get_rect()
        for t, view in shown:
            screen.draw(view, t)
            assert all(bounds.contains(r) for r in screen.text_rects), (size, view)


def test_present_puts_only_what_changed_on_the_glass() -> None:
    shown: list[list[pygame.Rect]] = []
    screen = Screen(pygame.Surface((800, 480)), present=shown.append)
    view = GALLERY["breathing_inhale"]
    screen.draw(view, INHALE.started)
    screen.draw(view, INHALE.started)  # nothing changed: nothing presented
    screen.draw(view, INHALE.started + 2)
    assert shown == [[screen.surface.get_rect()], [_slot(screen)]]


def test_a_hold_keeps_the_circle_full_and_shows_the_time_left_shrinking() -> None:
    screen = _draw(replace(GALLERY["rep"], pacer=Pacer("inhale", T0 - 4, 4.0)), now=T0)
    full = count_near(screen.surface, palette.PACER_FILL, _slot(screen), tol=4)
    hold = replace(GALLERY["rep"], pacer=Pacer("hold", T0, 2.0))
    left = []
    for t in (0.2, 1.0, 1.8):
        assert screen.draw(hold, T0 + t)
        left.append(count_near(screen.surface, palette.PACER_RING, _slot(screen), tol=10))
    assert left == sorted(left, reverse=True) and left[0] > left[-1] * 2
    assert count_near(screen.surface, palette.PACER_FILL, _slot(screen), tol=4) > full * 0.8


def test_every_exercise_in_the_library_fits_without_being_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each variation's name as a title, its cues on the intro and rep screens, at 800x480."""
    from kiosk.config import DEFAULT_CONFIG, load_config
    from kiosk.ui import text

    cut: list[str] = []
    real = text.ellipsize

    def spy(line: str, font: pygame.font.Font, width: int) -> str:
        out = real(line, font, width)
        if out != line:
            cut.append(line)
        return out

    # monkeypatch stays: a spy that changes nothing: it notes which lines were cut, which a
    # surface shows only as pixels.
    monkeypatch.setattr(text, "ellipsize", spy)
    library = load_config(DEFAULT_CONFIG).config.library
    screen = Screen(pygame.Surface((800, 480)))
    for family in library.families:
        for v in family.ladder:
            intro = replace(GALLERY["intro"], title=v.name, lines=(*v.cues, "Target 12 clean reps"))
            rep = replace(GALLERY["rep"], title=v.name, lines=(v.cues[-1],),
                          caption=f"Exhale as you {v.move}.")
            screen.draw(intro, T0)
            screen.draw(rep, T0)
    assert cut == [], cut



@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_signature_grid_tells_its_states_apart_by_shape_and_word(
    size: tuple[int, int], shots: Path
) -> None:
    """Three states, each with its button's shape in its colour AND its word in plain text, so
    that a colour-blind reader (or a grey screen) still reads them; a probe not done has no
    colour at all. Each row's name is drawn, and the grid fits the panel."""
    from kiosk.ui import palette

    view = GALLERY["signature"]
    screen = _draw(view, size)
    pygame.image.save(screen.surface, shots / f"signature_grid_{size[0]}x{size[1]}.png")
    surface = screen.surface
    colours = {palette.GREEN: 0, palette.AMBER: 0, palette.RED: 0}
    for x in range(surface.get_width()):
        for y in range(0, surface.get_height() - layout_for(size).legend.height - 20):
            c = tuple(surface.get_at((x, y)))[:3]
            if c in colours:
                colours[c] += 1
    assert all(n > 20 for n in colours.values()), colours  # a shape of each state is drawn
    # Words as well as shapes: the text drawn includes a word per state, and every probe.
    rows = view.grid
    assert {r.left for r in rows} | {r.right for r in rows} | {r.both for r in rows} >= {
        "easy", "stiff", "painful", "skipped"}
    assert len(screen.text_rects) >= 2 + len(rows) * 2  # header, names, and the words
    legend_top = layout_for(size).legend.top
    line_h = min(r.height for r in screen.text_rects if r.bottom < legend_top)
    assert line_h >= (14 if size[0] < 600 else 20)  # readable from across the room
