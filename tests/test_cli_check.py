"""`kiosk check` on bad configuration (issue #4, point 4): it names every problem by file, key,
value and what is allowed, says when the packaged defaults stand in, and exits non-zero. No
configuration, however broken, makes any `kiosk` command print a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import check as check_module
from kiosk import cli
from kiosk.config import DEFAULT_CONFIG, load_config


@pytest.fixture(autouse=True)
def _config_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The config decides the exit status here: no $KIOSK_CONFIG, and no Pi GPIO to probe."""
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.setenv("KIOSK_DEVICE_MODEL", os.devnull)  # no Pi, whatever board runs this


def check(capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path) -> tuple[int, str]:
    code = cli.main(["--config", str(config), "--data-dir", str(tmp_path / "data"), "check"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out


def problem_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.strip().startswith("PROBLEM")]


def test_the_packaged_config_checks_clean_and_names_its_source(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = check(capsys, DEFAULT_CONFIG, tmp_path)
    assert code == 0
    assert f"config: {DEFAULT_CONFIG}" in out
    assert problem_lines(out) == []
    assert "exercise families" in out


BAD = [
    ("[voice]\nrate = \"fast\"\n", "voice.rate", "'fast'", "a whole number from 80 to 300"),
    ("[voice]\nvolume = nan\n", "voice.volume", "nan", "a number from 0 to 1"),
    ("[buttons]\ngreen = true\n", "buttons.green", "True", "a BCM GPIO pin number from 2 to 27"),
    ("[buttons]\namber = 17\n", "buttons.amber", "17", "a pin not already used by buttons.green"),
    ("[progression]\nexercises_min = 6\nexercises_max = 4\n", "progression.exercises_min", "6",
     "at most progression.exercises_max (4)"),
    ("[voice]\npitch = 50\n", "voice.pitch", "50", "one of: voice, rate, volume"),
    ("[sound]\nvolume = 1\n", "sound", "{'volume': 1}", "one of buttons, leds"),
    ("[voice]\nvolume = 1" + "0" * 400 + "\n", "voice.volume", "1" + "0" * 400,
     "a number from 0 to 1"),
]


@pytest.mark.parametrize(("text", "key", "value", "allowed"), BAD, ids=[b[1] for b in BAD])
def test_a_bad_value_is_named_and_check_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, key: str, value: str,
    allowed: str,
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    code, out = check(capsys, path, tmp_path)
    assert code != 0
    assert f"config: {path}" in out
    [line] = problem_lines(out)
    for part in (str(path), key, value, allowed):
        assert part in line


def test_a_broken_library_is_named_and_check_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "ex.toml").write_text('[[family]]\nid = "reach"\nname = "Reach"\nvariation = 5\n')
    path = tmp_path / "kiosk.toml"
    path.write_text('exercises = "ex.toml"\n')
    code, out = check(capsys, path, tmp_path)
    assert code != 0
    [line] = problem_lines(out)
    assert str((tmp_path / "ex.toml").resolve()) in line and "family[0].variation = 5" in line


@pytest.mark.parametrize(
    "data",
    [b"[voice\nrate = 120\n", b'voice = "\xff"\n', b"x = " + b"[" * 5000 + b"]" * 5000],
    ids=["syntax", "not-utf8", "nested-5000-deep"],
)
def test_an_unparseable_file_fails_check_and_says_the_defaults_are_used(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(data)
    code, out = check(capsys, path, tmp_path)
    assert code != 0
    [line] = problem_lines(out)
    assert f"{path}: (file) = " in line and "valid TOML" in line
    assert "packaged default" in out


@pytest.mark.parametrize("kind", ["missing", "directory"])
@pytest.mark.parametrize("command", [["check"], ["run", "--headless"], ["demo"], ["plan"],
                                     ["history"], ["export"]])
def test_a_missing_or_unreadable_config_file_stops_every_command_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, command: list[str]
) -> None:
    """Issue 8, point 10: a --config that is not there is a typo, not a reason to run on the
    packaged settings: one line names the file, and the command stops with a non-zero exit."""
    path = tmp_path / "kiosk.toml"
    if kind == "directory":
        path.mkdir()
    data = tmp_path / "data"
    code = cli.main(["--config", str(path), "--data-dir", str(data), *command])
    out, err = capsys.readouterr()
    assert code != 0
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith(f"kiosk: --config {path}: cannot read it")
    assert not data.exists(), "nothing ran"


@pytest.mark.parametrize("command", [["plan", "--date", "2026-11-25"], ["history"]])
def test_other_commands_run_on_with_a_broken_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    """main() loads the config for every command; a bad one must not stop them."""
    path = tmp_path / "kiosk.toml"
    path.write_text('exercises = "ex\\u0000.toml"\n[voice]\nvolume = 1' + "0" * 400
                    + "\n[leds]\nstatus = false\n")
    assert len(load_config(path).problems) == 3
    code = cli.main(["--config", str(path), "--data-dir", str(tmp_path / "data"), *command])
    out, err = capsys.readouterr()
    assert code == 0
    assert "Traceback" not in err + out


def test_check_as_a_process_fails_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[session]\nsets = 2.5\n[voice]\nvolume = 1" + "0" * 400 + "\n")
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_CONFIG"}
    run = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(path), "--data-dir",
         str(tmp_path / "data"), "check"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode != 0
    volume, sets = problem_lines(run.stdout)  # in the order of config/kiosk.toml's sections
    assert f"{path}: session.sets = 2.5 is not allowed; expected a whole number" in sets
    assert f"{path}: voice.volume = 1000" in volume and "a number from 0 to 1" in volume


def test_a_broken_ritual_is_named_by_file_and_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('rituals = "mine.toml"\n')
    (tmp_path / "mine.toml").write_text(
        '[[ritual]]\nid = "x"\nname = "X"\nmoment = "now"\nbuilds_on = "nope"\n'
        'setup = "Stand."\nsteps = ["stand tall"]\n'
    )
    code, out = check(capsys, cfg, tmp_path)
    assert code == 1
    [line] = problem_lines(out)
    assert "mine.toml: ritual[0].builds_on = 'nope'" in line


# --- the data folder (issue #9) ---------------------------------------------------------------
def check_data(capsys: pytest.CaptureFixture[str], data: Path) -> tuple[int, list[str]]:
    code = cli.main(["--data-dir", str(data), "check"])
    out = capsys.readouterr().out
    return code, out[out.index(f"data: {data}"):].splitlines()[1:]


def test_a_data_folder_not_made_yet_passes_if_it_can_be_made(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, lines = check_data(capsys, tmp_path / "new" / "data")
    assert code == 0 and "the kiosk makes it when it first starts" in lines[0]
    assert not (tmp_path / "new").exists()  # check makes nothing


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")
def test_root_finds_a_file_the_kiosk_user_could_not_replace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    (data / "backups").mkdir(parents=True)
    (data / "backups" / "history-2026-11-24.json").write_text('{"sessions": {}}')
    os.chown(data, 4242, 4242)  # the kiosk's user owns the folder, root the backup in it
    os.chown(data / "backups", 4242, 4242)
    code, lines = check_data(capsys, data)
    assert code == 1
    [problem] = [line for line in lines if "PROBLEM" in line]
    assert "history-2026-11-24.json belongs to root, not user 4242" in problem
    assert f"chown -R user 4242: {data}" in problem


def test_check_names_the_voice_espeak_by_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = check(capsys, DEFAULT_CONFIG, tmp_path)
    assert "voice: espeak-ng" in out.splitlines()


def test_check_says_why_a_configured_neural_voice_cannot_load(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[voice]\nengine = "piper"\nmodel = "{tmp_path / "gone.onnx"}"\n')
    code, out = check(capsys, config, tmp_path)
    [line] = [x for x in out.splitlines() if x.startswith("voice:")]
    assert line.startswith("voice: espeak-ng (piper is configured but cannot load:")
    from kiosk.io import piper

    # Why: the missing file, or (where the voice extra is not installed) the missing extra.
    why = "gone.onnx does not exist" if piper.why_not("") is None else "piper-tts is not installed"
    assert why in line
    assert code == 1


def test_check_loads_the_packaged_neural_voice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from kiosk.io import piper

    if piper.why_not("") is not None:
        pytest.skip(f"the neural voice is not installed here ({piper.why_not('')})")
    config = tmp_path / "kiosk.toml"
    config.write_text('[voice]\nengine = "piper"\n')
    code, out = check(capsys, config, tmp_path)
    assert "voice: piper (en_US-joe-medium)" in out.splitlines()
    assert not any("note:" in line for line in out.splitlines())  # room to cut it


def test_check_notes_when_there_is_no_room_to_cut_the_neural_voice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A disk too full to cut the voice in two is no failure (it renders whole), but the
    person looking after the kiosk should know: it costs about 30 MB more memory."""
    from kiosk.io import piper

    if piper.why_not("") is not None:
        pytest.skip(f"the neural voice is not installed here ({piper.why_not('')})")
    config = tmp_path / "kiosk.toml"
    config.write_text('[voice]\nengine = "piper"\n')
    # A disk with only 40 MiB free cannot be made here without a small mount: check is handed
    # a reader of the free space that finds 40 MiB.
    args = cli.parser().parse_args(
        ["--config", str(config), "--data-dir", str(tmp_path / "data"), "check"])
    loaded = load_config(config)
    check_module.cmd_check(args, loaded.config, list(loaded.problems),
                           free_bytes=lambda path: 40 * 2**20)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "voice: piper (en_US-joe-medium)" in out.splitlines()
    [note] = [line for line in out.splitlines() if "note:" in line]
    assert "40 MiB is free" in note and "render whole" in note



def test_no_sound_card_is_a_problem_that_names_the_silent_mode(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kiosk led by voice with no speaker is broken: check exits non-zero and says how the
    kiosk would run (silently, every line on the screen)."""
    empty = tmp_path / "cards"
    empty.write_text("--- no soundcards ---\n")
    monkeypatch.setenv("KIOSK_SOUND_CARDS", str(empty))
    code, out = check(capsys, DEFAULT_CONFIG, tmp_path)
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("audio:")]
    assert "PROBLEM no sound card found" in line and "run silently" in line
    monkeypatch.setenv("KIOSK_SOUND_CARDS", str(tmp_path / "not-there"))
    assert check(capsys, DEFAULT_CONFIG, tmp_path)[0] == 1
