"""Leg symptoms at check-in: what an answer means and when it is new. Pure.

Before the red-flag round at every check-in (``[safety] leg_question``, on by default) the kiosk
asks "Any pain, tingling, numbness or weakness below the knee today?" and, on a yes, "Is it in
both legs?" (kiosk.core.flows.sitting). GREEN is yes and AMBER no; RED, or silence, counts as
yes, as on the red-flag questions. The answer is saved with the session (``SessionRecord.legs``):

* ``none``: no leg symptoms today;
* ``one``: in one leg;
* ``both``: in both legs: the emergency group is asked (``safety.due(both_legs=True)``);
* no key (None): not asked (the question was off, or the session is older than it).

A **new** yes is a yes today when the latest earlier day with an answer said ``none``, or when
no earlier day has an answer (the kiosk cannot tell it is old news). It gives the "mention it to
your clinician" advice and the gentle path for the day. A yes like the day before goes on as
planned: the person has been told, and a yes never leads to more load than a no would.
docs/safety.md gives the sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from kiosk.core.data.records import LEGS, SessionRecord

NONE, ONE, BOTH = LEGS
WORDS = {NONE: "none", ONE: "one leg", BOTH: "both legs"}


def answer(symptoms: bool, both: bool | None) -> str:
    """The saved answer from the two questions (``both`` None: not asked, after a no)."""
    if not symptoms:
        return NONE
    return BOTH if both else ONE


def is_new(earlier: Iterable[SessionRecord], today: date, legs: str | None) -> bool:
    """A yes today after a no on the latest earlier day that has an answer, or with no
    earlier answer at all. Sessions of today do not count: the whole day of a new yes is
    treated alike."""
    if legs not in (ONE, BOTH):
        return False
    last: str | None = None
    for s in earlier:
        if s.legs is not None and s.plan_date < today:
            last = s.legs
    return last in (None, NONE)


def leg_days(sessions: Sequence[SessionRecord]) -> tuple[tuple[date, str], ...]:
    """Each day with an answer and the weightiest answer given that day (both over one over
    none), oldest first."""
    rank = {NONE: 0, ONE: 1, BOTH: 2}
    days: dict[date, str] = {}
    for s in sessions:
        if s.legs is not None and rank[s.legs] >= rank[days.get(s.plan_date, NONE)]:
            days[s.plan_date] = s.legs
    return tuple(sorted(days.items()))
