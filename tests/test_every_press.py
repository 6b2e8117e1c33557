"""Issue 8: every press answered. One end-to-end test per numbered point of the issue, each
asserting what the person notices: what is said, shown, heard as a tone, and saved.

Screenshots of the real shell's screen land in tests/screenshots/ (gitignored), to look at.
"""

from __future__ import annotations

import io
import logging
import os
import re
import string
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pygame
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk import cli, coaching, runtime  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.core.data.events import Hush, Say  # noqa: E402
from kiosk.core.data.model import Button  # noqa: E402
from kiosk.core.data.records import SESSION_ENDS, PainEntry, SessionRecord  # noqa: E402
from kiosk.core.flows.kiosk import HINT_SECONDS  # noqa: E402
from kiosk.core.words import phrases  # noqa: E402
from kiosk.core.words.captions import speech_seconds  # noqa: E402
from kiosk.devices import RecordingVoice  # noqa: E402
from kiosk.errors import KioskWarning  # noqa: E402
from kiosk.io import voice as io_voice  # noqa: E402
from kiosk.sim import SimUser  # noqa: E402
from kiosk.store.months import WholeHistory  # noqa: E402  # the kiosk keeps months
from kiosk.ui.display import Display  # noqa: E402
from kiosk.ui.display import open_display as real_open_display  # noqa: E402
from tests.core.helpers import welcome_and_questions  # noqa: E402
from tests.shell import Shell, answered_today  # noqa: E402

pytestmark = pytest.mark.slow
WALL = datetime(2026, 11, 25, 9, 0)
SHOTS = Path(__file__).resolve().parent / "screenshots"


def screenshot(shell: Shell, name: str) -> Path:
    """What the real shell's screen shows now, as a PNG to look at."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    pygame.image.save(shell.surface, path)
    return path


def saved(data: Path) -> list[SessionRecord]:
    with WholeHistory.open(data) as h:
        return h.sessions()


def entries(data: Path) -> list[PainEntry]:
    with WholeHistory.open(data) as h:
        return [r for r in h.records() if isinstance(r, PainEntry)]


def into_primer(shell: Shell) -> None:
    shell.press(Button.GREEN)  # start
    shell.press(Button.GREEN, hold=2.0)  # confirm pain 0
    shell.press(Button.AMBER)  # no leg symptoms (issue 27)
    shell.until("breathing")


# --- 1. RED on the home screen opens a pain log ---------------------------------------------
def test_red_at_home_opens_the_pain_log_it_is_saved_apart_and_shown_in_history_and_exports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shell = Shell(tmp_path / "shell")
    assert shell.app.view.buttons[Button.RED] == "Pain log"
    shell.press(Button.RED)
    view = shell.app.view
    assert (view.screen, view.title, view.pain) == ("painlog", "Pain right now?", 0)
    assert shell.said[-1] == phrases.pain_log_prompt(0)
    shell.press(Button.GREEN)
    shell.press(Button.GREEN)
    screenshot(shell, "issue8_pain_log")
    shell.press(Button.RED, hold=2.5)  # holding RED cancels: back home, nothing saved
    assert shell.app.view.screen == "home" and phrases.PAIN_LOG_CANCELLED in shell.said
    shell.app.close()
    assert entries(tmp_path / "shell") == []

    data = tmp_path / "demo"
    # The first start's welcome and questions first: --presses answers every screen.
    assert cli.main(["demo", "--data-dir", str(data), "--presses",
                     welcome_and_questions() + "r g g g a G"]) == 0
    out = capsys.readouterr().out
    assert "say: Pain two. Saved in your pain log." in out
    assert "saved: pain entry " in out
    [entry] = entries(data)
    assert entry.pain == 2 and saved(data) == [], "a pain entry, not a session"
    assert cli.main(["--data-dir", str(data), "history"]) == 0
    assert f"{entry.at:%Y-%m-%d %H:%M}  pain 2" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(data), "export", "--format", "json"]) == 0
    exported = __import__("json").loads(capsys.readouterr().out)
    assert [e["pain"] for e in exported["pain_entries"]] == [2]
    assert cli.main(["--data-dir", str(data), "export", "--format", "csv"]) == 0
    rows = list(__import__("csv").DictReader(capsys.readouterr().out.splitlines()))
    [row] = [r for r in rows if r["id"] == entry.id]  # beside the first run's safety answers
    assert (row["record"], row["date"], row["pain"], row["pain_before"]) == (
        "pain log", f"{entry.at:%Y-%m-%dT%H:%M}", "2", "")


# --- 2. every other press with no role gets an answer -----------------------------------------
def test_a_press_with_no_role_gets_a_low_tone_and_a_hint_and_cuts_nothing_off(
    tmp_path: Path,
) -> None:
    shell = Shell(tmp_path)
    into_primer(shell)
    shell.run(1.0)
    shell.voice.calls.clear()
    before = shell.app.view
    shell.press(Button.GREEN)  # GREEN does nothing while breathing
    view = shell.app.view
    assert shell.voice.tones == ["nope"] or shell.voice.tones[0] == "nope"
    assert not any(isinstance(c, Hush) or (isinstance(c, Say) and c.interrupt)
                   for c in shell.voice.calls), "nothing is cut off"
    assert view.screen == before.screen == "breathing"
    assert view.hint == ("GREEN does nothing here.", "AMBER: Skip", "RED: Stop")
    screenshot(shell, "issue8_no_role_press")
    shell.run(HINT_SECONDS)
    assert shell.app.view.hint == (), "the hint goes after a few seconds"
    assert shell.app.view.screen == "breathing"
    shell.app.close()


def test_controls_doc_lists_the_answer_to_a_no_role_press_and_the_pain_log() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "controls.md").read_text()
    assert "low tone" in doc and "Pain log" in doc
    assert "no role on this screen) is ignored" not in doc


# --- 3. the demo never hangs ------------------------------------------------------------------
def demo_run(data: Path, presses: str) -> tuple[int, str, float]:
    loaded = load_config()
    out = io.StringIO()
    clock = FakeClock(WALL)
    t0 = clock.now()
    opts = runtime.Options(mock=True, display="headless", data_dir=data, demo=True, out=out)
    code = runtime.run_demo(loaded.config, opts, SimUser(presses=presses), clock=clock)
    return code, out.getvalue(), clock.now() - t0


def test_red_first_and_an_empty_script_end_at_once_with_presses_ran_out(tmp_path: Path) -> None:
    code, out, took = demo_run(tmp_path / "empty", "")
    assert code == 0 and "presses ran out" in out.splitlines()
    assert took == 0, "an empty script ends at once"
    # RED at home, after the first start's welcome and questions (pressed, as every screen is)
    code, out, took = demo_run(tmp_path / "red", welcome_and_questions() + "r g g g")
    assert code == 0 and "presses ran out" in out.splitlines()
    assert took < 60, "no waiting for hours on a press that changed nothing"


# Longest a simulated person waits between two presses: the breathing primer and the speech
# around it, or a rest, or a rep; the kiosk moves on by itself out of each of them.
CFG = load_config().config
BOUND = CFG.session.primer_seconds + CFG.session.rest_seconds + 120.0


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="garGAR ", max_size=14))
def test_any_press_script_ends_exits_zero_and_saves_something_consistent(
    tmp_path_factory: pytest.TempPathFactory, presses: str
) -> None:
    data = tmp_path_factory.mktemp("demo")
    code, out, took = demo_run(data, presses)
    n = len(presses.replace(" ", ""))
    assert code == 0, out
    assert took <= (n + 1) * BOUND
    sessions = saved(data)
    assert len(sessions) <= 1
    for s in sessions:
        assert s.ended_by in SESSION_ENDS
        rated = [r for ex in s.exercises for st_ in ex.sets for r in st_.reps]
        assert len(rated) <= sum(c in "gaGA" for c in presses)
        for ex in s.exercises:
            for st_ in ex.sets:
                assert st_.clean_reps == st_.reps.count("clean")
        if "presses ran out" in out.splitlines():
            assert s.ended_by in ("interrupted", "stop", "pain", "complete")


# --- 4. Ready means now ---------------------------------------------------------------------
def test_green_at_ready_starts_the_set_within_one_frame_with_one_lead_in(tmp_path: Path) -> None:
    shell = Shell(tmp_path)
    into_primer(shell)
    shell.press(Button.AMBER)  # skip the breathing
    shell.until("intro")
    shell.run(0.5)  # the intro has only begun to be said
    shell.voice.calls.clear()
    pin = shell.pin(Button.GREEN)
    pin.drive_low()
    shell.app.step()  # one frame
    view = shell.app.view
    assert view.screen == "set" and view.rep == 1
    assert view.pacer is not None and view.pacer.phase == "inhale"
    assert view.pacer.started <= shell.clock.now()
    said = [c for c in shell.voice.calls if isinstance(c, Say)]
    assert [(c.text, c.interrupt) for c in said] == [("Breathe in to prepare.", True)]
    pin.drive_high()
    shell.app.close()


# --- 5. captions are the whole script -------------------------------------------------------
def test_every_spoken_line_is_shown_in_order_for_as_long_as_it_takes_to_say(
    tmp_path: Path,
) -> None:
    shell = Shell(tmp_path)
    shown: list[tuple[str, float]] = []  # each new caption, and when it appeared
    step = shell.app.step

    def step_and_look() -> None:
        step()
        caption = shell.app.view.caption
        if caption and (not shown or shown[-1][0] != caption):
            shown.append((caption, shell.clock.now()))

    shell.app.step = step_and_look  # type: ignore[method-assign]

    def quiet_press(button: Button, hold: float = 0.15) -> None:
        """A person who waits until the kiosk has finished talking before pressing."""
        while shell.app.kiosk.captions.quiet_at() > shell.clock.now():
            shell.run(0.1)
        shell.press(button, hold)

    quiet_press(Button.GREEN)  # start
    quiet_press(Button.GREEN)  # pain one
    quiet_press(Button.GREEN, hold=2.0)  # "Pain one. Thank you." then the leg question
    quiet_press(Button.AMBER)  # no leg symptoms: the breathing
    shell.until("intro")
    quiet_press(Button.GREEN)  # ready
    for _ in range(3):
        while shell.app.view.awaiting != "rating":
            shell.run(0.1)
        quiet_press(Button.GREEN)
    shell.run(10.0)
    said = [line for line in shell.said]
    assert "Pain one. Thank you." in said
    texts = [text for text, _ in shown]
    assert texts == [line for i, line in enumerate(said) if i == 0 or said[i - 1] != line]
    times = [t for _, t in shown]
    for (text, start), end in zip(shown, times[1:], strict=False):  # the last is still shown
        assert end - start >= speech_seconds(text, CFG.session.speech_rate_wpm) - 0.06, text
    shell.app.close()


# --- 6. a hold shows its progress -------------------------------------------------------------
def test_a_hold_fills_a_ring_on_screen_and_a_tone_confirms_it(tmp_path: Path) -> None:
    shell = Shell(tmp_path)
    shell.press(Button.GREEN)  # start: the pain check-in, where holding GREEN confirms
    shell.voice.calls.clear()
    pin = shell.pin(Button.GREEN)
    pin.drive_low()
    shell.run(0.3)
    early = shell.app.view.hold
    assert early is not None and early.button is Button.GREEN and early.seconds == 1.5
    green_early = green_pixels(shell)
    shell.run(0.6)
    screenshot(shell, "issue8_hold_ring")
    assert green_pixels(shell) > green_early, "the ring fills while the button is held"
    assert "held" not in shell.voice.tones
    shell.run(0.8)
    assert "held" in shell.voice.tones, "a tone confirms the hold"
    assert shell.app.view.hold is None
    pin.drive_high()
    shell.run(0.5)
    shell.app.close()


def green_pixels(shell: Shell) -> int:
    from kiosk.ui import palette

    surface = shell.surface
    w, h = surface.get_size()
    legend = pygame.Rect(0, int(h * 0.75), w // 3, h - int(h * 0.75))
    return sum(1 for x in range(legend.left, legend.right) for y in range(legend.top, legend.bottom)
               if surface.get_at((x, y))[:3] == palette.GREEN)


# --- 7. demo data is never mixed with a person's history ------------------------------------
def test_a_demo_without_data_dir_keeps_its_history_apart_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    assert cli.main(["demo", "--presses", welcome_and_questions()]) == 0  # answers saved
    out = capsys.readouterr().out
    demo_dir = tmp_path / "xdg" / "backcare-kiosk-demo"
    assert out.splitlines()[0].startswith(f"demo: history in {demo_dir}")
    assert (demo_dir / "history").is_dir()  # the history in months (store/months.py)
    assert not (tmp_path / ".local" / "share" / "backcare-kiosk").exists()
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "kiosk run --mock --windowed --demo-data" in makefile


# --- 9. degraded modes are stated -----------------------------------------------------------
@pytest.mark.parametrize("missing", ["sound", "tts", "display"])
def test_a_missing_device_is_told_on_screen_by_voice_and_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, missing: str,
) -> None:
    voice = RecordingVoice()

    def open_voice(**_: object) -> RecordingVoice:
        if missing == "sound":
            warnings.warn(f"{io_voice.NO_AUDIO} (no card)", KioskWarning, stacklevel=2)
        if missing == "tts":
            warnings.warn("espeak-ng is not installed", KioskWarning, stacklevel=2)
        return voice

    def open_display(mode: str, **kw: Any) -> Display:
        if missing == "display":  # as the real one does when no display opens
            logging.getLogger("kiosk.ui.display").warning("Could not open the display")
            warnings.warn("Could not open the display", KioskWarning, stacklevel=2)
        return real_open_display("headless", **kw)

    loaded = load_config()
    opts = runtime.Options(mock=True, display="headless", data_dir=tmp_path)
    given = runtime.Given(open_voice=open_voice, open_display=open_display)
    with caplog.at_level(logging.WARNING):
        app = runtime.start_kiosk(loaded.config, opts, (), FakeClock(WALL), given)
    # Headless: with no screen either, the person is told that nothing is shown.
    told = {"sound": runtime.NO_SOUND_NO_SCREEN, "tts": runtime.NO_TTS_NO_SCREEN,
            "display": runtime.NO_DISPLAY}[missing]
    assert told in voice.said
    assert app.view.caption == told or told in [c for c in voice.said]
    reason = {"sound": "no audio device", "tts": "espeak-ng is not installed",
              "display": "Could not open the display"}[missing]
    assert any(reason in r.getMessage() for r in caplog.records)
    app.close()


# --- 11. consistent words ---------------------------------------------------------------------
def test_every_option_of_every_command_has_help_text() -> None:
    parser = cli.parser()
    subparsers = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    choices = subparsers[0].choices
    assert isinstance(choices, dict)
    parsers = [parser, *choices.values()]
    for p in parsers:
        for action in p._actions:
            if action.dest in ("help", "command") or action.help == "==SUPPRESS==":
                continue
            assert action.help, f"{p.prog} {action.option_strings} has no help text"


@pytest.mark.parametrize("user", ["steady", "slipping", "sore"])
def test_numbers_are_spoken_in_words_and_names_match_the_screen(
    tmp_path: Path, user: str
) -> None:
    loaded = load_config()
    out = io.StringIO()
    opts = runtime.Options(mock=True, display="headless", data_dir=tmp_path, demo=True, out=out)
    assert runtime.run_demo(loaded.config, opts, SimUser(user)) == 0
    said = [line[5:] for line in out.getvalue().splitlines() if line.startswith("say: ")]
    assert said
    for line in said:
        assert not any(c in string.digits for c in line), line
    plan = coaching.make_planner(loaded.config)([], date(2026, 11, 25), None)
    welcome = phrases.welcome(plan)
    for p in plan.exercises:
        assert p.variation.name in welcome
    assert phrases.number(36) == "thirty-six" and phrases.number(120) == "one hundred and twenty"


# --- 12. a stop in the first exercise keeps every rated rep ---------------------------------
def test_closing_in_the_first_exercise_keeps_every_rated_rep(tmp_path: Path) -> None:
    shell = Shell(tmp_path)
    shell.into_first_set()
    shell.press(Button.GREEN)
    shell.run(1.0)
    shell.press(Button.GREEN)
    shell.app.stop()  # Esc, or SIGTERM from systemd
    shell.app.close()
    [s] = saved(tmp_path)
    assert s.ended_by == "interrupted"
    assert s.exercises[0].sets[0].reps == ("clean", "clean")
    assert phrases.CLOSED_SAVED in shell.said


def test_closing_before_anything_was_rated_says_nothing_was_saved(tmp_path: Path) -> None:
    shell = Shell(tmp_path)
    shell.press(Button.GREEN)  # start: the check-in is not confirmed
    shell.app.close()
    assert saved(tmp_path) == []
    assert shell.said[-1] == phrases.CLOSED_NOTHING_SAVED


# --- 8, 9 and 12 in a real terminal: keys in, say: lines out, SIGTERM keeps the rated reps ----
class Terminal:
    """`kiosk run --headless --mock` on a pseudo-terminal, as a person would type at it."""

    def __init__(self, data: Path) -> None:
        import pty
        import subprocess
        import sys

        # The kiosk runs on the real clock: with the packaged schedule a ritual falls due at
        # 08:00, 11:00, 14:00... and is offered for half an hour, taking the first key. Here no
        # ritual is scheduled (every `at` emptied), so the run is the same at any time of day.
        cfg = data.parent / f"{data.name}-config"
        cfg.mkdir(exist_ok=True)
        (cfg / "kiosk.toml").write_text("")
        rituals = (Path(__file__).resolve().parents[1] / "config" / "rituals.toml").read_text()
        (cfg / "rituals.toml").write_text(re.sub(r"(?m)^at = \[.*\]$", "at = []", rituals))
        self.master, slave = pty.openpty()
        env = dict(os.environ, SDL_AUDIODRIVER="no-such-sound-card", SDL_VIDEODRIVER="dummy")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "--config", str(cfg / "kiosk.toml"),
             "--data-dir", str(data), "run", "--headless", "--mock"],
            stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env, close_fds=True,
        )
        os.close(slave)
        self.out = b""

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def until(self, text: str) -> None:
        """Read until ``text`` is printed, however long a loaded machine takes: the wait is
        on the kiosk's own progress, and fails only when it has ended without printing it."""
        self.until_count(text, 1)

    def until_count(self, text: str, n: int) -> None:
        """Read until ``text`` has been printed ``n`` times, or the kiosk has ended."""
        while self.out.count(text.encode()) < n:
            assert self._read_more(), f"ended before printing {text!r} {n} times:\n" + (
                self.out.decode())

    def _read_more(self) -> bool:
        """Wait for more output; False once the kiosk has exited and all it printed is read.
        The select only wakes the loop now and then to look at the process, it limits
        nothing."""
        import select

        while True:
            ready, _, _ = select.select([self.master], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # EIO: the kiosk's side of the terminal is closed
                    return False
                if not chunk:
                    return False
                self.out += chunk
                return True
            if self.proc.poll() is not None:
                return False

    def lines(self) -> list[str]:
        return self.out.decode().replace("\r", "").splitlines()


def test_headless_mock_kiosk_in_a_terminal_is_driven_by_keys_and_keeps_reps_on_sigterm(
    tmp_path: Path,
) -> None:
    import signal

    answered_today(tmp_path, datetime.now())  # the morning's safety questions are done
    term = Terminal(tmp_path)
    try:
        term.until("say: Good to see you.")
        term.until(f"say: {runtime.NO_SOUND}")  # 9: no sound card, said and shown
        term.type("g")  # start
        term.until("say: First, how is your back?")
        term.type("Ga")  # hold GREEN: pain zero confirmed; AMBER: no leg symptoms
        term.until("say: Let's breathe first.")
        term.type("a")  # AMBER skips the breathing
        term.until("say: Skipping the breathing.")
        term.until("say: Get into position.")
        term.type("g")  # ready: the set starts now
        term.until("say: Breathe in to prepare.")
        term.type("g")  # a clean rep
        # The next rep opens on its out-breath cue (the first exercise is the program's,
        # issue 26; the press cut the first rep's own cue short)
        term.until_count("Breathe out", 1)
        term.type("g")  # another
        term.until_count("Breathe out", 2)
        term.proc.send_signal(signal.SIGTERM)  # systemctl stop, or a shutdown
        term.until(f"say: {phrases.CLOSED_SAVED}")  # its close path, however long it takes
        assert term.proc.wait() == 0
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
        os.close(term.master)
    assert term.lines()[0].startswith("Keys: g a r press")
    assert term.proc.stderr is not None
    assert "no audio device" in term.proc.stderr.read().decode()  # 9: and in the log
    [s] = saved(tmp_path)
    assert s.ended_by == "interrupted"
    assert s.exercises[0].sets[0].reps == ("clean", "clean")
