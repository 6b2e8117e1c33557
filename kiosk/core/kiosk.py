"""The kiosk as a whole: the home screen, and one session at a time. Pure, like the session.

The kiosk keeps the history it has been given (typed records, in save order) in memory and
plans from it, so planning never waits on a file. The shell persists each ``Save`` effect and
feeds nothing back: the record the kiosk saved is already in its own list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from kiosk.core import phrases
from kiosk.core.events import (
    Chord,
    Effect,
    Event,
    Finished,
    Hold,
    Hush,
    Notice,
    PowerOff,
    Press,
    Save,
    Say,
    Show,
    Stuck,
    Tick,
)
from kiosk.core.history_screens import Browser, Menu, ProgressSettings
from kiosk.core.model import Button, Plan, SessionSettings
from kiosk.core.progress import something_done
from kiosk.core.psfs import Questionnaire, due, new_round
from kiosk.core.records import Record, SessionRecord, last_pain, sessions_of
from kiosk.core.session import Session
from kiosk.core.view import View
from kiosk.core.weekly import first_session_of_week, summary_lines, week_facts, weekly_summary

# (sessions so far, the day, check-in pain or None before check-in) -> the plan for that day
Planner = Callable[[Sequence[SessionRecord], date, "int | None"], Plan]


class Kiosk:
    def __init__(
        self,
        planner: Planner,
        settings: SessionSettings,
        *,
        records: Sequence[Record],
        t0: float,
        wall0: datetime,
        shutdown_enabled: bool = False,
        nonce: str = "",
        progress: ProgressSettings | None = None,
    ) -> None:
        self.nonce = nonce  # from the shell, so two kiosk runs never mint the same session id
        self.planner = planner
        self.settings = settings
        self.records = list(records)  # everything saved, in save order, sessions and others
        self.session: Session | None = None
        self.shutdown_enabled = shutdown_enabled
        self.now = t0
        self._t0, self._wall0 = t0, wall0
        self._caption = ""
        self._last_view: View | None = None
        self._out: list[Effect] = []
        self._count = 0
        self._summary: View | None = None
        self._home_key: tuple[Any, ...] | None = None
        self._home_view: View | None = None
        self._summary_since = 0.0
        self.progress = progress or ProgressSettings()
        self._menu: Menu | None = None
        self._browser: Browser | None = None
        self._psfs: Questionnaire | None = None
        self.plan = self.planner(self.sessions, self.today, None)

    # --- time ---------------------------------------------------------------------------------
    def wall(self, t: float | None = None) -> datetime:
        """Wall-clock time at kiosk time ``t``, from the one reading taken at start-up."""
        return self._wall0 + timedelta(seconds=(self.now if t is None else t) - self._t0)

    @property
    def today(self) -> date:
        return self.wall().date()

    # --- events -------------------------------------------------------------------------------
    def boot(self) -> list[Effect]:
        self._say(phrases.welcome(self.plan))
        return self._flush()

    def handle(self, event: Event) -> list[Effect]:
        self.now = max(self.now, event.t)
        if isinstance(event, Chord):
            self._shutdown(event)
        elif isinstance(event, Notice):
            self._out.append(Say(event.text))
            self._caption = event.text
        elif self.session is not None:
            self._session_effects(self.session.handle(event))
        elif self._psfs is not None:
            self._on_psfs(event)
        elif self._browser is not None:
            self._out += self._browser.handle(event)
            self._browser = None if self._browser.done else self._browser
        elif self._menu is not None:
            self._on_menu(event)
        elif self._summary is not None:
            self._on_summary(event)
        else:
            self._home(event)
        return self._flush()

    def _home(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            self._psfs_or_session()
        elif isinstance(event, Hold) and event.button is Button.AMBER:
            self._menu = Menu()
            self._out += self._menu.start()
        elif isinstance(event, Press) and event.button is Button.AMBER:
            self._out.append(Hush())
            for line in phrases.plan_details(self.plan):
                self._say(line)
        elif isinstance(event, Stuck):
            self._say(f"The {event.button.word} button seems stuck. Please check it.")
        elif isinstance(event, Tick) and self.plan.date != self.today.isoformat():
            self.plan = self.planner(self.sessions, self.today, None)  # a new day

    # --- the menu, the history screens and the PSFS (docs/progress.md) --------------------------
    def _on_menu(self, event: Event) -> None:
        assert self._menu is not None
        self._out += self._menu.handle(event)
        if not self._menu.done:
            return
        chosen, self._menu = self._menu.chosen, None
        if chosen == "Your progress":
            self._browser = Browser(self.records, self.today, self.progress)
            self._out += self._browser.start()
        elif chosen == "This week":
            self._say(weekly_summary(self.records, self.today, self.progress.ladders))

    def _psfs_or_session(self) -> None:
        p = self.progress
        if not due(self.records, self.today, p.psfs_activities, p.psfs_every_weeks):
            self._start_session()
            return
        at = self.wall().replace(microsecond=0)
        self._count += 1
        rid = f"psfs-{at:%Y%m%dT%H%M%S}-{self.nonce or 'k'}{self._count}"
        self._psfs = new_round(self.records, p.psfs_activities, t0=self.now, at=at,
                               record_id=rid)
        self._out.append(Hush())
        self._psfs_effects(self._psfs.start())

    def _on_psfs(self, event: Event) -> None:
        assert self._psfs is not None
        self._psfs_effects(self._psfs.handle(event))

    def _psfs_effects(self, effects: list[Effect]) -> None:
        for eff in effects:
            if isinstance(eff, Save):
                self._remember(eff.record)
            if isinstance(eff, Say):
                self._caption = eff.text
            if isinstance(eff, Finished):
                self._psfs = None
                self._start_session(hush=False)  # the thanks is said, then the check-in
            elif not isinstance(eff, Show):
                self._out.append(eff)

    def _last_week(self, session: SessionRecord) -> None:
        """At the end of the week's first session, how last week went: once, and only when
        last week had a session (a quiet week needs no report)."""
        saved = [r for r in self.records if r.id != session.id]
        if not something_done(session) or not first_session_of_week(saved, self.today):
            return
        last_week = self.today - timedelta(weeks=1)
        facts = week_facts(self.records, last_week, self.progress.ladders)
        if facts.sessions:
            self._say(" ".join(summary_lines(facts, lead="Last week")))

    def _start_session(self, *, hush: bool = True) -> None:
        self._count += 1
        started = self.wall().replace(microsecond=0)
        day = self.today
        sid = f"{started.strftime('%Y%m%dT%H%M%S')}-{self.nonce or 'k'}{self._count}"
        self.plan = self.planner(self.sessions, day, None)
        self.session = Session(
            self.plan,
            self.settings,
            t0=self.now,
            started_at=started,
            session_id=sid,
            last_pain=last_pain(self.records),
            replan=lambda pain: self.planner(self.sessions, day, pain),
        )
        if hush:
            self._out.append(Hush())
        self._session_effects(self.session.start())

    def _session_effects(self, effects: list[Effect]) -> None:
        for eff in effects:
            if isinstance(eff, Save):
                self._remember(eff.record)
            if isinstance(eff, Say):
                self._caption = eff.text
            if isinstance(eff, Finished):
                if self.session is not None and self.session.session_id in self._ids():
                    self._summary = summary_view(self.session.record())
                    self._summary_since = self.now
                    self._last_week(self.session.record())
                self.session = None
                self.plan = self.planner(self.sessions, self.today, None)
            if not isinstance(eff, Show):  # the kiosk shows its own view once, in _flush
                self._out.append(eff)

    @property
    def sessions(self) -> list[SessionRecord]:
        return sessions_of(self.records)

    def _ids(self) -> set[str]:
        return {r.id for r in self.records}

    def _on_summary(self, event: Event) -> None:
        """The summary stays until a press, or for a while, then the home screen returns."""
        if isinstance(event, Press) or (
            isinstance(event, Tick) and self.now - self._summary_since > SUMMARY_SECONDS
        ):
            self._summary = None

    def _remember(self, record: Record) -> None:
        """Keep a saved record; one saved again (a session's checkpoints) replaces itself."""
        self.records = [r for r in self.records if r.id != record.id] + [record]

    def _shutdown(self, event: Chord) -> None:
        if not self.shutdown_enabled:
            return
        if self.session is not None:
            self._session_effects(self.session.handle(Tick(event.t)))
        self._out.append(Hush())
        self._say("Shutting down. Everything is saved. Goodbye.")
        self._out.append(PowerOff())

    # --- output -------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self._caption = text
        self._out.append(Say(text))

    def _flush(self) -> list[Effect]:
        view = self.view
        if view != self._last_view:
            self._out.append(Show(view))
            self._last_view = view
        out, self._out = self._out, []
        return out

    @property
    def view(self) -> View:
        if self.session is not None:
            return self.session.view
        if self._psfs is not None:
            return self._psfs.view
        if self._browser is not None:
            return self._browser.view
        if self._menu is not None:
            return replace(self._menu.view, caption=self._caption or self._menu.view.caption)
        if self._summary is not None:
            return replace(self._summary, caption=self._caption)
        # The home view is asked for on every tick; build it only when something in it changed,
        # so an idle kiosk with years of history does not rescan it four times a second.
        key = (self.plan, self._caption, len(self.records), self.today)
        if self._home_view is None or self._home_key != key:
            self._home_key = key
            self._home_view = home_view(self.plan, self._caption, self.sessions, self.today)
        return self._home_view


# A few words on the home screen for what changed; the full reason is spoken (AMBER, and when
# the exercise starts), since five reasons would not fit a small panel.
CHANGE_MARK = {
    "advance": " (up a step)",
    "back": " (easier today)",
    "bad-day": " (easier today)",
    "reenter": " (welcome back)",
    "new": " (new)",
}


def home_view(plan: Plan, caption: str, sessions: Sequence[SessionRecord], today: date) -> View:
    lines = [
        f"{p.variation.name}: {p.target} clean reps{CHANGE_MARK.get(p.change, '')}"
        for p in plan.exercises
    ]
    done_today = [s for s in sessions if s.plan_date == today]
    title = "Today's plan"
    if done_today:
        clean = done_today[-1].clean_reps
        title = "Done today. Well done."
        lines = [f"Last session: {clean} clean rep{'' if clean == 1 else 's'}", *lines]
    return View(
        screen="home",
        title=title,
        lines=tuple(lines),
        buttons={Button.GREEN: "Start", Button.AMBER: "Hear plan"},
        awaiting="start",
        caption=caption,
    )


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

