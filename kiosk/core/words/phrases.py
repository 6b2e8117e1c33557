"""Every line the kiosk speaks, in one place.

Keeping the words here lets the shell pre-render the likely lines before a session starts
(``kiosk.core.words.catalogue``) and keeps the tone of voice consistent: calm, short, no diagnosis.
"""

from __future__ import annotations

from kiosk.core.data.model import Breath, Button, Plan, PlannedExercise, Variation

NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def speech_seconds(text: str, rate_wpm: int) -> float:
    """How long a line takes to say, estimated from its words (espeak keeps close to its rate)."""
    return 0.4 + len(text.split()) * 60.0 / max(rate_wpm, 60)


def number(n: int) -> str:
    """A whole number in words, as the kiosk says every number: "thirty-six", never "36"."""
    if n < 0:
        return f"minus {number(-n)}"
    if n < 20:
        return NUMBERS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f"-{NUMBERS[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{NUMBERS[hundreds]} hundred" + (f" and {number(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    tail = "" if not rest else (f" and {number(rest)}" if rest < 100 else f" {number(rest)}")
    return f"{number(thousands)} thousand{tail}"


def plural(n: int, word: str) -> str:
    return f"{number(n)} {word}" + ("" if n == 1 else "s")


def kilos(kg: float) -> str:
    """A load in words: "four kilos", "two and a half kilos"."""
    whole, part = divmod(round(kg * 2), 2)
    if part:
        return f"{number(whole)} and a half kilos" if whole else "half a kilo"
    return "one kilo" if whole == 1 else f"{number(whole)} kilos"


def load_words(v: Variation) -> str:
    """What to hold, with its weight when the program names one: "a light weight, four
    kilos"."""
    return f"{v.load}, {kilos(v.load_kg)}" if v.load_kg else v.load


def load_record(v: Variation) -> str:
    """The load as the history keeps it once confirmed: "a light weight, 4 kg"."""
    return f"{v.load}, {v.load_kg:g} kg" if v.load_kg else v.load


def walk_question(minutes: int) -> str:
    return f"Did you walk {plural(minutes, 'minute')}? GREEN for yes, AMBER for not today."


def walked(minutes: int) -> str:
    return f"{plural(minutes, 'minute').capitalize()} walked. Well done."


def duration(days: int) -> str:
    """A span of days as a person says it: exact up to two weeks, then rounded down to weeks,
    months or years and said as "more than" when it is not exact ("three weeks", "more than
    two months", "more than four years"), never "one thousand four hundred and eighty-nine
    days"."""
    if days < 14:
        return plural(days, "day")
    for size, unit, up_to in ((7, "week", 60), (30, "month", 365), (365, "year", None)):
        if up_to is None or days < up_to:
            whole = days // size
            said = plural(whole, unit)
            return said if days % size == 0 else f"more than {said}"
    raise AssertionError("unreachable")  # the year branch has no bound


# --- home --------------------------------------------------------------------------------
def welcome(plan: Plan) -> str:
    # The same names as on the screen: each exercise is called by its variation everywhere.
    names = ", ".join(p.variation.name for p in plan.exercises)
    return f"Good to see you. Today's plan: {names}."


SCREEN_RESTART = ("It has been a long while since your last session. Check how you move before "
                  "today's session? GREEN yes, AMBER not today.")
SCREEN_DUE = ("It has been a few weeks since we checked how you move. Check again before "
              "today's session? GREEN yes, AMBER not today.")
WELCOME_KEYS = "Press GREEN to start, AMBER to hear the plan, RED to log your pain."


def dose(v: Variation, target: int, *, spoken: bool = True) -> str:
    """A target in its unit: "six clean reps", "three easy minutes" ("6 clean reps" on screen)."""
    unit = "easy minute" if v.unit == "minutes" else "clean rep"
    if spoken:
        return plural(target, unit)
    return f"{target} {unit}" + ("" if target == 1 else "s")


def plan_details(plan: Plan) -> list[str]:
    lines = [f"Today, {plural(len(plan.exercises), 'exercise')}."]
    for p in plan.exercises:
        lines.append(f"{p.variation.name}, {dose(p.variation, p.target)}.")
        if p.reason:
            lines.append(p.reason)
    lines += list(plan.notes)
    lines.append("Press GREEN to start.")
    return lines


# --- pain check-in and check-out -----------------------------------------------------------
def pain_prompt(purpose: str, value: int) -> str:
    asks = {
        "checkin": "First, how is your back? Pain right now, from zero to ten.",
        "checkout": "Well done. How is your back now? Pain from zero to ten.",
        "pain": "Stopped. How much does it hurt right now, from zero to ten?",
    }[purpose]
    return (
        f"{asks} It is set to {number(value)}. GREEN raises it, AMBER lowers it, "
        "hold GREEN to confirm."
    )


def pain_value(value: int) -> str:
    return number(value)


def pain_confirmed(value: int) -> str:
    return f"Pain {number(value)}. Thank you."


# --- the pain log, from the home screen ------------------------------------------------------
def pain_log_prompt(value: int) -> str:
    return (
        f"Pain log. Pain right now, from zero to ten? It is set to {number(value)}. "
        "GREEN raises it, AMBER lowers it, hold GREEN to save, hold RED to cancel."
    )


def pain_logged(value: int) -> str:
    return f"Pain {number(value)}. Saved in your pain log."


PAIN_LOG_REPROMPT = "Press GREEN or AMBER to set your pain, then hold GREEN to save it."
PAIN_LOG_CANCELLED = "Pain log cancelled. Nothing was saved."
PAIN_LOG_NO_ANSWER = "No answer, so nothing was saved in the pain log."
PAIN_LOG_CLINICIAN = (
    "That is higher than last time. If the pain stays high or keeps rising, "
    "please contact your clinician."
)

PAIN_REPROMPT = "Press GREEN or AMBER to set your pain, then hold GREEN to confirm."
CHECKIN_ABANDONED = "No answer, so we will not start now. Press GREEN when you are ready."
STOPPED_BEFORE_START = "Stopped. Nothing else today. Rest well."

# --- breathing primer -----------------------------------------------------------------------
PRIMER_INTRO = (
    "Let's breathe first. Hands on your lower ribs. Breathe in through your nose, "
    "and let the lower ribs widen sideways into your hands."
)
PRIMER_CUES = (
    "Breathe out slowly, and feel a gentle tension low in your belly.",
    "Breathe out, shoulders soft. Let the ribs settle gently back in.",
    "Exhale long and smooth. Gentle, not rigid.",
)
PRIMER_DONE = "Good. Keep this breathing with every rep."
PRIMER_SKIPPED = "Skipping the breathing. Keep the rib breathing with every rep."

# --- exercises -------------------------------------------------------------------------------
def intro(p: PlannedExercise, index: int, count: int) -> list[str]:
    v = p.variation
    lines = [f"Exercise {number(index)} of {number(count)}: {v.name}."]
    if p.reason:
        lines.append(p.reason)
    if p.away:
        # A walk longer than a session: done away from the kiosk, then confirmed.
        lines.append(f"This walk is {plural(p.target, 'minute')}, away from the kiosk: "
                     "outdoors, or around the house, at an easy pace.")
        lines.append(walk_question(p.target))
        return lines
    lines.append(v.cues[0])
    if v.unit == "minutes":
        lines.append(f"Target: {plural(p.target, 'easy minute')}. The breath sets the pace.")
    elif p.extra_reps and p.first_side and v.side == "alternate":
        side = p.first_side
        lines.append(f"Target: {plural(p.side_target(side), 'clean rep')}, {side} first, so "
                     f"your {side} side does one more. Stop at the first rep that slips.")
    elif p.extra_reps and p.first_side:
        more = p.side_target(p.first_side)
        lines.append(f"Target: {plural(p.target, 'clean rep')}, and {number(more)} on your "
                     f"{p.first_side} side. {p.first_side.capitalize()} side first. "
                     "Stop at the first rep that slips.")
    else:
        lines.append(f"Target: {plural(p.target, 'clean rep')}. Stop at the first rep that slips.")
    if v.load:
        lines.append(f"You need {load_words(v)}. Press GREEN when you have it, AMBER to skip.")
    else:
        lines.append("Get into position. Press GREEN when ready, AMBER to skip.")
    return lines


def set_start(set_no: int, sets: int, side: str | None) -> str:
    where = f" on the {side} side" if side else ""
    return f"Set {number(set_no)} of {number(sets)}{where}."


# --- the breath of a rep (kiosk/core/coach/breath.py lays these on the timeline) ------------------
def breathe(breath: Breath) -> str:
    return "Breathe in" if breath is Breath.IN else "Breathe out"


def breath_only(breath: Breath) -> str:
    """The shortest cue that still names the breath: a long cue's short form."""
    return f"{breathe(breath)}."


def lead_in(breath: Breath, side: str | None = None) -> str:
    """The first breath before a set's first movement, with the side first when the set begins
    at a press and no announcement named it."""
    cue = f"{breathe(breath)} to prepare."
    return f"{side_word(side)} {cue}" if side else cue


def and_breathe(breath: Breath) -> str:
    """The second breath of a whole-breath lead-in."""
    return f"And {breathe(breath).lower()}."


SET_CLOSE = "Breathe out, and rest."


def walk_minute(rep: int, of: int) -> str:
    """A walking minute's one cue: the time walked and the time left."""
    left = of - rep + 1
    if rep == 1:
        return (f"Start walking now. {plural(of, 'minute').capitalize()} to go."
                if of else "Start walking now.")
    done = f"{plural(rep - 1, 'minute').capitalize()} done."
    return f"{done} {plural(left, 'minute').capitalize()} to go." if of and left > 0 else done


def movement_cue(breath: Breath, what: str) -> str:
    """A movement on its breath: "Breathe out as you stand up tall."."""
    return f"{breathe(breath)} as you {what}."


def rep_opener(
    v: Variation, rep: int, n: int, side: str | None, breath: Breath, *, words: bool,
    what: str = "",
) -> str:
    """What starts a rep: its count (and side), then its breath, with the movement (or
    ``what``, for a rep that starts with its way back) when the rep is guided. Every opener
    names the breath, because it starts one."""
    if v.side == "alternate" and side:
        prefix = f"{side.capitalize()}, {number(n)}. "
    else:
        prefix = f"{number(n).capitalize()}. " if rep > 1 else ""
    if words:
        return f"{prefix}{movement_cue(breath, what or v.move)}"
    return f"{prefix}{breathe(breath)}."


def hold_cue(breath: Breath, *, first: bool) -> str:
    if first:
        return f"Hold, and {breathe(breath).lower()}."
    return f"Keep holding. {breathe(breath)}."


def return_cue(v: Variation, breath: Breath) -> str:
    return movement_cue(breath, v.back)


def side_word(side: str) -> str:
    return f"{side.capitalize()} side."


RATE_PROMPT = "Was that rep clean? GREEN clean, AMBER slipped."
RATE_MINUTE = "Was that minute easy, the breath in its count? GREEN yes, AMBER no."


def rate_prompt(v: Variation) -> str:
    return RATE_MINUTE if v.unit == "minutes" else RATE_PROMPT


READY_AGAIN = "Press GREEN when you are in position, AMBER to skip."


def stuck(button: Button) -> str:
    return f"The {button.word} button seems stuck. Please check it."

RATE_AGAIN = "Press GREEN if the rep was clean, AMBER if it slipped."
ARE_YOU_ALL_RIGHT = "Are you all right? Press any button."
CALL_FOR_HELP = "If you are hurt, call for help now."
SILENT_ANSWERED = "Thank you."
SILENT_RED_END = "Session ended and saved. If you are hurt, call for help now."
SILENCE_LINES = (ARE_YOU_ALL_RIGHT, CALL_FOR_HELP, SILENT_ANSWERED, SILENT_RED_END)
SET_PAUSED = "Set paused. Press GREEN to go on, AMBER for the next exercise, hold RED to end."


def set_fray(clean: int) -> str:
    if clean == 0:
        return "Technique slipped on the first rep. We stop here; that is today's signal."
    return f"{plural(clean, 'clean rep').capitalize()}. That is your perfect capacity today."


def fray_tip(v: Variation) -> str:
    """The one thing to fix, said when a rep slips; the set then ends."""
    return v.fray_tip or "Next time, slow down and keep the breath going."


def side_done(side: str) -> str:
    return f"That side is done. Now the {side} side."


def set_target(clean: int, v: Variation | None = None) -> str:
    done = dose(v, clean) if v is not None else plural(clean, "clean rep")
    return f"{done.capitalize()}. Target met. Well done."


def rest(seconds: int) -> str:
    return f"Rest and breathe for {number(seconds)} seconds. Press GREEN when ready for more."


SKIPPED = "Skipping this one."
NEXT_SOON = "Next exercise."

# --- pain and stop ---------------------------------------------------------------------------
PAIN_CONTINUE = "We leave this exercise for today. Press GREEN to go on, hold RED to end."
PAIN_STOP = (
    "Your pain has gone up. Let's stop here for today. Rest in a comfortable position. "
    "If the pain stays high or keeps rising, please contact your clinician."
)
PAIN_UNKNOWN = "No rating given. We leave this exercise for today."
BAD_DAY = (
    "Your pain is higher than usual today, so nothing steps up, "
    "and each exercise is one step easier."
)
ENDED_BY_HOLD = "Session ended. Everything so far is saved. Rest well."
CLOSED_SAVED = "The kiosk is closing. The session so far is saved."
CLOSED_NOTHING_SAVED = ("The kiosk is closing. Nothing in this session was rated yet, so the "
                        "session is not saved.")
SHUTTING_DOWN = "Shutting down. Everything is saved. Goodbye."


# --- a press with no role -----------------------------------------------------------------
def no_role(button: Button, buttons: dict[Button, str]) -> tuple[str, ...]:
    """Shown (not spoken) after a press that does nothing here: what each button does."""
    roles = tuple(f"{b.word}: {buttons[b]}" for b in Button if b in buttons)
    return (f"{button.word} does nothing here.", *(roles or ("No button does anything now.",)))


# --- the red-flag follow-up and silent answers (kiosk.core.flows.questions, docs/safety.md)
SEEN_INTRO = "Last time, one of your answers meant getting care before any exercise."
SEEN_QUESTION = (
    "Has a clinician seen you about it since? GREEN for yes, AMBER for no."
)
SILENCE_WARNING = "If I hear no answer, I will count it as yes, to be safe."
SILENCE_YES = "No answer, so I count that as yes, to be safe."
CLINICIAN = "Your pain is higher than when you started. If it persists, please contact a clinician."

# --- leg symptoms at check-in (kiosk.core.coach.legs, docs/safety.md) -------------------------
LEGS_QUESTION = (
    "Any pain, tingling, numbness or weakness below the knee today? "
    "GREEN for yes, AMBER for no."
)
BOTH_LEGS_QUESTION = "Is it in both legs? GREEN for yes, AMBER for no."
LEGS_ADVICE = (
    "That is new since last time. Please mention it to your clinician at your next visit."
)


# --- the gentle path on a high-pain day (kiosk.core.coach.gentle) ---------------------------------
GENTLE_OFFER = (
    "Your pain is high today. We can do breathing and gentle movement only, "
    "nothing loaded and nothing new. Press GREEN for gentle movement, AMBER to rest today."
)
GENTLE_BREATHING_ONLY = "Today, breathing only. That is plenty on a day like this."
# A new "yes" to the leg question (kiosk.core.coach.legs): the advice, then the gentle offer.
LEGS_GENTLE_OFFER = (
    "Today we keep to breathing and gentle movement, nothing loaded and nothing new. "
    "Press GREEN for gentle movement, AMBER to rest today."
)
GENTLE_REST = "Resting is a good choice today. Be kind to your back. See you tomorrow."

# --- summary ---------------------------------------------------------------------------------
def summary(clean_total: int, exercises_done: int, before: int | None, after: int | None) -> str:
    parts = [f"Today: {plural(exercises_done, 'exercise')}, {plural(clean_total, 'clean rep')}."]
    if before is not None and after is not None:
        parts.append(f"Pain {number(before)} before, {number(after)} after.")
    parts.append("Thank you. See you tomorrow.")
    return " ".join(parts)


# --- rituals (kiosk/core/coach/rituals.py) --------------------------------------------------------
def ritual_offer(name: str) -> str:
    return f"Time for a short ritual: {name}. Press GREEN to start, AMBER for later."


def ritual_quick(name: str) -> str:
    return f"A quick ritual for now: {name}. Press GREEN to start, AMBER for not now."


def ritual_opening(name: str, setup: str, cue: str | None) -> list[str]:
    """What is said before the first breath of a ritual."""
    return [f"{name}.", setup, *([cue] if cue else [])]


def ritual_snoozed(minutes: int) -> str:
    return f"Later, then. I will ask again in {plural(minutes, 'minute')}."


RITUAL_RATE = "How was that? GREEN clean, AMBER slipped."
RITUAL_RATE_AGAIN = "Press GREEN if it was clean, AMBER if it slipped."
RITUAL_CLEAN = "Clean. Take that into your day."
RITUAL_SLIPPED = "Thank you. Noticing is the skill; it will come."
RITUAL_UNRATED = "No rating, and that is fine. Saved."
RITUAL_STOPPED = (
    "Stopped. Rest in a comfortable position. If the pain stays or keeps rising, "
    "please contact your clinician."
)
RITUAL_SNOOZED_QUIET = (
    "Later, then. Quiet hours begin before then, so this one rests until tomorrow."
)
RITUAL_SKIPPED = "No answer, so we let this one go for now."
# What GREEN on the home screen does now, said when an offer lapses and at a first start's
# home screen (issue 30): the person left alone always hears the way on.
GREEN_FIRST_CHECK = "Next, we check how you move, then your first session. Press GREEN to begin."
GREEN_FIRST_SESSION = "Press GREEN to start your first session."
GREEN_SESSION = "Press GREEN to start today's session."
GREEN_ANOTHER = "Press GREEN if you want another session."
GREEN_ADVICE = "Press GREEN to hear the advice again."
SCREEN_LAPSED = "No answer, so no movement check today."
GENTLE_LAPSED = "No answer, so we rest today."
RITUAL_DECLINED = "All right, not this time."
RITUAL_NOT_NOW = "Not now. Press GREEN to start the session."
NO_RITUAL = "No ritual is open yet. They open as the exercises progress."
