"""The kiosk's colours, and the WCAG contrast check they are held to.

Near-white on near-black: the highest contrast that still looks calm (pure white on pure black
glares on a bright panel in a dim room). Every colour that text is drawn in must reach the WCAG
AAA ratio of 7:1 against every surface it is drawn on; tests/ui/test_palette.py checks the pairs.
Colour never carries meaning alone: each button also has a shape and its name in words.
"""

from __future__ import annotations

Colour = tuple[int, int, int]

BACKGROUND: Colour = (12, 14, 18)
PANEL: Colour = (27, 31, 38)  # caption band and legend boxes: one step lighter than the page
TEXT: Colour = (245, 245, 240)  # titles, numbers, the words in the legend
TEXT_SOFT: Colour = (214, 219, 226)  # guidance lines and the caption: quieter, still AAA
INK: Colour = (12, 14, 18)  # text drawn on a light fill (the lit cells of the pain scale)
MUTED: Colour = (78, 86, 98)  # outlines and guides only; never used for text
FAINT: Colour = (44, 50, 60)  # the pacer's guide ring and unlit scale cells

PACER_FILL: Colour = (24, 70, 96)  # deep blue, so the white word inside still reads at 7:1+
PACER_RING: Colour = (132, 204, 236)
SCALE_LIT: Colour = (170, 214, 236)  # pain scale cells up to the current value

# Button colours, as close to the physical caps as a colour-blind-safe set allows. The shapes
# (circle, triangle, square) and the words carry the meaning; these are a third cue.
GREEN: Colour = (52, 190, 112)
AMBER: Colour = (246, 178, 40)
RED: Colour = (236, 76, 76)

# Paper, for the clinician's report (kiosk/report.py, charts.PRINT): dark ink on white, as a
# printer and a photocopier keep it; the dark screen palette prints as a slab of toner.
PAPER: Colour = (255, 255, 255)
PRINT_TEXT: Colour = (17, 17, 17)
PRINT_SOFT: Colour = (51, 51, 51)  # axis labels
PRINT_AXIS: Colour = (85, 85, 85)  # axes and a rest day's dash: graphics only
PRINT_GUIDE: Colour = (200, 200, 200)  # week lines: faint on purpose, never text
PRINT_LINE: Colour = (0, 72, 150)  # the data line: dark blue, dashed for the weekly pain
PRINT_LOGGED: Colour = (166, 68, 0)  # a pain-log square: a dark amber that still prints
PRINT_DONE: Colour = (0, 110, 55)  # a day done: dark green, with a white tick
PRINT_STEP_A: Colour = (238, 238, 238)  # the ladder band, alternating greys under black words
PRINT_STEP_B: Colour = (212, 212, 212)

# (text colour, surface) pairs the screen actually draws; each must reach AAA.
TEXT_PAIRS: tuple[tuple[Colour, Colour], ...] = (
    (TEXT, BACKGROUND),
    (TEXT_SOFT, BACKGROUND),
    (TEXT, PANEL),
    (TEXT_SOFT, PANEL),
    (TEXT, PACER_FILL),
    (INK, SCALE_LIT),
    (INK, TEXT),
    (TEXT_SOFT, FAINT),
)

# The same for paper: text pairs reach AAA; the data's marks and lines at least 3:1 (graphics).
PRINT_TEXT_PAIRS: tuple[tuple[Colour, Colour], ...] = (
    (PRINT_TEXT, PAPER),
    (PRINT_SOFT, PAPER),
    (PRINT_TEXT, PRINT_STEP_A),
    (PRINT_TEXT, PRINT_STEP_B),
)
PRINT_MARKS: tuple[Colour, ...] = (PRINT_TEXT, PRINT_AXIS, PRINT_LINE, PRINT_LOGGED, PRINT_DONE)
