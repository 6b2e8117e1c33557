"""The report's first page, "as prescribed" (issue 28, item 5): the program in force and its
changes, every red-flag "yes" and how it was resolved, adherence against the sessions aimed for,
and each family's rung against what the clinician allowed. Hand-made histories, table by table."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from kiosk.core.coach.safety import Answer, Group, How, Outcome, Reason, SafetyCheck
from kiosk.core.reports import prescribed
from kiosk.core.reports.prescribed import Bounds, Standing, Version
from tests.core.progress_samples import exercise, session

SINCE, UNTIL = date(2026, 11, 2), date(2026, 11, 29)  # four whole weeks
BRIDGE = Bounds("bridge", "Bridge", 2, 4, "Bridge", "Bridge with hold", 5, 12)
DEFAULT = Version(None, "", (BRIDGE,), 5)
CLINICIANS = Version(datetime(2026, 11, 10, 9), "usb",
                     (BRIDGE, Bounds("bird-dog", "Bird-dog", 1, 2, "Arm reach", "Leg reach", 4)),
                     3, review_on=date(2026, 11, 25), avoids=("bending forward",))


def _check(day: int, *answers: tuple[str, Group, How], seen: How | None = None,
           reason: Reason = Reason.REPEAT) -> SafetyCheck:
    groups = tuple(dict.fromkeys(g for _, g, _ in answers))
    return SafetyCheck(f"c{day}", date(2026, 11, day), datetime(2026, 11, day, 9), reason,
                       groups, tuple(Answer(q, g, h) for q, g, h in answers), seen=seen,
                       outcome=Outcome.CLEAR)


NO_ACUTE = (("bladder", Group.EMERGENCY, How.AMBER), ("numbness", Group.URGENT, How.AMBER))


def _page(**kw: object) -> prescribed.FirstPage:
    args: dict[str, object] = dict(since=SINCE, until=UNTIL, versions=[DEFAULT, CLINICIANS],
                                   sessions=[], checks=[], cleared_on=None, standing={},
                                   waiting=[], flare_rise=3)
    args.update(kw)
    return prescribed.build(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(("checks", "cleared_on", "said"), [
    # an urgent "yes", then a later round: seen by a clinician, and no to every acute question
    ([_check(3, ("numbness", Group.URGENT, How.GREEN)),
      _check(5, *NO_ACUTE, seen=How.GREEN, reason=Reason.SEEN)], None,
     "resolved 05 Nov 2026: the person said a clinician had seen them"),
    # a plain "no" the next day resolves nothing
    ([_check(3, ("numbness", Group.URGENT, How.GREEN)), _check(4, *NO_ACUTE)], None,
     "NOT RESOLVED"),
    ([_check(3, ("numbness", Group.URGENT, How.RED))], date(2026, 11, 6),
     "cleared by the clinician on 06 Nov 2026"),
    ([_check(3, ("cancer-history", Group.BACKGROUND, How.GREEN))], None, "NOT CLEARED"),
    ([_check(3, ("cancer-history", Group.BACKGROUND, How.GREEN))], date(2026, 11, 3),
     "cleared by the clinician on 03 Nov 2026"),
    # a clearance before the "yes" does not clear it
    ([_check(9, ("cancer-history", Group.BACKGROUND, How.GREEN))], date(2026, 11, 3),
     "NOT CLEARED"),
    ([_check(3, ("night-pain", Group.ADVICE, How.TIMEOUT))], None, "advice: to mention"),
])
def test_every_yes_of_the_period_says_how_it_was_resolved(
        checks: list[SafetyCheck], cleared_on: date | None, said: str) -> None:
    page = _page(checks=checks, cleared_on=cleared_on)
    (flag,) = page.red_flags
    assert said in flag.resolution
    assert flag.at == checks[0].at and flag.questions == (checks[0].answers[0].question,)
    assert said.split(":")[0] in prescribed.to_html(page)


def test_a_yes_before_the_period_is_not_listed_but_all_no_rounds_are_quiet() -> None:
    old = SafetyCheck("old", date(2026, 10, 1), datetime(2026, 10, 1, 9), Reason.REPEAT,
                      (Group.URGENT,), (Answer("numbness", Group.URGENT, How.GREEN),))
    page = _page(checks=[old, _check(3, *NO_ACUTE)])
    assert page.red_flags == ()
    assert "No red-flag question was answered yes in this period" in prescribed.to_html(page)


def test_adherence_counts_sessions_done_against_the_aim_in_force_each_week() -> None:
    days = ["2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-07",  # 5: met
            "2026-11-10", "2026-11-12",  # 2 of 3 (the clinician's program from the 10th)
            "2026-11-17", "2026-11-18", "2026-11-19",  # 3 of 3
            "2026-11-24"]
    sessions = [session(d, exercise("bridge", 8)) for d in days]
    sessions.append(session("2026-11-25", exercise("bridge", 0, skipped=True), ended_by="stop"))
    page = _page(sessions=sessions, until=date(2026, 11, 26))
    assert [(w.monday.day, w.sessions, w.aimed, w.verdict) for w in page.adherence] == [
        (2, 5, 5, "met"), (9, 2, 3, "below the aim"), (16, 3, 3, "met"), (23, 1, 3, "so far")]
    html = prescribed.to_html(page)
    assert '<table id="adherence">' in html and "<td>2026-11-09</td><td>2</td><td>3</td>" in html


def test_the_program_in_force_its_changes_and_a_passed_review_open_the_page() -> None:
    page = _page()
    assert page.program is CLINICIANS and page.review_due == date(2026, 11, 25)
    ((version, said),) = page.changes
    assert version is CLINICIANS
    assert said == ("added Bird-dog", "sessions a week 5 became 3", "avoids bending forward",
                    "review by 25 Nov 2026")
    html = prescribed.to_html(page)
    assert html.index('id="review-due"') < html.index("In force")
    assert "due for review with the clinician on 25 Nov 2026" in html
    before = _page(until=date(2026, 11, 24))
    assert before.review_due is None and 'id="review-due"' not in prescribed.to_html(before)


def test_each_family_stands_against_what_the_clinician_allowed() -> None:
    standing = {"bridge": Standing("bridge-2", "Bridge", 2, 10, date(2026, 11, 1))}
    page = _page(standing=standing, waiting=[("Bird-dog", "it kept hurting")])
    bridge, bird = page.families
    assert (bridge.now, bridge.allowed, bridge.weeks_at_target, bridge.at_floor) == (
        "Bridge (rung 2), target 10",
        "rungs 2 to 4 (Bridge to Bridge with hold) of 5, at most 12 reps", 4, True)
    assert (bird.now, bird.waits, bird.weeks_at_target) == ("not done yet", "it kept hurting",
                                                            None)
    assert page.floor_or_waiting == (("Bridge", "at its floor: Bridge (rung 2), target 10"),
                                     ("Bird-dog", "waiting: it kept hurting"))


def test_flares_and_leg_days_of_the_period() -> None:
    sore = session("2026-11-05", exercise("bridge", 8), before=2, after=6)
    mild = session("2026-11-06", exercise("bridge", 8), before=2, after=4)
    early = session("2026-10-30", exercise("bridge", 8), before=1, after=9)  # before the period
    page = _page(sessions=[early, sore, mild])
    assert page.flares == ((date(2026, 11, 5), 2, 6),)
    assert "05 Nov: pain 6 after 2" in prescribed.to_html(page)
    text = prescribed.to_html(page)
    if not page.legs_asked:  # a kiosk whose sessions do not record leg symptoms says so
        assert "Leg symptoms are not recorded" in text
        return
    assert "None reported in this period." in text
    legs = [replace(sore, legs="both"), replace(mild, legs="one"),
            replace(early, legs="both")]
    page = _page(sessions=legs)
    assert page.leg_days == ((date(2026, 11, 5), "both legs"), (date(2026, 11, 6), "one leg"))
    assert "05 Nov: both legs; 06 Nov: one leg" in prescribed.to_html(page)


def test_no_change_in_the_period_is_said() -> None:
    late = Version(datetime(2026, 12, 10, 9), "file", (BRIDGE,), 4)
    page = _page(versions=[DEFAULT, late])
    assert page.changes == () and page.program is DEFAULT
    assert "No change of the program in this period" in prescribed.to_html(page)
    assert (UNTIL - SINCE) < timedelta(weeks=5)
