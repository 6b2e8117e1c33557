"""The clinician's report from hand-made histories: its facts (tables of cases), and a page that
loads nothing and shows them."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from kiosk.core.data.records import (
    ExerciseRecord,
    PainEvent,
    ProbeResult,
    PsfsRecord,
    PsfsScore,
    Record,
    ScreeningRecord,
    SessionRecord,
    SetRecord,
)
from kiosk.core.reports import report
from kiosk.core.reports.report_html import to_html
from tests.core.progress_samples import exercise, pain, session

SINCE, UNTIL = date(2026, 11, 2), date(2026, 11, 29)  # four whole weeks, Monday to Sunday
NOW = datetime(2026, 11, 29, 18)


def _build(records: list[Record], **kw: object) -> report.Report:
    args: dict[str, object] = {"since": SINCE, "until": UNTIL, "generated": NOW, "target": 5}
    args.update(kw)
    return report.build(records, **args)  # type: ignore[arg-type]


def _sided(day: str, left: int, right: int) -> SessionRecord:
    s = session(day, before=2, after=2)
    sets = (SetRecord("left", ("clean",) * left, left, "target"),
            SetRecord("right", ("clean",) * right + ("slipped",), right, "fray"))
    ex = ExerciseRecord("side-plank", "side-plank-1", "Side plank", 6, "same", "", False, sets)
    return SessionRecord(s.id + "-sided", s.plan_date, s.started_at, s.ended_at, s.duration_s,
                         s.pain_before, s.pain_after, s.ended_by, (ex,), ())


@pytest.mark.parametrize(("weekly_pain", "marks"), [
    # 3 -> 4 is a third of 3 (the 30 % rule, from a low start); 4 -> 2 is 2 points
    ([(3, 3), (4, 4), (2, 2), (2, 2)], ["", "meaningful rise", "meaningful fall", ""]),
    ([(6, 6), (4, 4), (4, 4), (4, 4)], ["", "meaningful fall", "", ""]),  # 2 points at once
    ([(2, 2), (4, 4), (4, 4), (4, 4)], ["", "meaningful rise", "", ""]),
    ([(5, 5), (4, 4), (4, 4), (5, 5)], ["", "", "", ""]),  # 1 point of 4-5: not 30 %
    ([(5, 5), (4, 4), (3, 3), (3, 3)], ["", "", "", ""]),  # week to week; the sentence sums up
])
def test_each_week_marks_a_meaningful_change_of_mean_pain(
        weekly_pain: list[tuple[int, int]], marks: list[str]) -> None:
    records: list[Record] = [
        session((SINCE + timedelta(weeks=i, days=1)).isoformat(), exercise("bridge", 8),
                before=b, after=a) for i, (b, a) in enumerate(weekly_pain)]
    r = _build(records)
    assert [w.pain for w in r.weeks] == [float(b) for b, _ in weekly_pain]
    assert [w.change for w in r.weeks] == marks
    first, last = weekly_pain[0][0], weekly_pain[-1][0]
    meaningful = abs(first - last) >= 2 or abs(first - last) >= 0.3 * first
    assert ("not a meaningful" not in r.pain_overall) == meaningful, r.pain_overall


def test_counts_sessions_days_and_clean_reps_within_the_period_only() -> None:
    records: list[Record] = [
        session("2026-11-01", exercise("bridge", 50)),  # the day before: left out
        session("2026-11-03", exercise("bridge", 8), exercise("bird-dog", (3, 4))),
        session("2026-11-03", exercise("bridge", 9)),  # a second session the same day
        session("2026-11-20", exercise("bridge", 10)),
    ]
    r = _build(records)
    assert (r.sessions, r.days, r.clean_reps) == (3, 2, 34)
    assert [w.sessions for w in r.weeks] == [2, 0, 1, 0]
    assert len(r.appendix) == 4, "the appendix keeps the whole history"


def test_events_list_red_presses_the_pain_log_and_stops() -> None:
    red = SessionRecord("s-red", date(2026, 11, 5), datetime(2026, 11, 5, 9),
                        datetime(2026, 11, 5, 9, 6), 360.0, 3, 6, "pain",
                        (exercise("bridge", 4),),
                        (PainEvent(200.0, "bridge", "bridge-1", 1, 5, "set", 6),))
    records: list[Record] = [red, pain("2026-11-06", 5),
                             session("2026-11-07", exercise("bridge", 2), before=3, after=3,
                                     ended_by="stop")]
    events = _build(records).events
    assert [(e.kind, e.pain) for e in events] == [
        ("RED: pain", 6), ("pain log", 5), ("session ended: stop", 3)]
    assert events[0].at == datetime(2026, 11, 5, 9, 3, 20)
    # The exercise as the voice named it, the set and rep in words: never an id.
    assert events[0].where == f"{exercise('bridge', 4).name}, set one, rep five"


def test_psfs_rounds_carry_their_meaningful_changes() -> None:
    def psfs(day: int, *scores: int) -> PsfsRecord:
        acts = ("carry the shopping", "sit through a film")
        return PsfsRecord(f"p{day}", datetime(2026, 11, day, 10),
                          tuple(PsfsScore(a, s) for a, s in zip(acts, scores, strict=True)))

    r = _build([psfs(1, 3, 5), psfs(15, 6, 6)])  # the round before the period still compares
    ((rec, found),) = r.psfs
    assert rec.id == "p15"
    assert found == ("mean of the activities: 4.0 to 6.0, better by a meaningful change",
                     "carry the shopping: 3.0 to 6.0, better by a meaningful change")


def test_per_side_results_and_no_signature_without_a_screening() -> None:
    r = _build([_sided("2026-11-04", 6, 4), _sided("2026-11-11", 6, 5)],
               names={"side-plank": "Side plank"})
    assert r.sides == (report.Sides("Side plank", 2, 12, 9),)
    assert r.signature == ()
    assert "No movement signature recorded yet" in to_html(r)


def test_each_screening_shows_its_probes_side_by_side() -> None:
    screening = ScreeningRecord("scr-1", date(2026, 11, 9), datetime(2026, 11, 9, 8, 30), "due", (
        ProbeResult("hip-hinge", None, "easy"),
        ProbeResult("side-bend", "left", "stiff"), ProbeResult("side-bend", "right", "easy"),
        ProbeResult("twist", "left", "painful", 4)), complete=False)
    r = _build([screening, ScreeningRecord("old", date(2026, 9, 1), datetime(2026, 9, 1), "due",
                                           ())])
    assert r.signature == (
        ("2026-11-09 (due, ended early): hip-hinge", "easy"),
        ("2026-11-09 (due, ended early): side-bend", "left: stiff; right: easy"),
        ("2026-11-09 (due, ended early): twist", "left: painful (pain 4)"),
    )
    assert "left: stiff; right: easy" in to_html(r)


def test_the_page_loads_nothing_and_shows_the_numbers() -> None:
    records: list[Record] = [
        session("2026-11-03", exercise("bridge", 8), before=4, after=3),
        session("2026-11-10", exercise("bridge", 11), before=3, after=2),
        pain("2026-11-12", 7),
    ]
    r = _build(records)
    page = to_html(r)
    assert "<script" not in page.lower()
    # Every src and stylesheet is local: only the cited sources are links, and links load nothing.
    assert not re.search(r'(src|@import|url\()\s*=?\s*["\']?\s*(https?:)?//', page)
    assert re.search(r'<b id="clean-reps">19</b>', page)
    assert re.search(r'<b id="sessions">2</b>', page)
    assert "@media print" in page
    assert "2026-11-10 09:00" in page and "7" in page  # the appendix's rows


def test_default_period_is_twelve_whole_weeks_to_today() -> None:
    since, until = report.default_period(date(2026, 11, 26))  # a Thursday
    assert (since, until) == (date(2026, 9, 7), date(2026, 11, 26))
    assert since.weekday() == 0


def test_events_are_listed_in_time_order_whatever_the_records_order() -> None:
    """A pain log saved before a later session's stop is listed before it, not after."""
    records: list[Record] = [session("2026-11-12", exercise("bridge", 2), before=3, after=3,
                                     ended_by="stop"), pain("2026-11-03", 6)]
    events = _build(records).events
    assert [e.kind for e in events] == ["pain log", "session ended: stop"]


def test_the_leg_symptom_days_have_their_own_section() -> None:
    """Issue 27: each day the leg question was answered; the days with symptoms listed, the
    others counted; a period with no answer says it was not asked."""
    from dataclasses import replace

    records: list[Record] = [
        replace(session("2026-11-03", exercise("bridge", 8), before=2, after=2), legs="none"),
        replace(session("2026-11-04", exercise("bridge", 8), before=2, after=2), legs="one"),
        replace(session("2026-11-05", exercise("bridge", 8), before=2, after=2), legs="both"),
        session("2026-11-06", exercise("bridge", 8), before=2, after=2),  # not asked
        replace(session("2026-10-20", before=2, after=2), legs="both"),  # before the period
    ]
    r = _build(records)
    assert r.legs == ((date(2026, 11, 3), "none"), (date(2026, 11, 4), "one"),
                      (date(2026, 11, 5), "both"))
    page = to_html(r)
    section = page[page.index("<h2>Leg symptoms</h2>"):page.index("<h2>Safety answers</h2>")]
    assert "Leg symptoms on 2 of the 3 days asked" in section
    assert "<td>2026-11-04</td><td>one leg</td>" in section
    assert "<td>2026-11-05</td><td>both legs</td>" in section
    assert "2026-11-03" not in section and "2026-10-20" not in section
    quiet = to_html(_build(records[3:4]))
    assert "Not asked in this period" in quiet
