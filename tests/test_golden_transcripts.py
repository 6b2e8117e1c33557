"""The spoken lines of the simulated people's demos, kept word for word.

A refactor must not change what the person hears: each simulated person runs four demo days
(a Monday, the next day, two days later and the next Monday, so a week's summary is said) in one
data directory, and every spoken line and the kind of every saved record must equal the golden
transcript in tests/golden/. A change of behaviour that is meant (a new rule, a new line) updates
the transcript on purpose: run with KIOSK_GOLDEN_UPDATE=1 and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.cli import main  # noqa: E402

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden"
USERS = ("steady", "slipping", "sore", "stiff-left", "red-flag", "leg-symptoms")
DAYS = ("2026-12-07", "2026-12-08", "2026-12-10", "2026-12-14")
SAVED = re.compile(r"^saved: (\S+) \S+ in .*$")


def transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str], user: str) -> str:
    lines: list[str] = []
    for day in DAYS:
        assert main(["demo", "--data-dir", str(tmp_path), "--user", user, "--date", day]) == 0
        lines.append(f"== {day}")
        for line in capsys.readouterr().out.splitlines():
            # A saved record's id and folder differ run to run; its kind is what is heard.
            lines.append(SAVED.sub(r"saved: \1", line))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("user", USERS)
def test_demo_transcript_is_unchanged(tmp_path, capsys, user: str) -> None:
    got = transcript(tmp_path, capsys, user)
    path = GOLDEN / f"{user}.txt"
    if os.environ.get("KIOSK_GOLDEN_UPDATE") == "1":
        path.write_text(got, encoding="utf-8")
    want = path.read_text(encoding="utf-8")
    assert got.splitlines() == want.splitlines()
