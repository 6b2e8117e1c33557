"""The movement signature through the real ``kiosk`` command: mock pins, the simulated person,
TinyDB on disk, and what the command line prints (docs/signature.md).

``kiosk demo --user stiff-left`` on a fresh data directory goes through the welcome, the safety
questions, the screening and the first session; the plan that follows is tuned, with its
reasons. Four simulated weeks later ``kiosk demo --screening`` checks again: the changes are
said and printed, and every exercise that stays keeps its progress. The days between are a few
by default and every day under ``KIOSK_SOAK=1`` (tests/lengths.py).
"""

from __future__ import annotations

import io
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.cli import main  # noqa: E402
from kiosk.config import DEFAULT_CONFIG  # noqa: E402
from kiosk.core.data.records import ScreeningRecord, SessionRecord  # noqa: E402
from kiosk.store.months import WholeHistory  # noqa: E402  # the kiosk keeps months
from tests.lengths import count  # noqa: E402

pytestmark = pytest.mark.slow
DAY0 = date(2026, 10, 12)


def kiosk(data: Path, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(["--config", str(DEFAULT_CONFIG), "--data-dir", str(data), *args])
    assert rc == 0, f"kiosk {' '.join(args)} exited {rc}:\n{err.getvalue()}{out.getvalue()}"
    return out.getvalue()


def planned(text: str) -> dict[str, tuple[str, int]]:
    """`kiosk plan` as {family: (variation, target)}."""
    found = {}
    for m in re.finditer(r"^\s+\d+\. ([^:]+): (.+?), (\d+) (?:clean rep|easy minute)", text,
                         re.M):
        found[m.group(1)] = (m.group(2), int(m.group(3)))
    return found


def test_stiff_left_screens_first_then_its_plan_starts_on_the_left(tmp_path: Path) -> None:
    out = kiosk(tmp_path, "demo", "--user", "stiff-left", "--date", DAY0.isoformat())
    lines = out.splitlines()
    order = [lines.index("say: This kiosk paces your back exercise program."),
             next(i for i, x in enumerate(lines) if "Nothing there stops us today" in x),
             lines.index("say: Let's check how you move today, one movement at a time."),
             lines.index("say: Hip rotation: left stiff, right easy."),
             next(i for i, x in enumerate(lines) if "Pain right now, from zero to ten" in x)]
    assert order == sorted(order)  # welcome, questions, screening, its findings, the session
    assert "say: Rib expansion: left stiff, right easy." in lines
    assert any(x.endswith("We start with your left hip, because it turned less than the right.")
               for x in lines)  # said as the hip switch is introduced
    kinds = [x.split()[1] for x in lines if x.startswith("saved: ")]
    assert kinds == ["safety-answers", "signature", "session"]

    sig = kiosk(tmp_path, "signature")
    assert "Hip rotation         left stiff" in sig and "Rib expansion        left stiff" in sig
    assert "Hip rotation: left stiff, right easy. Stiffer: left." in sig

    with WholeHistory.open(tmp_path) as h:
        [session] = [r for r in h.records() if isinstance(r, SessionRecord)]
    hip = next(e for e in session.exercises if e.family == "hip-90-90")
    ribs = next(e for e in session.exercises if e.family == "rib-breathing")
    assert ribs.variation == "rib-breathing-side"
    assert [s.side for s in ribs.sets] == ["left", "right", "left", "right"]
    assert ribs.sets[0].clean_reps == ribs.target + 1  # one more on the stiffer side
    assert hip.sets and "We start with your left hip" in hip.reason


def test_a_rescreening_four_weeks_later_reports_changes_and_keeps_progress(
    tmp_path: Path
) -> None:
    kiosk(tmp_path, "demo", "--user", "stiff-left", "--date", DAY0.isoformat())
    days = count(1, 27)  # steady days between the two checks
    for n in range(1, days + 1):
        kiosk(tmp_path, "demo", "--user", "stiff-left", "--date",
              (DAY0 + timedelta(days=n)).isoformat())
    later = DAY0 + timedelta(days=28)
    before = planned(kiosk(tmp_path, "plan", "--date", later.isoformat()))
    # The left now moves as well as the right: a steady person rates every probe easy.
    out = kiosk(tmp_path, "demo", "--screening", "--user", "steady", "--date",
                later.isoformat())
    assert "say: Left hip rotation: stiff on 12 October, easy today." in out
    assert "say: Left rib expansion: stiff on 12 October, easy today." in out
    assert "saved: signature" in out and "saved: session" not in out

    sig = kiosk(tmp_path, "signature")
    assert f"Changes since {DAY0.isoformat()}:" in sig
    assert "Left hip rotation: stiff on 12 October, easy today." in sig
    assert "Asymmetries: none" in sig

    after_text = kiosk(tmp_path, "plan", "--date", later.isoformat())
    after = planned(after_text)
    kept = set(before) & set(after)
    assert kept and {f: after[f] for f in kept} == {f: before[f] for f in kept}
    assert "left first" not in after_text  # no side is stiffer now
    with WholeHistory.open(tmp_path) as h:
        screenings = [r for r in h.records() if isinstance(r, ScreeningRecord)]
    assert [s.reason for s in screenings] == ["first-run", "asked"]


def test_every_line_of_the_check_is_rendered_ahead(tmp_path: Path) -> None:
    """As the session's and the safety questions' lines are: none waits on the speech engine."""
    from kiosk.core.flows.screening import lines
    from tests.shell import Shell

    shell = Shell(tmp_path, answered=False)
    assert set(lines(shell.app.kiosk.signature)) <= set(shell.voice.prepared)  # type: ignore[arg-type]
    assert "Breathe out as you turn your chest to the left." in shell.voice.prepared
    shell.app.close()
