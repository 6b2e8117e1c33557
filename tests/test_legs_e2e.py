"""Leg symptoms and the flare through the kiosk command (issue 27, item 8): `kiosk demo --user
leg-symptoms` says yes, in one leg, on its third day, and gets the advice and the gentle path;
its days show in `kiosk history`, the report and the FHIR export. `kiosk demo --user flare`
checks in at 2 and out at 9, and the emergency questions follow the check-out."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.cli import main  # noqa: E402
from kiosk.config import packaged_wording  # noqa: E402
from kiosk.core.coach.safety import Group, Reason, SafetyCheck  # noqa: E402
from kiosk.core.words import phrases  # noqa: E402
from kiosk.store.months import WholeHistory  # noqa: E402

pytestmark = pytest.mark.slow
resources = pytest.importorskip("fhir.resources", reason="pip install -e '.[dev]'")
WORDING = packaged_wording()
DAYS = ("2026-03-02", "2026-03-03", "2026-03-05")


def demo(data: Path, user: str, day: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["demo", "--user", user, "--date", day, "--data-dir", str(data)]) == 0
    return capsys.readouterr().out.splitlines()


def test_the_leg_symptoms_person_gets_the_advice_and_the_gentle_path_on_the_third_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    said = {day: demo(tmp_path, "leg-symptoms", day, capsys) for day in DAYS}
    for day in DAYS:
        assert f"say: {phrases.LEGS_QUESTION}" in said[day]  # asked every day
    for day in DAYS[:2]:
        assert f"say: {phrases.BOTH_LEGS_QUESTION}" not in said[day]
        assert f"say: {phrases.LEGS_ADVICE}" not in said[day]
    third = said[DAYS[2]]
    assert third.index(f"say: {phrases.BOTH_LEGS_QUESTION}") < third.index(
        f"say: {phrases.LEGS_ADVICE}")
    assert third[third.index(f"say: {phrases.LEGS_ADVICE}") + 1] == (
        f"say: {phrases.LEGS_GENTLE_OFFER}")
    with WholeHistory.open(tmp_path) as h:
        sessions = h.sessions()
    assert [(s.plan_date.isoformat(), s.legs) for s in sessions] == [
        (DAYS[0], "none"), (DAYS[1], "none"), (DAYS[2], "one")]
    assert sessions[-1].exercises and all(e.change == "gentle" for e in sessions[-1].exercises)
    # A fourth day, still in one leg: no longer new, so the plan as usual, no advice again.
    fourth = demo(tmp_path, "leg-symptoms", "2026-03-06", capsys)
    assert f"say: {phrases.LEGS_ADVICE}" not in fourth

    assert main(["history", "--data-dir", str(tmp_path)]) == 0
    history = capsys.readouterr().out
    assert history.count("legs: none") == 2 and history.count("legs: one leg") == 2

    out = tmp_path / "report"
    assert main(["report", "--data-dir", str(tmp_path), "--out", str(out),
                 "--since", "2026-03-01", "--until", "2026-03-31"]) == 0
    capsys.readouterr()
    page = (out / "report.html").read_text()
    legs = page[page.index("<h2>Leg symptoms</h2>"):page.index("<h2>Safety answers</h2>")]
    assert "Leg symptoms on 2 of the 4 days asked" in legs
    assert "<td>2026-03-05</td><td>one leg</td>" in legs
    assert "<td>2026-03-06</td><td>one leg</td>" in legs and "2026-03-02" not in legs

    assert main(["export", "--format", "fhir", "--data-dir", str(tmp_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    from fhir.resources.bundle import Bundle

    Bundle.parse_obj(doc)  # raises on anything FHIR R4 does not allow
    answers = [e["resource"] for e in doc["entry"]
               if e["resource"].get("code", {}).get("coding", [{}])[0].get("code")
               == "leg-symptoms"]
    assert [(o["effectiveDateTime"][:10], o["valueCodeableConcept"]["coding"][0]["code"])
            for o in answers] == [(DAYS[0], "none"), (DAYS[1], "none"), (DAYS[2], "one"),
                                  ("2026-03-06", "one")]
    assert all(o["partOf"][0]["reference"].startswith("urn:uuid:") for o in answers)


def test_the_flare_demo_asks_the_emergency_group_after_its_check_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Check-in 2, check-out 9, on every run: the emergency questions come after the
    check-out, each run (even on a day already asked: pain has risen since)."""
    for day in DAYS[:2]:
        lines = demo(tmp_path, "flare", day, capsys)
        checkout = next(i for i, line in enumerate(lines) if line == "say: Pain nine. Thank you.")
        after = lines[checkout:]
        first = WORDING.group(Group.EMERGENCY)[0].text
        assert f"say: {first}" in after, f"{day}: no emergency question after the check-out"
    with WholeHistory.open(tmp_path) as h:
        records = h.records()
        sessions = h.sessions()
    assert [(s.pain_before, s.pain_after) for s in sessions] == [(2, 9), (2, 9)]
    after_checkout = [r for r in records if isinstance(r, SafetyCheck) and r.pain == 9]
    assert len(after_checkout) == 2
    assert all(Group.EMERGENCY in c.groups and c.reason in (Reason.PAIN_ROSE, Reason.HIGH_PAIN)
               for c in after_checkout)
