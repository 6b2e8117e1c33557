"""Open the display: fullscreen on the Pi, a window on a desk, or headless with no screen.

SDL reads ``SDL_VIDEODRIVER`` when its video subsystem starts, so the driver has to be in the
environment before ``pygame.init()`` (or ``pygame.display.init()``). ``choose_video_driver``
decides which driver a mode needs from the environment alone; ``open_display`` applies that
choice, re-starting pygame's display if it was already started with another driver.

A kiosk whose screen fails to open still speaks and still counts button presses, so a failed
real display falls back to headless with one warning (logged, and as a KioskWarning) instead
of stopping the session.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping, Sequence
from types import TracebackType

import pygame

from kiosk.errors import KioskWarning

log = logging.getLogger(__name__)

MODES = ("fullscreen", "windowed", "headless")
WINDOW_SIZE = (800, 480)  # the official Raspberry Pi 7" touch display
HEADLESS_DRIVER = "dummy"
CAPTION = "Back care"


def choose_video_driver(env: Mapping[str, str], *, mode: str = "fullscreen") -> str | None:
    """The SDL video driver to put in ``SDL_VIDEODRIVER`` for ``mode``, or None for SDL's own
    choice.

    * headless: always ``dummy``, which draws into memory and needs no screen.
    * an ``SDL_VIDEODRIVER`` already in ``env`` wins: the person who set it knows the machine.
    * a desktop session (``DISPLAY`` or ``WAYLAND_DISPLAY`` set): None, SDL picks X11/Wayland.
    * otherwise the Pi booted to the console (the kiosk's systemd service): ``kmsdrm``, which
      draws straight to the HDMI/DSI output with no desktop running.
    """
    _check_mode(mode)
    if mode == "headless":
        return HEADLESS_DRIVER
    if env.get("SDL_VIDEODRIVER"):
        return env["SDL_VIDEODRIVER"]
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return "kmsdrm"


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"display mode {mode!r} is not known; use one of {', '.join(MODES)}")


class Display:
    """Owns the pygame display surface. Close it once done; closing twice is harmless."""

    def __init__(self, surface: pygame.Surface, mode: str, driver: str) -> None:
        self.surface = surface
        self.mode = mode  # the mode actually running: "headless" after a fallback
        self.driver = driver  # SDL's name for the video driver in use
        self.closed = False

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    def update(self, rects: Sequence[pygame.Rect] | None = None) -> None:
        """Show what was drawn: only ``rects`` if given (cheaper on a Pi), else everything."""
        if self.closed:
            return
        if rects is None:
            pygame.display.flip()
        elif rects:
            pygame.display.update(list(rects))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        pygame.display.quit()

    def __enter__(self) -> Display:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def open_display(
    mode: str = "fullscreen",
    *,
    env: Mapping[str, str] | None = None,
    size: tuple[int, int] = WINDOW_SIZE,
) -> Display:
    """Open the screen in ``mode``: "fullscreen", "windowed" or "headless".

    Fullscreen uses the display's own resolution with the mouse cursor hidden; windowed is a
    window of ``size`` (800x480, the 7" panel, unless asked; 480x320 previews a 3.5" one);
    headless draws into memory at ``size``. The driver is chosen from ``env`` (default
    ``os.environ``) and written to ``os.environ``, the only place SDL reads it. If a real
    display cannot be opened, this logs one warning (and warns a ``KioskWarning``) and returns
    a headless display, so the kiosk carries on by voice alone.
    """
    env = os.environ if env is None else env
    _check_mode(mode)
    try:
        return _open(mode, env, size)
    except pygame.error as error:
        if mode == "headless":
            raise
        message = (
            f"Could not open the {mode} display ({error}); carrying on headless, by voice only. "
            "Check the screen's cable and power, or set SDL_VIDEODRIVER for this machine."
        )
        # Logged for the journal, and warned as a KioskWarning so the shell can also tell
        # the person (runtime turns caught KioskWarnings into notices).
        log.warning(message)
        warnings.warn(message, KioskWarning, stacklevel=2)
        return _open("headless", env, size)


def _open(mode: str, env: Mapping[str, str], size: tuple[int, int]) -> Display:
    _use_driver(choose_video_driver(env, mode=mode))
    if mode == "fullscreen":
        surface = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        pygame.mouse.set_visible(False)  # nobody has a mouse; a stray arrow looks broken
    else:
        surface = pygame.display.set_mode(size)
    pygame.display.set_caption(CAPTION)
    return Display(surface, mode, pygame.display.get_driver())


def _use_driver(driver: str | None) -> None:
    """Start pygame's display with ``driver``, restarting it if it runs another one."""
    if driver is not None:
        os.environ["SDL_VIDEODRIVER"] = driver
    running = pygame.display.get_driver().lower() if pygame.display.get_init() else None
    if running is not None and driver is not None and running != driver.lower():
        pygame.display.quit()  # SDL reads SDL_VIDEODRIVER only when its video starts
    pygame.display.init()
