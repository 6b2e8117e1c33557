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
from kiosk.core.captions import Captions
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
    Release,
    Save,
    Say,
    Show,
    Stuck,
    Tick,
    Tone,
)
from kiosk.core.model import Button, Plan, SessionSettings
from kiosk.core.painlog import PainLog
from kiosk.core.records import PainEntry, Record, SessionRecord, last_pain, sessions_of
from kiosk.core.session import Session
from kiosk.core.view import HoldRing, View

# (sessions so far, the day, check-in pain or None before check-in) -> the plan for that day
Planner = Callable[[Sequence[SessionRecord], date, "int | None"], Plan]

HINT_SECONDS = 4.0  # how long the answer to a press with no role stays on screen
DEFAULT_HOLDS = {Button.GREEN: 1.5, Button.AMBER: 1.5, Button.RED: 2.0}


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
        holds: dict[Button, float] | None = None,
    ) -> None:
        self.nonce = nonce  # from the shell, so two kiosk runs never mint the same session id
        self.planner = planner
        self.settings = settings
        self.records = list(records)  # everything saved, in save order, sessions and others
        self.session: Session | None = None
        self.pain_log: PainLog | None = None
        self.shutdown_enabled = shutdown_enabled
        self.now = t0
        self._t0, self._wall0 = t0, wall0
        self.captions = Captions(settings.speech_rate_wpm)
        self.holds = dict(holds or DEFAULT_HOLDS)  # the tracker's hold times, for the ring
        self._held: dict[Button, float] = {}  # buttons down where holding them does something
        self._hint: tuple[str, ...] = ()
        self._hint_for: dict[Button, str] = {}  # the buttons the hint describes
        self._hint_until = 0.0
        self._last_view: View | None = None
        self._out: list[Effect] = []
        self._count = 0
        self._summary: View | None = None
        self._home_key: tuple[Any, ...] | None = None
        self._home_view: View | None = None
        self._summary_since = 0.0
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
        self._say(phrases.WELCOME_KEYS)
        return self._flush()

    def handle(self, event: Event) -> list[Effect]:
        self.now = max(self.now, event.t)
        held = self._track_hold(event)
        if isinstance(event, Chord):
            self._shutdown(event)
        elif isinstance(event, Notice):
            self._say(event.text)
        elif isinstance(event, Press) and event.button not in self._screen_view().buttons:
            self._no_role(event.button)
        elif self.pain_log is not None:
            self._pain_log_effects(self.pain_log.handle(event))
        elif self.session is not None:
            self._session_effects(self.session.handle(event))
        elif self._summary is not None:
            self._on_summary(event)
        else:
            self._home(event)
        if held:  # after what the hold did (which may hush), so the tone is heard
            self._out.append(Tone("held"))
        return self._flush()

    def close(self) -> list[Effect]:
        """The kiosk is closing (Esc, SIGTERM, the demo's presses ran out): keep every rated
        rep of a session in progress as a checkpoint, or say that there was nothing to keep."""
        if self.session is None:
            return self._flush()
        effects = self.session.interrupt()
        saved = any(isinstance(e, Save) for e in effects)
        self._session_effects(effects)
        self._say(phrases.CLOSED_SAVED if saved else phrases.CLOSED_NOTHING_SAVED)
        self.session = None
        return self._flush()

    # --- presses with no role, and holds ---------------------------------------------------
    def _no_role(self, button: Button) -> None:
        """A press that does nothing here is still answered: a low tone, and for a few seconds
        what each button does on this screen. Nothing is cut off and nothing moves on."""
        buttons = self._screen_view().buttons
        self._out.append(Tone("nope"))
        self._hint = phrases.no_role(button, buttons)
        self._hint_for = dict(buttons)
        self._hint_until = self.now + HINT_SECONDS

    def _track_hold(self, event: Event) -> bool:
        """Follow the presses whose hold means something here, for the ring; True when this
        event is such a hold completing, which a tone confirms."""
        if isinstance(event, Press) and self._hold_means(event.button):
            self._held[event.button] = event.t
        elif isinstance(event, Release):
            self._held.pop(event.button, None)
        elif isinstance(event, Hold) and self._held.pop(event.button, None) is not None:
            return self._hold_means(event.button)
        return False

    def _hold_means(self, button: Button) -> bool:
        """Whether holding ``button`` does something on the screen shown now."""
        if button is Button.RED:
            return self.session is not None or self.pain_log is not None
        return button is Button.GREEN and self._screen_view().awaiting == "pain"

    def _home(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            self._start_session()
        elif isinstance(event, Press) and event.button is Button.AMBER:
            self._hush()
            for line in phrases.plan_details(self.plan):
                self._say(line)
        elif isinstance(event, Press) and event.button is Button.RED:
            self._start_pain_log()
        elif isinstance(event, Stuck):
            self._say(f"The {event.button.word} button seems stuck. Please check it.")
        elif isinstance(event, Tick) and self.plan.date != self.today.isoformat():
            self.plan = self.planner(self.sessions, self.today, None)  # a new day

    def _start_session(self) -> None:
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
        self._hush()
        self._session_effects(self.session.start())

    def _start_pain_log(self) -> None:
        self._count += 1
        at = self.wall().replace(microsecond=0)
        self.pain_log = PainLog(
            self.settings, t0=self.now, at=at,
            entry_id=f"pain-{at.strftime('%Y%m%dT%H%M%S')}-{self.nonce or 'k'}{self._count}",
            last_pain=last_pain(self.records),
        )
        self._hush()
        self._pain_log_effects(self.pain_log.start())

    def _pain_log_effects(self, effects: list[Effect]) -> None:
        for eff in effects:
            if isinstance(eff, Save):
                self._remember(eff.record)
            if isinstance(eff, Say):
                self.captions.say(eff.text, self.now, interrupt=eff.interrupt)
            if isinstance(eff, Finished):
                self.pain_log = None
            self._out.append(eff)

    @property
    def pain_entries(self) -> list[PainEntry]:
        return [r for r in self.records if isinstance(r, PainEntry)]

    def _session_effects(self, effects: list[Effect]) -> None:
        for eff in effects:
            if isinstance(eff, Save):
                self._remember(eff.record)
            if isinstance(eff, Say):
                self.captions.say(eff.text, self.now, interrupt=eff.interrupt)
            if isinstance(eff, Hush):
                self.captions.hush(self.now)
            if isinstance(eff, Finished):
                if self.session is not None and self.session.session_id in self._ids():
                    self._summary = summary_view(self.session.record())
                    self._summary_since = self.now
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
        """The summary stays until GREEN, or for a while, then the home screen returns."""
        if (isinstance(event, Press) and event.button is Button.GREEN) or (
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
        self._hush()
        self._say("Shutting down. Everything is saved. Goodbye.")
        self._out.append(PowerOff())

    # --- output -------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.captions.say(text, self.now)
        self._out.append(Say(text))

    def _hush(self) -> None:
        self.captions.hush(self.now)
        self._out.append(Hush())

    def _flush(self) -> list[Effect]:
        view = self.view
        if view != self._last_view:
            self._out.append(Show(view))
            self._last_view = view
        out, self._out = self._out, []
        return out

    @property
    def view(self) -> View:
        """What the screen shows now: the screen's own view, the line being said, a hint after
        a press with no role, and the ring of a hold in progress."""
        base = self._screen_view()
        shown = self.now < self._hint_until and self._hint_for == base.buttons
        hint = self._hint if shown else ()
        return replace(base, caption=self.captions.at(self.now), hint=hint, hold=self._ring())

    def _ring(self) -> HoldRing | None:
        for button, since in self._held.items():
            if self._hold_means(button):
                return HoldRing(button, since, self.holds[button])
        return None

    def _screen_view(self) -> View:
        if self.pain_log is not None:
            return self.pain_log.view
        if self.session is not None:
            return self.session.view
        if self._summary is not None:
            return self._summary
        # The home view is asked for on every tick; build it only when something in it changed,
        # so an idle kiosk with years of history does not rescan it four times a second.
        key = (self.plan, len(self.records), self.today)
        if self._home_view is None or self._home_key != key:
            self._home_key = key
            self._home_view = home_view(self.plan, self.sessions, self.today)
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


def home_view(plan: Plan, sessions: Sequence[SessionRecord], today: date) -> View:
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
        buttons={Button.GREEN: "Start", Button.AMBER: "Hear plan", Button.RED: "Pain log"},
        awaiting="start",
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

