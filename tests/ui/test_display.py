"""Opening the screen: the right SDL driver for each mode, and carrying on without a screen."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pygame
import pytest

from kiosk.errors import KioskWarning
from kiosk.ui.display import WINDOW_SIZE, choose_video_driver, open_display


@pytest.fixture(autouse=True)
def dummy_video(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts and ends with the dummy driver, whatever it did to the environment."""
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    yield
    pygame.display.quit()
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    pygame.display.init()


@pytest.mark.parametrize(
    ("env", "mode", "driver"),
    [
        ({}, "headless", "dummy"),
        ({"SDL_VIDEODRIVER": "x11", "DISPLAY": ":0"}, "headless", "dummy"),
        ({"SDL_VIDEODRIVER": "wayland"}, "fullscreen", "wayland"),
        ({"DISPLAY": ":0"}, "windowed", None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "fullscreen", None),
        ({}, "fullscreen", "kmsdrm"),
        ({"SDL_VIDEODRIVER": ""}, "fullscreen", "kmsdrm"),
    ],
)
def test_choose_video_driver(env: dict[str, str], mode: str, driver: str | None) -> None:
    assert choose_video_driver(env, mode=mode) == driver


def test_an_unknown_mode_names_the_ones_that_exist() -> None:
    with pytest.raises(ValueError, match="fullscreen, windowed, headless"):
        choose_video_driver({}, mode="kiosk")
    with pytest.raises(ValueError, match="use one of"):
        open_display("big")


def test_headless_draws_into_memory_at_panel_size() -> None:
    with open_display("headless") as display:
        assert display.mode == "headless" and display.driver == "dummy"
        assert display.size == WINDOW_SIZE
        display.surface.fill((255, 255, 255))
        display.update()
        display.update([pygame.Rect(0, 0, 10, 10)])
    assert display.closed


def test_closing_twice_is_harmless() -> None:
    display = open_display("headless")
    display.close()
    display.close()
    display.update()  # after close: nothing to show, and no error either


def test_windowed_is_the_usual_pi_panel_size() -> None:
    with open_display("windowed", env={"SDL_VIDEODRIVER": "dummy"}) as display:
        assert display.mode == "windowed" and display.size == (800, 480)


def test_a_small_panel_can_be_previewed_in_a_window() -> None:
    """`kiosk run --mock --size 480x320`: the window is the 3.5" panel's size."""
    from kiosk.cli import parser

    args = parser().parse_args(["run", "--mock", "--size", "480x320"])
    with open_display("windowed", env={"SDL_VIDEODRIVER": "dummy"}, size=args.size) as display:
        assert display.size == (480, 320)


def test_fullscreen_hides_the_mouse_cursor() -> None:
    with open_display("fullscreen", env={"SDL_VIDEODRIVER": "dummy"}) as display:
        assert display.mode == "fullscreen"
        assert not pygame.mouse.get_visible()


def test_a_screen_that_will_not_open_falls_back_to_headless_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.display"), pytest.warns(
        KioskWarning, match="headless"
    ):
        display = open_display("fullscreen", env={"SDL_VIDEODRIVER": "no-such-driver"})
    assert display.mode == "headless" and display.size == WINDOW_SIZE
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "headless" in warnings[0].getMessage() and "no-such-driver" in warnings[0].getMessage()
    display.close()


def test_an_already_started_display_is_restarted_with_the_chosen_driver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pygame.init() ran before the driver was chosen, and SDL picked another one.
    pygame.display.quit()
    monkeypatch.setenv("SDL_VIDEODRIVER", "offscreen")
    pygame.display.init()
    assert pygame.display.get_driver() == "offscreen"
    with open_display("headless") as display:
        assert pygame.display.get_driver() == "dummy" == display.driver
