"""Exports for a clinician: the whole history as JSON, or one CSV row per set.

Both take the sessions in save order, as an iterable (streamed month by month);
docs/data.md describes the columns.
"""

from __future__ import annotations

import csv
import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from kiosk.core.records import SCHEMA_VERSION, SessionRecord
from kiosk.store.records import encode

CSV_COLUMNS = (
    "session_id",
    "date",
    "pain_before",
    "pain_after",
    "session_ended_by",
    "family",
    "variation",
    "target",
    "change",
    "reason",
    "skipped",
    "set",
    "side",
    "reps",
    "clean_reps",
    "set_ended_by",
)
REP_LETTERS = {"clean": "C", "slipped": "S"}


def write_json(sessions: Iterable[SessionRecord], fp: TextIO) -> None:
    """One JSON document, written a session at a time (a history of years never sits in
    memory whole), exactly as ``json.dump(..., indent=2)`` would lay it out."""
    fp.write(f'{{\n  "schema": {SCHEMA_VERSION},\n  "sessions": [')
    first = True
    for session in sessions:
        text = json.dumps(encode(session), indent=2)
        fp.write(("\n" if first else ",\n") + textwrap.indent(text, "    "))
        first = False
    fp.write("]\n}\n" if first else "\n  ]\n}\n")


def write_csv(sessions: Iterable[SessionRecord], fp: TextIO) -> None:
    """Open ``fp`` with ``newline=""``, as the csv module asks, so rows end in CRLF only."""
    writer = csv.writer(fp)
    writer.writerow(CSV_COLUMNS)
    for session in sessions:
        writer.writerows(_rows(session))


def _rows(session: SessionRecord) -> Iterator[list[Any]]:
    head: list[Any] = [
        session.id,
        session.plan_date.isoformat(),
        session.pain_before,
        session.pain_after,
        session.ended_by,
    ]
    if not session.exercises:
        yield head + [""] * (len(CSV_COLUMNS) - len(head))
    for ex in session.exercises:
        what = [ex.family, ex.variation, ex.target, ex.change, ex.reason]
        what.append("yes" if ex.skipped else "no")
        if not ex.sets:
            # A skipped or never-reached exercise still gets a row, so no session vanishes.
            yield head + what + [""] * 5
        number = Counter[str | None]()  # sets are numbered per side: left 1, right 1, left 2, ...
        for s in ex.sets:
            number[s.side] += 1
            reps = "".join(REP_LETTERS[r] for r in s.reps)
            yield head + what + [number[s.side], s.side, reps, s.clean_reps, s.ended_by]
