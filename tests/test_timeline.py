"""``kiosk demo --timeline`` end to end: one line per breath with its channels as fields, one
line per press, so the rhythm can be checked without listening (issue 13)."""

from __future__ import annotations

import argparse
import io
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.cli import main  # noqa: E402
from kiosk.config import DEFAULT_CONFIG  # noqa: E402
from tests.core.helpers import first_start  # noqa: E402

pytestmark = pytest.mark.slow

BEAT = re.compile(
    r'^t=(?P<t>\d+\.\d\d) breath=(?P<breath>in|out|free)(?: rep=(?P<rep>\d+))?'
    r'(?: side=(?P<side>left|right))?(?: hold=(?P<hold>[\d.]+))?(?: say="(?P<say>[^"]*)")?'
    r'(?: tone=(?P<tone>inhale|exhale))?$'
)
PRESS = re.compile(r"^t=(?P<t>\d+\.\d\d) press=(?P<button>green|amber|red)(?: held=[\d.]+)?$")


def timeline(tmp_path: Path, *args: str) -> list[str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(["--config", str(DEFAULT_CONFIG), "--data-dir", str(tmp_path), "demo",
                   "--timeline", "--date", "2026-03-02", *args])
    assert rc == 0, err.getvalue() + out.getvalue()
    return out.getvalue().splitlines()


def test_every_line_is_a_beat_or_a_press_and_the_breath_alternates(tmp_path: Path) -> None:
    lines = timeline(tmp_path, "--user", "slipping")
    saved = [line for line in lines if line.startswith("saved: ")]
    assert saved and saved[-1].startswith("saved: session ")
    beats: list[re.Match[str]] = []
    presses: list[re.Match[str]] = []
    times: list[float] = []
    for line in lines:
        if line.startswith("saved: "):
            continue
        beat, press = BEAT.match(line), PRESS.match(line)
        assert beat or press, f"not a timeline line: {line!r}"
        m = beat or press
        assert m is not None
        times.append(float(m["t"]))
        (beats if beat else presses).append(m)
    assert times == sorted(times), "one clock, in order"
    assert any(p["button"] == "amber" for p in presses), "the slipping user slips"
    # within a set (from its lead-in, a beat with no rep, to the next), never two of one breath
    reps = [b for b in beats if b["rep"]]
    assert reps, "the sets were paced"
    for a, b in zip(beats, beats[1:], strict=False):
        if a["rep"] and b["rep"]:
            assert a["breath"] != b["breath"], (a.string, b.string)
        assert b["tone"] == {"in": "inhale", "out": "exhale", "free": None}[b["breath"]]
    for b in beats:
        if b["say"] and b["rep"]:
            assert "reathe in" in b["say"] or "reathe out" in b["say"], b.string
    # the first rep of the first set has the full words, later ones a count and the breath
    first = [b for b in reps if b["rep"] == "1"][0]
    assert first["say"] and " as you " in first["say"]
    assert any(b["say"] in ("Two. Breathe out.", "Two. Breathe in.") for b in reps)


def test_alternating_reps_show_their_side_and_count(tmp_path: Path) -> None:
    # Day one plans bridge, bird-dog and sit-to-stand; this walks the first two, each once.
    # A fresh kiosk: its first start is pressed too (every screen answers to --presses).
    lines = timeline(tmp_path, "--presses", first_start() + "G a g gggggg a g gggggg a a G")
    beats = [m for line in lines if (m := BEAT.match(line))]
    sides = [(b["side"], b["rep"]) for b in beats if b["side"] and b["say"]
             and b["say"].startswith(("Left", "Right"))]
    assert sides[:4] == [("left", "1"), ("right", "1"), ("left", "2"), ("right", "2")], sides
    said = [b["say"] for b in beats if b["say"]]
    assert "Left, two. Breathe out." in said and "Right, two. Breathe out." in said


def _demo_users() -> list[str]:
    """Every simulated person ``kiosk demo --user`` offers, read from the parser itself."""
    from kiosk.cli_args import parser

    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    user = next(a for a in sub.choices["demo"]._actions if a.dest == "user")
    return list(user.choices or ())


def _never_two_of_one_breath(lines: list[str]) -> list[re.Match[str]]:
    """Every paced breath, checked: in and out alternate across the whole run (the primer,
    lead-ins, reps, the out-breath that closes each set, rests, rituals). A walking minute
    paces no breath (``breath=free``), so it neither breaks nor carries the alternation."""
    beats = [m for line in lines if (m := BEAT.match(line))]
    paced = [b for b in beats if b["breath"] != "free"]
    for a, b in zip(paced, paced[1:], strict=False):
        assert a["breath"] != b["breath"], (a.string, b.string)
    return beats


@pytest.mark.parametrize("user", _demo_users())
def test_every_simulated_user_never_hears_two_of_one_breath_in_a_row(
    tmp_path: Path, user: str
) -> None:
    beats = _never_two_of_one_breath(timeline(tmp_path, "--user", user))
    if user != "red-flag":  # the safety answers stop exercise before any breath
        assert beats, f"{user}: nothing was paced"
        assert any(b["say"] == "Breathe out, and rest." for b in beats), user


@pytest.mark.parametrize("at", ["08:00", "14:00", "21:30"])
def test_a_ritual_rides_the_same_breath_timeline(tmp_path: Path, at: str) -> None:
    """The rituals open on the first day, run at their time: prepared, one step a breath on
    the rung's breath, closed on an out-breath. (Rituals wait for the first session, issue
    30: a run of the steady person first.)"""
    timeline(tmp_path, "--user", "steady")
    beats = _never_two_of_one_breath(timeline(tmp_path, "--at", at))
    steps = [b for b in beats if b["rep"]]
    assert steps and all(b["say"] and " as you " in b["say"] for b in steps)
    assert beats[0]["breath"] == "in" and beats[-1]["breath"] == "out"
