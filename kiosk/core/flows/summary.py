"""After a session: what it did, exercise by exercise, on screen until GREEN or a while. Pure."""

from __future__ import annotations

from kiosk.core.data.events import Effect, Event, Press, Tick
from kiosk.core.data.model import Button
from kiosk.core.data.records import SessionRecord
from kiosk.core.data.view import View
from kiosk.core.flows.flow import NO_HOLDS

SUMMARY_SECONDS = 120.0


def summary_view(record: SessionRecord) -> View:
    """What the session did, exercise by exercise, for the person to look at afterwards."""
    lines = []
    for ex in record.exercises:
        if not ex.sets:
            continue
        clean = " + ".join(str(s.clean_reps) for s in ex.sets)
        lines.append(f"{ex.name}: {clean} clean")
    before, after = record.pain_before, record.pain_after
    if before is not None and after is not None:
        lines.append(f"Pain {before} before, {after} after")
    ended = {"pain": "Stopped for pain", "stop": "Stopped early", "timeout": "Paused too long"}
    return View(
        screen="summary",
        title=ended.get(record.ended_by, "Session complete"),
        lines=tuple(lines) or ("Nothing done today, and that is fine",),
        buttons={Button.GREEN: "Home"},
        awaiting="continue",
    )


class Summary:
    """The summary stays until GREEN, or for a while, then the home screen returns."""

    holds = NO_HOLDS
    result = None

    def __init__(self, record: SessionRecord, since: float) -> None:
        self.view = summary_view(record)
        self.since = since
        self.done = False

    def start(self) -> list[Effect]:
        return []

    def handle(self, event: Event) -> list[Effect]:
        if (isinstance(event, Press) and event.button is Button.GREEN) or (
            isinstance(event, Tick) and event.t - self.since > SUMMARY_SECONDS
        ):
            self.done = True
        return []
