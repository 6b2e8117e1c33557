"""A history that shows what a clinician's chart must survive: a three-week gap, a step down and
back up, and weeks of pain ratings piled at 0 under the weekly line."""

from __future__ import annotations

from datetime import date, timedelta

from kiosk.core.data.records import Record
from tests.core.progress_samples import exercise, pain, session

DAY = date(2026, 11, 26)
LADDERS = {"bridge": ("Bridge", ("bridge-1", "bridge-2", "bridge-3", "bridge-4", "bridge-5")),
           "bird-dog": ("Bird-dog", ("bird-dog-1", "bird-dog-2"))}
GAP = (date(2026, 10, 19), date(2026, 11, 8))  # three weeks with no session at all


def gappy() -> list[Record]:
    out: list[Record] = []
    for i in range(56):
        day = DAY - timedelta(days=55 - i)
        if GAP[0] <= day <= GAP[1] or i % 2:
            continue
        # step 5, a step down to 4 for two sessions, then 5 again
        rung = 4 if 10 <= i <= 13 else 5
        out.append(session(day.isoformat(), exercise("bridge", 6 + i % 4, rung=rung),
                           before=0 if i % 3 else 1, after=0))
    out.append(pain("2026-11-20", 0))
    return out
