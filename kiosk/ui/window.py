"""The display and the screen drawer as the loop sees them: a ``kiosk.devices.Screen``.

It draws each View through ``Screen`` and presents what changed through the ``Display``. In a
window it also hands over the keys pressed there (the keyboard stands in for the buttons in mock
mode) and repaints everything when the window is uncovered.
"""

from __future__ import annotations

import pygame

from kiosk.core.data.view import View
from kiosk.devices import Key, Quit, ScreenInput
from kiosk.ui.display import Display
from kiosk.ui.screen import Screen


class Window:
    def __init__(self, display: Display, screen: Screen) -> None:
        self.display, self.screen = display, screen

    @classmethod
    def on(cls, display: Display, *, fps: int) -> Window:
        return cls(display, Screen(display.surface, present=display.update, fps=fps))

    @property
    def takes_keys(self) -> bool:
        """No keyboard reaches SDL's dummy driver (headless, tests, benchmarks), so the loop
        need not poll for keys there."""
        return self.display.driver.lower() not in ("dummy", "offscreen")

    def needs_frame(self, view: View, now: float) -> bool:
        return self.screen.needs_frame(view, now)

    def next_frame_in(self, view: View, now: float) -> float:
        return self.screen.next_frame_in(view, now)

    def draw(self, view: View, now: float) -> None:
        self.screen.draw(view, now)  # presents what changed through display.update

    def inputs(self) -> list[ScreenInput]:
        found: list[ScreenInput] = []
        for ev in pygame.event.get():
            if ev.type == pygame.QUIT:
                found.append(Quit())
            elif ev.type in (pygame.KEYDOWN, pygame.KEYUP):
                found.append(Key(pygame.key.name(ev.key), ev.type == pygame.KEYDOWN))
            elif ev.type in (pygame.VIDEOEXPOSE, pygame.WINDOWEXPOSED):
                self.screen.invalidate()  # the window was uncovered: paint it all again
        return found

    def close(self) -> None:
        self.display.close()
