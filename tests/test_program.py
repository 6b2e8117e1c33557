"""The clinician's program (issue 28, docs/program.md): the file, `kiosk program`, the menu.

Thirty malformed files each give one clear line and change nothing, through the command line
and through the menu's "Load program from USB" (the real kiosk, reading a folder that stands in
for the stick). The stick itself, a real tiny file system mounted in a private mount namespace
as the USB export's tests do, is in ``test_a_program_on_a_mounted_stick_...``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.config.program import check_file, check_text, program_record
from kiosk.core.coach.program import REVIEW_DUE, Terms, program_notes, with_contact
from kiosk.core.coach.progression import exercise_states, plan_for_day
from kiosk.core.data.model import Button
from kiosk.core.data.records import ProgramRecord, Record, SessionRecord
from kiosk.core.flows import program as flow
from kiosk.rehearse import rehearse
from kiosk.store.readonly import stream_history
from tests.shell import Shell

CFG = load_config().config
GOOD = "families = [\"bridge\", \"walking\"]\n"

# Each has exactly one thing wrong; the key it names, as its one line names it.
MALFORMED: list[tuple[str, bytes, str]] = [
    ("not-toml", b"families = [\"bridge\"", "(file)"),
    ("not-utf8", b"families = [\"bridge\"]\n# \xff\xfe\n", "(file)"),
    ("too-big", GOOD.encode() + b"#" * 70_000 + b"\n", "(file)"),
    ("empty", b"", "families"),
    ("families-text", b"families = \"bridge\"\n", "families"),
    ("families-none", b"families = []\n", "families"),
    ("family-unknown", b"families = [\"bridge\", \"plank\"]\n", "families"),
    ("family-twice", b"families = [\"bridge\", \"bridge\"]\n", "families"),
    ("family-number", b"families = [\"bridge\", 3]\n", "families"),
    ("key-misspelt", GOOD.encode() + b"sesions_per_week = 3\n", "sesions_per_week"),
    ("per-week-zero", GOOD.encode() + b"sessions_per_week = 0\n", "sessions_per_week"),
    ("per-week-eight", GOOD.encode() + b"sessions_per_week = 8\n", "sessions_per_week"),
    ("per-week-words", GOOD.encode() + b"sessions_per_week = \"three\"\n", "sessions_per_week"),
    ("direction-unknown", GOOD.encode() + b"avoid_directions = [\"bending\"]\n",
     "avoid_directions"),
    ("directions-text", GOOD.encode() + b"avoid_directions = \"flexion\"\n", "avoid_directions"),
    ("position-unknown", GOOD.encode() + b"avoid_positions = [\"upside-down\"]\n",
     "avoid_positions"),
    ("loads-yes", GOOD.encode() + b"avoid_loads = \"yes\"\n", "avoid_loads"),
    ("review-quoted", GOOD.encode() + b"review_on = \"2027-03-01\"\n", "review_on"),
    ("cleared-number", GOOD.encode() + b"cleared_on = 5\n", "cleared_on"),
    ("contact-number", GOOD.encode() + b"contact = 5\n", "contact"),
    ("contact-long", GOOD.encode() + b"contact = \"" + b"x" * 200 + b"\"\n", "contact"),
    ("note-lines", GOOD.encode() + b"note = \"\"\"one\ntwo\"\"\"\n", "note"),
    ("limits-not-listed", GOOD.encode() + b"[family.dead-bug]\nmax_reps = 8\n",
     "[family.dead-bug]"),
    ("first-other-family", GOOD.encode() + b"[family.bridge]\nfirst = \"bird-dog-arm\"\n",
     "family.bridge.first"),
    ("last-unknown", GOOD.encode() + b"[family.bridge]\nlast = \"bridge-extreme\"\n",
     "family.bridge.last"),
    ("cap-zero", GOOD.encode() + b"[family.bridge]\nmax_reps = 0\n", "family.bridge.max_reps"),
    ("cap-huge", GOOD.encode() + b"[family.bridge]\nmax_reps = 100\n",
     "family.bridge.max_reps"),
    ("last-below-first", GOOD.encode() + b"[family.bridge]\nfirst = \"bridge-hold\"\n"
     b"last = \"bridge-full\"\n", "family.bridge.last"),
    ("limit-key-unknown", GOOD.encode() + b"[family.bridge]\ncolour = \"red\"\n",
     "family.bridge.colour"),
    ("nothing-left", b"families = [\"bridge\"]\navoid_directions = [\"extension\"]\n",
     "families"),
]


def test_there_are_thirty_malformed_files_each_with_its_own_key() -> None:
    assert len(MALFORMED) == 30
    assert len({name for name, _, _ in MALFORMED}) == 30


@pytest.mark.parametrize(("name", "body", "key"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_file_is_one_line_from_check_and_load_and_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, body: bytes,
        key: str) -> None:
    path = tmp_path / "backcare-program.toml"
    path.write_bytes(body)
    capsys.readouterr()
    assert main(["program", "check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1, out
    assert out[0].startswith(f"{path}: {key} = ") and "expected" in out[0]
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "program", "load", str(path)]) == 1
    done = capsys.readouterr()
    assert done.out.splitlines() == out  # the same one line
    assert "nothing changed" in done.err
    assert not data.exists(), "a bad file never opens (nor makes) the history"


def test_the_menu_says_each_malformed_file_in_one_sentence_and_keeps_the_old_program(
        tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    shell = Shell(tmp_path / "data", cfg_path=str(_config(tmp_path, stick)))
    try:
        before = shell.app.kiosk.plan
        for name, body, _ in MALFORMED:
            (stick / "backcare-program.toml").write_bytes(body)
            heard = len(shell.said)
            _choose(shell, flow.LOAD)
            line = _wait_for(shell, heard, lambda s: "Nothing has changed" in s)
            said = shell.said[heard:]  # the plan, said as AMBER went down for the menu, first
            assert said[said.index(flow.READING) + 1:] == [line], (name, said)
            assert line.count(". ") <= 2 and len(line) < 400, line  # one sentence, said
            assert shell.app.view.screen == "home"
        assert not [r for r in shell.app.kiosk.records if isinstance(r, ProgramRecord)]
        assert shell.app.kiosk.plan == before
    finally:
        shell.app.close()
    assert not [r for r in stream_history(tmp_path / "data", []) if isinstance(r, ProgramRecord)]


def test_the_template_lists_every_family_and_rung_and_passes_the_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["program", "template"]) == 0
    text = capsys.readouterr().out
    for family in CFG.library.families:
        assert f"# {family.id}: {family.name}" in text
        for v in family.ladder:
            assert f"#   {v.id} " in text and (", ".join(v.directions) or "neutral") in text
    path = tmp_path / "p.toml"
    path.write_text(text)
    assert check_file(path, CFG.library).ok


def test_a_file_saved_on_windows_reads_as_plain_text(tmp_path: Path) -> None:
    body = "# Ms Example's program\nfamilies = [\"bridge\"]\nnote = \"Go gently.\"\n"
    path = tmp_path / "p.toml"
    path.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode())
    checked = check_file(path, CFG.library)
    assert checked.ok and checked.text == body  # kept as written, the name included
    assert checked.words[-1] == "Your clinician's note: Go gently."


PROGRAM = textwrap.dedent("""\
    # For a back that dislikes bending forward; review in spring.
    families = ["bridge", "bird-dog", "sit-to-stand", "walking"]
    sessions_per_week = 3
    avoid_directions = ["flexion"]
    avoid_loads = true
    contact = "Ring the practice on 01234 567890"

    [family.bridge]
    first = "bridge-full"
    last = "bridge-hold"
    max_reps = 8
    """)


def test_load_show_and_previous_from_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, data = tmp_path / "p.toml", tmp_path / "data"
    path.write_text(PROGRAM)
    capsys.readouterr()
    assert main(["--data-dir", str(data), "program", "load", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Your new program has four exercises, three days a week: bridge, "
                          "bird-dog, sit-to-stand and walking.")
    path.write_text(PROGRAM.replace("sessions_per_week = 3", "sessions_per_week = 4"))
    assert main(["--data-dir", str(data), "program", "load", str(path)]) == 0
    assert main(["--data-dir", str(data), "program", "show"]) == 0
    shown = capsys.readouterr().out
    assert "four exercises, four days a week" in shown
    assert "sessions a week 3 -> 4" in shown
    assert main(["--data-dir", str(data), "program", "load", "--previous"]) == 0
    assert "three days a week" in capsys.readouterr().out
    kept = [r for r in stream_history(data, []) if isinstance(r, ProgramRecord)]
    assert [r.source for r in kept] == ["file", "file", "previous"]
    assert kept[0].text == kept[2].text == PROGRAM


def test_load_is_refused_while_the_kiosk_holds_the_data(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.store.months import WholeHistory

    path, data = tmp_path / "p.toml", tmp_path / "data"
    path.write_text(PROGRAM)
    with WholeHistory.open(data):  # as the running kiosk holds it
        capsys.readouterr()
        assert main(["--data-dir", str(data), "program", "load", str(path)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kiosk program:")
    assert not [r for r in stream_history(data, []) if isinstance(r, ProgramRecord)]


# --- what a program does to the plan ------------------------------------------------------------
def _record(text: str, at: datetime) -> ProgramRecord:
    checked = check_text(text, "p.toml", CFG.library)
    assert checked.ok, checked.problems
    return program_record(text, at)


def _lived(weeks: int) -> list[SessionRecord]:
    return rehearse(CFG.library, CFG.progression, CFG.session, CFG.rhythm, weeks=weeks,
                    days="mon,wed,fri", user="steady").sessions


def test_a_change_of_program_keeps_the_progress_of_the_families_that_stay() -> None:
    lived = _lived(4)  # four weeks under the kiosk's own program
    day = date(2026, 2, 2)
    before = exercise_states(CFG.library, lived, day, CFG.progression, rhythm=CFG.rhythm)
    # Bridge and bird-dog stay; sit-to-stand, cat-camel, dead-bug and walking leave;
    # side-plank joins (never done).
    first = _record('families = ["bridge", "bird-dog", "side-plank"]\n', datetime(2026, 2, 1))
    records: list[SessionRecord | ProgramRecord] = [*lived, first]
    after = exercise_states(CFG.library, records, day, CFG.progression, rhythm=CFG.rhythm)
    for fid in ("bridge", "bird-dog"):
        assert (after[fid].variation.id, after[fid].target) == (
            before[fid].variation.id, before[fid].target), fid
    plan = plan_for_day(CFG.library, records, day, CFG.progression, CFG.session, 2,
                        rhythm=CFG.rhythm)
    assert {p.family.id for p in plan.exercises} <= {"bridge", "bird-dog", "side-plank"}
    joined, rungs = after["side-plank"], CFG.library.family("side-plank").ladder
    assert (joined.variation.id, joined.target) == (rungs[0].id, rungs[0].start_reps)
    assert joined.reason == "New for you, so we start gently."
    # A family that left keeps its history: back in a later program, it is where it was.
    again = _record('families = ["bridge", "sit-to-stand"]\n', datetime(2026, 2, 1, 12))
    back = exercise_states(CFG.library, [*records, again], day, CFG.progression,
                           rhythm=CFG.rhythm)
    assert (back["sit-to-stand"].variation.id, back["sit-to-stand"].target) == (
        before["sit-to-stand"].variation.id, before["sit-to-stand"].target)


def test_the_plan_keeps_within_the_programs_bounds_caps_and_avoided_tags() -> None:
    program = _record(PROGRAM, datetime(2026, 1, 4))
    lived: list[SessionRecord | ProgramRecord] = [program]
    from kiosk.rehearse import do, session_days

    for n, day in enumerate(session_days("mon,wed,fri", 12)):
        plan = plan_for_day(CFG.library, lived, day, CFG.progression, CFG.session, 2,
                            rhythm=CFG.rhythm)
        assert {p.family.id for p in plan.exercises} <= {"bridge", "bird-dog", "sit-to-stand",
                                                        "walking"}
        for p in plan.exercises:
            assert "flexion" not in p.variation.directions and not p.variation.load
            if p.family.id == "bridge":
                assert p.variation.id in ("bridge-full", "bridge-hold") and p.target <= 8
        lived.append(do(plan, "steady", n, day, CFG.session))
    last = exercise_states(CFG.library, lived, date(2026, 3, 30), CFG.progression,
                           rhythm=CFG.rhythm)
    assert (last["bridge"].variation.id, last["bridge"].target) == ("bridge-hold", 8)


def test_a_replay_from_a_snapshot_keeps_the_program() -> None:
    from kiosk.core.coach.progression import Progress

    program = _record(PROGRAM, datetime(2026, 1, 4))
    lived: list[SessionRecord | ProgramRecord] = [program, *_lived(2)]
    full = Progress.start(CFG.library, CFG.progression, CFG.rhythm).feed(lived)
    saved = full.snapshot()
    back = Progress.from_snapshot(saved, CFG.library, CFG.progression, rhythm=CFG.rhythm)
    assert back is not None and back.program == program
    day = date(2026, 1, 26)
    assert plan_for_day(CFG.library, [], day, CFG.progression, CFG.session, base=back) == \
        plan_for_day(CFG.library, lived, day, CFG.progression, CFG.session, rhythm=CFG.rhythm)


def test_the_review_is_said_once_a_week_from_its_day_and_the_contact_after_the_clinician() -> None:
    terms = Terms("p", datetime(2026, 1, 1), "usb", review_on=date(2026, 3, 2))
    monday = datetime(2026, 3, 2, 9)
    assert program_notes(terms, [], date(2026, 3, 1)) == ()  # not yet
    assert program_notes(terms, [], date(2026, 3, 2)) == (REVIEW_DUE,)
    assert program_notes(terms, [monday], date(2026, 3, 4)) == ()  # said this week already
    assert program_notes(terms, [monday], date(2026, 3, 9)) == (REVIEW_DUE,)  # a new week
    line = "If the pain stays high, please contact your clinician."
    assert with_contact(line, "Ring the practice on 01234 567890") == (
        f"{line} Ring the practice on 01234 567890.")
    assert with_contact("Well done.", "Ring the practice") == "Well done."


# --- the stick and the menu ---------------------------------------------------------------------
def _config(tmp_path: Path, stick: Path, *, require_mount: bool = False) -> Path:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[usb]\npath = "{stick}"\nrequire_mount = {str(require_mount).lower()}\n')
    return cfg


def _choose(shell: Shell, item: str) -> None:
    shell.press(Button.AMBER, hold=2.5)  # the menu
    assert shell.app.view.screen == "menu"
    for _ in range(len(shell.app.view.lines)):
        if any(line.startswith(">") and item in line for line in shell.app.view.lines):
            break
        shell.press(Button.AMBER)
    shell.press(Button.GREEN)


def _wait_for(shell: Shell, since: int, found: object) -> str:
    import time

    deadline = time.monotonic() + 600  # the stick is read on a thread: only a hung run waits
    while True:
        lines = [s for s in shell.said[since:] if found(s)]  # type: ignore[operator]
        if lines:
            shell.run(0.5)
            return lines[0]
        assert time.monotonic() < deadline, shell.said[since:]
        shell.run(0.1)


DRIVER = textwrap.dedent("""\
    import json, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    from tests.test_program import accept_from_stick
    print("RESULT " + json.dumps(accept_from_stick(Path(sys.argv[1]), Path(sys.argv[2]),
                                                   Path(sys.argv[3]))))
    """)


def accept_from_stick(data: Path, cfg: Path, stick: Path) -> dict[str, object]:
    """In the kiosk: the menu's "Load program from USB", heard, accepted with GREEN; what was
    said and the next plan."""
    shell = Shell(data, cfg_path=str(cfg))
    try:
        heard = len(shell.said)
        _choose(shell, flow.LOAD)
        _wait_for(shell, heard, lambda s: s == flow.ASK)
        said = list(shell.said[heard:])
        said = said[said.index(flow.READING):]  # after the welcome, still being said
        shell.press(Button.GREEN)
        _wait_for(shell, heard, lambda s: s == flow.KEPT)
        plan = shell.app.kiosk.plan
        kept = [r.text for r in shell.app.kiosk.records if isinstance(r, ProgramRecord)]
    finally:
        shell.app.close()
    return {"said": said, "kept": kept,
            "plan": [[p.family.id, p.variation.id, p.target, list(p.variation.directions),
                      p.variation.load] for p in plan.exercises]}


@pytest.mark.slow
def test_a_program_on_a_mounted_stick_is_said_back_kept_on_green_and_shapes_the_next_plan(
        tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is missing")
    probe = subprocess.run([unshare, "--map-root-user", "--mount", "true"], capture_output=True,
                           timeout=600, check=False)
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here: {probe.stderr.decode().strip()}")
    stick, data = tmp_path / "stick", tmp_path / "data"
    stick.mkdir()
    source = tmp_path / "from-the-clinic.toml"
    source.write_bytes(PROGRAM.replace("\n", "\r\n").encode())  # saved on Windows
    cfg = _config(tmp_path, stick, require_mount=True)
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    root = Path(__file__).resolve().parent.parent
    script = (f'mount -t tmpfs -o size=64k none "{stick}"; '
              f'cp "{source}" "{stick}/backcare-program.toml"; '
              f'{sys.executable} {driver} {data} {cfg} {stick} {root}')
    done = subprocess.run([unshare, "--map-root-user", "--mount", "sh", "-ec", script],
                          capture_output=True, text=True, timeout=600, check=False,
                          cwd=root)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout + done.stderr
    result = json.loads(lines[0].removeprefix("RESULT "))
    said = result["said"]
    assert said[0] == flow.READING
    assert said[1] == ("Your new program has four exercises, three days a week: bridge, "
                       "bird-dog, sit-to-stand and walking.")
    assert "It avoids bending forward and weights." in said
    assert said[-1] == flow.ASK
    assert result["kept"] == [PROGRAM]
    assert not list(stick.iterdir()), "the stick was unmounted: nothing was left behind here"
    plan = result["plan"]
    assert plan and {fid for fid, *_ in plan} <= {"bridge", "bird-dog", "sit-to-stand",
                                                  "walking"}
    for fid, vid, target, directions, load in plan:
        assert "flexion" not in directions and not load
        if fid == "bridge":
            assert vid in ("bridge-full", "bridge-hold") and target <= 8
    # Kept on the card: the next start reads the same program.
    kept = [r for r in stream_history(data, []) if isinstance(r, ProgramRecord)]
    assert [r.source for r in kept] == ["usb"]


def test_amber_keeps_the_old_program(tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "backcare-program.toml").write_text(PROGRAM)
    shell = Shell(tmp_path / "data", cfg_path=str(_config(tmp_path, stick)))
    try:
        before = shell.app.kiosk.plan
        heard = len(shell.said)
        _choose(shell, flow.LOAD)
        _wait_for(shell, heard, lambda s: s == flow.ASK)
        shell.press(Button.AMBER)
        _wait_for(shell, heard, lambda s: s == flow.KEPT_OLD)
        assert shell.app.kiosk.plan == before
        records: list[Record] = shell.app.kiosk.records
        assert not [r for r in records if isinstance(r, ProgramRecord)]
    finally:
        shell.app.close()


def test_previous_program_from_the_menu_is_said_back_and_kept_on_green(
        tmp_path: Path) -> None:
    from kiosk.store.months import WholeHistory

    data = tmp_path / "data"
    with WholeHistory.open(data) as history:  # loaded the week before, from the command line
        history.add(program_record(PROGRAM, datetime(2026, 11, 18, 9), "file"))
        history.add(program_record(PROGRAM.replace('"walking"]', '"walking", "dead-bug"]'),
                                   datetime(2026, 11, 19, 9), "file"))
    stick = tmp_path / "stick"
    stick.mkdir()
    shell = Shell(data, cfg_path=str(_config(tmp_path, stick)))
    try:
        assert {p.family.id for p in shell.app.kiosk.plan.exercises} <= {
            "bridge", "bird-dog", "sit-to-stand", "walking", "dead-bug"}
        heard = len(shell.said)
        _choose(shell, flow.PREVIOUS)
        _wait_for(shell, heard, lambda s: s == flow.ASK)
        said = shell.said[heard:]
        assert ("Your new program has four exercises, three days a week: bridge, bird-dog, "
                "sit-to-stand and walking.") in said
        shell.press(Button.GREEN)
        _wait_for(shell, heard, lambda s: s == flow.KEPT)
        assert "dead-bug" not in {p.family.id for p in shell.app.kiosk.plan.exercises}
    finally:
        shell.app.close()
    kept = [r for r in stream_history(data, []) if isinstance(r, ProgramRecord)]
    assert [r.source for r in kept] == ["file", "file", "previous"]
    assert kept[-1].text == PROGRAM


def test_a_new_program_says_where_it_puts_a_family_that_moves() -> None:
    lived = _lived(4)
    day = date(2026, 2, 2)
    program = _record('families = ["bridge", "walking"]\n[family.bridge]\nfirst = "bridge-slow"\n'
                      '[family.walking]\nlast = "walk-easy"\n', datetime(2026, 2, 1))
    after = exercise_states(CFG.library, [*lived, program], day, CFG.progression,
                            rhythm=CFG.rhythm)
    assert (after["bridge"].variation.id, after["bridge"].change) == ("bridge-slow", "advance")
    assert after["bridge"].reason == ("Now bridge, slow lowering, five reps, as your "
                                      "clinician's program sets it.")
    walk = after["walking"]
    assert (walk.variation.id, walk.change) == ("walk-easy", "back")  # never more than it allows
    assert walk.reason.endswith("as your clinician's program sets it.")


def test_a_high_pain_day_offers_only_the_programs_families_on_rungs_it_allows() -> None:
    from kiosk.core.coach.gentle import gentle_plan

    lived = _lived(3)  # every family done at least once, under the kiosk's own program
    day = date(2026, 1, 26)
    states = exercise_states(CFG.library, lived, day, CFG.progression, rhythm=CFG.rhythm)
    plan = plan_for_day(CFG.library, lived, day, CFG.progression, CFG.session, 9,
                        rhythm=CFG.rhythm)
    free = gentle_plan(CFG.library, states, plan, most=5)
    assert {"cat-camel", "dead-bug"} <= {p.family.id for p in free.exercises}

    def gently(text: str) -> set[str]:
        program = check_text(text, "p.toml", CFG.library).file
        assert program is not None
        held = gentle_plan(CFG.library, states, plan, most=5, program=program.program)
        return {p.family.id for p in held.exercises}

    assert gently('families = ["bridge", "dead-bug"]\n') == {"dead-bug"}
    rungs = CFG.library.family("cat-camel").ladder
    gentle = next(p.variation for p in free.exercises if p.family.id == "cat-camel")
    assert gentle is rungs[0]  # its first rung: a program that starts it higher leaves it out
    assert gently(f'families = ["cat-camel", "dead-bug"]\n[family.cat-camel]\n'
                  f'first = "{rungs[1].id}"\n') == {"dead-bug"}


def test_a_ritual_on_a_variation_the_program_leaves_out_stays_closed() -> None:
    from kiosk.coaching import program_allows

    allows = program_allows(CFG)
    rituals = {r.builds_on for r in CFG.rituals.rituals}
    assert rituals and all(allows([], v) for v in rituals)  # no program: as they open
    program = _record('families = ["bridge", "walking"]\n[family.walking]\nlast = "walk-easy"\n'
                      '[family.bridge]\nlast = "bridge-full"\n', datetime(2026, 1, 4))
    for v in rituals:
        family, _ = CFG.library.variation(v)
        kept = v in ("walk-easy", "bridge-supported", "bridge-full")
        assert allows([program], v) == kept, v
    assert not all(allows([program], v) for v in rituals)  # some close


def test_going_back_before_the_first_program_is_the_kiosks_own_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, data = tmp_path / "p.toml", tmp_path / "data"
    path.write_text('families = ["bridge"]\n')
    assert main(["--data-dir", str(data), "program", "load", str(path)]) == 0
    records: list[Record] = list(stream_history(data, []))
    day = date(2026, 12, 9)
    mine = plan_for_day(CFG.library, [r for r in records if isinstance(r, ProgramRecord)], day,
                        CFG.progression, CFG.session, 2, rhythm=CFG.rhythm)
    assert [p.family.id for p in mine.exercises] == ["bridge"]
    assert main(["--data-dir", str(data), "program", "load", "--previous"]) == 0
    assert "Back to the kiosk's own program" in capsys.readouterr().out
    kept = [r for r in stream_history(data, []) if isinstance(r, ProgramRecord)]
    assert [(r.source, r.text) for r in kept][-1] == ("previous", "")
    own = plan_for_day(CFG.library, kept, day, CFG.progression, CFG.session, 2,
                       rhythm=CFG.rhythm)
    assert len({p.family.id for p in own.exercises}) > 1
    assert main(["--data-dir", str(data), "program", "show"]) == 0
    assert "In force: " in capsys.readouterr().out


def test_kiosk_rhythm_counts_the_week_against_the_programs_sessions_a_week(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The kiosk's home screen counts the week against the program's aim (Host.week); `kiosk
    rhythm` said the config's five all the same, so a clinician reading both saw two aims."""
    path, data = tmp_path / "p.toml", tmp_path / "data"
    assert main(["--data-dir", str(data), "rhythm"]) == 0
    assert "0 of 5 this week" in capsys.readouterr().out  # [rituals] weekly_target
    path.write_text(PROGRAM)  # sessions_per_week = 3
    assert main(["--data-dir", str(data), "program", "load", str(path)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(data), "rhythm"]) == 0
    assert "0 of 3 this week" in capsys.readouterr().out
