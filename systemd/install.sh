#!/usr/bin/env bash
# Install the back-care kiosk as a service on Raspberry Pi OS (bookworm), from this checkout.
#
#   sudo systemd/install.sh            install or update, then (re)start the kiosk
#   sudo systemd/install.sh --voice    the same, with the optional neural voice (docs/voice.md)
#   systemd/install.sh --dry-run       print what it would do and change nothing (no root needed)
#
# Safe to run again: each step checks first, so a second run only copies the new code, refreshes
# the venv and restarts the unit. Your history in /var/lib/backcare-kiosk is never touched.
# See docs/deploy.md.
set -euo pipefail

APP_USER=kiosk
DEST=/opt/backcare-kiosk
DATA_DIR=/var/lib/backcare-kiosk
CONFIG=/etc/backcare-kiosk/kiosk.toml
UNIT=/etc/systemd/system/kiosk.service
FAILED_UNIT=/etc/systemd/system/kiosk-failed.service
POLKIT_RULE=/etc/polkit-1/rules.d/50-backcare-kiosk-poweroff.rules
# The USB stick for the clinician's report: udev names it, systemd mounts it (docs/deploy.md).
USB_RULE=/etc/udev/rules.d/60-backcare-usb.rules
USB_MOUNT_UNIT=/etc/systemd/system/media-backcare-usb.mount
USB_PARENT=/media/backcare
# Groups the unit names in SupplementaryGroups=; a group that does not exist stops the unit.
UNIT_GROUPS=(gpio audio video render input)
# Only what the service needs beyond the project's own list (make system-packages): make runs
# that list, rsync copies the code, polkitd lets the kiosk power the Pi off.
APT_BOOTSTRAP=(make rsync polkitd python3-venv)

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DRY_RUN=0
EXTRAS=pi

usage() { sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

for arg in "$@"; do
    case "$arg" in
        --dry-run | -n) DRY_RUN=1 ;;
        # Installs it; the config still decides ([voice] engine = "piper"): off by default.
        --voice) EXTRAS=pi,voice ;;
        --help | -h) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$arg'; try --help" >&2; exit 2 ;;
    esac
done

# Every change goes through run: a dry run prints the command instead of running it.
run() {
    if ((DRY_RUN)); then
        printf '+'
        printf ' %q' "$@"
        printf '\n'
    else
        "$@"
    fi
}

say() { printf '== %s\n' "$*"; }

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' \
            || printf '%s\n' "$p"
    done
}

install_packages() {
    say "system packages"
    local missing
    mapfile -t missing < <(missing_packages "${APT_BOOTSTRAP[@]}")
    if ((${#missing[@]})); then
        run apt-get update -qq
        run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}"
    fi
    # The runtime list (espeak-ng, sox, SDL 2...) lives in one place, the Makefile.
    run make --no-print-directory -C "$SRC" system-packages
}

create_user() {
    say "user $APP_USER and data directory $DATA_DIR"
    local g
    for g in "${UNIT_GROUPS[@]}"; do
        getent group "$g" >/dev/null || run groupadd --system "$g"
    done
    if ! id -u "$APP_USER" >/dev/null 2>&1; then
        run useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home \
            --shell /usr/sbin/nologin --comment "Back-care kiosk" "$APP_USER"
    fi
    # History stays private to the kiosk user: 0700, like StateDirectoryMode= in the unit.
    run install -d -m 0700 -o "$APP_USER" -g "$APP_USER" "$DATA_DIR"
}

install_code() {
    say "code in $DEST"
    if [[ "$SRC" != "$DEST" ]]; then
        run install -d -m 0755 "$DEST"
        run rsync -a --delete --exclude=.git/ --exclude=.venv/ --exclude=__pycache__/ \
            --exclude='*.egg-info/' --exclude=.pytest_cache/ --exclude=.mypy_cache/ \
            --exclude=.ruff_cache/ --exclude=.hypothesis/ --exclude=/data/ --exclude=/out/ \
            "$SRC/" "$DEST/"
    fi
    [[ -x "$DEST/.venv/bin/python" ]] || run python3 -m venv "$DEST/.venv"
    # Editable, so the kiosk finds its packaged config/ beside the code it runs. This runs as
    # root, so every version is pinned (systemd/constraints.txt), the build's own too: the
    # variable, unlike --constraint, reaches pip's isolated build environment.
    run env PIP_CONSTRAINT="$DEST/systemd/constraints.txt" \
        "$DEST/.venv/bin/pip" install -q --disable-pip-version-check -e "$DEST[$EXTRAS]"
    # The service cannot write to /opt (ProtectSystem=strict), so compile the bytecode now, and
    # cache the dataclass methods that would otherwise compile at every start (kiosk/bytecode.py).
    run "$DEST/.venv/bin/python" -m kiosk.precompile -q
    if [[ ! -e "$CONFIG" ]]; then
        run install -D -m 0644 "$SRC/config/kiosk.toml" "$CONFIG"
    fi
}

install_unit() {
    say "systemd unit and power-off rule"
    run install -D -m 0644 "$SRC/systemd/kiosk.service" "$UNIT"
    run install -D -m 0644 "$SRC/systemd/kiosk-failed.service" "$FAILED_UNIT"
    run install -D -m 0644 "$SRC/systemd/50-backcare-kiosk-poweroff.rules" "$POLKIT_RULE"
    run install -D -m 0644 "$SRC/systemd/60-backcare-usb.rules" "$USB_RULE"
    run install -D -m 0644 "$SRC/systemd/media-backcare-usb.mount" "$USB_MOUNT_UNIT"
    # Root's, 0755: the kiosk may write only on the stick mounted inside it (ReadWritePaths=).
    run install -d -m 0755 -o root -g root "$USB_PARENT"
    run udevadm control --reload
    run systemctl daemon-reload
    run systemctl enable kiosk.service
    # A unit that gave up after a crash loop stays failed until told otherwise: an update is
    # exactly when to try again.
    run systemctl reset-failed kiosk.service || true
    run systemctl restart kiosk.service
}

main() {
    if ((!DRY_RUN)) && ((EUID != 0)); then
        echo "install.sh: run as root (sudo $0), or with --dry-run to see what it would do" >&2
        exit 1
    fi
    ((DRY_RUN)) && say "dry run: nothing will be changed"
    install_packages
    create_user
    install_code
    install_unit
    say "done: journalctl -u kiosk -f shows the kiosk's log"
}

main
