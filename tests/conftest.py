"""Settings for the whole suite.

Hypothesis's defaults fail an example that takes over 200 ms (``deadline``) and a strategy that
generates slowly (``HealthCheck.too_slow``). Both depend on how fast the machine is, which no test
here may (issue 7): on a Pi, under ``slow-cpu`` or beside other busy programs they fail tests that
are right. The suite's profile turns them off; everything else stays Hypothesis's default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "kiosk", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("kiosk")


@pytest.fixture(autouse=True, scope="session")
def _a_sound_card(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`kiosk check` fails on a machine with no sound card (a kiosk that cannot speak is
    broken); CI has none. The suite runs as on a kiosk with one, through the seam check reads
    (``KIOSK_SOUND_CARDS``, the file listing the cards, /proc/asound/cards by default), and the
    test of the missing card points it at an empty file. Subprocesses inherit it."""
    cards = tmp_path_factory.mktemp("asound") / "cards"
    cards.write_text(" 0 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones\n")
    before = os.environ.get("KIOSK_SOUND_CARDS")
    os.environ["KIOSK_SOUND_CARDS"] = str(cards)
    yield
    if before is None:
        os.environ.pop("KIOSK_SOUND_CARDS", None)
    else:
        os.environ["KIOSK_SOUND_CARDS"] = before
