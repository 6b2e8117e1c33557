"""The kiosk as a whole: the router of every flow, and the home screen. Pure, like the flows.

Every screen the kiosk runs is a flow (kiosk/core/flows/flow.py): the home screen at the bottom
of a stack, and above it whatever runs now (a session, a ritual and its offer, the questions,
the menu...). Each event goes to the flow on top; its effects go out through the one loop
(``Host.run``), and a flow that is done is popped and its continuation called. What the screen
shows is the top flow's view, with the line being said, the hint after a press with no role,
and the ring of a hold in progress. The ways from one flow to the next are in ``sitting``
(the questions, the movement check, the PSFS, the session) and ``offer`` (the rituals).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime

from kiosk.core.coach import rhythm
from kiosk.core.coach.program import Terms
from kiosk.core.coach.safety import Setup
from kiosk.core.coach.signature import SignatureSetup
from kiosk.core.data.events import (
    Chord,
    CopyToUsb,
    Effect,
    Event,
    Hold,
    Notice,
    PowerOff,
    Press,
    Release,
    Save,
    Stuck,
    Tick,
    Tone,
    WallClock,
)
from kiosk.core.data.model import Button, Plan, SessionSettings
from kiosk.core.data.records import Record, SessionRecord, programs_of
from kiosk.core.data.view import HoldRing, View, evolve
from kiosk.core.flows import offer, program, sitting
from kiosk.core.flows.history_screens import (
    ABOUT,
    MENU,
    QUICK_RITUAL,
    USB,
    Browser,
    Menu,
    ProgressSettings,
)
from kiosk.core.flows.host import Earlier, GentlePlanner, Host, Levels, Planner, RitualSetup
from kiosk.core.flows.program import ProgramSetup
from kiosk.core.flows.screening import lines as screening_lines
from kiosk.core.flows.sitting import GENTLE_LINES
from kiosk.core.flows.summary import SUMMARY_SECONDS, summary_view
from kiosk.core.reports import usb
from kiosk.core.reports.weekly import weekly_summary
from kiosk.core.words import phrases

__all__ = ["GENTLE_LINES", "SUMMARY_SECONDS", "Earlier", "GentlePlanner", "Kiosk", "Levels",
           "Planner", "RitualSetup", "home_view", "summary_view", "week_label"]

CHECK_MOVEMENT = "Check how you move"  # the menu's screening on demand (docs/signature.md)
HINT_SECONDS = 4.0  # how long the answer to a press with no role stays on screen
DEFAULT_HOLDS = {Button.GREEN: 1.5, Button.AMBER: 1.5, Button.RED: 2.0}


class Kiosk(Host):
    def __init__(
        self,
        planner: Planner,
        settings: SessionSettings,
        *,
        records: Sequence[Record],
        t0: float,
        wall0: datetime,
        shutdown_enabled: bool = False,
        holds: dict[Button, float] | None = None,
        nonce: str = "",
        rituals: RitualSetup | None = None,
        earlier_pain: int | None = None,
        earlier_checkins: Sequence[int] = (),
        earlier_days: Iterable[date] = (),
        earlier: Callable[[], Earlier] | None = None,
        safety: Setup | None = None,
        gentle: GentlePlanner | None = None,
        signature: SignatureSetup | None = None,
        screen_at_boot: bool = False,
        progress: ProgressSettings | None = None,
        sessions_before: bool = False,
        terms: Callable[[Sequence[Record]], Terms] | None = None,
        programs: ProgramSetup | None = None,
    ) -> None:
        super().__init__(
            planner, settings, records=records, t0=t0, wall0=wall0, nonce=nonce,
            rituals=rituals, earlier_pain=earlier_pain, earlier_checkins=earlier_checkins,
            earlier_days=earlier_days, earlier=earlier, safety=safety, gentle=gentle,
            signature=signature, screen_at_boot=screen_at_boot, progress=progress,
            sessions_before=sessions_before,
            terms=terms)
        self.programs = programs  # the menu's "Load program from USB" (kiosk/core/flows/program.py)
        self.shutdown_enabled = shutdown_enabled
        self.holds = dict(holds or DEFAULT_HOLDS)  # the tracker's hold times, for the ring
        self.last_jump = 0.0  # seconds the wall clock last jumped by (for the shell's log)
        self._held: dict[Button, float] = {}  # buttons down where holding them does something
        self._hint: tuple[str, ...] = ()
        self._hint_for: dict[Button, str] = {}  # the buttons the hint describes
        self._hint_until = 0.0
        self._view: View | None = None  # as of the last event; see Session._view
        self._key: tuple[int, str] | None = None  # the screen as of the last event
        self.opened = offer.Opened()  # the rituals open today, for the home screen and menu
        self.push(Home(self), hush=False)

    # --- events -------------------------------------------------------------------------------
    def boot(self) -> list[Effect]:
        if self.safety is not None and not self.checks:
            sitting.first_run(self, self.safety)
        elif self.screen_at_boot and self.signature is not None:
            self.check_movement()
        else:
            self.say(phrases.welcome(self.plan))
            self.say(phrases.WELCOME_KEYS)
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
            self.say(event.text)
        elif isinstance(event, Press) and event.button not in self._screen_view().buttons:
            self._no_role(event.button)
        else:
            self.run(self.top.handle(event))
        if held:  # after what the hold did (which may hush), so the tone is heard
            self.out.append(Tone("held"))
        return self._flush()

    def close(self) -> list[Effect]:
        """The kiosk is closing (Esc, SIGTERM, the demo's presses ran out): keep every rated
        rep of a session in progress as a checkpoint, or say that there was nothing to keep."""
        session = self.session
        if session is None:
            return self._flush()
        effects = session.interrupt()
        saved = any(isinstance(e, Save) for e in effects)
        self.run(effects, settle=False)
        self.say(phrases.CLOSED_SAVED if saved else phrases.CLOSED_NOTHING_SAVED)
        self.drop(session)
        return self._flush()

    def check_movement(self) -> None:
        sitting.check_movement(self)

    def _before_session(self) -> None:
        sitting.before_session(self)

    # --- presses with no role, and holds ---------------------------------------------------
    def _no_role(self, button: Button) -> None:
        """A press that does nothing here is still answered: a low tone, and for a few seconds
        what each button does on this screen. Nothing is cut off and nothing moves on."""
        buttons = self._screen_view().buttons
        self.out.append(Tone("nope"))
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
        """Whether holding ``button`` does something on the screen shown now: what the flow
        says it holds for, or GREEN at a pain rating (confirm)."""
        if button in self.top.holds:
            return True
        return button is Button.GREEN and self._screen_view().awaiting == "pain"

    def _shutdown(self, event: Chord) -> None:
        if not self.shutdown_enabled:
            return
        session = self.session
        if session is not None:
            self.run(session.handle(Tick(event.t)))
        self.hush()
        self.say(phrases.SHUTTING_DOWN)
        self.out.append(PowerOff())

    # --- the menu (hold AMBER on the home screen; docs/controls.md) -------------------------
    def menu_items(self) -> list[str]:
        # A ritual is exercise too: none while a safety answer stops exercise (About stays).
        open_ = self.rituals and self.rituals.book.rituals and not self.blocked_advice()
        ritual = [QUICK_RITUAL] if open_ else []
        # Checking how you move is movement too: not offered while exercise waits.
        check = [CHECK_MOVEMENT] if self.signature and not self.blocked_advice() else []
        programs = []
        if self.programs is not None:  # the clinician's program (issue 28)
            programs = [program.LOAD] + (
                [program.PREVIOUS] if programs_of(self.records) else [])
        return [*ritual, *MENU, *check, USB, *programs, *([ABOUT] if self.safety else [])]

    def menu_chosen(self, menu: Menu) -> None:
        chosen = menu.chosen
        if chosen == "Your progress":
            aim = self.terms.sessions_per_week  # the program's, when it sets one
            shown = replace(self.progress, target=aim) if aim else self.progress
            self.push(Browser(self.recent(), self.today, shown), hush=False)
        elif chosen == "This week":
            self.say(weekly_summary(self.recent(), self.today, self.progress.ladders,
                                    waiting=[name for name, _ in self.plan.waiting]))
        elif chosen == ABOUT and self.safety is not None:
            sitting.about(self, self.safety)
        elif chosen == QUICK_RITUAL:
            offer.quick(self, self.opened)
        elif chosen == USB:
            self.say(usb.STARTING)  # the outcome comes back as a Notice when the copy ends
            self.out.append(CopyToUsb())
        elif chosen == CHECK_MOVEMENT:
            self.check_movement()
        elif chosen in (program.LOAD, program.PREVIOUS) and self.programs is not None:
            at = self.wall()
            flow = program.LoadProgram(self.programs, self.settings, self.records, t0=self.now,
                                       at=at, record_id=self.new_id("program", at),
                                       previous=chosen == program.PREVIOUS)
            self.push(flow, self._program_chosen)

    def _program_chosen(self, flow: program.LoadProgram) -> None:
        """A program kept: the plan is made again under it at once."""
        if flow.result is not None:
            self.plan = self.planner(self.records, self.today, None)

    # --- output -------------------------------------------------------------------------------
    def _flush(self) -> list[Effect]:
        self._view = None  # whatever changed since, the view is built afresh here
        self._key = self.screen_key()
        self.captions.claim(self._key)  # what this event said, it said for this screen
        return self.outbox.flush(self.view)

    @property
    def view(self) -> View:
        """What the screen shows now: the screen's own view, the line being said, a hint after
        a press with no role, and the ring of a hold in progress. Built once per event."""
        if self._view is None:
            base = self._screen_view()
            shown = self.now < self._hint_until and self._hint_for == base.buttons
            hint = self._hint if shown else ()
            # Only a line said for this screen: never one from the screen before (issue 30).
            self._view = evolve(base, caption=self.captions.at(self.now, self._key),
                                hint=hint, hold=self._ring())
        return self._view

    def _ring(self) -> HoldRing | None:
        for button, since in self._held.items():
            if self._hold_means(button):
                return HoldRing(button, since, self.holds[button])
        return None

    def _screen_view(self) -> View:
        return self.top.view

    def safety_lines(self) -> list[str]:
        """Every line the safety steps (and the movement check) may say, to render ahead like
        the session's."""
        check = screening_lines(self.signature) if self.signature is not None else []
        if self.safety is None:
            return check
        w = self.safety.wording
        return [*check, *w.welcome, *w.buttons, w.intro, *(q.text for q in w.questions),
                w.all_clear, w.cleared, *w.advice.values(), phrases.SEEN_INTRO,
                phrases.SEEN_QUESTION, phrases.SILENCE_WARNING, phrases.SILENCE_YES,
                phrases.GENTLE_OFFER, phrases.GENTLE_REST, phrases.GENTLE_BREATHING_ONLY,
                phrases.GENTLE_LAPSED, phrases.SCREEN_LAPSED, phrases.GREEN_FIRST_CHECK,
                phrases.GREEN_FIRST_SESSION, phrases.GREEN_SESSION, phrases.GREEN_ANOTHER,
                phrases.GREEN_ADVICE,
                phrases.LEGS_QUESTION, phrases.BOTH_LEGS_QUESTION, phrases.LEGS_ADVICE,
                phrases.LEGS_GENTLE_OFFER]


class Home:
    """The home screen, the bottom of the kiosk's stack, never done: GREEN starts the day's
    session (its questions first), AMBER says the plan, held the menu, RED the pain log. Idle,
    it makes the plan again on a new day and offers a ritual that fell due."""

    holds = frozenset({Button.AMBER})  # held: the menu
    done = False
    result = None

    def __init__(self, k: Kiosk) -> None:
        self.k = k
        self._key: tuple[Plan, int, date] | None = None
        self._view: View | None = None

    def start(self) -> list[Effect]:
        return []

    def handle(self, event: Event) -> list[Effect]:
        k = self.k
        if isinstance(event, Press) and event.button is Button.GREEN:
            sitting.before_session(k)
        elif isinstance(event, Hold) and event.button is Button.AMBER:
            # One hold for every extra: the menu lists them (docs/controls.md).
            k.push(Menu(k.menu_items()), k.menu_chosen, hush=False)
        elif isinstance(event, Press) and event.button is Button.AMBER:
            k.hush()
            for line in phrases.plan_details(k.plan):
                k.say(line)
        elif isinstance(event, Press) and event.button is Button.RED:
            sitting.pain_log(k)
        elif isinstance(event, Stuck):
            k.say(phrases.stuck(event.button))
        elif isinstance(event, Tick) and k.plan.date != k.today.isoformat():
            k.plan = k.planner(k.records, k.today, None)  # a new day
        elif isinstance(event, Tick) and k.scheduler.pending and k.first_session_done:
            offer.scheduled(k, k.opened)  # none before the first session: it comes first
        return []

    @property
    def view(self) -> View:
        # Asked for on every tick: built only when something in it changed, so an idle kiosk
        # with years of history does not rescan it four times a second.
        k = self.k
        key = (k.plan, len(k.records), k.today)
        if self._view is None or self._key != key:
            self._key = key
            week = k.week()
            self._view = replace(
                home_view(k.plan, k.sessions, k.today, advice=k.blocked_advice()),
                week=week.marks(), week_label=week_label(week))
        return self._view


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
