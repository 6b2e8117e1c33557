"""Run a command under the kiosk unit's system-call filter and MemoryDenyWriteExecute=yes.

    python tests/deploy/sandbox.py COMMAND [ARG...]

systemd is not PID 1 on every development machine or CI runner, so ``systemd-run -p ...`` is not
always there. This builds the same seccomp filter systemd would, with libseccomp: the unit's
``SystemCallFilter=`` lines (read from systemd/kiosk.service and expanded by ``systemd-analyze
syscall-filter``), every other call failing with EPERM (``SystemCallErrorNumber=EPERM``), and
``MemoryDenyWriteExecute=yes`` the way systemd 252 (Debian 12, Pi OS bookworm) enforces it: no
mapping both writable and executable, no mprotect() or shmat() that adds execute. Then it execs
the command, which keeps the filter, as the kiosk's child processes keep the unit's.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import subprocess
import sys
from pathlib import Path

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "kiosk.service"

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_MASKED_EQ = 7
PROT_WRITE, PROT_EXEC = 0x2, 0x4
SHM_EXEC = 0o100000
# The calls MemoryDenyWriteExecute= restricts by their arguments, never allowed outright.
MDWE_CALLS = ("mmap", "mmap2", "mprotect", "pkey_mprotect", "shmat")


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def unit_filters(unit: Path = UNIT) -> list[str]:
    """The unit's SystemCallFilter= values, in order."""
    return re.findall(r"^SystemCallFilter=(.+)$", unit.read_text(), re.M)


def expand(name: str) -> set[str]:
    """A call, or a @group expanded to its calls (nested groups included)."""
    if not name.startswith("@"):
        return {name}
    out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True,
                         text=True, check=True).stdout
    calls: set[str] = set()
    for line in out.splitlines()[1:]:
        item = line.strip()
        if item and not item.startswith("#"):
            calls |= expand(item)
    return calls


def allowed_calls(filters: list[str]) -> set[str]:
    """systemd's rule: the first line allows a list; a later ``~`` line takes calls out of it."""
    allowed: set[str] = set()
    for value in filters:
        deny = value.startswith("~")
        names = set().union(*(expand(n) for n in value.lstrip("~").split()))
        allowed = allowed - names if deny else allowed | names
    return allowed


def install(allowed: set[str]) -> None:
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                           ctypes.c_uint, ctypes.POINTER(ArgCmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(0x00050000 | errno.EPERM)  # SCMP_ACT_ERRNO(EPERM): the default

    def rule(name: str, *conditions: tuple[int, int, int]) -> None:
        nr = lib.seccomp_syscall_resolve_name(name.encode())
        if nr < 0:
            return  # not a call on this architecture
        cmps = (ArgCmp * max(1, len(conditions)))(
            *(ArgCmp(arg, SCMP_CMP_MASKED_EQ, mask, value) for arg, mask, value in conditions))
        if lib.seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, len(conditions), cmps) < 0:
            raise OSError(f"seccomp: cannot allow {name}")

    for name in sorted(allowed - set(MDWE_CALLS)):
        rule(name)
    wx = PROT_WRITE | PROT_EXEC
    for name in ("mmap", "mmap2"):
        if name in allowed:
            for prot in (0, PROT_WRITE, PROT_EXEC):  # anything but both at once
                rule(name, (2, wx, prot))
    for name in ("mprotect", "pkey_mprotect"):
        if name in allowed:
            rule(name, (2, PROT_EXEC, 0))
    if "shmat" in allowed:
        rule("shmat", (2, SHM_EXEC, 0))
    if lib.seccomp_load(ctx) < 0:  # sets no_new_privs too, as NoNewPrivileges=yes does
        raise OSError("seccomp: the filter did not load")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    install(allowed_calls(unit_filters()))
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
