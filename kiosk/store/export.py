"""Exports for a clinician: the whole history as JSON, or one CSV row per set.

Both take the records in save order (``History.records()``): the sessions, the rounds of safety
answers and the rituals. docs/data.md describes the columns.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from kiosk.core.records import SCHEMA_VERSION, Record, RitualRecord, SessionRecord
from kiosk.core.safety import SafetyCheck
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


def write_json(records: Sequence[Record], fp: TextIO) -> None:
    """The sessions, and (when there are any) the rounds of safety answers and the rituals
    (offered, run, snoozed, skipped), as saved."""
    doc: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "sessions": [encode(r) for r in records if isinstance(r, SessionRecord)],
    }
    answers = [encode(r) for r in records if isinstance(r, SafetyCheck)]
    if answers:  # a history from before the safety questions exports as it always did
        doc["safety"] = answers
    rituals = [encode(r) for r in records if isinstance(r, RitualRecord)]
    if rituals:  # and one from before the rituals too
        doc["rituals"] = rituals
    json.dump(doc, fp, indent=2)
    fp.write("\n")


def write_csv(records: Sequence[Record], fp: TextIO) -> None:
    """Open ``fp`` with ``newline=""``, as the csv module asks, so rows end in CRLF only.

    Sessions come one row per set; a round of safety answers one row per answer, with
    ``family`` = ``safety``, ``variation`` = the question, ``reps`` = yes or no, and how it was
    given (green, amber, red, timeout) in ``set_ended_by`` (docs/data.md)."""
    writer = csv.writer(fp)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        if isinstance(record, SessionRecord):
            writer.writerows(_rows(record))
        elif isinstance(record, SafetyCheck):
            writer.writerows(_safety_rows(record))


def _safety_rows(check: SafetyCheck) -> Iterator[list[Any]]:
    head: list[Any] = [check.id, check.day.isoformat(), check.pain, "", f"safety: {check.outcome}"]
    for a in check.answers:
        what = ["safety", a.question, "", str(a.group), str(check.reason), "no"]
        yield head + what + ["", "", "yes" if a.yes else "no", "", str(a.how)]


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
