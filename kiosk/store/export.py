"""Exports for a clinician: the whole history as JSON, or one CSV row per set.

Both take the sessions in save order (``History.sessions()``); docs/data.md describes the columns.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TextIO

from kiosk.store.records import SCHEMA_VERSION, is_safety

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


def write_json(records: Sequence[Mapping[str, Any]], fp: TextIO) -> None:
    doc: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "sessions": [r for r in records if not is_safety(r)],
    }
    answers = [r for r in records if is_safety(r)]
    if answers:  # a history from before the safety questions exports as it always did
        doc["safety"] = answers
    json.dump(doc, fp, indent=2)
    fp.write("\n")


def write_csv(records: Sequence[Mapping[str, Any]], fp: TextIO) -> None:
    """Open ``fp`` with ``newline=""``, as the csv module asks, so rows end in CRLF only.

    Sessions come one row per set; a round of safety answers one row per answer, with
    ``family`` = ``safety``, ``variation`` = the question, ``reps`` = yes or no, and how it was
    given (green, amber, red, timeout) in ``set_ended_by``."""
    writer = csv.writer(fp)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerows(_safety_rows(record) if is_safety(record) else _rows(record))


def _safety_rows(check: Mapping[str, Any]) -> Iterator[list[Any]]:
    head = [check["id"], check["day"], check["pain"], "", f"safety: {check['outcome']}"]
    for a in check["answers"]:
        what = ["safety", a["question"], "", a["group"], check["reason"], "no"]
        yield head + what + ["", "", a["answer"], "", a["how"]]


def _rows(session: Mapping[str, Any]) -> Iterator[list[Any]]:
    head = [
        session["id"],
        session["plan_date"],
        session["pain_before"],
        session["pain_after"],
        session["ended_by"],
    ]
    if not session["exercises"]:
        yield head + [""] * (len(CSV_COLUMNS) - len(head))
    for ex in session["exercises"]:
        what = [ex["family"], ex["variation"], ex["target"], ex["change"], ex["reason"]]
        what.append("yes" if ex["skipped"] else "no")
        if not ex["sets"]:
            # A skipped or never-reached exercise still gets a row, so no session vanishes.
            yield head + what + [""] * 5
        number = Counter[Any]()  # sets are numbered per side: left 1, right 1, left 2, ...
        for s in ex["sets"]:
            number[s["side"]] += 1
            reps = "".join(REP_LETTERS[r] for r in s["reps"])
            yield head + what + [number[s["side"]], s["side"], reps, s["clean_reps"], s["ended_by"]]
