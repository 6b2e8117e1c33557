"""After a simulated month, the report (in a real browser) and every export show the same
numbers as the history; each export reads back with every session still there."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pygame
import pytest

from kiosk import cli
from kiosk.config import load_config
from kiosk.config.program import program_record
from kiosk.core.coach.safety import Answer, Group, How, Outcome, Reason, SafetyCheck
from kiosk.core.data.records import (
    PainEntry,
    ProbeResult,
    PsfsRecord,
    PsfsScore,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
)
from kiosk.simulate import write_history
from kiosk.store import export
from kiosk.store.months import WholeHistory  # the kiosk keeps months
from tests.browser import pdf_text, render

pytestmark = pytest.mark.slow

FIRST, LAST = date(2026, 10, 27), date(2026, 11, 26)
# What the simulation does not make, saved as the kiosk would: rituals done and stopped, a
# movement screening with a painful probe, and a round of safety answers.
RITUALS = (
    RitualRecord("rit-done", "kettle", "Kettle hinge", "hip-hinge", "hip-hinge-1",
                 "kettle@2026-11-05T07:30", datetime(2026, 11, 5, 7, 31), "done", "clean",
                 95.0, 4),
    RitualRecord("rit-stop", "kettle", "Kettle hinge", "hip-hinge", "hip-hinge-1", None,
                 datetime(2026, 11, 6, 7, 40), "stopped", "pain", 30.0, 2),
)
SCREENING = ScreeningRecord("scr-1", date(2026, 11, 12), datetime(2026, 11, 12, 10), "due", (
    ProbeResult("hip-hinge", "left", "easy"), ProbeResult("hip-hinge", "right", "painful", 5)))
SAFETY = SafetyCheck("safe-1", date(2026, 11, 2), datetime(2026, 11, 2, 8), Reason.REPEAT,
                     (Group.URGENT,), (Answer("numbness", Group.URGENT, How.AMBER),), None,
                     Outcome.CLEAR)


# A clinician's program loaded on 4 November: three sessions a week, due for review on the 20th.
PROGRAM = program_record('families = ["bridge", "bird-dog", "dead-bug", "sit-to-stand"]\n'
                         "sessions_per_week = 3\nreview_on = 2026-11-20\n",
                         datetime(2026, 11, 4, 12), "usb")


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Record]]:
    data = tmp_path_factory.mktemp("month") / "data"
    cfg = load_config(None).config
    write_history(cfg, data, years=31 / 365.25, per_day=2, seed=7, end=LAST)
    with WholeHistory.open(data) as history:
        history.add(PainEntry("pain-1", datetime(2026, 11, 3, 18, 30), 6, "gardening"))
        history.add(PsfsRecord("psfs-1", datetime(2026, 11, 10, 9), (
            PsfsScore("carry the shopping", 4), PsfsScore("sit through a film", 6))))
        for record in (*RITUALS, SCREENING, SAFETY, PROGRAM):
            history.add(record)
        records = list(history.records())
    return data, records


def _cli(data: Path, *argv: str) -> None:
    assert cli.main(["--data-dir", str(data), *argv]) == 0


def _sessions(records: list[Record]) -> list[SessionRecord]:
    return [r for r in records if isinstance(r, SessionRecord)]


def test_json_reads_back_with_every_record(month: tuple[Path, list[Record]],
                                           tmp_path: Path) -> None:
    data, records = month
    _cli(data, "export", "--format", "json", "--out", str(tmp_path / "h.json"))
    with open(tmp_path / "h.json", encoding="utf-8") as fp:
        back = export.read_json(fp)
    assert len(_sessions(records)) > 30
    assert sorted(back, key=lambda r: r.id) == sorted(records, key=lambda r: r.id)


def test_csv_has_every_session_and_every_clean_rep(month: tuple[Path, list[Record]],
                                                   tmp_path: Path) -> None:
    data, records = month
    _cli(data, "export", "--format", "csv", "--out", str(tmp_path / "h.csv"))
    with open(tmp_path / "h.csv", newline="", encoding="utf-8") as fp:
        rows = list(csv.DictReader(fp))
    sessions = _sessions(records)
    assert {r["id"] for r in rows if r["record"] == "session"} == {s.id for s in sessions}
    assert sum(int(r["clean_reps"] or 0) for r in rows) == sum(s.clean_reps for s in sessions)
    sets = sum(len(ex.sets) for s in sessions for ex in s.exercises)
    assert sum(1 for r in rows if r["set"]) == sets
    # Every other kind in columns of its own (issue 30): nothing in a session's columns.
    others = [r for r in rows if r["record"] != "session"]
    session_cells = ("pain_before", "pain_after", "session_ended_by", "target", "change",
                     "reason", "skipped", "set", "side", "reps", "clean_reps", "set_ended_by")
    assert others and all(r[c] == "" for r in others for c in session_cells)
    by_id = {r["id"]: r for r in rows}
    assert [by_id[r.id]["ritual_outcome"] for r in RITUALS] == ["done", "stopped"]
    assert by_id["rit-stop"]["ritual_rating"] == "pain" and by_id["rit-stop"]["record"] == "ritual"
    assert [(r["record"], r["activity"], r["score"]) for r in rows if r["id"] == "psfs-1"] == [
        ("PSFS", "carry the shopping", "4"), ("PSFS", "sit through a film", "6")]
    assert [(r["record"], r["probe_side"], r["probe_rating"], r["pain"]) for r in rows
            if r["id"] == SCREENING.id] == [("movement check", "left", "easy", ""),
                                            ("movement check", "right", "painful", "5")]
    assert [(r["record"], r["answer"]) for r in rows if r["id"] == SAFETY.id] == [
        ("safety answer", "no")]
    assert [(r["record"], r["date"], r["note"]) for r in rows if r["id"] == PROGRAM.id] == [
        ("program", "2026-11-04T12:00", "clinician's program loaded from usb")]


def test_fhir_validates_and_holds_every_session(month: tuple[Path, list[Record]],
                                                tmp_path: Path) -> None:
    pytest.importorskip("fhir.resources")
    from fhir.resources.bundle import Bundle

    data, records = month
    _cli(data, "export", "--format", "fhir", "--out", str(tmp_path / "h.fhir.json"))
    doc = json.loads((tmp_path / "h.fhir.json").read_text(encoding="utf-8"))
    Bundle.parse_obj(doc)
    res = [e["resource"] for e in doc["entry"]]
    sessions = _sessions(records)
    procedures = {r["identifier"][0]["value"]: r for r in res if r["resourceType"] == "Procedure"}
    assert sorted(procedures) == sorted([s.id for s in sessions] + [r.id for r in RITUALS])
    assert [procedures[r.id]["status"] for r in RITUALS] == ["completed", "stopped"]
    (exam,) = [r for r in res if r["resourceType"] == "Observation"
               and r["category"][0]["coding"][0]["code"] == "exam"]
    assert [c["valueCodeableConcept"]["text"] for c in exam["component"]] == ["easy", "painful"]
    reps = sum(r.get("valueQuantity", {}).get("value", 0) for r in res
               if r["resourceType"] == "Observation" and r["category"][0]["coding"][0]["code"]
               == "activity")
    assert reps == sum(s.clean_reps for s in sessions)
    pains = [r["valueInteger"] for r in res if r["resourceType"] == "Observation"
             and r["code"]["coding"][0]["code"] == "72514-3"]
    expected = [p for s in sessions for p in (s.pain_before, s.pain_after) if p is not None]
    expected += [e.pain for s in sessions for e in s.pain_events if e.pain is not None]
    expected += [r.pain for r in records if isinstance(r, PainEntry)]  # simulated ones, and 6
    expected += [5]  # after the screening's painful probe
    assert 6 in expected
    assert sorted(pains) == sorted(expected)
    (psfs,) = [r for r in res if r["resourceType"] == "QuestionnaireResponse"
               and r["questionnaire"].endswith("/psfs")]
    assert [i["answer"][0]["valueInteger"] for i in psfs["item"]] == [4, 6]
    (safety,) = [r for r in res if r["resourceType"] == "QuestionnaireResponse"
                 and r["questionnaire"].endswith("/safety")]
    assert [i["answer"][0]["valueBoolean"] for i in safety["item"]] == [False]


def test_the_report_in_chromium_shows_the_months_numbers(
        month: tuple[Path, list[Record]], tmp_path: Path) -> None:
    data, records = month
    out = tmp_path / "report"
    _cli(data, "report", "--out", str(out), "--since", FIRST.isoformat(),
         "--until", LAST.isoformat())
    page = out / "report.html"
    for chart in re.findall(r'<img src="([^"]+)"', page.read_text(encoding="utf-8")):
        assert (out / chart).is_file(), f"{chart}: the page shows a chart that is not there"
    render(page, tmp_path / "report.pdf", tmp_path / "profile")
    render(page, tmp_path / "report.png", tmp_path / "profile")
    shot = pygame.image.load(str(tmp_path / "report.png"))
    assert len({shot.get_at((x, y))[:3] for x in range(0, shot.get_width(), 37)
                for y in range(0, 600, 23)}) > 3, "the screenshot shows a page, not a blank"
    # Printed, the page is dark ink on white: no chart prints as a slab of toner (the kiosk's
    # screens are light on dark; the report's charts are drawn for paper).
    spots = [(x, y) for x in range(0, shot.get_width(), 7) for y in range(0, shot.get_height(), 7)]
    dark = sum(1 for p in spots if sum(shot.get_at(p)[:3]) < 150)
    assert dark < 0.08 * len(spots), f"{dark / len(spots):.0%} of the page is dark"

    text = re.sub(r"\s+", " ", pdf_text(tmp_path / "report.pdf"))
    sessions = [s for s in _sessions(records) if FIRST <= s.plan_date <= LAST]
    clean = sum(s.clean_reps for s in sessions)
    days = len({s.plan_date for s in sessions if s.clean_reps or s.ended_by == "complete"}
               | {r.at.date() for r in RITUALS if r.outcome == "done"})
    assert f"{len(sessions)} sessions on {days} days, {clean} clean reps" in text
    for s in _sessions(records):  # the appendix: every session, its time and its clean reps
        assert f"{s.started_at:%Y-%m-%d %H:%M} session" in text, s.id
    assert "gardening" in text and "carry the shopping: 4" in text
    assert "ritual stopped" in text and "Kettle hinge" in text
    assert "2026-11-12 (due): hip-hinge" in text and "right: painful (pain 5)" in text
    assert "repeat clear 1 none" in text  # the safety round: why, outcome, 1 question, no yes

    # The first page, "as prescribed" (issue 28): the program in force, its review passed, and
    # adherence per week against the sessions aimed for: five a week (the default program)
    # until the clinician's was loaded, three after.
    assert "As prescribed" in text and "Adherence per week" in text
    assert "The program was due for review with the clinician on 20 Nov 2026" in text
    assert "loaded 04 Nov 2026 12:00, from a USB stick" in text
    monday = FIRST - timedelta(days=FIRST.weekday())
    weeks = 0
    while monday <= LAST:
        sunday = monday + timedelta(days=6)
        done = sum(1 for s in sessions if monday <= s.plan_date <= sunday
                   and (s.clean_reps or s.ended_by == "complete" or any(
                       st.reps for ex in s.exercises for st in ex.sets)))
        aimed = 3 if min(sunday, LAST) >= PROGRAM.at.date() else 5
        verdict = "met" if done >= aimed else "so far" if sunday > LAST else "below the aim"
        assert f"{monday:%Y-%m-%d} {done} {aimed} {verdict}" in text, (monday, text)
        monday, weeks = sunday + timedelta(days=1), weeks + 1
    assert weeks == 5
