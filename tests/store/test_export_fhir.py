"""The FHIR R4 export: it validates with fhir.resources (a test-only dependency, R4 4.0.1), and
it carries every session, pain rating and PSFS answer of the history, as a clinic would read it."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from kiosk.core import fhir
from kiosk.core.records import (
    ExerciseRecord,
    PainEvent,
    PsfsRecord,
    PsfsScore,
    Record,
    SessionRecord,
    SetRecord,
)
from kiosk.store import export
from tests.core.progress_samples import exercise, pain, session

resources = pytest.importorskip("fhir.resources", reason="pip install -e '.[dev]'")


def _sided() -> SessionRecord:
    sets = (SetRecord("left", ("clean",) * 6, 6, "target"),
            SetRecord("right", ("clean",) * 4 + ("slipped",), 4, "fray"))
    ex = ExerciseRecord("side-plank", "side-plank-1", "Side plank", 6, "same", "steady", False,
                        sets)
    start = datetime(2026, 11, 20, 9)
    return SessionRecord("s-sided", date(2026, 11, 20), start, start + timedelta(minutes=8),
                         480.0, 3, 5, "pain", (ex,),
                         (PainEvent(300.0, "side-plank", "side-plank-1", 2, 5, "set", 5),))


HISTORY: list[Record] = [
    session("2026-11-10", exercise("bridge", (9, 8)), before=4, after=3),
    session("2026-11-12", exercise("bridge", 10), exercise("bird-dog", 0, skipped=True),
            before=5, after=None, ended_by="stop"),
    pain("2026-11-13", 6),
    PsfsRecord("psfs-1", datetime(2026, 11, 14, 10), (PsfsScore("carry the shopping", 4),
                                                      PsfsScore("sit through a film", 7))),
    _sided(),
]


def _bundle(records: list[Record]) -> dict[str, Any]:
    out = io.StringIO()
    export.write_fhir(records, out, now=datetime.combine(date(2026, 11, 26), time(12)))
    doc: dict[str, Any] = json.loads(out.getvalue())
    return doc


def _of(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == kind]


def test_the_bundle_validates_as_fhir_r4() -> None:
    from fhir.resources.bundle import Bundle

    assert resources.__fhir_version__ == "4.0.1"  # R4, not R4B or R5
    parsed = Bundle.parse_obj(_bundle(HISTORY))  # raises on any field FHIR R4 does not allow
    kinds = {e.resource.resource_type for e in parsed.entry}
    assert kinds == {"Patient", "Procedure", "Observation", "QuestionnaireResponse"}


def test_every_session_is_a_procedure_and_every_pain_rating_a_loinc_observation() -> None:
    doc = _bundle(HISTORY)
    procs = _of(doc, "Procedure")
    assert sorted(p["identifier"][0]["value"] for p in procs) == sorted(
        r.id for r in HISTORY if isinstance(r, SessionRecord))
    assert [p["status"] for p in procs] == ["completed", "stopped", "stopped"]
    pains = [o for o in _of(doc, "Observation")
             if o["code"]["coding"][0] == {"system": "http://loinc.org", "code": "72514-3",
                                           "display": fhir.PAIN_DISPLAY}]
    # 4,3 | 5 | the pain log's 6 | 3,5 and the 5 given after RED
    assert sorted(o["valueInteger"] for o in pains) == sorted([4, 3, 5, 6, 3, 5, 5])
    assert all(o["effectiveDateTime"][19:] for o in pains), "every time carries its offset"


def test_exercises_carry_clean_reps_and_each_side() -> None:
    obs = [o for o in _of(_bundle(HISTORY), "Observation") if o["category"][0]["coding"][0][
        "code"] == "activity"]
    by_name = {o["code"]["coding"][0]["display"]: o for o in obs}
    assert by_name["Bridge 1"]["valueQuantity"]["value"] in (17, 10)
    assert "valueQuantity" not in by_name["Bird-Dog 1"], "skipped: data absent, not zero"
    plank = by_name["Side plank"]
    parts = {c["code"]["text"]: c["valueQuantity"]["value"] for c in plank["component"]}
    assert parts == {"target": 6, "left": 6, "right": 4}
    assert plank["valueQuantity"]["value"] == 10


def test_the_psfs_is_a_questionnaire_response_with_each_activity() -> None:
    (qr,) = [q for q in _of(_bundle(HISTORY), "QuestionnaireResponse")
             if q["questionnaire"].endswith("/psfs")]
    assert [(i["text"], i["answer"][0]["valueInteger"]) for i in qr["item"]] == [
        ("carry the shopping", 4), ("sit through a film", 7)]


def test_the_same_history_exports_to_the_same_ids() -> None:
    ids = [e["fullUrl"] for e in _bundle(HISTORY)["entry"]]
    assert ids == [e["fullUrl"] for e in _bundle(HISTORY)["entry"]]
    assert len(set(ids)) == len(ids)
