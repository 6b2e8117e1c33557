"""The screen: pygame drawing only. It mirrors what the kiosk says; it is never the only channel.

``open_display`` opens fullscreen, windowed or headless; ``Screen`` draws a ``View`` onto the
display's surface and tells the main loop how long it may sleep.
"""

from kiosk.ui.display import Display, choose_video_driver, open_display
from kiosk.ui.screen import Screen

__all__ = ["Display", "Screen", "choose_video_driver", "open_display"]
