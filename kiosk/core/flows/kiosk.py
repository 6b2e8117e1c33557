"""The kiosk as a whole: the home screen, and one session at a time. Pure, like the session.

The kiosk keeps the history it has been given (typed records, in save order) in memory and
plans from it, so planning never waits on a file. The shell persists each ``Save`` effect and
feeds nothing back: the record the kiosk saved is already in its own list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from kiosk.core.coach import rhythm
from kiosk.core.coach.rituals import Ritual, RitualBook, fitting, open_ids, total_seconds, unlocks
from kiosk.core.coach.safety import (
    ACUTE,
    GROUPS,
    Due,
    Group,
    Outcome,
    Reason,
    SafetyCheck,
    Setup,
    blocked,
    cleared_questions,
    due,
    usual_pain,
)
from kiosk.core.coach.schedule import Scheduler, Slot
from kiosk.core.coach.signature import SignatureSetup, changes, latest
from kiosk.core.coach.signature import due as screening_due
from kiosk.core.data.events import (
    Chord,
    CopyToUsb,
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
    WallClock,
)
from kiosk.core.data.model import Button, Library, Plan, SessionSettings
from kiosk.core.data.records import (
    PainEntry,
    Record,
    SessionRecord,
    last_pain,
    rituals_of,
    sessions_of,
)
from kiosk.core.data.view import HoldRing, View, evolve
from kiosk.core.flows.history_screens import (
    ABOUT,
    MENU,
    QUICK_RITUAL,
    USB,
    Browser,
    Menu,
    ProgressSettings,
)
from kiosk.core.flows.painlog import PainLog
from kiosk.core.flows.psfs import Questionnaire, new_round
from kiosk.core.flows.psfs import due as psfs_due
from kiosk.core.flows.questions import Choice, Pages, Questions, advice_lines
from kiosk.core.flows.ritual_run import RitualRun, ritual_record
from kiosk.core.flows.screening import Screening
from kiosk.core.flows.session import Session
from kiosk.core.reports import usb
from kiosk.core.reports.progress import day_of as progress_day
from kiosk.core.reports.progress import something_done
from kiosk.core.reports.weekly import (
    first_session_of_week,
    summary_lines,
    week_facts,
    weekly_summary,
)
from kiosk.core.words import phrases
from kiosk.core.words.captions import Captions

CHECK_MOVEMENT = "Check how you move"  # the menu's screening on demand (docs/signature.md)
# (everything saved so far, the day, check-in pain or None before check-in) -> the day's plan.
# The records hold the sessions the plan progresses from, and the latest movement signature
# that tunes it (kiosk.core.coach.signature).
Planner = Callable[[Sequence[Record], date, "int | None"], Plan]
# (sessions so far, the day) -> each exercise family's current variation id
Levels = Callable[[Sequence[SessionRecord], date], Mapping[str, str]]


@dataclass(frozen=True)
class RitualSetup:
    """What the kiosk needs to offer rituals: the book, the exercise library their rungs are
    in, and each family's current rung from the history (``kiosk.runtime.make_levels``)."""

    book: RitualBook
    library: Library
    levels: Levels
    scheduled: bool = True  # False: offered only when asked for (the plain demo)


@dataclass(frozen=True)
class _Offer:
    ritual: Ritual
    slot: Slot | None  # None: asked for, by holding AMBER on the home screen
    until: float  # no answer by then (kiosk time) lets it go


# (sessions so far, the day, today's plan) -> the gentle plan for a high-pain day
GentlePlanner = Callable[[Sequence[SessionRecord], date, Plan], Plan]
# The last closed months' records (for the history screens), and the day they start on.
Earlier = tuple[Sequence[Record], date | None]


def _no_earlier() -> Earlier:
    return (), None


class Step(Protocol):
    """A short flow the kiosk runs between screens: the welcome, the questions, an advice."""

    @property
    def done(self) -> bool: ...
    @property
    def view(self) -> View: ...
    def start(self) -> list[Effect]: ...
    def handle(self, event: Event) -> list[Effect]: ...


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
        rituals: RitualSetup | None = None,
        earlier_pain: int | None = None,
        earlier_checkins: Sequence[int] = (),
        earlier_days: Iterable[date] = (),
        earlier: Callable[[], Earlier] | None = None,
        safety: Setup | None = None,
        gentle: GentlePlanner | None = None,
        holds: dict[Button, float] | None = None,
        signature: SignatureSetup | None = None,
        screen_at_boot: bool = False,
        progress: ProgressSettings | None = None,
    ) -> None:
        # ``records`` may be only the newest part of the history (the store's window; the
        # planner holds a snapshot of the rest): ``earlier_pain`` is the last rating before it.
        self.earlier_pain = earlier_pain
        self.earlier_checkins = list(earlier_checkins)  # the last check-ins before ``records``
        self.earlier_days = set(earlier_days)  # days of practice this week before ``records``
        # For the history screens and summaries: the last closed months' records and the day
        # they start on (None when ``records`` is the whole history). The store reads them
        # after start-up, off the loop, and keeps them: only a menu or a week's end asks.
        self._earlier = earlier or _no_earlier
        self.nonce = nonce  # from the shell, so two kiosk runs never mint the same session id
        self.planner = planner
        self.settings = settings
        self.records = list(records)  # everything saved, in save order, sessions and others
        self.session: Session | None = None
        self.ritual: RitualRun | None = None
        self.rituals = rituals
        book = rituals.book if rituals is not None else RitualBook()
        self.scheduler = Scheduler(
            book.times() if rituals is not None and rituals.scheduled else (), book.schedule,
            handled=(r.slot for r in rituals_of(self.records) if r.slot),
        )
        self.last_jump = 0.0  # seconds the wall clock last jumped by (for the shell's log)
        self._offer: _Offer | None = None
        # Quick rituals offered: the quick ones run so far, then one more per offer.
        self._quick_turn = sum(1 for r in rituals_of(self.records) if not r.slot)
        self._open_key: tuple[Any, ...] | None = None
        self._open: frozenset[str] = frozenset()
        self.shutdown_enabled = shutdown_enabled
        self.now = t0
        self._t0, self._wall0 = t0, wall0
        self.captions = Captions(settings.speech_rate_wpm, settings.spoken)
        self.holds = dict(holds or DEFAULT_HOLDS)  # the tracker's hold times, for the ring
        self._held: dict[Button, float] = {}  # buttons down where holding them does something
        self._hint: tuple[str, ...] = ()
        self._hint_for: dict[Button, str] = {}  # the buttons the hint describes
        self._hint_until = 0.0
        self._last_view: View | None = None
        self._view: View | None = None  # as of the last event; see Session._view
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
        self.plan = self.planner(self.records, self.today, None)
        # The safety steps (docs/safety.md). Without a Setup (unit tests of other parts) the
        # kiosk has none; runtime.build always gives one.
        self.safety = safety
        self.gentle = gentle
        self._step: Step | None = None
        self._then: Callable[[Step], None] | None = None
        # The movement signature (docs/signature.md): its probes and rules; None: no screening.
        self.signature = signature if signature is not None and signature.probes else None
        self.screen_at_boot = screen_at_boot  # `kiosk demo --screening`: a check on demand
        self._not_today: date | None = None  # a due screening declined: not offered again today

    # --- time ---------------------------------------------------------------------------------
    def wall(self, t: float | None = None) -> datetime:
        """Wall-clock time at kiosk time ``t``, from the one reading taken at start-up."""
        return self._wall0 + timedelta(seconds=(self.now if t is None else t) - self._t0)

    @property
    def today(self) -> date:
        return self.wall().date()

    def clock_wall(self) -> datetime:
        """The time of day by the latest wall-clock reading: what the ritual schedule follows.

        Sessions keep the day read at start-up (``wall``), so a jump never re-dates them; the
        schedule follows the clock as it is now, so a Pi that set its clock after boot still
        offers the morning ritual in the morning."""
        return self.scheduler.wall(self.now) or self.wall()

    # --- events -------------------------------------------------------------------------------
    def boot(self) -> list[Effect]:
        if self.safety is not None and not self.checks:
            self._first_run(self.safety)
        elif self.screen_at_boot and self.signature is not None:
            self.check_movement()
        else:
            self._say(phrases.welcome(self.plan))
            self._say(phrases.WELCOME_KEYS)
        return self._flush()

    def handle(self, event: Event) -> list[Effect]:
        self.now = max(self.now, event.t)
        held = self._track_hold(event)
        if isinstance(event, Tick):
            self.scheduler.advance(event.t)
        if isinstance(event, Chord):
            self._shutdown(event)
        elif isinstance(event, WallClock):
            self.last_jump = self.scheduler.observe(event.wall, event.t).jump
        elif isinstance(event, Notice):
            self._say(event.text)
        elif isinstance(event, Press) and event.button not in self._screen_view().buttons:
            self._no_role(event.button)
        elif self._step is not None:
            self._step_event(event)
        elif self.session is not None:
            self._session_effects(self.session.handle(event))
        elif self.ritual is not None:
            self._ritual_effects(self.ritual.handle(event))
        elif self._offer is not None:
            self._on_offer(event, self._offer)
        elif self._psfs is not None:
            self._on_psfs(event)
        elif self._browser is not None:
            self._relay(self._browser.handle(event))
            self._browser = None if self._browser.done else self._browser
        elif self._menu is not None:
            self._on_menu(event)
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
        if self._psfs is not None and self._screen_view().screen == "psfs":
            return button is not Button.AMBER  # GREEN held confirms, RED held ends the round
        if button is Button.RED:
            return self.session is not None or isinstance(self._step, (PainLog, Screening))
        if button is Button.AMBER:  # held on the home screen: the menu
            return self._screen_view().screen == "home"
        return button is Button.GREEN and self._screen_view().awaiting == "pain"

    def _home(self, event: Event) -> None:
        if isinstance(event, Press) and event.button is Button.GREEN:
            self._before_session()
        elif isinstance(event, Hold) and event.button is Button.AMBER:
            # One hold for every extra: the menu lists them (docs/controls.md).
            self._menu = Menu(self._menu_items())
            self._relay(self._menu.start())
        elif isinstance(event, Press) and event.button is Button.AMBER:
            self._hush()
            for line in phrases.plan_details(self.plan):
                self._say(line)
        elif isinstance(event, Press) and event.button is Button.RED:
            self._pain_log()
        elif isinstance(event, Stuck):
            self._say(phrases.stuck(event.button))
        elif isinstance(event, Tick) and self.plan.date != self.today.isoformat():
            self.plan = self.planner(self.records, self.today, None)  # a new day
        elif isinstance(event, Tick) and self.scheduler.pending:
            self._scheduled_ritual()

    # --- rituals ------------------------------------------------------------------------------
    def _open_rituals(self) -> frozenset[str]:
        """The rituals open today; worked out again only when the history or the day changed.
        None while a safety answer stops exercise: a ritual is exercise too."""
        if self.rituals is None or self._blocked_advice():
            return frozenset()
        key = (len(self.sessions), self.today)
        if key != self._open_key:
            self._open_key = key
            r = self.rituals
            self._open = open_ids(unlocks(r.book, r.library, r.levels(self.sessions, self.today)))
        return self._open

    def _scheduled_ritual(self) -> None:
        """Idle on the home screen: offer the ritual that fell due, if one did."""
        slot = self.scheduler.due(self.clock_wall(), self._open_rituals())
        if slot is not None and self.rituals is not None:
            self._make_offer(self.rituals.book.get(slot.ritual), slot)

    def _quick_ritual(self) -> None:
        """"A quick ritual" from the menu: the open ritual that fits the time of day."""
        self._hush()
        wall = self.clock_wall()
        book = self.rituals.book if self.rituals is not None else RitualBook()
        ritual = fitting(book, wall.hour * 60 + wall.minute, self._open_rituals(),
                         self._quick_turn)
        self._quick_turn += 1  # the next quick ritual offers the next one in turn
        if ritual is not None:
            self._make_offer(ritual, None)
        elif self.safety is not None:
            self._about(self.safety)  # no ritual now (or no exercise today): what the kiosk is
        else:
            self._say(phrases.NO_RITUAL)

    def _make_offer(self, ritual: Ritual, slot: Slot | None) -> None:
        minutes = self.scheduler.settings.answer_minutes
        self._offer = _Offer(ritual, slot, self.now + minutes * 60.0)
        self._out.append(Tone("chime"))
        self._say(phrases.ritual_offer(ritual.name) if slot else phrases.ritual_quick(ritual.name))

    def _on_offer(self, event: Event, offer: _Offer) -> None:
        slot = offer.slot
        if isinstance(event, Press) and event.button is Button.GREEN:
            self._offer = None
            if slot is not None:
                self.scheduler.answered(slot)
            self._start_ritual(offer.ritual, slot)
        elif isinstance(event, Press) and event.button is Button.AMBER:
            self._offer = None
            self._hush()
            if slot is None and self.safety is not None:
                self._about(self.safety)
                return
            if slot is None:
                self._say(phrases.RITUAL_NOT_NOW)
                return
            later = self.scheduler.snooze(slot, self.clock_wall())
            self._save_answer(offer.ritual, slot, "snoozed")
            minutes = self.scheduler.settings.snooze_minutes
            self._say(phrases.ritual_snoozed(minutes) if later else phrases.RITUAL_SNOOZED_QUIET)
        elif isinstance(event, Press) and event.button is Button.RED:
            self._offer = None
            self._hush()
            if slot is None:
                self._say(phrases.RITUAL_NOT_NOW)
                return
            self.scheduler.answered(slot)
            self._save_answer(offer.ritual, slot, "skipped")
            self._say(phrases.RITUAL_DECLINED)
        elif isinstance(event, Tick) and self.now >= offer.until:
            self._offer = None
            if slot is not None:
                self.scheduler.answered(slot)
                self._save_answer(offer.ritual, slot, "skipped")
                self._say(phrases.RITUAL_SKIPPED)

    def _save_answer(self, ritual: Ritual, slot: Slot, outcome: str) -> None:
        if self.rituals is None:
            return
        family, v = self.rituals.library.variation(ritual.builds_on)
        record = ritual_record(ritual, family, v, run_id=self._run_id(), at=self.clock_wall(),
                               outcome=outcome, slot=slot.key)
        self._remember(record)
        self._out.append(Save(record))

    def _run_id(self) -> str:
        self._count += 1
        return f"{self.clock_wall().strftime('%Y%m%dT%H%M%S')}-{self.nonce or 'k'}r{self._count}"

    def _start_ritual(self, ritual: Ritual, slot: Slot | None) -> None:
        assert self.rituals is not None
        family, v = self.rituals.library.variation(ritual.builds_on)
        self.ritual = RitualRun(
            ritual, family, v, self.settings, t0=self.now,
            started_at=self.clock_wall().replace(microsecond=0), run_id=self._run_id(),
            slot=slot.key if slot is not None else None,
        )
        self._hush()
        self._ritual_effects(self.ritual.start())

    def _ritual_effects(self, effects: list[Effect]) -> None:
        for eff in effects:
            if isinstance(eff, Save):
                self._remember(eff.record)
            if isinstance(eff, Say):
                self.captions.say(eff.text, self.now)
            if isinstance(eff, Hush):
                self.captions.hush(self.now)
            if isinstance(eff, Finished):
                run, self.ritual = self.ritual, None
                if run is not None and run.outcome == "done":
                    self._say(rhythm.spoken(self.week()))
            if not isinstance(eff, Show):
                self._out.append(eff)

    def week(self) -> rhythm.Week:
        """This week's rhythm: days with a session or a completed ritual, against the aim."""
        target = self.rituals.book.weekly_target if self.rituals is not None else 5
        days = rhythm.active_days(self.records) | self.earlier_days
        return rhythm.week_of(self.today, days, target)

    # --- the menu, the history screens and the PSFS (docs/progress.md) --------------------------
    def _menu_items(self) -> list[str]:
        # A ritual is exercise too: none while a safety answer stops exercise (About stays).
        open_ = self.rituals and self.rituals.book.rituals and not self._blocked_advice()
        ritual = [QUICK_RITUAL] if open_ else []
        # Checking how you move is movement too: not offered while exercise waits.
        check = [CHECK_MOVEMENT] if self.signature and not self._blocked_advice() else []
        return [*ritual, *MENU, *check, USB, *([ABOUT] if self.safety else [])]

    def _on_menu(self, event: Event) -> None:
        assert self._menu is not None
        self._relay(self._menu.handle(event))
        if not self._menu.done:
            return
        chosen, self._menu = self._menu.chosen, None
        if chosen == "Your progress":
            self._browser = Browser(self._recent(), self.today, self.progress)
            self._relay(self._browser.start())
        elif chosen == "This week":
            self._say(weekly_summary(self._recent(), self.today, self.progress.ladders))
        elif chosen == ABOUT and self.safety is not None:
            self._about(self.safety)
        elif chosen == QUICK_RITUAL:
            self._quick_ritual()
        elif chosen == USB:
            self._say(usb.STARTING)  # the outcome comes back as a Notice when the copy ends
            self._out.append(CopyToUsb())
        elif chosen == CHECK_MOVEMENT:
            self.check_movement()

    def _psfs_or_session(self) -> None:
        p = self.progress
        if not psfs_due(self.records, self.today, p.psfs_activities, p.psfs_every_weeks):
            self._start_session()
            return
        at = self.wall().replace(microsecond=0)
        self._count += 1
        rid = f"psfs-{at:%Y%m%dT%H%M%S}-{self.nonce or 'k'}{self._count}"
        self._psfs = new_round(self.records, p.psfs_activities, t0=self.now, at=at,
                               record_id=rid)
        self._hush()
        self._psfs_effects(self._psfs.start())

    def _on_psfs(self, event: Event) -> None:
        assert self._psfs is not None
        self._psfs_effects(self._psfs.handle(event))

    def _psfs_effects(self, effects: list[Effect]) -> None:
        for eff in effects:
            if isinstance(eff, Save):
                self._remember(eff.record)
            if isinstance(eff, Say):
                self.captions.say(eff.text, self.now, interrupt=eff.interrupt)
            if isinstance(eff, Hush):
                self.captions.hush(self.now)
            if isinstance(eff, Finished):
                self._psfs = None
                self._start_session(hush=False)  # the thanks is said, then the check-in
            elif not isinstance(eff, Show):
                self._out.append(eff)

    def _last_week(self, session: SessionRecord) -> None:
        """At the end of the week's first session, how last week went: once, and only when
        last week had a session (a quiet week needs no report)."""
        recent = self._recent()
        saved = [r for r in recent if r.id != session.id]
        if not something_done(session) or not first_session_of_week(saved, self.today):
            return
        last_week = self.today - timedelta(weeks=1)
        facts = week_facts(recent, last_week, self.progress.ladders)
        if facts.sessions:
            self._say(" ".join(summary_lines(facts, lead="Last week")))

    def _start_session(self, *, hush: bool = True) -> None:
        self._count += 1
        started = self.wall().replace(microsecond=0)
        day = self.today
        sid = f"{started.strftime('%Y%m%dT%H%M%S')}-{self.nonce or 'k'}{self._count}"
        self.plan = self.planner(self.records, day, None)
        self.session = Session(
            self.plan,
            self.settings,
            t0=self.now,
            started_at=started,
            session_id=sid,
            last_pain=self._last_pain(),
            replan=lambda pain: self.planner(self.records, day, pain),
            on_checkin=self._after_checkin if self.safety is not None else None,
        )
        if hush:
            self._hush()
        self._session_effects(self.session.start())

    def _pain_log(self) -> None:
        """RED on the home screen: rate the pain right now, saved as a pain entry."""
        self._count += 1
        at = self.wall().replace(microsecond=0)
        log = PainLog(
            self.settings, t0=self.now, at=at,
            entry_id=f"pain-{at.strftime('%Y%m%dT%H%M%S')}-{self.nonce or 'k'}{self._count}",
            last_pain=self._last_pain(),
        )
        self._run(log, self._pain_logged)

    def _pain_logged(self, step: Step) -> None:
        """A saved pain-log rating that is very high, or well above the usual, asks the
        emergency and urgent questions as a check-in does (docs/safety.md)."""
        if isinstance(step, PainLog) and step.saved is not None:
            self._after_pain_entry(step.saved.pain)

    @property
    def pain_entries(self) -> list[PainEntry]:
        return [r for r in self.records if isinstance(r, PainEntry)]

    # --- the safety steps (docs/safety.md) ------------------------------------------------------
    def _run(self, step: Step, then: Callable[[Step], None]) -> None:
        """Show ``step`` until it is done, then call ``then`` with it."""
        self._step, self._then = step, then
        self._hush()
        self._step_effects(step.start())

    def _step_event(self, event: Event) -> None:
        step, then = self._step, self._then
        assert step is not None and then is not None
        self._step_effects(step.handle(event))
        if step.done and self._step is step:
            self._step, self._then = None, None
            then(step)

    def _step_effects(self, effects: list[Effect]) -> None:
        for eff in effects:
            if isinstance(eff, Save):
                self._remember(eff.record)
            if isinstance(eff, Say):
                self.captions.say(eff.text, self.now, interrupt=eff.interrupt)
            if isinstance(eff, Hush):
                self.captions.hush(self.now)
            self._out.append(eff)

    def safety_lines(self) -> list[str]:
        """Every line the safety steps (and the movement check) may say, to render ahead like
        the session's."""
        from kiosk.core.flows.screening import lines as screening_lines

        check = screening_lines(self.signature) if self.signature is not None else []
        if self.safety is None:
            return check
        w = self.safety.wording
        return [*check, *w.welcome, *w.buttons, w.intro, *(q.text for q in w.questions),
                w.all_clear, w.cleared, *w.advice.values(), phrases.SEEN_INTRO,
                phrases.SEEN_QUESTION, phrases.SILENCE_WARNING, phrases.SILENCE_YES,
                phrases.GENTLE_OFFER,
                phrases.GENTLE_REST, phrases.GENTLE_BREATHING_ONLY]

    def _rate(self) -> int:
        return self.settings.speech_rate_wpm

    def _first_run(self, safety: Setup) -> None:
        """The welcome, once, then every question; the home screen after an all-clear."""
        welcome = Pages("welcome", safety.wording.about, t0=self.now, rate_wpm=self._rate(),
                        lengths=self.settings.spoken)
        first = Due(GROUPS, Reason.FIRST_RUN)
        after = self.check_movement if self.screen_at_boot else self._home_again
        self._run(welcome, lambda _: self._ask(first, None, after))

    def _about(self, safety: Setup) -> None:
        about = Pages("about", safety.wording.about, t0=self.now, rate_wpm=self._rate(),
                      lengths=self.settings.spoken, go_on="Home")
        self._run(about, lambda _: self._home_again())

    def _home_again(self) -> None:
        self._say(phrases.welcome(self.plan))

    def _before_session(self) -> None:
        """GREEN on the home screen: any questions due first, then the session."""
        if self.safety is None:
            self._psfs_or_session()
            return
        if self._stopped(self._screen_first):
            return
        self._ask(due(self.checks, self.today, self.safety.rules), None, self._screen_first)

    def _stopped(self, go_on: Callable[[], None]) -> bool:
        """Exercise is off (docs/safety.md): True, and the advice is said, or, for an emergency
        or urgent "yes" from an earlier day, the person is first asked whether a clinician has
        seen them since; ``go_on`` follows if they have and every answer is then "no"."""
        assert self.safety is not None
        block = blocked(self.checks, self.today, self.safety.cleared_on)
        if block is None:
            return False
        if block.follow_up:
            self._ask(Due(ACUTE, Reason.SEEN), None, go_on, standing=block.outcome)
        else:
            self._advise(block.outcome)
        return True

    def _ask(self, need: Due, pain: int | None, go_on: Callable[[], None], *,
             standing: Outcome | None = None) -> None:
        """Ask the groups in ``need`` (if any); on an all-clear, ``go_on``; else the advice.
        ``standing``: a follow-up of an unresolved "yes" (``Questions``)."""
        safety = self.safety
        if not need or need.reason is None or safety is None:
            go_on()
            return
        questions = Questions(safety.wording, need.groups, need.reason, t0=self.now,
                              answer_seconds=safety.answer_seconds, rate_wpm=self._rate(),
                              lengths=self.settings.spoken, pain=pain, standing=standing)

        def answered(_: Step) -> None:
            check = self._save_check(questions)
            if check.outcome.exercise:
                advice = check.yes_in(Group.ADVICE) and check.outcome is not Outcome.ADVICE
                for line in advice_lines(safety.wording, check.outcome, advice=advice):
                    self._say(line)
                go_on()
            else:
                self._advise(check.outcome)

        self._run(questions, answered)

    def _save_check(self, questions: Questions) -> SafetyCheck:
        self._count += 1
        at = self.wall().replace(microsecond=0)
        cid = f"{at.strftime('%Y%m%dT%H%M%S')}-{self.nonce or 'k'}{self._count}s"
        cleared_on = self.safety.cleared_on if self.safety else None
        check = questions.check(cid, self.today, at,
                                cleared_questions(self.checks, self.today, cleared_on))
        self._remember(check)
        self._out.append(Save(check))
        return check

    # --- the movement signature (docs/signature.md) -----------------------------------------
    def _screen_first(self) -> None:
        """Before a session: the screening at the first run, an offer when one is due (every
        few weeks), else the session at once."""
        setup = self.signature
        why = screening_due(self.records, self.today, setup) if setup is not None else None
        if setup is None or why is None or self._not_today == self.today:
            self._psfs_or_session()
        elif why == "first-run":
            self._screen(setup, why, self._psfs_or_session)
        else:
            offer = Choice("screen-offer", "Check how you move?",
                           (f"About {setup.minutes(self._rate())} minutes, before today's "
                            "session.", "GREEN: check now", "AMBER: not today"),
                           (phrases.SCREEN_DUE,), t0=self.now, rate_wpm=self._rate(),
                           lengths=self.settings.spoken, yes="Check now", no="Not today",
                           timeout=self.safety.answer_seconds if self.safety else 60.0)

            def chosen(_: Step) -> None:
                if offer.accepted:
                    self._screen(setup, why, self._psfs_or_session)
                else:
                    self._not_today = self.today
                    self._psfs_or_session()

            self._run(offer, chosen)

    def check_movement(self) -> None:
        """A screening asked for ("Check how you move" in the menu, `kiosk demo --screening`):
        any safety questions due first, as before a session; home afterwards."""
        setup = self.signature
        if setup is None:
            return
        if self.safety is None:
            self._screen(setup, "asked", self._home_again)
            return
        go_on = lambda: self._screen(setup, "asked", self._home_again)  # noqa: E731
        if self._stopped(go_on):
            return
        self._ask(due(self.checks, self.today, self.safety.rules), None, go_on)

    def _screen(self, setup: SignatureSetup, reason: str, go_on: Callable[[], None]) -> None:
        self._count += 1
        at = self.wall().replace(microsecond=0)
        before = latest(self.records)
        screening = Screening(
            setup, t0=self.now, at=at, day=self.today, reason=reason,
            screening_id=f"{at.strftime('%Y%m%dT%H%M%S')}-{self.nonce or 'k'}{self._count}m",
            rate_wpm=self._rate(), lengths=self.settings.spoken, last_pain=last_pain(self.records),
            pain_timeout=self.settings.pain_timeout, before=before,
            changes=(lambda now: changes(before, now, setup)) if before is not None else None,
            finish=reason == "asked", pain_rise_stop=self.settings.pain_rise_stop,
        )

        def screened(_: Step) -> None:
            self.plan = self.planner(self.records, self.today, None)  # tuned by what it found
            then = self._home_again if screening.ended_early else go_on  # RED held: home
            pain = screening.max_pain
            if pain is not None and self.safety is not None:
                # Pain in a probe asks the emergency and urgent questions as a pain-log rating
                # does (docs/safety.md); their advice, not exercise, follows a "yes".
                need = due(self.checks, self.today, self.safety.rules, pain=pain,
                           usual=self._usual_pain())
                if need:
                    self._ask(need, pain, then)
                    return
            then()

        self._run(screening, screened)

    def _advise(self, outcome: Outcome) -> None:
        """Say what the answers lead to; no exercise. Any press, or a while, goes home."""
        assert self.safety is not None
        if self.session is not None:  # held after its check-in: it ends, unsaved and finished
            self._session_effects(self.session.end_before_exercise(save=False))
            self._summary = None
        else:
            self._out.append(Finished())  # the sitting is over all the same: no exercise follows
        lines = advice_lines(self.safety.wording, outcome)
        title = "Emergency care now" if outcome is Outcome.EMERGENCY else "No exercise today"
        if outcome is Outcome.BACKGROUND:
            title = "Check with your clinician"
        advice = Pages("advice", ((title, lines),), t0=self.now, rate_wpm=self._rate(),
                       lengths=self.settings.spoken, go_on="Home", finish_after=SUMMARY_SECONDS)
        self._run(advice, lambda _: None)

    def _usual_pain(self) -> float | None:
        """The usual level before a new rating: the bad-day baseline (docs/progression.md)."""
        assert self.safety is not None
        earlier = [*self.earlier_checkins,
                   *(s.pain_before for s in self.sessions if s.pain_before is not None)]
        return usual_pain(earlier, self.safety.rules)

    def _after_pain_entry(self, pain: int) -> None:
        """A pain-log rating asks the emergency and urgent questions as a check-in does: when
        it is very high, or well above the usual level (docs/safety.md)."""
        if self.safety is None:
            return
        need = due(self.checks, self.today, self.safety.rules, pain=pain,
                   usual=self._usual_pain())
        if need:
            self._ask(need, pain, self._home_again)

    def _after_checkin(self, pain: int) -> bool:
        """The session's check-in hook: True holds the session for the safety steps."""
        safety = self.safety
        assert safety is not None
        need = due(self.checks, self.today, safety.rules, pain=pain, usual=self._usual_pain())
        if not need and pain < safety.gentle_from:
            return False
        self._ask(need, pain, lambda: self._gentle_or_go_on(pain))
        return True

    def _gentle_or_go_on(self, pain: int) -> None:
        session, safety = self.session, self.safety
        assert session is not None and safety is not None
        if pain < safety.gentle_from:
            self._session_effects(session.resume())
            return
        offer = Choice("gentle", "A gentle day", GENTLE_LINES, (phrases.GENTLE_OFFER,),
                       t0=self.now, rate_wpm=self._rate(), lengths=self.settings.spoken,
                       yes="Gentle", no="Rest today", timeout=safety.answer_seconds)

        def chosen(_: Step) -> None:
            if self.session is None:
                return
            if not offer.accepted:
                self._say(phrases.GENTLE_REST)
                self._session_effects(self.session.end_before_exercise(save=True))
                return
            plan = self.gentle(self.sessions, self.today, self.plan) if self.gentle else None
            if plan is not None and not plan.exercises:
                self._say(phrases.GENTLE_BREATHING_ONLY)
            self._session_effects(self.session.resume(plan or Plan(self.plan.date, ())))

        self._run(offer, chosen)

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
                    record = self.session.record()
                    self._summary = summary_view(record)
                    self._summary_since = self.now
                    if rhythm.counts(record) and record.ended_by != "pain":
                        self._say(rhythm.spoken(self.week()))
                    self._last_week(self.session.record())
                self.session = None
                self.plan = self.planner(self.records, self.today, None)
            if not isinstance(eff, Show):  # the kiosk shows its own view once, in _flush
                self._out.append(eff)

    def _last_pain(self) -> int | None:
        pain = last_pain(self.records)
        return self.earlier_pain if pain is None else pain

    @property
    def sessions(self) -> list[SessionRecord]:
        return sessions_of(self.records)

    def _recent(self) -> list[Record]:
        """What the history screens and summaries read (docs/progress.md): the closed months
        the store read for them, then every record since. The older records ``records`` keeps
        (safety answers, pain entries) are left out: no screen looks back that far, and in
        save order they come before those months."""
        earlier, since = self._earlier()
        if since is None:
            return self.records
        ids = {r.id for r in earlier}
        return [*earlier,
                *(r for r in self.records if r.id not in ids and progress_day(r) >= since)]

    @property
    def checks(self) -> list[SafetyCheck]:
        """The rounds of safety answers so far, oldest first."""
        return [r for r in self.records if isinstance(r, SafetyCheck)]

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
        self._say(phrases.SHUTTING_DOWN)
        self._out.append(PowerOff())

    # --- output -------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.captions.say(text, self.now)
        self._out.append(Say(text))

    def _hush(self) -> None:
        self.captions.hush(self.now)
        self._out.append(Hush())

    def _relay(self, effects: list[Effect]) -> None:
        """A sub-step's effects, out as they are; what it says is captioned too."""
        for eff in effects:
            if isinstance(eff, Say):
                self.captions.say(eff.text, self.now)
            elif isinstance(eff, Hush):
                self.captions.hush(self.now)
            self._out.append(eff)

    def _flush(self) -> list[Effect]:
        self._view = None  # whatever changed since, the view is built afresh here
        view = self.view
        if view is not self._last_view and view != self._last_view:
            self._out.append(Show(view))
            self._last_view = view
        out, self._out = self._out, []
        return out

    @property
    def view(self) -> View:
        """What the screen shows now: the screen's own view, the line being said, a hint after
        a press with no role, and the ring of a hold in progress. Built once per event."""
        if self._view is None:
            base = self._screen_view()
            shown = self.now < self._hint_until and self._hint_for == base.buttons
            hint = self._hint if shown else ()
            self._view = evolve(base, caption=self.captions.at(self.now), hint=hint,
                                hold=self._ring())
        return self._view

    def _ring(self) -> HoldRing | None:
        for button, since in self._held.items():
            if self._hold_means(button):
                return HoldRing(button, since, self.holds[button])
        return None

    def _screen_view(self) -> View:
        if self._step is not None:
            return self._step.view
        if self.session is not None:
            return self.session.view
        if self.ritual is not None:
            return self.ritual.view
        if self._offer is not None:
            return self._offer_view(self._offer)
        if self._psfs is not None:
            return self._psfs.view
        if self._browser is not None:
            return self._browser.view
        if self._menu is not None:
            return self._menu.view
        if self._summary is not None:
            return self._summary
        # The home view is asked for on every tick; build it only when something in it changed,
        # so an idle kiosk with years of history does not rescan it four times a second.
        key = (self.plan, len(self.records), self.today)
        if self._home_view is None or self._home_key != key:
            self._home_key = key
            self._home_view = replace(
                home_view(self.plan, self.sessions, self.today,
                          advice=self._blocked_advice()),
                week=self.week().marks(),
                week_label=week_label(self.week()),
            )
        return self._home_view

    def _blocked_advice(self) -> tuple[str, ...]:
        if self.safety is None:
            return ()
        block = blocked(self.checks, self.today, self.safety.cleared_on)
        return advice_lines(self.safety.wording, block.outcome) if block else ()

    def _offer_view(self, offer: _Offer) -> View:
        r = offer.ritual
        seconds = 0.0
        if self.rituals is not None:
            seconds = total_seconds(r, self.rituals.library.variation(r.builds_on)[1],
                                    self.settings.speech_rate_wpm)
        if offer.slot is not None:
            buttons = {Button.GREEN: "Start", Button.AMBER: "Later", Button.RED: "Skip"}
        else:  # asked for: the about pages are one press away, as holding AMBER was before
            buttons = {Button.GREEN: "Start", Button.AMBER: "About the kiosk",
                       Button.RED: "Not now"}
            if self.safety is None:
                buttons = {Button.GREEN: "Start", Button.AMBER: "Not now"}
        return View(
            screen="offer",
            title=r.name,
            lines=(f"A short ritual, {r.moment}.", f"About {round(seconds / 10) * 10} seconds."),
            buttons=buttons,
            awaiting="offer",
        )


# A few words on the home screen for what changed; the full reason is spoken (AMBER, and when
# the exercise starts), since five reasons would not fit a small panel.
CHANGE_MARK = {
    "advance": " (up a step)",
    "back": " (easier today)",
    "bad-day": " (easier today)",
    "reenter": " (welcome back)",
    "new": " (new)",
}


def home_view(
    plan: Plan,
    sessions: Sequence[SessionRecord],
    today: date,
    *,
    advice: tuple[str, ...] = (),
) -> View:
    """The home screen: today's plan, or, when a safety answer stops exercise, the advice."""
    amber = "Plan (hold: menu)"  # a ritual, progress, this week, about (docs/controls.md)
    if advice:
        return View(screen="home", title="No exercise now", lines=advice,
                    buttons={Button.GREEN: "Hear advice", Button.AMBER: amber,
                             Button.RED: "Pain log"},
                    awaiting="start")
    lines = [
        f"{p.variation.name}: {phrases.dose(p.variation, p.target, spoken=False)}"
        f"{CHANGE_MARK.get(p.change, '')}"
        + (f" ({p.first_side} first)" if p.first_side else "")
        for p in plan.exercises
    ]
    # A side that stayed behind is shown as well as said (docs/signature.md).
    lines += [f"{name}: {side} side behind" for name, side in plan.behind]
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
        buttons={Button.GREEN: "Start", Button.AMBER: amber, Button.RED: "Pain log"},
        awaiting="start",
    )


def week_label(week: rhythm.Week) -> str:
    return f"This week: {week.count} of {week.target}"


SUMMARY_SECONDS = 120.0
GENTLE_LINES = ("Pain is high today.", "GREEN: breathing and gentle movement",
                "AMBER: rest today")


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
