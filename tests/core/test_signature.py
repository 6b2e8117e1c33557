"""The movement signature's rules as tables (kiosk/core/coach/signature.py, config/signature.toml).

Each row is a signature a person could give, and what a user would notice in the plan: which
families, in what order, which side first, the target on each side, what waits, and the
reason that is said. Pure and fast: no files but the packaged config, read once.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.config import DEFAULT_CONFIG, DEFAULT_SIGNATURE, load_config, load_signature
from kiosk.core.coach.progression import plan_for_day
from kiosk.core.coach.signature import (
    asymmetries,
    changes,
    due,
    latest,
    sides_behind,
    tuning,
)
from kiosk.core.data.records import (
    ExerciseRecord,
    ProbeResult,
    ScreeningRecord,
    SessionRecord,
    SetRecord,
)

CFG = load_config(DEFAULT_CONFIG).config
SETUP = CFG.signature
DAY = date(2026, 10, 12)


def signature(day: date = DAY, /, **rated: str) -> ScreeningRecord:
    """Every probe easy, except ``rated``: "hip_rotation_left": "stiff", "forward_bend": ..."""
    results = []
    for p in SETUP.probes:
        for side in (("left", "right") if p.sides else (None,)):
            key = p.id.replace("-", "_") + (f"_{side}" if side else "")
            results.append(ProbeResult(p.id, side, rated.get(key, "easy"),
                                       5 if rated.get(key) == "painful" else None))
    return ScreeningRecord(f"s{day}", day, datetime.combine(day, datetime.min.time()),
                           "first-run", tuple(results))


def plan(sig: ScreeningRecord | None, sessions: list[SessionRecord] | None = None,
         day: date = DAY):
    return plan_for_day(CFG.library, sessions or [], day, CFG.progression, CFG.session,
                        tuning=tuning(sig, SETUP))


def test_the_packaged_signature_file_loads_strictly_with_no_problems(tmp_path: Path) -> None:
    mine = tmp_path / "signature.toml"  # not the packaged path: every rule is checked
    shutil.copy(DEFAULT_SIGNATURE, mine)
    problems: list = []
    setup = load_signature(mine, CFG.library, problems)
    assert problems == [] and setup == SETUP
    labels = {p.id for p in setup.probes}
    assert {"sit-to-stand", "forward-bend", "standing-rotation", "hip-rotation",
            "single-leg-stance", "rib-expansion", "pelvic-tilt"} <= labels
    assert 5 <= setup.minutes() <= 8  # about five to eight minutes, as offered


@pytest.mark.parametrize("text, key", [
    ('[[rule]]\nprobe = "hip-rotation"\nwhen = "sore"\nfamily = "hip-90-90"\nreason = "x"',
     "rule[0].when"),
    ('[[rule]]\nprobe = "nope"\nwhen = "stiff"\nfamily = "hip-90-90"\nreason = "x"',
     "rule[0].probe"),
    ('[[rule]]\nprobe = "hip-rotation"\nwhen = "stiff"\nfamily = "yoga"\nreason = "x"',
     "rule[0].family"),
    ('[[rule]]\nprobe = "hip-rotation"\nwhen = "stiff"\nfamily = "bridge"\nreason = "x"\n'
     'hold = true', "rule[0].hold"),
    ('[[rule]]\nprobe = "hip-rotation"\nwhen = "uneven"\nfamily = "bridge"\nreason = "x"\n'
     'start = "bird-dog-arm"', "rule[0].start"),
    ('[screening]\nevery_days = -3', "screening.every_days"),
    # A list where an id belongs once stopped the loader with a TypeError (unhashable list).
    ('[[rule]]\nprobe = "hip-rotation"\nwhen = "stiff"\nfamily = ["bridge"]\nreason = "x"',
     "rule[0].family"),
    ('[[rule]]\nprobe = "hip-rotation"\nwhen = "stiff"\nfamily = "bridge"\nreason = "x"\n'
     'start = ["bridge-full"]', "rule[0].start"),
])
def test_a_bad_rule_is_one_line_naming_its_key_and_is_left_out(
    tmp_path: Path, text: str, key: str
) -> None:
    probe = ('[[probe]]\nid = "hip-rotation"\nlabel = "hip rotation"\nsides = true\n'
             'setup = ["Sit."]\nsteps = [{ say = "Turn.", seconds = 5 }]\n')
    mine = tmp_path / "signature.toml"
    mine.write_text(probe + text + "\n")
    problems: list = []
    setup = load_signature(mine, CFG.library, problems)
    assert [p.key for p in problems] == [key]
    assert "\n" not in str(problems[0]) and str(mine) in str(problems[0])
    assert setup.rules == () and len(setup.probes) == 1


def test_an_all_easy_signature_changes_nothing_in_the_plan() -> None:
    assert plan(signature()) == plan(None)
    assert not tuning(signature(), SETUP)


def test_a_stiff_left_hip_brings_the_hip_switch_in_left_first_with_one_more_rep() -> None:
    base = plan(None)
    tuned = plan(signature(hip_rotation_left="stiff"))
    assert "hip-90-90" not in [p.family.id for p in base.exercises]
    [hip] = [p for p in tuned.exercises if p.family.id == "hip-90-90"]
    assert hip.first_side == "left" and hip.extra_reps == 1
    assert hip.reason.endswith("We start with your left hip, because it turned less than "
                               "the right.")
    # Alternating reps: the left goes first, and an even target gets one more rep, on the left.
    assert hip.target % 2 == 0 and hip.side_target(None) == hip.target + 1


def test_a_stiff_right_hip_starts_on_the_right() -> None:
    tuned = plan(signature(hip_rotation_right="stiff"))
    [hip] = [p for p in tuned.exercises if p.family.id == "hip-90-90"]
    assert hip.first_side == "right" and "your right hip" in hip.reason
    assert "less than the left" in hip.reason


def test_uneven_ribs_start_side_lying_rib_breathing_on_the_stiffer_side() -> None:
    tuned = plan(signature(rib_expansion_right="stiff"))
    [ribs] = [p for p in tuned.exercises if p.family.id == "rib-breathing"]
    assert ribs.variation.id == "rib-breathing-side" and ribs.first_side == "right"
    # A set on each side: the stiffer side aims for the extra rep.
    assert ribs.side_target("right") == ribs.target + 1 and ribs.side_target("left") == ribs.target


def test_painful_bending_holds_the_bending_drills_and_nothing_else() -> None:
    """The hold follows the movement direction each rung loads (exercises.toml): forward
    bending that hurts holds the families that load flexion, and walking, the bridge or the
    bird-dog carry on."""
    held = tuning(signature(forward_bend="painful"), SETUP).held
    flexion = {f.id for f in CFG.library.families
               if any("flexion" in v.directions for v in f.ladder)}
    assert set(held) == flexion
    assert {"cat-camel", "pelvic-tilt", "curl-up", "hip-hinge"} <= flexion
    assert not {"walking", "bridge", "bird-dog", "dead-bug"} & flexion
    tuned = plan(signature(forward_bend="painful"))
    assert not flexion & {p.family.id for p in tuned.exercises}
    [note] = [n for n in tuned.notes if n.startswith("Waiting for now")]
    assert "Hip hinge" in note and "bending forward hurt" in note


def test_painful_turning_holds_the_turning_drills() -> None:
    held = tuning(signature(standing_rotation_left="painful"), SETUP).held
    assert set(held) == {f.id for f in CFG.library.families
                         if any("rotation" in v.directions for v in f.ladder)} == {"open-book"}


def test_every_packaged_rung_names_the_directions_it_loads() -> None:
    """Each variation in config/exercises.toml says what it loads, [] for a neutral spine:
    a rung with no key would be neutral by omission, which nobody decided."""
    import tomllib

    raw = tomllib.loads(DEFAULT_CONFIG.parent.joinpath("exercises.toml").read_text())
    missing = [v["id"] for f in raw["family"] for v in f["variation"] if "directions" not in v]
    assert missing == []


def test_a_painful_hip_holds_the_hip_switch_back_and_never_puts_it_first() -> None:
    t = tuning(signature(hip_rotation_left="painful"), SETUP)
    assert "hip-90-90" in t.held and "hip-90-90" not in t.early
    # Painful left, right not done (RED ends the probe): no asymmetry is claimed from it.
    sig = signature(hip_rotation_left="painful", hip_rotation_right="skipped")
    assert [a.probe for a in asymmetries(sig)] == []
    assert "hip-90-90" in tuning(sig, SETUP).held


@pytest.mark.parametrize("rated, probe, stiffer", [
    ({"hip_rotation_left": "stiff"}, "hip-rotation", "left"),
    ({"rib_expansion_right": "painful"}, "rib-expansion", "right"),
    ({"standing_rotation_left": "stiff", "standing_rotation_right": "painful"},
     "standing-rotation", "right"),
    ({"single_leg_stance_left": "stiff", "single_leg_stance_right": "stiff"}, None, None),
])
def test_asymmetries_name_the_stiffer_side(rated: dict[str, str], probe: str | None,
                                           stiffer: str | None) -> None:
    found = asymmetries(signature(**rated))
    assert [(a.probe, a.stiffer) for a in found] == ([(probe, stiffer)] if probe else [])


def test_changes_are_said_with_the_date_of_the_screening_before() -> None:
    before = signature(DAY, hip_rotation_left="stiff")
    now = signature(DAY + timedelta(days=28), pelvic_tilt="stiff")
    assert changes(before, now, SETUP) == [
        "Left hip rotation: stiff on 12 October, easy today.",
        "Pelvic tilt: easy on 12 October, stiff today.",
    ]
    assert changes(now, now, SETUP) == []


def test_a_screening_is_due_at_first_run_then_every_four_weeks() -> None:
    assert due([], DAY, SETUP) == "first-run"
    sig = signature(DAY)
    assert due([sig], DAY + timedelta(days=27), SETUP) is None
    assert due([sig], DAY + timedelta(days=28), SETUP) == "due"
    assert due([sig], DAY + timedelta(days=90), replace(SETUP, every_days=0)) is None
    skipped = replace(sig, results=tuple(replace(r, rating="skipped") for r in sig.results))
    assert latest([sig, skipped]) == sig  # a check with nothing rated tunes nothing


# --- sides all the way through --------------------------------------------------------------
def session(day: date, family: str, left: int, right: int, target: int = 3) -> SessionRecord:
    def one(side: str, clean: int) -> SetRecord:
        reps = ("clean",) * clean + (("slipped",) if clean < target else ())
        return SetRecord(side, reps, clean, "target" if clean >= target else "fray")

    ex = ExerciseRecord(family, f"{family}-v", family, target, "same", "", False,
                        (one("left", left), one("right", right)))
    at = datetime.combine(day, datetime.min.time())
    return SessionRecord(f"x{day}", day, at, at, 60.0, 2, 1, "complete", (ex,), ())


@pytest.mark.parametrize("counts, behind", [
    ([(3, 3), (3, 3), (3, 3)], []),
    ([(1, 3), (2, 3), (2, 3)], ["left"]),
    ([(3, 1), (3, 2), (3, 0)], ["right"]),
    ([(1, 3), (3, 3), (2, 3)], []),  # caught up once: not three in a row
    ([(1, 3), (2, 3)], []),  # only two sessions
])
def test_a_side_behind_for_three_sessions_is_named(counts: list[tuple[int, int]],
                                                    behind: list[str]) -> None:
    history = [session(DAY + timedelta(days=i), "side-plank", left, right)
               for i, (left, right) in enumerate(counts)]
    found = sides_behind(history, {"side-plank": "Side plank"})
    assert [b.side for b in found] == behind
    for b in found:
        assert b.line.startswith(f"Side plank: your {b.side} side has been behind for three")


def test_progression_follows_the_weaker_side() -> None:
    # Side plank, both sides at target for days but the left slips early: it never steps up.
    weak = [session(DAY + timedelta(days=i), "side-plank", 1, 4, target=4) for i in range(4)]
    strong = [session(DAY + timedelta(days=i), "side-plank", 4, 4, target=4) for i in range(4)]

    def level(history: list[SessionRecord]) -> str:
        from kiosk.core.coach.progression import exercise_states

        states = exercise_states(CFG.library, history, DAY + timedelta(days=5), CFG.progression)
        return states["side-plank"].change

    assert level(strong) == "advance"
    assert level(weak) != "advance"


def test_a_side_behind_is_said_with_the_plan_and_shown_on_the_home_screen() -> None:
    from kiosk.core.flows.kiosk import home_view
    from kiosk.core.words.phrases import plan_details

    history = [session(DAY + timedelta(days=i), "side-plank", 1, 3) for i in range(3)]
    day = DAY + timedelta(days=4)
    p = plan_for_day(CFG.library, history, day, CFG.progression, CFG.session)
    line = ("Side plank: your left side has been behind for three sessions. Take it gently, "
            "and give it time.")
    assert line in plan_details(p)
    assert "Side plank: left side behind" in home_view(p, history, day).lines
    even = [session(DAY + timedelta(days=i), "side-plank", 3, 3) for i in range(3)]
    assert plan_for_day(CFG.library, even, day, CFG.progression, CFG.session).behind == ()


def test_a_probe_line_too_long_for_its_breath_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "signature.toml"
    mine.write_text('[[probe]]\nid = "bend"\nlabel = "Bend"\nsides = false\n'
                    'setup = ["Stand."]\nsteps = [{ say = "Breathe out as you bend forward '
                    'slowly from the hips, as far as is comfortable today.", seconds = 3 }]\n')
    problems: list = []
    setup = load_signature(mine, CFG.library, problems)
    assert [p.key for p in problems] == ["probe[0].steps"] and setup.probes == ()
    assert "short enough to say in its 3 seconds" in str(problems[0])


# Every probe done on each side: the words in the probe that place the side rated, and the words
# its rules' reasons must use for that same side. A stance rates the standing leg.
RATED = {
    "single-leg-stance": ("Stand on your {side} leg", "standing on your {side} leg was harder"),
    "hip-rotation": ("let your {side} knee lower", "your {side} hip"),
    "rib-expansion": ("widen under your {side} hand", "your {side} ribs"),
    "standing-rotation": ("turn your chest to the {side}", "turning to the {side} was stiffer"),
}


def test_every_sided_probe_names_the_side_it_rates() -> None:
    sided = {p.id: p for p in SETUP.probes if p.sides}
    assert set(sided) == set(RATED)  # a new sided probe needs its row here
    for probe_id, (probe_words, _) in RATED.items():
        p = sided[probe_id]
        said = " ".join([*p.setup, *(s.say for s in p.steps)])
        assert probe_words in said, probe_id


@pytest.mark.parametrize("stiffer", ["left", "right"])
@pytest.mark.parametrize(
    "rule", [r for r in SETUP.rules if r.when == "uneven"],
    ids=lambda r: f"{r.probe}->{r.family}")
def test_each_uneven_rule_says_the_side_the_person_rated(rule, stiffer: str) -> None:
    other = "right" if stiffer == "left" else "left"
    key = rule.probe.replace("-", "_")
    reason = tuning(signature(**{f"{key}_{stiffer}": "stiff"}), SETUP).reasons[rule.family]
    assert RATED[rule.probe][1].format(side=stiffer) in reason
    assert f"your {other}" not in reason.split(",")[0]  # the other side never goes first
    tuned = plan(signature(**{f"{key}_{stiffer}": "stiff"}))
    sides = [p.first_side for p in tuned.exercises if p.family.id == rule.family]
    assert sides in ([], [stiffer])  # where it is planned today, the rated side goes first


# --- the start rule: a new family starts lower, never higher than the program allows -------
def _program_plan(sig: ScreeningRecord | None, starts: dict[str, str]):
    assert CFG.rhythm.program is not None
    rhythm = replace(CFG.rhythm, program=replace(CFG.rhythm.program, starts=starts))
    return plan_for_day(CFG.library, [], DAY, CFG.progression, CFG.session,
                        tuning=tuning(sig, SETUP), rhythm=rhythm)


def _planned(p, family: str):
    [found] = [x for x in p.exercises if x.family.id == family]
    return found


STAND_STIFF = "Sit-to-stand starts a step easier, because standing up felt stiff when we checked."


def test_a_stiff_sit_to_stand_starts_a_new_sit_to_stand_one_rung_below_the_programs() -> None:
    starts = {"sit-to-stand": "sit-to-stand-chair"}  # the program starts it on rung 2
    plain = _planned(_program_plan(None, starts), "sit-to-stand")
    assert plain.variation.id == "sit-to-stand-chair" and STAND_STIFF not in plain.reason
    stiff = _planned(_program_plan(signature(sit_to_stand="stiff"), starts), "sit-to-stand")
    assert stiff.variation.id == "sit-to-stand-high"
    assert stiff.target == stiff.variation.start_reps
    assert stiff.reason.endswith(STAND_STIFF)


def test_the_start_rule_never_goes_below_the_first_rung_and_says_nothing_then() -> None:
    stiff = _planned(_program_plan(signature(sit_to_stand="stiff"), {}), "sit-to-stand")
    assert stiff.variation.id == "sit-to-stand-high"  # the program's first rung already
    assert STAND_STIFF not in stiff.reason, "nothing started lower, so nothing is said"


def test_a_start_rung_above_the_programs_is_never_used() -> None:
    high = replace(SETUP, rules=tuple(
        replace(r, start="sit-to-stand-slow") if r.start == "lower" and r.family == "sit-to-stand"
        else r for r in SETUP.rules))
    assert CFG.rhythm.program is not None
    rhythm = replace(CFG.rhythm, program=replace(CFG.rhythm.program,
                                                 starts={"sit-to-stand": "sit-to-stand-chair"}))
    p = plan_for_day(CFG.library, [], DAY, CFG.progression, CFG.session,
                     tuning=tuning(signature(sit_to_stand="stiff"), high), rhythm=rhythm)
    assert _planned(p, "sit-to-stand").variation.id == "sit-to-stand-chair"


def test_a_family_started_lower_goes_on_from_where_its_first_session_was_done() -> None:
    starts = {"sit-to-stand": "sit-to-stand-chair"}
    sig = signature(sit_to_stand="stiff")
    first = _planned(_program_plan(sig, starts), "sit-to-stand")
    done = SessionRecord(
        id="s1", plan_date=DAY, started_at=datetime(2026, 10, 12, 10),
        ended_at=datetime(2026, 10, 12, 10, 20), duration_s=1200.0, pain_before=2,
        pain_after=2, ended_by="complete",
        exercises=(ExerciseRecord("sit-to-stand", first.variation.id, first.variation.name,
                                  first.target, "new", "", False,
                                  (SetRecord(None, ("clean",) * first.target, first.target,
                                             "target"),) * 2),),
        pain_events=())
    from kiosk.core.coach.progression import exercise_states

    assert CFG.rhythm.program is not None
    rhythm = replace(CFG.rhythm, program=replace(CFG.rhythm.program, starts=starts))
    later = exercise_states(CFG.library, [done], DAY + timedelta(days=2), CFG.progression,
                            rhythm=rhythm)["sit-to-stand"]
    assert later.variation.id == "sit-to-stand-high", "read where it was done, not re-started"
    assert later.sessions == 1 and later.change != "new"


@pytest.mark.parametrize("rule", [r for r in SETUP.rules if r.start == "lower"],
                         ids=lambda r: f"{r.probe}-{r.when}")
def test_each_start_rule_says_what_the_person_rated(rule) -> None:
    """The reason names the rating ("felt stiff") and the probe's movement in its own words."""
    probe = SETUP.probe(rule.probe)
    assert probe is not None
    assert f"felt {rule.when}" in rule.reason
    words = {"sit-to-stand": "standing up", "forward-bend": "bending forward"}[probe.id]
    assert words in rule.reason
    said = " ".join([probe.label.lower(), *(s.say.lower() for s in probe.steps)])
    assert words.split()[0][:4] in said  # "stan"d up, "bend": the probe's own movement


def test_the_programs_start_rungs_load_and_a_bad_one_is_one_problem(tmp_path: Path) -> None:
    from kiosk.config.program import load_program

    mine = tmp_path / "program.toml"
    mine.write_text('families = ["sit-to-stand", "bridge"]\n[starts]\n'
                    'sit-to-stand = "sit-to-stand-chair"\nbridge = "bird-dog-arm"\n')
    problems: list = []
    found = load_program(mine, CFG.library, problems)
    assert found.program.starts == {"sit-to-stand": "sit-to-stand-chair"}
    assert [p.key for p in problems] == ["starts.bridge"]
    assert found.program.start_rungs(CFG.library) == {
        "sit-to-stand": frozenset({"sit-to-stand-high", "sit-to-stand-chair"})}
