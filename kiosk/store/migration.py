"""Moving a history from the single-file layout of earlier kiosks into monthly folders, once,
so that a kill at any step is finished by the next start (docs/data.md, "Migration")."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from kiosk.core.data.records import (
    Record,
)
from kiosk.errors import StorageError
from kiosk.store.atomic import (
    Fsync,
    fsync_dir,
    make_private_dir,
    remove_stale_temps,
    write_atomically,
)
from kiosk.store.backups import Backups
from kiosk.store.history import FILENAME, MonthFile, Recovery, recovery_message
from kiosk.store.journal import JOURNAL
from kiosk.store.journal import rewrite as rewrite_journal
from kiosk.store.layout import (
    FOLDER,
    MIGRATED,
    MIGRATED_BACKUPS,
    STAGING,
    months_in,
    read_month,
    split,
)
from kiosk.store.load import load
from kiosk.store.records import TABLE, encode

log = logging.getLogger(__name__)


# --- migration from the single-file layout -------------------------------------------------------
def needs_migration(data_dir: Path) -> bool:
    """A single-file history is there: the file, or (the file lost) only its backups."""
    if os.path.lexists(data_dir / FILENAME):
        return True
    backups = Backups(data_dir / "backups")
    return not (data_dir / FOLDER).exists() and bool(backups.newest_first())


def migrate(
    data_dir: Path,
    *,
    on_step: Callable[[str], None] | None = None,
    problems: list[Recovery] | None = None,
    fsync: Fsync | None = None,
) -> bool:
    """Split a single-file history into months; returns whether there was one to split.

    Crash-safe by order: the old file stays the truth until every month is written whole, and
    each start that still finds it splits it again, writing the same months over any a killed
    run left. Moving the old file into ``history/`` is the one step that commits; after it, the
    months are the truth. The old file and its backups are kept there, never deleted.
    """
    step = on_step or (lambda _: None)
    if not needs_migration(data_dir):
        _tidy_old_backups(data_dir, step)
        return False
    # We hold the lock: temp files still here were left by a crash, not by a live write.
    remove_stale_temps(data_dir, FILENAME)
    if (data_dir / STAGING).exists():
        shutil.rmtree(data_dir / STAGING)  # a split a crash cut short: done again from the start
    # Read as a reader would (load.py): a damaged file is salvaged and merged with its newest
    # good backup in memory, and kept as it is, to be moved into history/ with the rest.
    loaded = load(data_dir / FILENAME, Backups(data_dir / "backups"))
    records = list(loaded.records.values())
    if loaded.problem is not None and problems is not None:
        problems.append(Recovery(loaded.problem, recovery_message(loaded), None,
                                 loaded.restored_from, len(records), loaded.salvaged))
    step(f"read {len(records)} records")
    try:
        _split_into_months(data_dir, records, step, fsync)
    except OSError as e:
        raise StorageError(
            f"{data_dir / FILENAME}: cannot split the history into monthly files "
            f"({e.strerror}); make the storage card writable and restart"
        ) from e
    step("committed")
    _tidy_old_backups(data_dir, step)
    return True


def _split_into_months(
    data_dir: Path, records: list[Record], step: Callable[[str], None], fsync: Fsync | None
) -> None:
    root = data_dir / FOLDER
    if not root.exists():
        # Months are written into a staging folder, renamed to history/ in one step when all
        # are whole: a killed run leaves only the staging folder, which the next run redoes.
        staging = data_dir / STAGING
        for month, part in split(records):
            make_private_dir(staging / month)
            data = {TABLE: {str(i + 1): encode(r) for i, r in enumerate(part)}}
            text = json.dumps(data, ensure_ascii=False, allow_nan=False)
            write_atomically(staging / month / FILENAME, text.encode("utf-8"), fsync=fsync)
            rewrite_journal(staging / month / JOURNAL, {i + 1: r for i, r in enumerate(part)},
                            fsync=fsync)
            step(f"wrote {month}")
        make_private_dir(staging)
        os.replace(staging, root)
        fsync_dir(data_dir, fsync=fsync)
        step("months in place")
    else:
        # Months are there already (a start killed after the rename above, or an older kiosk
        # that wrote history.json again): add what they lack, by id, never twice.
        _add_missing(data_dir, records, step, fsync)
    if os.path.lexists(data_dir / FILENAME):
        os.replace(data_dir / FILENAME, _free(root / MIGRATED))  # the commit
        fsync_dir(root, fsync=fsync)
        fsync_dir(data_dir, fsync=fsync)


def _add_missing(
    data_dir: Path, records: list[Record], step: Callable[[str], None], fsync: Fsync | None
) -> None:
    root = data_dir / FOLDER
    present = {r.id for m in months_in(root) for r in read_month(root / m)[0]}
    missing = [r for r in records if r.id not in present]
    if not missing:
        return
    months = months_in(root)
    history = MonthFile.open(root / months[-1], journaled=True) if months else None
    try:
        for month, part in split(missing):
            if history is None or (months and month > months[-1]):
                if history is not None:
                    history.close()
                history = MonthFile.open(root / month, journaled=True)
                months.append(month)
            history.add_many(part)
            step(f"added {len(part)} to {month}")
    finally:
        if history is not None:
            history.close()


def _free(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``...: whichever is not taken (nothing is overwritten)."""
    n = 1
    target = path
    while os.path.lexists(target):
        n += 1
        target = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return target


def _tidy_old_backups(data_dir: Path, step: Callable[[str], None]) -> None:
    """The single file's backups go with it into ``history/``: never restored again."""
    old = data_dir / "backups"
    if (data_dir / FOLDER).is_dir() and old.is_dir():
        target = data_dir / FOLDER / MIGRATED_BACKUPS
        n = 1
        while target.exists():
            n += 1
            target = data_dir / FOLDER / f"{MIGRATED_BACKUPS}-{n}"
        os.replace(old, target)
        fsync_dir(data_dir)
        step("moved the old backups")
