"""The history as a FHIR R4 Bundle, for a clinic's FHIR server. Pure: records in, a dict out.

What maps to what (docs/data.md has the table):

- a session is a ``Procedure`` (exercise therapy), ``completed`` or ``stopped``;
- each exercise of it an ``Observation`` of its clean reps (minutes for a timed hold), ``partOf``
  the session, with the target and, for one-side-at-a-time variations, each side's clean reps as
  components;
- every pain rating (check-in, check-out, a rating given after RED, the pain log) an
  ``Observation`` coded LOINC 72514-3, the 0-10 numeric pain score;
- the leg question at a session's check-in an ``Observation`` in the kiosk's own codes:
  ``none``, ``one`` (leg) or ``both`` (legs), ``partOf`` the session;
- a PSFS round a ``QuestionnaireResponse``, one item per activity, and a round of safety answers
  another, one yes/no item per question;
- a ritual (a daily-moment rehearsal) a ``Procedure`` like a session: ``completed`` when done,
  ``stopped`` when RED stopped it, ``not-done`` when snoozed or skipped (the reason said), its
  rating in a note and, rated "pain", a complication;
- a movement screening (the signature) an ``Observation`` of category ``exam``: one component
  per probe and side with its rating, and each pain rating given after a painful probe a pain
  ``Observation`` of its own, a member of it.

Ids are UUIDs made from the record ids (uuid5), so exporting the same history twice gives the
same Bundle, and a server that already holds a resource sees the same one again. The kiosk keeps
local wall-clock times; ``tz`` gives each one its offset, as FHIR asks of a dateTime with a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from kiosk.core.coach.legs import WORDS as LEG_WORDS
from kiosk.core.coach.safety import SafetyCheck
from kiosk.core.data.records import (
    ExerciseRecord,
    PainEntry,
    PsfsRecord,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
)

FHIR_VERSION = "4.0.1"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
# SNOMED CT 229065009 |Exercise therapy (regime/therapy)|: what a guided session is.
THERAPY_CODE, THERAPY_DISPLAY = "229065009", "Exercise therapy"
# SNOMED CT 22253000 |Pain (finding)|: a ritual the person rated "pain" (RED in it).
PAIN_FINDING_CODE, PAIN_FINDING_DISPLAY = "22253000", "Pain"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
# The kiosk's own code systems, for what no standard code names: its exercises and questions.
KIOSK = "http://backcare-kiosk.invalid/fhir"  # .invalid: a host name reserved never to exist
NAMESPACE = uuid.UUID("6f1c2a52-93d4-4a51-9f7e-0b7b5d1c9e21")  # fixed: stable ids across exports

Localize = Callable[[datetime], datetime]  # a naive local time -> the same time with its offset


def bundle(
    records: Sequence[Record], *, generated: datetime, localize: Localize,
    units: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A ``collection`` Bundle of every session, pain rating, PSFS round, safety round, ritual
    and movement screening.
    ``units``: variation id -> reps | minutes, from the library (a walk counts minutes)."""
    when = _when(localize)
    units = units or {}
    patient = _full_url("patient")
    entries: list[dict[str, Any]] = [_entry(patient, {
        "resourceType": "Patient",
        "id": _id("patient"),
        "text": {"status": "generated",
                 "div": '<div xmlns="http://www.w3.org/1999/xhtml">The person using this '
                        "back-care kiosk; the clinic links this record to its own.</div>"},
    })]
    for record in records:
        entries += [_entry(url, res) for url, res in _resources(record, patient, when, units)]
    return {
        "resourceType": "Bundle",
        "id": _id(f"bundle-{len(records)}-{generated.isoformat()}"),
        "type": "collection",
        "timestamp": when(generated),
        "entry": entries,
    }


def _resources(record: Record, patient: str, when: Callable[[datetime], str],
               units: Mapping[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(record, SessionRecord):
        yield from _session(record, patient, when, units)
    elif isinstance(record, PainEntry):
        yield _pain(f"{record.id}", record.pain, when(record.at), patient, note="pain log")
    elif isinstance(record, PsfsRecord):
        yield _psfs(record, patient, when)
    elif isinstance(record, SafetyCheck):
        yield _safety(record, patient, when)
    elif isinstance(record, RitualRecord):
        yield _ritual(record, patient, when)
    elif isinstance(record, ScreeningRecord):
        yield from _screening(record, patient, when)


# --- a session ----------------------------------------------------------------------------------
def _session(s: SessionRecord, patient: str, when: Callable[[datetime], str],
             units: Mapping[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    proc = _full_url(f"session-{s.id}")
    yield proc, {
        "resourceType": "Procedure",
        "id": _id(f"session-{s.id}"),
        "identifier": [{"system": f"{KIOSK}/session", "value": s.id}],
        "status": "completed" if s.ended_by == "complete" else "stopped",
        "code": {"coding": [{"system": SNOMED, "code": THERAPY_CODE, "display": THERAPY_DISPLAY}],
                 "text": "Guided back-care exercise session"},
        "subject": {"reference": patient},
        "performedPeriod": {"start": when(s.started_at), "end": when(s.ended_at)},
        "note": [{"text": f"Ended by: {s.ended_by}. Clean reps: {s.clean_reps}."}],
    }
    part_of = [{"reference": proc}]
    if s.pain_before is not None:
        yield _pain(f"{s.id}-before", s.pain_before, when(s.started_at), patient,
                    note="check-in, before the session", part_of=part_of)
    if s.pain_after is not None:
        note = "check-out" if s.ended_by != "pain" else "the rating that ended the session"
        yield _pain(f"{s.id}-after", s.pain_after, when(s.ended_at), patient, note=note,
                    part_of=part_of)
    for i, event in enumerate(s.pain_events):
        if event.pain is None:
            continue
        where = event.variation or event.phase
        at = s.started_at + timedelta(seconds=event.at_s)
        yield _pain(f"{s.id}-red-{i}", event.pain, when(at), patient,
                    note=f"RED pressed for pain during {where}", part_of=part_of)
    if s.legs is not None:
        yield _legs(s.id, s.legs, patient, when(s.started_at), part_of)
    for i, ex in enumerate(s.exercises):
        timed = units.get(ex.variation) == "minutes"
        yield _exercise(f"{s.id}-ex-{i}", ex, when(s.started_at), patient, part_of, timed)


def _exercise(key: str, ex: ExerciseRecord, at: str, patient: str,
              part_of: list[dict[str, str]], timed: bool) -> tuple[str, dict[str, Any]]:
    unit = "min" if timed else "{reps}"
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _id(key),
        "status": "final",
        "category": [_category("activity", "Activity")],
        "code": {"coding": [{"system": f"{KIOSK}/exercise", "code": ex.variation,
                             "display": ex.name}],
                 "text": f"{ex.name}: clean {'minutes' if timed else 'reps'}"},
        "subject": {"reference": patient},
        "partOf": part_of,
        "effectiveDateTime": at,
        "component": [_component("target", ex.target, unit)],
    }
    if ex.skipped or not ex.sets:
        obs["dataAbsentReason"] = _not_performed()
    else:
        obs["valueQuantity"] = _quantity(sum(st.clean_reps for st in ex.sets), unit)
        for side in ("left", "right"):
            sets = [st for st in ex.sets if st.side == side]
            if sets:  # per-side results: the signature's raw material (issue 14)
                obs["component"].append(_component(side, sum(st.clean_reps for st in sets), unit))
    obs["note"] = [{"text": f"Change: {ex.change}. {ex.reason}".strip()}]
    return _full_url(key), obs


def _not_performed() -> dict[str, Any]:
    return {"coding": [{"system": DATA_ABSENT, "code": "not-performed",
                        "display": "Not Performed"}]}


def _component(code: str, value: int, unit: str) -> dict[str, Any]:
    return {"code": {"coding": [{"system": f"{KIOSK}/measure", "code": code}], "text": code},
            "valueQuantity": _quantity(value, unit)}


def _quantity(value: int, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit.strip("{}"), "system": "http://unitsofmeasure.org",
            "code": unit}


# --- pain ---------------------------------------------------------------------------------------
def _pain(key: str, pain: int, at: str, patient: str, *, note: str,
          part_of: list[dict[str, str]] | None = None) -> tuple[str, dict[str, Any]]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _id(f"pain-{key}"),
        "status": "final",
        "category": [_category("survey", "Survey")],
        "code": {"coding": [{"system": LOINC, "code": PAIN_CODE, "display": PAIN_DISPLAY}],
                 "text": "Pain, 0-10"},
        "subject": {"reference": patient},
        "effectiveDateTime": at,
        "valueInteger": pain,
        "note": [{"text": note}],
    }
    if part_of:
        obs["partOf"] = part_of
    return _full_url(f"pain-{key}"), obs


LEG_TEXT = "Pain, tingling, numbness or weakness below the knee today"


def _legs(session: str, legs: str, patient: str, at: str, part_of: list[dict[str, str]]
          ) -> tuple[str, dict[str, Any]]:
    """The leg question at check-in: none, one leg or both legs, in the kiosk's own codes."""
    key = f"legs-{session}"
    return _full_url(key), {
        "resourceType": "Observation",
        "id": _id(key),
        "status": "final",
        "category": [_category("survey", "Survey")],
        "code": {"coding": [{"system": f"{KIOSK}/question", "code": "leg-symptoms",
                             "display": LEG_TEXT}], "text": LEG_TEXT},
        "subject": {"reference": patient},
        "effectiveDateTime": at,
        "valueCodeableConcept": {
            "coding": [{"system": f"{KIOSK}/leg-symptoms", "code": legs,
                        "display": LEG_WORDS[legs]}],
            "text": LEG_WORDS[legs]},
        "partOf": part_of,
        "note": [{"text": "asked at check-in, before the session"}],
    }


def _category(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": code, "display": display}]}


# --- questionnaires -----------------------------------------------------------------------------
def _psfs(r: PsfsRecord, patient: str, when: Callable[[datetime], str]
          ) -> tuple[str, dict[str, Any]]:
    items = [{"linkId": f"activity-{i + 1}", "text": s.activity,
              "answer": [{"valueInteger": s.score}]} for i, s in enumerate(r.scores)]
    return _full_url(f"psfs-{r.id}"), {
        "resourceType": "QuestionnaireResponse",
        "id": _id(f"psfs-{r.id}"),
        "identifier": {"system": f"{KIOSK}/psfs", "value": r.id},
        "questionnaire": f"{KIOSK}/Questionnaire/psfs",
        "status": "completed",
        "subject": {"reference": patient},
        "authored": when(r.at),
        "item": items or [{"linkId": "none", "text": "Every activity was let pass"}],
    }


def _safety(c: SafetyCheck, patient: str, when: Callable[[datetime], str]
            ) -> tuple[str, dict[str, Any]]:
    items = [{"linkId": f"{a.group}-{a.question}", "text": a.question,
              "answer": [{"valueBoolean": a.yes}]} for a in c.answers]
    if c.seen is not None:  # the follow-up: has a clinician seen the person since a "yes"?
        items.insert(0, {"linkId": "follow-up-seen", "text": "seen by a clinician since",
                         "answer": [{"valueBoolean": c.seen == "green"}]})
    return _full_url(f"safety-{c.id}"), {
        "resourceType": "QuestionnaireResponse",
        "id": _id(f"safety-{c.id}"),
        "identifier": {"system": f"{KIOSK}/safety", "value": c.id},
        "questionnaire": f"{KIOSK}/Questionnaire/safety",
        "status": "completed",
        "subject": {"reference": patient},
        "authored": when(c.at),
        "item": items or [{"linkId": "none", "text": "No question was answered"}],
    }


# --- rituals and screenings --------------------------------------------------------------------
RITUAL_STATUS = {"done": "completed", "stopped": "stopped", "snoozed": "not-done",
                 "skipped": "not-done"}


def _ritual(r: RitualRecord, patient: str, when: Callable[[datetime], str]
            ) -> tuple[str, dict[str, Any]]:
    """A daily-moment rehearsal is exercise therapy too: a Procedure, as a session is."""
    key = f"ritual-{r.id}"
    rated = f", rated {r.rating}" if r.rating is not None else ""
    proc: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": _id(key),
        "identifier": [{"system": f"{KIOSK}/ritual", "value": r.id}],
        "status": RITUAL_STATUS[r.outcome],
        "code": {"coding": [{"system": SNOMED, "code": THERAPY_CODE, "display": THERAPY_DISPLAY},
                            {"system": f"{KIOSK}/ritual", "code": r.ritual, "display": r.name}],
                 "text": f"Daily-moment ritual: {r.name}"},
        "subject": {"reference": patient},
        "note": [{"text": f"Outcome: {r.outcome}{rated}. Steps done: {r.steps_done}. Builds on "
                          f"{r.family} ({r.variation})."
                          + (f" Scheduled slot: {r.slot}." if r.slot else " Asked for.")}],
    }
    if proc["status"] == "not-done":
        proc["statusReason"] = {"coding": [{"system": f"{KIOSK}/ritual-outcome",
                                            "code": r.outcome}], "text": r.outcome}
        proc["performedDateTime"] = when(r.at)  # when it was offered
    else:
        proc["performedPeriod"] = {"start": when(r.at),
                                   "end": when(r.at + timedelta(seconds=r.duration_s))}
    if r.rating == "pain":
        proc["complication"] = [{"coding": [{"system": SNOMED, "code": PAIN_FINDING_CODE,
                                             "display": PAIN_FINDING_DISPLAY}],
                                 "text": "pain: RED pressed during the ritual"}]
    return _full_url(key), proc


def _screening(r: ScreeningRecord, patient: str, when: Callable[[datetime], str]
               ) -> Iterator[tuple[str, dict[str, Any]]]:
    """A movement screening is an examination: one Observation, a component per probe and
    side (so a clinician sees which side lags), and each pain rating a pain Observation."""
    key = f"screening-{r.id}"
    pains = [_pain(f"{r.id}-probe-{i}", p.pain, when(r.at), patient,
                   note=f"pain after the {_probe_text(p.probe, p.side)} probe of a screening")
             for i, p in enumerate(r.results) if p.pain is not None]
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _id(key),
        "identifier": [{"system": f"{KIOSK}/screening", "value": r.id}],
        "status": "final",
        "category": [_category("exam", "Exam")],
        "code": {"coding": [{"system": f"{KIOSK}/screening", "code": "movement-signature",
                             "display": "Movement screening"}],
                 "text": "Movement screening: how each probe felt, side by side"},
        "subject": {"reference": patient},
        "effectiveDateTime": when(r.at),
        "component": [_probe(p.probe, p.side, p.rating) for p in r.results],
        "note": [{"text": f"Asked: {r.reason}. " + ("Complete." if r.complete else
                 "Ended early: the probes not reached are missing, not rated.")}],
    }
    if pains:
        obs["hasMember"] = [{"reference": url} for url, _ in pains]
    if not r.results:
        obs["dataAbsentReason"] = _not_performed()
    yield _full_url(key), obs
    yield from pains


def _probe(probe: str, side: str | None, rating: str) -> dict[str, Any]:
    code = f"{probe}-{side}" if side else probe
    part: dict[str, Any] = {"code": {"coding": [{"system": f"{KIOSK}/probe", "code": code}],
                                     "text": _probe_text(probe, side)}}
    if rating == "skipped":
        part["dataAbsentReason"] = _not_performed()
    else:
        part["valueCodeableConcept"] = {"coding": [{"system": f"{KIOSK}/probe-rating",
                                                    "code": rating}], "text": rating}
    return part


def _probe_text(probe: str, side: str | None) -> str:
    return f"{probe}, {side} side" if side else probe


# --- ids and times ------------------------------------------------------------------------------
def _id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def _full_url(key: str) -> str:
    return f"urn:uuid:{_id(key)}"


def _entry(full_url: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": full_url, "resource": resource}


def _when(localize: Localize) -> Callable[[datetime], str]:
    def when(at: datetime) -> str:
        return localize(at.replace(microsecond=0)).isoformat()

    return when
