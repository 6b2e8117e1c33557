"""Every line the kiosk speaks, in one place.

Keeping the words here lets the shell pre-render the likely lines before a session starts
(see ``catalogue``) and keeps the tone of voice consistent: calm, short, no diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.core.model import Plan, PlannedExercise, Variation

NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()


def number(n: int) -> str:
    return NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)


def plural(n: int, word: str) -> str:
    return f"{number(n)} {word}" + ("" if n == 1 else "s")


# --- home ---------------------------------------------------------------------------------
def welcome(plan: Plan) -> str:
    names = ", ".join(p.family.name for p in plan.exercises)
    return f"Good to see you. Today's plan: {names}. Press GREEN to start, AMBER to hear the plan."


def plan_details(plan: Plan) -> list[str]:
    lines = [f"Today, {plural(len(plan.exercises), 'exercise')}."]
    for p in plan.exercises:
        lines.append(f"{p.variation.name}, {plural(p.target, 'clean rep')}.")
        if p.reason:
            lines.append(p.reason)
    lines.append("Press GREEN to start.")
    return lines


# --- pain check-in and check-out ------------------------------------------------------------
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


PAIN_REPROMPT = "Press GREEN or AMBER to set your pain, then hold GREEN to confirm."
CHECKIN_ABANDONED = "No answer, so we will not start now. Press GREEN when you are ready."
STOPPED_BEFORE_START = "Stopped. Nothing else today. Rest well."

# --- breathing primer ------------------------------------------------------------------------
PRIMER_INTRO = (
    "Let's breathe first. Hands on your lower ribs. Breathe in through your nose, "
    "and let the lower ribs widen sideways into your hands."
)
PRIMER_CUES = (
    "Breathe out slowly, and feel a gentle tension low in your belly.",
    "Keep your shoulders soft. The ribs move sideways, not up.",
    "Exhale long and smooth. Gentle, not rigid.",
)
PRIMER_DONE = "Good. Keep this breathing with every rep."
PRIMER_SKIPPED = "Skipping the breathing. Keep the rib breathing with every rep."

# --- exercises --------------------------------------------------------------------------------
def intro(p: PlannedExercise, index: int, count: int) -> list[str]:
    v = p.variation
    lines = [f"Exercise {number(index)} of {number(count)}: {v.name}."]
    if p.reason:
        lines.append(p.reason)
    lines.append(v.cues[0])
    lines.append(f"Target: {plural(p.target, 'clean rep')}. Stop at the first rep that slips.")
    lines.append("Get into position. Press GREEN when ready, AMBER to skip.")
    return lines


def set_start(set_no: int, sets: int, side: str | None) -> str:
    where = f" on the {side} side" if side else ""
    return f"Set {number(set_no)} of {number(sets)}{where}."


def rep_cue(v: Variation, role: str) -> str:
    """The words for one breath of a rep. The effort phase names the breath and the movement."""
    if role == "prepare":
        return "Breathe in to prepare." if v.effort == "exhale" else "Breathe out to prepare."
    if role == "effort":
        if v.effort == "exhale":
            return f"Exhale as you {v.move}."
        return f"Breathe in as you {v.move}."
    if role == "hold":
        return "Hold, and keep breathing."
    return f"{v.back.capitalize()}."


def side_word(side: str) -> str:
    return f"{side.capitalize()} side."


RATE_PROMPT = "Was that rep clean? GREEN clean, AMBER slipped."
RATE_AGAIN = "Press GREEN if the rep was clean, AMBER if it slipped."
SET_PAUSED = "Set paused. Press GREEN to go on, AMBER for the next exercise, hold RED to end."


def rep_count(n: int) -> str:
    return number(n)


def set_fray(clean: int) -> str:
    if clean == 0:
        return "Technique slipped on the first rep. We stop here; that is today's signal."
    return f"{plural(clean, 'clean rep').capitalize()}. That is your perfect capacity today."


def set_target(clean: int) -> str:
    return f"{plural(clean, 'clean rep').capitalize()}. Target met. Well done."


def rest(seconds: int) -> str:
    return f"Rest and breathe for {number(seconds)} seconds. Press GREEN when ready for more."


SKIPPED = "Skipping this one."
NEXT_SOON = "Next exercise."

# --- pain and stop ----------------------------------------------------------------------------
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
CLINICIAN = "Your pain is higher than when you started. If it persists, please contact a clinician."


# --- the gentle path on a high-pain day (kiosk.core.gentle) ------------------------------------
GENTLE_OFFER = (
    "Your pain is high today. We can do breathing and gentle movement only, "
    "nothing loaded and nothing new. Press GREEN for gentle movement, AMBER to rest today."
)
GENTLE_BREATHING_ONLY = "Today, breathing only. That is plenty on a day like this."
GENTLE_REST = "Resting is a good choice today. Be kind to your back. See you tomorrow."

# --- summary ----------------------------------------------------------------------------------
def summary(clean_total: int, exercises_done: int, before: int | None, after: int | None) -> str:
    parts = [f"Today: {plural(exercises_done, 'exercise')}, {plural(clean_total, 'clean rep')}."]
    if before is not None and after is not None:
        parts.append(f"Pain {number(before)} before, {number(after)} after.")
    parts.append("Thank you. See you tomorrow.")
    return " ".join(parts)


# --- catalogue for pre-rendering --------------------------------------------------------------
def catalogue(plan: Plan, max_reps: int = 20) -> list[str]:
    """Lines a session of this plan is likely to speak, to render before it starts."""
    lines: list[str] = [welcome(plan), *plan_details(plan), PRIMER_INTRO, *PRIMER_CUES]
    lines += [PRIMER_DONE, RATE_PROMPT, RATE_AGAIN, SET_PAUSED, PAIN_CONTINUE, PAIN_STOP]
    lines += [BAD_DAY, ENDED_BY_HOLD, SKIPPED, PAIN_REPROMPT, CLINICIAN, PRIMER_SKIPPED]
    lines += [GENTLE_OFFER, GENTLE_BREATHING_ONLY, GENTLE_REST]
    lines += [number(n) for n in range(0, max(11, max_reps + 1))]
    for purpose in ("checkin", "checkout", "pain"):
        lines += [pain_prompt(purpose, v) for v in range(11)]
    lines += [pain_confirmed(v) for v in range(11)]
    lines += [set_fray(n) for n in range(max_reps + 1)]
    lines += [set_target(n) for n in range(1, max_reps + 1)]
    count = len(plan.exercises)
    for i, p in enumerate(plan.exercises, start=1):
        lines += intro(p, i, count)
        lines += [rep_cue(p.variation, r) for r in ("prepare", "effort", "hold", "back")]
        lines += list(p.variation.cues)
    return list(dict.fromkeys(_nonempty(lines)))


def _nonempty(lines: Iterable[str]) -> Iterable[str]:
    return (line for line in lines if line)


# --- rituals (kiosk/core/rituals.py) ------------------------------------------------------------
def ritual_offer(name: str) -> str:
    return f"Time for a short ritual: {name}. Press GREEN to start, AMBER for later."


def ritual_quick(name: str) -> str:
    return f"A quick ritual for now: {name}. Press GREEN to start, AMBER for not now."


def ritual_opening(name: str, setup: str, cue: str | None) -> list[str]:
    """What is said before the first breath of a ritual."""
    return [f"{name}.", setup, *([cue] if cue else [])]


def ritual_step(effort: str, step: str) -> str:
    """A ritual's step, on the breath that carries it (the rung's effort phase)."""
    return f"Exhale as you {step}." if effort == "exhale" else f"Breathe in as you {step}."


def ritual_prepare(effort: str) -> str:
    return "Breathe in to prepare." if effort == "exhale" else "Breathe out to prepare."


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
RITUAL_DECLINED = "All right, not this time."
RITUAL_NOT_NOW = "Not now. Press GREEN to start the session."
NO_RITUAL = "No ritual is open yet. They open as the exercises progress."
