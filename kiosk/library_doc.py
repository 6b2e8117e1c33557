"""docs/exercises.md, generated from the exercise library so that the two cannot disagree.

    python -m kiosk.library_doc            # rewrite docs/exercises.md from config/exercises.toml
    python -m kiosk.library_doc --check    # exit 1 if it is stale (tests/test_library_doc.py)
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.config import DEFAULT_EXERCISES, PACKAGED, load_library
from kiosk.core.coach import breath
from kiosk.core.data.model import Library, Variation
from kiosk.errors import ConfigError

DOC = PACKAGED.parent / "docs" / "exercises.md"

HEADER = """\
# The exercise library

Generated from `config/exercises.toml` by `python -m kiosk.library_doc`; do not edit by hand
(`tests/test_library_doc.py` fails when this file is stale).

One row per rung, easiest first within each family. **Step** is what changed from the rung
above it in the table, one thing at a time: reps, hold, tempo, range, load or movement.
**Breath**: the movement is on the out-breath (*out*) or the in-breath (*in*), then
inhale/exhale seconds; a hold is whole breaths held at the end of the movement, and the pacer
keeps breathing through it. A rep of a walking rung is one minute. **If it slips** is the tip the
kiosk says when a rep is rated AMBER, before the set ends. **Loads** is the spinal movement the
rung loads (flexion, extension, rotation, side-bend; "neutral" when none): a screening probe
that hurts holds back the families that load its direction ([signature.md](signature.md)). How
a person climbs the ladders is in [progression.md](progression.md); the breath timeline is
`kiosk/core/coach/breath.py`.

| Family | # | Variation | Step | Position | Loads | Sides | Reps | Breath | Rep | Cues | \
If it slips |
|---|---|---|---|---|---|---|---|---|---|---|---|
"""


def _breath(v: Variation) -> str:
    if v.unit == "minutes":
        return "own breath, cued once a minute"
    b = v.breath
    move = "out" if b.effort.value == "out" else "in"
    text = f"{move}, {b.inhale:g}/{b.exhale:g} s"
    if b.back_first:
        text += ", starts with the way back"
    if b.hold_breaths:
        text += f", hold {b.hold_breaths} breath" + ("s" if b.hold_breaths > 1 else "")
    return text


def _reps(v: Variation) -> str:
    unit = " min" if v.unit == "minutes" else ""
    return f"{v.start_reps}–{v.max_reps}{unit}"


def _step(v: Variation) -> str:
    if v.step == "start":
        return "start"
    return f"{v.step}: {v.step_note}" if v.step_note else v.step


def _row(family: str, k: int, v: Variation) -> str:
    sides = {"none": "", "alternate": "alternating", "each": "each side"}[v.side]
    load = f" ({v.load})" if v.load else ""
    cells = [
        family if k == 1 else "", str(k), f"{v.name}{load} `{v.id}`", _step(v), v.position,
        ", ".join(v.directions) or "neutral", sides, _reps(v), _breath(v),
        f"{breath.rep_seconds(v):g} s", " ".join(v.cues),
        v.fray_tip,
    ]
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def render(library: Library) -> str:
    rows = [_row(f.name, k, v) for f in library.families for k, v in enumerate(f.ladder, 1)]
    return HEADER + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None, *, doc: Path = DOC) -> int:
    """Write ``doc`` (docs/exercises.md), or with --check say whether it is stale."""
    args = sys.argv[1:] if argv is None else argv
    problems: list[ConfigError] = []
    text = render(load_library(DEFAULT_EXERCISES, problems))
    if problems:
        for p in problems:
            print(f"kiosk: config: {p}", file=sys.stderr)
        return 1
    if "--check" in args:
        current = doc.read_text(encoding="utf-8") if doc.exists() else ""
        if current != text:
            print(f"{doc} is stale: run python -m kiosk.library_doc", file=sys.stderr)
            return 1
        return 0
    Path(doc).write_text(text, encoding="utf-8")
    print(f"wrote {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
