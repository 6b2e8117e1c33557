"""Small hand-made histories for the progress tests: a session is a day and its clean reps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from kiosk.core.data.records import ExerciseRecord, PainEntry, SessionRecord, SetRecord

LADDERS = {
    "bridge": ("Bridge", ("bridge-1", "bridge-2", "bridge-3")),
    "bird-dog": ("Bird-dog", ("bird-dog-1", "bird-dog-2")),
}


def exercise(family: str, clean: int | tuple[int, ...], rung: int = 1,
             skipped: bool = False) -> ExerciseRecord:
    sets = () if skipped else tuple(
        SetRecord(None, ("clean",) * c, c, "target")
        for c in (clean if isinstance(clean, tuple) else (clean,))
    )
    vid = f"{family}-{rung}"
    return ExerciseRecord(family, vid, f"{family.title()} {rung}", 8, "same", "", skipped, sets)


def session(day: str, *exercises: ExerciseRecord, before: int | None = None,
            after: int | None = None, ended_by: str = "complete") -> SessionRecord:
    d = date.fromisoformat(day)
    start = datetime.combine(d, time(9))
    return SessionRecord(f"s-{day}-{len(exercises)}-{before}-{after}", d, start,
                         start + timedelta(minutes=10), 600.0, before, after, ended_by,
                         exercises, ())


def pain(day: str, value: int) -> PainEntry:
    return PainEntry(f"p-{day}-{value}", datetime.combine(date.fromisoformat(day), time(18)),
                     value)
