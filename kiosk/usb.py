"""The report and every export onto a removable drive, mounted at a fixed path. The shell.

The drive is mounted by the system, not by the kiosk (systemd/backcare-usb.rules and the mount
unit beside it, docs/deploy.md): the kiosk's unit may write to that one path and nothing else.
``copy_all`` writes ``<mount>/backcare-kiosk/<YYYY-MM-DD_HHMMSS>/``: report.html with its
charts, history.json, history.csv and history.fhir.json, each file through a temporary name,
synced, then renamed. On any failure the new folder is removed, so a stick never holds a copy
that looks whole and is not. It runs on its own thread from the kiosk (app.py) and never
touches the history's writer: saves go on while it copies.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import shutil
import stat
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from kiosk.config import Config
from kiosk.core.data.records import Record
from kiosk.core.reports.report import default_period
from kiosk.core.reports.usb import FOLDER, Outcome
from kiosk.report import write_atomic, write_report
from kiosk.stick import drive_present
from kiosk.store import export
from kiosk.store.atomic import kind_of

log = logging.getLogger("kiosk.usb")

FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}  # EFBIG: FAT32 holds no file over 4 GiB
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
GONE = {errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, errno.ENOTDIR}


def copy_all(records: Sequence[Record], cfg: Config, mount: Path, *, now: datetime,
             require_mount: bool = True, units: Mapping[str, str] | None = None) -> Outcome:
    """Everything onto the drive at ``mount``; the outcome, never an exception."""
    if not drive_present(mount, require_mount=require_mount):
        return Outcome.NO_DRIVE
    try:
        if os.statvfs(mount).f_flag & os.ST_RDONLY:
            return Outcome.READ_ONLY
    except OSError as e:
        return _outcome(e)
    folder = mount / FOLDER
    target = folder / f"{now:%Y-%m-%d_%H%M%S}"
    try:
        folder.mkdir(exist_ok=True)
        # The kiosk's folder on the stick, never a link, off the stick or anywhere else.
        mode = os.lstat(folder).st_mode
        if not stat.S_ISDIR(mode):
            log.warning("USB copy: %s is %s, not a folder; remove it from the stick", folder,
                        kind_of(mode))
            return Outcome.FAILED
        if os.path.lexists(target):  # two copies within a second: keep both
            target = target.with_name(f"{target.name}-{os.getpid()}")
        target.mkdir()
    except OSError as e:
        return _outcome(e)
    try:
        since, until = default_period(now.date())
        write_report(records, cfg, target, since=since, until=until, now=now)
        for fmt in export.FORMATS:
            buffer = io.StringIO(newline="")
            export.write(fmt, records, buffer, units=units)
            write_atomic(target / export.SUFFIX[fmt], buffer.getvalue().encode("utf-8"))
        _sync_dir(target)
        return Outcome.DONE
    except OSError as e:
        log.warning("USB copy to %s failed: %s", target, e)
        shutil.rmtree(target, ignore_errors=True)  # only the folder this copy made
        return _outcome(e)
    except Exception:  # a fault in the kiosk: no half-written copy is left on the stick
        log.exception("USB copy to %s failed", target)
        shutil.rmtree(target, ignore_errors=True)
        return Outcome.FAILED


def _sync_dir(path: Path) -> None:
    """The folder's entries on the stick too, not only the files' data."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _outcome(error: OSError) -> Outcome:
    if error.errno in FULL:
        return Outcome.FULL
    if error.errno in READ_ONLY:
        return Outcome.READ_ONLY
    if error.errno in GONE:
        return Outcome.NO_DRIVE
    return Outcome.FAILED

