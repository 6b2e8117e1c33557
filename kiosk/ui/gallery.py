"""One View of every screen the kiosk shows, filled with the longest words it really says.

The captions and lines come from kiosk.core.words.phrases and the longest names and cues in
config/exercises.toml, so a wrapping test here is a test of what a person will actually read.
``kiosk screens`` draws every one of them (and the history screens) to PNG files, and
tests/ui/test_ink.py measures the smallest letters on each.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.core.data.events import Press
from kiosk.core.data.model import Button
from kiosk.core.data.view import HoldRing, Pacer, View
from kiosk.core.flows.painlog import BUTTONS as PAIN_LOG_BUTTONS
from kiosk.core.flows.session import PAIN_BUTTONS, RATE_BUTTONS
from kiosk.core.words import phrases

T0 = 100.0  # the kiosk clock when each pacer phase in the gallery begins
INHALE = Pacer("inhale", T0, 4.0)
EXHALE = Pacer("exhale", T0, 6.0)
# Side plank, a hold of two breaths (16 s): its second breath, an in-breath, 11 s still to go.
HOLD_IN = Pacer("inhale", T0, 3.0, hold_until=T0 + 11.0, hold_seconds=16.0)
ALL_BUTTONS = {Button.GREEN: "Go on", Button.AMBER: "Next", Button.RED: "Hold: end"}
LONG_NAME = "Sit-to-stand from a high seat"
LONG_CUE = "Hold the bridge; the pelvis stays level like a tray of water."


def _pain(screen: str, title: str, value: int) -> View:
    purpose = {"checkin": "checkin", "pain": "pain", "checkout": "checkout"}[screen]
    return View(
        screen=screen, title=title, lines=("0 = none, 10 = worst",), pain=value,
        buttons=dict(PAIN_BUTTONS), awaiting="pain",
        caption=phrases.pain_prompt(purpose, value),
    )


def _rep(pacer: Pacer | None, awaiting: str | None = None, caption: str = "") -> View:
    return View(
        screen="set", title="Bridge with march", lines=(LONG_CUE,),
        exercise="Bridge with march", set_label="Set 1 of 2, left", rep=3, target=8, clean=2,
        pacer=pacer, buttons=dict(RATE_BUTTONS), awaiting=awaiting,
        caption=caption or "Exhale as you lift one foot an inch while the hips stay level.",
    )


def _breathing(pacer: Pacer) -> View:
    return View(
        screen="breathing", title="Breathing",
        lines=("Lower ribs widen sideways", "Gentle low-belly tension out"),
        pacer=pacer, buttons={Button.AMBER: "Skip", Button.RED: "Stop"},
        caption=phrases.PRIMER_INTRO,
    )


PAIN_LOG = View(
    screen="painlog", title="Pain right now?", lines=("Pain log: 0 = none, 10 = worst",),
    pain=7, buttons=dict(PAIN_LOG_BUTTONS), awaiting="pain",
)
HOME = View(
    screen="home", title="Today's plan",
    lines=("Supported bridge: 6 clean reps", "Arm reach on all fours: 8 clean reps"),
    buttons={Button.GREEN: "Start"}, awaiting="start",
    caption="Good to see you. Press GREEN to start.",
)


def signature_views() -> dict[str, View]:
    """The screening: a probe (getting ready, rating it), and the signature grid with every
    state in it, the longest probe names from config/signature.toml, and what changed."""
    from datetime import date, datetime

    from kiosk.config import DEFAULT_CONFIG, load_config
    from kiosk.core.data.records import ProbeResult, ScreeningRecord
    from kiosk.core.flows.screening_view import RATE_BUTTONS, READY_BUTTONS, signature_view

    setup = load_config(DEFAULT_CONFIG).config.signature
    odd: dict[tuple[str, str | None], str] = {
        ("hip-rotation", "left"): "stiff", ("rib-expansion", "left"): "stiff",
        ("forward-bend", None): "stiff",  # every state on the first page
           ("standing-rotation", "right"): "painful", ("standing-rotation", "left"): "skipped"}
    results = tuple(ProbeResult(p.id, side, odd.get((p.id, side), "easy"))
                    for p in setup.probes for side in (("left", "right") if p.sides else (None,)))
    record = ScreeningRecord("g", date(2026, 11, 9), datetime(2026, 11, 9, 9), "due", results)
    hip = setup.probe("hip-rotation")
    assert hip is not None
    return {
        "probe_ready": View(
            screen="probe", title=hip.name("left"), lines=hip.lines("left")[0],
            set_label="5 of 11", buttons=dict(READY_BUTTONS), awaiting="ready",
            probe="hip-rotation", side="left", caption="Press GREEN when you are ready.",
        ),
        "probe_move": View(
            screen="probe-move", title="Left standing rotation",
            lines=tuple(step.say for step in setup.probes[2].lines("left")[1]),
            set_label="3 of 11", buttons={Button.RED: "Pain"}, probe="standing-rotation",
            side="left", pacer=EXHALE, caption="Breathe out as you turn your chest to the left.",
        ),
        "probe_rate": View(
            screen="probe", title="Left single-leg stance",
            lines=("How was that?", "Easy and smooth, stiff or limited, or painful?"),
            set_label="10 of 11", buttons=dict(RATE_BUTTONS), awaiting="probe",
            probe="single-leg-stance", side="left",
            caption="How was that? GREEN easy, AMBER stiff, RED painful.",
        ),
        "signature": signature_view(record, setup, buttons={Button.GREEN: "Next"}),
        "signature_more": signature_view(record, setup, page=1,
                                         buttons={Button.GREEN: "Next"}),
        "signature_last": signature_view(record, setup, page=2,
                                         buttons={Button.GREEN: "Next"}),
        "signature_changes": View(
            screen="signature", title="What changed",
            lines=("Left hip rotation: stiff on 12 October, easy today.",
                   "Right single-leg stance: easy on 12 October, stiff today."),
            buttons={Button.GREEN: "Go on"}, awaiting="continue",
        ),
    }


def views() -> dict[str, View]:
    """Every screen, by a short name used for its screenshot."""
    return {
        "home": View(
            screen="home", title="Today's plan",
            lines=(
                "Supported bridge — 6 clean reps",
                "Arm reach on all fours — 8 clean reps",
                f"{LONG_NAME} — 5 clean reps",
                "Moving up a step: your last two sessions were clean.",
            ),
            buttons={Button.GREEN: "Start", Button.AMBER: "Hear plan"}, awaiting="start",
            caption=(
                "Good to see you. Today's plan: Bridge, Bird-dog, Sit-to-stand. "
                "Press GREEN to start, AMBER to hear the plan."
            ),
        ),
        "home_week": View(
            screen="home", title="Done today. Well done.",
            lines=(
                "Last session: 14 clean reps",
                "Supported bridge: 7 clean reps (up a step)",
                "Arm reach on all fours: 8 clean reps",
                f"{LONG_NAME}: 5 clean reps",
            ),
            buttons={Button.GREEN: "Start", Button.AMBER: "Plan (hold: menu)"}, awaiting="start",
            caption="Four of five this week.",
            week=(("M", "done"), ("T", "rest"), ("W", "done"), ("T", "done"), ("F", "done"),
                  ("S", "ahead"), ("S", "ahead")),
            week_label="This week: 4 of 5",
        ),
        "home_week_start": View(
            screen="home", title="Today's plan",
            lines=("Supported bridge: 6 clean reps (new)", "Open book: 3 clean reps (new)"),
            buttons={Button.GREEN: "Start", Button.AMBER: "Plan (hold: menu)"}, awaiting="start",
            caption="Hold AMBER for a quick ritual.",
            week=(("M", "today"),) + (("T", "ahead"), ("W", "ahead"), ("T", "ahead"),
                                      ("F", "ahead"), ("S", "ahead"), ("S", "ahead")),
            week_label="This week: 0 of 5",
        ),
        "ritual_offer": View(
            screen="offer", title="Getting up from the floor",
            lines=("A short ritual, when you get up from the floor.", "About 50 seconds."),
            buttons={Button.GREEN: "Start", Button.AMBER: "Later", Button.RED: "Skip"},
            awaiting="offer", caption=phrases.ritual_offer("Getting up from the floor"),
        ),
        "ritual_step": View(
            screen="ritual", title="Grocery bag lift",
            lines=("Push your hips back and grip the bag",), set_label="Step 3 of 8",
            pacer=EXHALE, buttons={Button.AMBER: "Slipped: stop", Button.RED: "Pain / stop"},
            caption="Exhale as you push your hips back and grip the bag.",
        ),
        "ritual_rating": View(
            screen="ritual", title="Grocery bag lift", lines=("How was that?",),
            set_label="Step 8 of 8",
            buttons={Button.GREEN: "Clean", Button.AMBER: "Slipped", Button.RED: "Pain / stop"},
            awaiting="rating", caption=phrases.RITUAL_RATE,
        ),
        "checkin": _pain("checkin", "Pain check-in", 3),
        "breathing_inhale": _breathing(INHALE),
        "breathing_exhale": _breathing(EXHALE),
        "intro": View(
            screen="intro", title=LONG_NAME,
            lines=(
                "Feet under the knees, hinge at the hips.",
                "Nose over toes, then stand tall.",
                "Target 8 clean reps",
            ),
            exercise=LONG_NAME, target=8, clean=0,
            buttons={Button.GREEN: "Ready", Button.AMBER: "Skip", Button.RED: "Pain / stop"},
            awaiting="ready",
            caption="Get into position. Press GREEN when ready, AMBER to skip.",
        ),
        "rep": _rep(EXHALE),
        "rep_hold": View(
            screen="set", title="Knee side plank, longer hold",
            lines=("Keep breathing into the lower ribs.",),
            exercise="Knee side plank, longer hold", set_label="Set 1 of 2, left",
            rep=2, target=5, clean=1, pacer=HOLD_IN, buttons=dict(RATE_BUTTONS),
            caption="Keep holding. Breathe in.",
        ),
        "rep_alternating": View(
            screen="set", title="Arm reach on all fours",
            lines=("The back stays still, like a table.",),
            exercise="Arm reach on all fours", set_label="Set 1 of 2", rep=3, side="right",
            target=8, clean=5, pacer=EXHALE, buttons=dict(RATE_BUTTONS),
            caption="Right, three. Breathe out as you reach one arm forward.",
        ),
        "rep_rating": _rep(None, "rating", phrases.RATE_PROMPT),
        "rest": View(
            screen="rest", title="Rest and breathe", exercise="Supported bridge",
            set_label="Set 1 of 2", target=8, clean=5, pacer=INHALE,
            buttons={Button.GREEN: "Next set", Button.AMBER: "Next exercise", Button.RED: "Stop"},
            caption=phrases.rest(30),
        ),
        "paused": View(
            screen="paused", title="Paused",
            lines=("GREEN: go on", "AMBER: next exercise", "Hold RED: end"),
            buttons=dict(ALL_BUTTONS), awaiting="continue", caption=phrases.SET_PAUSED,
        ),
        "pain": _pain("pain", "Pain now", 6),
        "after_pain": View(
            screen="after_pain", title="Exercise stopped",
            lines=("We leave this one for today",),
            buttons={Button.GREEN: "Go on", Button.RED: "Hold: end"}, awaiting="continue",
            caption=phrases.PAIN_CONTINUE,
        ),
        "checkout": _pain("checkout", "Pain check-out", 10),
        "summary": View(
            screen="summary", title="Session complete",
            caption=phrases.summary(14, 3, 3, 2),
        ),
        "summary_pain_stop": View(
            screen="summary", title="Session complete", caption=phrases.PAIN_STOP,
        ),
        **safety_views(),
        **signature_views(),
        "painlog": replace(
            PAIN_LOG, caption=phrases.pain_log_prompt(7),
            hold=HoldRing(Button.RED, T0 - 1.0, 2.0),
        ),
        "no_role_breathing": replace(
            _breathing(INHALE),
            hint=phrases.no_role(Button.GREEN, {Button.AMBER: "Skip", Button.RED: "Stop"}),
        ),
        "no_role_home": replace(
            HOME, hint=phrases.no_role(Button.AMBER, {Button.GREEN: "Start"}),
        ),
        "hold_ring_pain": replace(
            _pain("checkin", "Pain check-in", 3), hold=HoldRing(Button.GREEN, T0 - 0.9, 1.5)
        ),
        "hold_ring_rep": replace(_rep(EXHALE), hold=HoldRing(Button.RED, T0 + 1.8, 2.0)),
        **other_views(),
        "notice": View(
            screen="notice", title="History restored from backup",
            lines=(
                "The history file was damaged, so yesterday's backup was put back.",
                "Nothing needs doing. Today's session is saved as usual.",
            ),
            buttons={Button.GREEN: "OK"},
            caption="History restored from backup. Press GREEN to go on.",
        ),
    }


SIZES = ((800, 480), (480, 320), (1920, 1080))


def other_views() -> dict[str, View]:
    """The menu, the activities questionnaire (PSFS) and its end, as their flows build them."""
    from datetime import datetime

    from kiosk.core.flows.history_screens import Menu
    from kiosk.core.flows.psfs import new_round

    menu = Menu()
    menu.index = len(menu.items) - 1
    psfs = new_round([], ("walking for more than ten minutes",), record_id="g",
                     at=datetime(2026, 11, 9, 9), t0=0.0)
    psfs.start()
    return {"menu": menu.view, "psfs": psfs.view}


def safety_views() -> dict[str, View]:
    """The safety screens as the kiosk's own flows build them, with the packaged wording
    (docs/safety.md): the welcome, the longest question, the emergency advice, the gentle offer."""
    from kiosk.config import packaged_wording
    from kiosk.core.coach.safety import GROUPS, Group, Reason
    from kiosk.core.flows.kiosk import GENTLE_LINES
    from kiosk.core.flows.questions import Choice, Pages, Questions
    from kiosk.core.flows.sitting import leg_question

    wording = packaged_wording()
    welcome = Pages("welcome", wording.about, t0=0.0, rate_wpm=150)
    welcome.start()
    buttons = Pages("welcome", wording.about, t0=0.0, rate_wpm=150)
    buttons.start()
    buttons.handle(Press(Button.GREEN, 1.0))
    question = Questions(wording, GROUPS, Reason.FIRST_RUN, t0=0.0, answer_seconds=60,
                         rate_wpm=150)
    question.start()
    longest = max(wording.questions, key=lambda q: len(q.text))
    while question.current != longest:
        question.handle(Press(Button.AMBER, 1.0))
    advice = Pages("advice", (("Emergency care now", (wording.advice[Group.EMERGENCY],)),),
                   t0=0.0, rate_wpm=150, go_on="Home")
    advice.start()
    gentle = Choice("gentle", "A gentle day", GENTLE_LINES, (phrases.GENTLE_OFFER,), t0=0.0,
                    rate_wpm=150, yes="Gentle", no="Rest today", timeout=60)
    gentle.start()
    legs = leg_question(False, t0=0.0, rate_wpm=150, lengths=None, wait=60)
    legs.start()
    both_legs = leg_question(True, t0=0.0, rate_wpm=150, lengths=None, wait=60)
    both_legs.start()
    background = Pages("advice", (("Check with your clinician",
                                   (wording.advice[Group.BACKGROUND],)),),
                       t0=0.0, rate_wpm=150, go_on="Home")
    background.start()
    return {
        "welcome": welcome.view,
        "welcome_buttons": buttons.view,
        "question": question.view,
        "advice_emergency": advice.view,
        "advice_background": background.view,
        "gentle_offer": gentle.view,
        "legs": legs.view,
        "both_legs": both_legs.view,
    }
