"""Draw a View: the screen mirrors what the kiosk says, big enough to read from 2 m.

The screen is never the only channel (the kiosk may have no screen at all), so it shows the
same things the voice says: the title, the focus of the moment (pain number, breathing circle,
rep count), short guidance, the last spoken line as a caption, and what each button does.

Drawing is lazy. ``draw`` repaints only when the View changed or the breathing circle moved by a
visible amount, and ``next_frame_in`` tells the main loop how long it may sleep, so an idle
kiosk uses no CPU between button presses. When only the breathing circle moves, only its square
is repainted and reported in ``dirty``, for ``pygame.display.update(rects)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pygame

from kiosk.core.data.model import Button
from kiosk.core.data.view import Pacer, View
from kiosk.ui import charts, fonts, marks, palette, widgets
from kiosk.ui.layout import Layout, layout_for
from kiosk.ui.text import draw_line, draw_text, fit_text, layout_text

ANIMATION_FRAME = 1 / 30  # default seconds between frames while the breathing circle moves
IDLE_FRAME = 1.0  # longest useful sleep when nothing moves; a press wakes the loop sooner

# Screens that keep a place for the breathing circle even when it is not breathing, so the
# layout does not jump between breaths or while a rep waits for its rating.
PACER_SCREENS = frozenset({"breathing", "set", "rep", "rest", "ritual", "probe-move"})


@dataclass(frozen=True)
class _Centre:
    """How the centre region is split for one View."""

    slot: pygame.Rect | None  # the breathing circle's square
    side: pygame.Rect  # what is left: counters and guidance lines


class Screen:
    """Draws Views onto one surface, repainting only what changed."""

    def __init__(
        self,
        surface: pygame.Surface,
        *,
        present: Callable[[list[pygame.Rect]], None] | None = None,
        fps: float = 1 / ANIMATION_FRAME,
    ) -> None:
        """Draw onto ``surface``. ``present``, e.g. ``Display.update``, is called with the
        changed rectangles after each draw that changed something, to put them on the glass.
        ``fps`` caps the breathing circle's frame rate (config: display.fps); a slow Pi can
        take 15 and the circle still moves smoothly enough to breathe with."""
        self._surface = surface
        self.present = present
        self.animation_frame = 1 / max(1.0, fps)
        self.dirty: list[pygame.Rect] = []  # what the last draw() changed
        self._texts: list[pygame.Rect] = []  # text outside the circle's square
        self._slot_texts: list[pygame.Rect] = []
        self._drawn: View | None = None
        self._slot_drawn: tuple[object, ...] | None = None
        self._layout: Layout | None = None
        self._centre: _Centre | None = None
        self._held = 1.0  # how full the circle was when a hold began
        self._ring_drawn: tuple[Button, int] | None = None

    # --- public API -----------------------------------------------------------------------
    @property
    def surface(self) -> pygame.Surface:
        return self._surface

    @surface.setter
    def surface(self, surface: pygame.Surface) -> None:
        """A new surface (the display was reopened) starts blank: repaint it all."""
        self._surface = surface
        self.invalidate()

    def needs_frame(self, view: View, now: float) -> bool:
        """Whether drawing ``view`` at ``now`` would change anything on screen."""
        return (
            self._needs_full(view)
            or self._slot_state(view, now) != self._slot_drawn
            or self._ring_state(view, now) != self._ring_drawn
        )

    def draw(self, view: View, now: float) -> bool:
        """Draw ``view`` as it looks at ``now``; returns False when nothing needed redrawing."""
        if self._needs_full(view):
            self._draw_all(view, now)
        else:
            dirty = []
            if self._slot_state(view, now) != self._slot_drawn:
                self._draw_slot(view, now)
                dirty += self.dirty
            if self._ring_state(view, now) != self._ring_drawn:
                dirty += self._draw_ring(view, now)
            self.dirty = dirty
            if not dirty:
                return False
        self._drawn = view
        if self.present is not None:
            self.present(self.dirty)
        return True

    def next_frame_in(self, view: View, now: float) -> float:
        """Seconds the main loop may wait before ``view`` needs drawing again."""
        if self.needs_frame(view, now):
            return 0.0
        hold = view.hold
        if hold is not None and now < hold.started + hold.seconds:
            return self.animation_frame  # the ring fills while the button is held
        pacer = view.pacer if _has_slot(view) else None
        if pacer is None:
            return IDLE_FRAME
        if now < pacer.started:
            return min(IDLE_FRAME, pacer.started - now)
        if now < pacer.started + pacer.seconds:
            return self.animation_frame
        return IDLE_FRAME

    @property
    def text_rects(self) -> list[pygame.Rect]:
        """Where every line of text on screen now was drawn (tests check none overflows)."""
        return self._texts + self._slot_texts

    def invalidate(self) -> None:
        """Forget what is on screen, so the next draw repaints everything (e.g. after an
        expose event, or when another program drew over the display)."""
        self._drawn = None

    # --- what changed -----------------------------------------------------------------------
    def _needs_full(self, view: View) -> bool:
        last = self._drawn
        if last is None or self._layout is None:
            return True
        if self._layout.size != self.surface.get_size():
            return True
        if _has_slot(view) != _has_slot(last):
            return True
        return _static(view) != _static(last)

    def _slot_state(self, view: View, now: float) -> tuple[object, ...] | None:
        """What the circle's square shows, to the pixel: equal states look the same."""
        if self._centre is None or self._centre.slot is None or not _has_slot(view):
            return None
        pacer = view.pacer
        if pacer is None:
            return ("ask",) if view.awaiting == "rating" else ("rest",)
        fill = widgets.fullness(pacer, now, self._held)
        radius = widgets.pacer_radius(self._centre.slot, fill)
        hold: object = round(widgets.progress(pacer, now) * 90) if pacer.phase == "hold" else None
        if pacer.hold_until is not None:  # a hold, breathing through it: the count and its arc
            hold = (widgets.hold_count(pacer, now), round(widgets.hold_left(pacer, now) * 90))
        return ("pacer", pacer.phase, radius, hold)

    def _ring_state(self, view: View, now: float) -> tuple[Button, int] | None:
        """What the hold ring shows: which button, and how full, in steps the eye can see."""
        hold = view.hold
        if hold is None or self._layout is None or not self._layout.legend.height:
            return None
        fill = (now - hold.started) / hold.seconds if hold.seconds > 0 else 1.0
        return (hold.button, round(min(1.0, max(0.0, fill)) * 60))

    # --- the hold ring in the legend -------------------------------------------------------------
    def _draw_ring(self, view: View, now: float) -> list[pygame.Rect]:
        """Repaint the box of the button whose ring changed (or of the one let go)."""
        lay = self._layout
        assert lay is not None
        state = self._ring_state(view, now)
        changed = {b for b in (state, self._ring_drawn) if b is not None}
        dirty = []
        for button in {s[0] for s in changed}:
            slot, words = widgets.draw_legend_slot(
                self.surface, lay.legend, view.buttons, button, gap=lay.gap,
                name_px=lay.sizes.legend_name, action_sizes=lay.sizes.legend_action,
            )
            self._texts = [r for r in self._texts if not slot.contains(r)] + words
            if state is not None and state[0] is button:
                widgets.draw_hold_ring(self.surface, lay.legend, button, state[1] / 60,
                                       gap=lay.gap, buttons=view.buttons,
                                       px=lay.sizes.legend_action[1])
            dirty.append(slot)
        self._ring_drawn = state
        return dirty

    # --- whole screen ---------------------------------------------------------------------------
    def _draw_all(self, view: View, now: float) -> None:
        size = self.surface.get_size()
        lay = layout_for(size, caption=_caption_in_band(view), legend=bool(view.buttons))
        rows = widgets.legend_rows(view.buttons, lay.legend, lay.gap, lay.sizes.legend_action[1])
        if rows > 2:
            lay = layout_for(size, caption=_caption_in_band(view), legend=True, legend_rows=rows)
        self._layout = lay
        self._centre = _split_centre(view, lay)
        self.surface.fill(palette.BACKGROUND)
        texts = _draw_title(self.surface, view, lay)
        if view.hint:  # in place of the centre's words; the breathing circle goes on beside it
            texts += widgets.draw_hint(self.surface, self._centre.side, view.hint,
                                       lay.sizes.body)
        else:
            texts += self._draw_centre(view, lay)
        if _caption_in_band(view):
            texts += _draw_caption(self.surface, view.caption, lay)
        if view.buttons:
            texts += widgets.draw_legend(
                self.surface, lay.legend, view.buttons, gap=lay.gap,
                name_px=lay.sizes.legend_name, action_sizes=lay.sizes.legend_action,
            )
        self._texts, self._slot_texts = texts, []
        self._slot_drawn = self._ring_drawn = None
        if self._centre.slot is not None:
            self._draw_slot(view, now)
        if self._ring_state(view, now) is not None:
            self._draw_ring(view, now)
        self.dirty = [self.surface.get_rect()]

    def _draw_centre(self, view: View, lay: Layout) -> list[pygame.Rect]:
        assert self._centre is not None
        if view.chart is not None:
            return charts.draw_chart(self.surface, view.chart, lay.centre, lay)
        if view.pain is not None:
            return _draw_pain(self.surface, view, lay)
        if self._centre.slot is not None:
            return _draw_counters(self.surface, view, lay, self._centre.side)
        if view.grid:
            return _draw_signature(self.surface, view, lay)
        centre, drawn = lay.centre, []
        if view.week:  # the home screen: this week's strip along the bottom of the centre
            strip_h = max(min(lay.px(0.15), centre.height // 3),
                          fonts.line_height(lay.sizes.body[1]))
            strip = pygame.Rect(centre.left, centre.bottom - strip_h, centre.width, strip_h)
            drawn = marks.draw_week(self.surface, strip, view.week, view.week_label,
                                      lay.sizes.body)
            centre = pygame.Rect(centre.left, centre.top, centre.width,
                                 strip.top - lay.gap - centre.top)
        paragraphs = list(view.lines) or ([view.caption] if view.caption else [])
        return drawn + _draw_lines(self.surface, paragraphs, centre, lay, big=not view.lines)

    # --- the breathing circle's square ---------------------------------------------------------
    def _draw_slot(self, view: View, now: float) -> None:
        assert self._centre is not None and self._centre.slot is not None and self._layout
        slot = self._centre.slot
        self.surface.fill(palette.BACKGROUND, slot)
        self._slot_texts = []
        pacer = view.pacer
        if pacer is not None:
            self._slot_texts = self._draw_breath(pacer, now, slot, self._layout)
        elif view.awaiting == "rating":
            self._slot_texts = widgets.draw_question(self.surface, slot, "Clean?",
                                                     self._layout.sizes.title)
        else:
            widgets.draw_resting_circle(self.surface, slot)
        self._slot_drawn = self._slot_state(view, now)
        self.dirty = [slot]

    def _draw_breath(
        self, pacer: Pacer, now: float, slot: pygame.Rect, lay: Layout
    ) -> list[pygame.Rect]:
        fill = widgets.fullness(pacer, now, self._held)
        hold = widgets.progress(pacer, now) if pacer.phase == "hold" else None
        sub = ""
        if pacer.hold_until is not None:
            hold = 1 - widgets.hold_left(pacer, now)
            sub = f"HOLD {widgets.hold_count(pacer, now)}"
        if pacer.phase != "hold":
            self._held = fill
        word = widgets.PACER_WORDS.get(pacer.phase, pacer.phase.upper())
        return widgets.draw_pacer(self.surface, slot, fill=fill, word=word,
                                  word_px=lay.sizes.pacer_word, hold=hold, sub=sub,
                                  min_px=lay.sizes.floor)


# --- pure helpers ------------------------------------------------------------------------------
def _has_slot(view: View) -> bool:
    return view.pain is None and (
        view.screen in PACER_SCREENS or view.pacer is not None or view.rep is not None
    )


def _static(view: View) -> View:
    """The part of a View drawn outside the circle's square and the hold ring."""
    if _has_slot(view):
        return replace(view, pacer=None, awaiting=None, hold=None)
    return replace(view, hold=None)


def _caption_in_centre(view: View) -> bool:
    """With nothing else to show (a summary, a notice), the spoken line is the content."""
    return not view.lines and view.pain is None and not _has_slot(view) and not view.grid


def _caption_in_band(view: View) -> bool:
    # A chart or the signature grid needs the room; the caption says what it shows, and every
    # line the grid stands for is spoken.
    return (bool(view.caption) and not _caption_in_centre(view) and view.chart is None
            and not view.grid)


def _draw_title(surface: pygame.Surface, view: View, lay: Layout) -> list[pygame.Rect]:
    """The title, and on exercise screens the set ("Set 1 of 2, left") at the right."""
    rect = lay.title
    drawn: list[pygame.Rect] = []
    if view.set_label:
        # As wide as its words need ("Set 1 of 2, left" names the side), up to half the row.
        need = fonts.font(lay.sizes.caption[1]).size(view.set_label)[0] + 2
        label = pygame.Rect(rect.left, rect.top, max(rect.width // 3, min(need, rect.width // 2)),
                            rect.height)
        label.right = rect.right
        # The title's companion, not a caption: no bigger than it was, so long titles keep room.
        size = (max(lay.sizes.caption[1], min(lay.px(0.062), lay.sizes.caption[0])),
                lay.sizes.caption[1])
        drawn = draw_line(surface, view.set_label, label, size, palette.TEXT_SOFT, align="right")
        rect = pygame.Rect(rect.left, rect.top, drawn[0].left - lay.gap * 2 - rect.left,
                           rect.height)
    return drawn + draw_line(surface, view.title, rect, lay.sizes.title, palette.TEXT)


def _split_centre(view: View, lay: Layout) -> _Centre:
    centre = lay.centre
    if not _has_slot(view):
        return _Centre(None, centre)
    side = min(centre.height, round(centre.width * 0.4))
    # The breath's word ("EXHALE", "HOLD 11") never shrinks under the floor; where the circle is
    # smaller than the word (a 480x320 panel), the square widens so the word stays in it.
    width = max(side, widgets.pacer_word_width(lay.sizes.floor) + lay.gap)
    slot = pygame.Rect(centre.left, centre.top + (centre.height - side) // 2, width, side)
    rest = pygame.Rect(slot.right + 2 * lay.gap, centre.top, 0, centre.height)
    rest.width = centre.right - rest.left
    return _Centre(slot, rest)


def _draw_lines(
    surface: pygame.Surface, paragraphs: list[str], rect: pygame.Rect, lay: Layout, *, big: bool
) -> list[pygame.Rect]:
    if not paragraphs:
        return []
    sizes = lay.sizes.statement if big else lay.sizes.body
    colour = palette.TEXT if big else palette.TEXT_SOFT
    block = fit_text(paragraphs, rect.width, rect.height, sizes)
    return draw_text(surface, block, rect, colour)


def _draw_caption(surface: pygame.Surface, caption: str, lay: Layout) -> list[pygame.Rect]:
    band = lay.caption
    pygame.draw.rect(surface, palette.PANEL, band, border_radius=lay.px(0.025))
    pad = lay.px(0.025)
    icon = pygame.Rect(band.left + pad, band.centery - lay.px(0.03), lay.px(0.06), lay.px(0.06))
    widgets.draw_speaker(surface, icon, palette.MUTED)
    text = pygame.Rect(icon.right + pad, band.top + pad // 2, 0, band.height - pad)
    text.width = band.right - pad - text.left
    block = fit_text([caption], text.width, text.height, lay.sizes.caption)
    return draw_text(surface, block, text, palette.TEXT_SOFT, valign="middle")


def _draw_signature(surface: pygame.Surface, view: View, lay: Layout) -> list[pygame.Rect]:
    """The grid, and under it what changed since the last check (as many lines as fit)."""
    c = lay.centre
    grid = c
    drawn: list[pygame.Rect] = []
    if view.lines:
        below_h = min(c.height * 2 // 5, fonts.line_height(lay.sizes.body[1]) * 2 + lay.gap)
        grid = pygame.Rect(c.left, c.top, c.width, c.height - below_h - lay.gap)
        below = pygame.Rect(c.left, grid.bottom + lay.gap, c.width, below_h)
        block = fit_text(list(view.lines), below.width, below.height, lay.sizes.caption)
        drawn += draw_text(surface, block, below, palette.TEXT_SOFT)
    return drawn + marks.draw_grid(surface, grid, view.grid, lay.sizes.body, lay.gap)


def _draw_pain(surface: pygame.Surface, view: View, lay: Layout) -> list[pygame.Rect]:
    """The number huge, a 0-10 scale under it, then the guidance line."""
    assert view.pain is not None
    c = lay.centre
    number_h, scale_h = round(c.height * 0.56), round(c.height * 0.24)
    number = pygame.Rect(c.left, c.top, c.width, number_h)
    scale = pygame.Rect(c.left, number.bottom, c.width, scale_h)
    below = pygame.Rect(c.left, scale.bottom + lay.gap // 2, c.width, 0)
    below.height = c.bottom - below.top
    drawn = [_draw_number(surface, str(view.pain), number)]
    widgets.draw_pain_scale(surface, scale.inflate(-lay.px(0.02), -lay.px(0.02)), view.pain,
                            lay.sizes.floor)
    block = fit_text(list(view.lines), below.width, below.height, lay.sizes.body)
    return drawn + draw_text(surface, block, below, palette.TEXT_SOFT, align="center",
                                     valign="middle")


def _draw_number(surface: pygame.Surface, text: str, rect: pygame.Rect) -> pygame.Rect:
    """Digits as tall as the box allows, centred on their ink rather than their line box."""
    font = fonts.font(round(rect.height * 1.3))
    image = font.render(text, True, palette.TEXT)
    ink = image.get_bounding_rect()
    where = ink.copy()
    where.center = rect.center
    return surface.blit(image, (where.left - ink.left, where.top - ink.top), ink)


def _draw_counters(
    surface: pygame.Surface, view: View, lay: Layout, rect: pygame.Rect
) -> list[pygame.Rect]:
    """Beside the circle: the rep number huge, the clean count with dots, then guidance,
    as one stack centred on the circle."""
    rows = _counter_rows(view, lay, lay.sizes.counter[0])
    fixed = sum(h for _, h in rows)
    lines = None
    if view.lines:
        smallest = layout_text(list(view.lines), fonts.font(lay.sizes.body[1]), rect.width)
        if smallest.height > rect.height - fixed - lay.gap:
            # A smaller rep number, before a cue is ever cut short.
            rows = _counter_rows(view, lay, lay.sizes.counter[1])
            fixed = sum(h for _, h in rows)
        lines = fit_text(list(view.lines), rect.width, rect.height - fixed - lay.gap,
                         lay.sizes.body)
    total = fixed + (lay.gap + lines.height if lines else 0)
    top = rect.top + max(0, (rect.height - total) // 2)
    drawn: list[pygame.Rect] = []
    for draw, height in rows:
        drawn += draw(surface, pygame.Rect(rect.left, top, rect.width, height))
        top += height
    if lines:
        where = pygame.Rect(rect.left, top + lay.gap, rect.width, lines.height)
        drawn += draw_text(surface, lines, where, palette.TEXT_SOFT)
    return drawn


Row = tuple[Callable[[pygame.Surface, pygame.Rect], list[pygame.Rect]], int]


def _counter_rows(view: View, lay: Layout, counter_px: int) -> list[Row]:
    rows: list[Row] = []
    counter = (counter_px, lay.sizes.counter[1])
    if view.rep is not None:
        # Alternating reps count in pairs, named by side ("Left 3", then "Right 3"), as said.
        text = (f"Minute {view.rep}" if view.unit == "minutes"
                else f"{view.side.capitalize()} {view.rep}" if view.side
                else f"Rep {view.rep}")
        rows.append((lambda s, r: draw_line(s, text, r, counter, palette.TEXT),
                     fonts.line_height(counter_px)))
    if view.clean is not None and view.target:
        clean, target = view.clean, view.target
        rows.append((lambda s, r: _draw_clean(s, clean, target, r, lay),
                     fonts.line_height(lay.sizes.body[0])))
    return rows


def _draw_clean(
    surface: pygame.Surface, clean: int, target: int, row: pygame.Rect, lay: Layout
) -> list[pygame.Rect]:
    """"Clean 2 / 8" and, for targets that fit, a dot per rep: filled ones are done."""
    words = draw_line(surface, f"Clean {clean} / {target}", row, lay.sizes.body,
                              palette.TEXT)
    left = max(r.right for r in words) + lay.gap * 2
    dots = pygame.Rect(left, row.top, row.right - left, row.height)
    if target <= 20 and dots.width >= target * 6:
        widgets.draw_dots(surface, dots.inflate(0, -row.height // 3), clean, target)
    return words
