"""The USB stick, read: is a drive mounted, and the clinician's program at its top (issue 28).

The same mount as the USB export (kiosk/usb.py, docs/deploy.md). Kept apart from the export,
which draws the report: the kiosk loop reads a program without importing any of that.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.devices import StickProgram
from kiosk.errors import ConfigError


def drive_present(mount: Path, *, require_mount: bool = True) -> bool:
    """A drive is there when something is mounted at ``mount``. Tests, and a kiosk that mounts
    its stick some other way, may set ``require_mount`` false: then the folder existing is
    enough."""
    if require_mount:
        return os.path.ismount(mount)
    return mount.is_dir()


# --- reading a clinician's program from the stick (issue 28) ------------------------------------
NO_PROGRAM = ("There is no program on the USB stick. It needs a file called backcare-program"
              ".toml at the top of the stick. Nothing has changed.")
UNREADABLE = "The program on the USB stick could not be read. Nothing has changed."


def read_program(mount: Path, *, require_mount: bool = True) -> StickProgram:
    """The text of ``backcare-program.toml`` at the top of the drive at ``mount`` (a BOM
    dropped, CRLF read as LF), or None and one sentence to say; never an exception. The
    kiosk reads one file at a known name and writes nothing on the stick."""
    from kiosk.config.program import STICK_NAME, problem_line, read_program_text
    from kiosk.core.reports.usb import WORDS, Outcome

    if not drive_present(mount, require_mount=require_mount):
        return StickProgram(None, WORDS[Outcome.NO_DRIVE])
    path = mount / STICK_NAME
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return StickProgram(None, NO_PROGRAM)
    except OSError:
        return StickProgram(None, UNREADABLE)
    if not stat.S_ISREG(mode):  # never a link off the stick, a FIFO or a folder
        return StickProgram(None, UNREADABLE)
    problems: list[ConfigError] = []
    text = read_program_text(path, problems)
    if text is None:
        return StickProgram(None, problem_line(problems[0]) + " Nothing has changed."
                            if problems else UNREADABLE)
    return StickProgram(text)
