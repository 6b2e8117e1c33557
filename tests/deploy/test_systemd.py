"""The kiosk's systemd unit: it loads cleanly, it is hardened, and it cannot crash-loop forever.

``systemd-analyze`` checks the unit the way systemd itself would read it. The shipped ExecStart
(/opt/backcare-kiosk/...) exists only on an installed Pi, so the checks run on a copy whose
ExecStart points at a binary that exists here; every other line is the shipped one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "kiosk.service"
POLKIT_RULE = ROOT / "systemd" / "50-backcare-kiosk-poweroff.rules"
USB_RULE = ROOT / "systemd" / "60-backcare-usb.rules"
USB_MOUNT = ROOT / "systemd" / "media-backcare-usb.mount"

# Measured with systemd 252 (Debian 12 / Pi OS bookworm): 0.6 SAFE. The bound leaves room for
# another systemd's weights, but not for losing a sandboxing directive or two.
MAX_EXPOSURE = 1.0


def directives(text: str) -> dict[tuple[str, str], list[str]]:
    """(section, key) -> every value given, in order, as systemd would read the unit file."""
    found: dict[tuple[str, str], list[str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found.setdefault((section, key.strip()), []).append(value.strip())
    return found


UNIT_DIRECTIVES = directives(UNIT.read_text())


def one(section: str, key: str) -> str:
    values = UNIT_DIRECTIVES.get((section, key))
    assert values, f"kiosk.service has no {key}= in [{section}]"
    return values[-1]


@pytest.fixture
def analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.skip("systemd-analyze is not installed (make setup installs the systemd package)")
    return path


@pytest.fixture
def testable_unit(tmp_path: Path) -> Path:
    """The shipped unit with ExecStart pointing at a binary that exists on this machine."""
    true = shutil.which("true")
    assert true is not None
    text = re.sub(r"(?m)^ExecStart=.*$", f"ExecStart={true}", UNIT.read_text())
    copy = tmp_path / "kiosk.service"
    copy.write_text(text)
    shutil.copy(UNIT.with_name("kiosk-failed.service"), tmp_path)  # its OnFailure= partner
    return copy


def verify(analyze: str, unit: Path) -> list[str]:
    """What systemd-analyze verify says about this unit file itself (not about the host's)."""
    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=600
    )
    said = (done.stdout + done.stderr).splitlines()
    return [line for line in said if unit.name in line] + (
        [f"exit status {done.returncode}"] if done.returncode else []
    )


def test_systemd_analyze_verify_finds_nothing_wrong(analyze: str, testable_unit: Path) -> None:
    assert verify(analyze, testable_unit) == []


def test_verify_would_catch_a_misspelt_directive(analyze: str, testable_unit: Path) -> None:
    # Proves the check above can fail: systemd ignores an unknown key with only a warning.
    testable_unit.write_text(testable_unit.read_text().replace("ProtectHome=", "ProtectHom="))
    assert any("ProtectHom" in line for line in verify(analyze, testable_unit))


def test_it_starts_the_kiosk_on_its_data_directory() -> None:
    assert one("Service", "ExecStart") == (
        "/opt/backcare-kiosk/.venv/bin/kiosk run --data-dir /var/lib/backcare-kiosk"
    )
    assert one("Install", "WantedBy") == "multi-user.target"


def test_it_runs_as_its_own_unprivileged_user_with_device_groups() -> None:
    assert one("Service", "User") == "kiosk"
    assert set(one("Service", "SupplementaryGroups").split()) == {
        "gpio",
        "audio",
        "video",
        "render",
        "input",
    }
    assert one("Service", "CapabilityBoundingSet") == ""
    assert one("Service", "NoNewPrivileges") == "yes"


def test_the_data_directory_and_the_usb_stick_are_the_only_writable_places() -> None:
    assert one("Service", "ProtectSystem") == "strict"
    assert UNIT_DIRECTIVES[("Service", "ReadWritePaths")] == [
        "/var/lib/backcare-kiosk", "-/media/backcare"]
    assert one("Service", "StateDirectory") == "backcare-kiosk"
    assert one("Service", "StateDirectoryMode") == "0700"
    assert one("Service", "ProtectHome") == "yes"
    assert one("Service", "PrivateTmp") == "yes"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("PrivateNetwork", "yes"),
        ("RestrictAddressFamilies", "AF_UNIX"),
        ("ProtectKernelTunables", "yes"),
        ("ProtectKernelModules", "yes"),
        ("ProtectKernelLogs", "yes"),
        ("ProtectControlGroups", "yes"),
        ("LockPersonality", "yes"),
        ("MemoryDenyWriteExecute", "yes"),
        ("RestrictRealtime", "yes"),
        ("SystemCallArchitectures", "native"),
        ("DevicePolicy", "closed"),
    ],
)
def test_hardening_directive(key: str, value: str) -> None:
    assert one("Service", key) == value


def test_only_the_kiosks_own_devices_are_allowed() -> None:
    allowed = {v.split()[0] for v in UNIT_DIRECTIVES[("Service", "DeviceAllow")]}
    # gpiochip: buttons; alsa: /dev/snd; drm: /dev/dri; fb: /dev/fb*; input; tty
    assert allowed == {
        "char-gpiochip",
        "char-alsa",
        "char-drm",
        "char-fb",
        "char-input",
        "char-tty",
        "/dev/tty",
    }


def test_systemd_restarts_a_frozen_or_crashed_kiosk() -> None:
    assert one("Service", "Type") == "notify"
    assert one("Service", "NotifyAccess") == "main"
    assert one("Service", "WatchdogSec") == "30"
    assert one("Service", "Restart") == "on-failure"
    assert one("Service", "RestartSec") == "5"


def test_a_crash_loop_gives_up_instead_of_looping_forever() -> None:
    burst = int(one("Unit", "StartLimitBurst"))
    window = int(one("Unit", "StartLimitIntervalSec"))
    restart_sec = int(one("Service", "RestartSec"))
    assert burst >= 2, "one retry at least, for a one-off crash"
    # A kiosk that dies at once is restarted every RestartSec: the limit must trip within the
    # window, or it would loop for ever (an interval of 0 turns the limit off altogether).
    assert 0 < burst * restart_sec < window


def test_the_display_goes_straight_to_kms_on_a_pi_with_no_desktop() -> None:
    env = dict(v.split("=", 1) for v in UNIT_DIRECTIVES[("Service", "Environment")])
    assert env["SDL_VIDEODRIVER"] == "kmsdrm"


def exposure(analyze: str, unit: Path) -> float:
    done = subprocess.run(
        [analyze, "security", "--offline=yes", str(unit)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if "--offline" in done.stderr or "unrecognized option" in done.stderr:
        pytest.skip(f"this systemd-analyze has no offline security check: {done.stderr.strip()}")
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", done.stdout)
    assert match, f"no exposure score in:\n{done.stdout}\n{done.stderr}"
    return float(match.group(1))


def test_security_exposure_stays_low(analyze: str, testable_unit: Path) -> None:
    score = exposure(analyze, testable_unit)
    print(f"systemd-analyze security: kiosk.service exposure {score}")
    assert score <= MAX_EXPOSURE


def test_the_exposure_check_notices_a_weakened_unit(analyze: str, testable_unit: Path) -> None:
    weak = "\n".join(
        line
        for line in testable_unit.read_text().splitlines()
        if not line.startswith(("PrivateNetwork=", "ProtectSystem=", "CapabilityBoundingSet="))
    )
    testable_unit.write_text(weak)
    assert exposure(analyze, testable_unit) > MAX_EXPOSURE


def test_the_usb_mount_unit_passes_verify_and_mounts_nothing_runnable(
        analyze: str, tmp_path: Path) -> None:
    shutil.copy(USB_MOUNT, tmp_path)
    assert verify(analyze, tmp_path / USB_MOUNT.name) == []
    mount = directives(USB_MOUNT.read_text())
    assert mount[("Mount", "Where")] == ["/media/backcare/usb"]
    assert mount[("Mount", "What")] == ["/dev/backcare_usb"]
    options = mount[("Mount", "Options")][0].split(",")
    assert {"noexec", "nosuid", "nodev", "uid=kiosk", "gid=kiosk"} <= set(options)
    # The mount point sits inside the one USB path the kiosk may write to.
    assert "/media/backcare/usb".startswith(
        UNIT_DIRECTIVES[("Service", "ReadWritePaths")][-1].lstrip("-") + "/")


def test_verify_would_catch_a_mount_unit_named_for_another_path(analyze: str,
                                                                tmp_path: Path) -> None:
    (tmp_path / "media-elsewhere.mount").write_text(USB_MOUNT.read_text())
    assert verify(analyze, tmp_path / "media-elsewhere.mount")


def test_udev_names_only_fat_or_exfat_on_usb_and_pulls_in_that_mount() -> None:
    rules = [line for line in USB_RULE.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    text = "\n".join(rules)
    assert 'ENV{ID_BUS}!="usb", GOTO="backcare_usb_end"' in text
    assert 'ENV{ID_FS_TYPE}!="vfat|exfat", GOTO="backcare_usb_end"' in text
    assert f'ENV{{SYSTEMD_WANTS}}+="{USB_MOUNT.name}"' in text
    assert 'SYMLINK+="backcare_usb"' in text  # /dev/backcare_usb, the mount's What=
    assert rules[-1] == 'LABEL="backcare_usb_end"'


def test_polkit_lets_only_the_kiosk_user_power_off() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot evaluate the polkit rule's JavaScript")
    harness = """
    const rules = [];
    const polkit = {Result: {YES: "yes", NO: "no", NOT_HANDLED: null}, addRule: r => rules.push(r)};
    eval(require("fs").readFileSync(process.argv[1], "utf8"));
    const ask = (user, id) => rules[0]({id}, {user});
    console.log(JSON.stringify([
        ask("kiosk", "org.freedesktop.login1.power-off"),
        ask("kiosk", "org.freedesktop.login1.power-off-multiple-sessions"),
        ask("kiosk", "org.freedesktop.login1.reboot"),
        ask("pi", "org.freedesktop.login1.power-off"),
    ]));
    """
    done = subprocess.run(
        [node, "-e", harness, str(POLKIT_RULE)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '["yes","yes",null,null]'


def test_when_systemd_gives_up_the_kiosk_says_so_out_loud(analyze: str, tmp_path: Path) -> None:
    assert one("Unit", "OnFailure") == "kiosk-failed.service"
    failed = UNIT.with_name("kiosk-failed.service")
    text = failed.read_text()
    espeak = shutil.which("espeak-ng") or shutil.which("true")
    assert espeak is not None
    copy = tmp_path / failed.name
    copy.write_text(text.replace("/usr/bin/espeak-ng", espeak))
    assert verify(analyze, copy) == []
    assert "has stopped working" in text and "User=kiosk" in text
