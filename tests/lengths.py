"""How long the long tests run: a short version in ``make test``, the full one in ``make soak``.

``make soak`` sets ``KIOSK_SOAK=1`` and runs the tests marked ``soak``: the simulated week, and
hundreds of kills of the kiosk process and of a saving process. ``make test`` runs the same
tests with small counts, so a fresh clone's suite is quick on any machine and still walks every
path the long runs walk. Nothing here depends on how fast the machine is: only counts change.
"""

from __future__ import annotations

import os

FULL = os.environ.get("KIOSK_SOAK", "") not in ("", "0")


def count(short: int, full: int) -> int:
    """``full`` under ``make soak``, else ``short``."""
    return full if FULL else short
