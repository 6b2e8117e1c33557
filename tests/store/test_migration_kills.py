"""Kill the first start of a kiosk while it splits a single-file history into months, at moments
picked from the migration's own progress: the next start finishes it, nothing lost or doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_months_kinds import SAMPLES

from kiosk.config import load_config
from kiosk.core.data.records import Record, SessionRecord
from kiosk.simulate import lived_days
from kiosk.store.history import MonthFile
from kiosk.store.months import FOLDER, MIGRATED, WholeHistory, months_in
from kiosk.store.records import KINDS
from tests.lengths import count

CHILD = Path(__file__).with_name("migrate_child.py")
ROOT = Path(__file__).resolve().parents[2]
TRIALS = count(short=10, full=40)  # first starts, each killed once or twice


def start(data: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, str(CHILD), str(data)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)


def steps_until(proc: subprocess.Popen[bytes], k: int) -> list[str]:
    """Read the child's lines until its ``k``-th step (or its end)."""
    assert proc.stdout is not None
    seen: list[str] = []
    while len([s for s in seen if s.startswith("step")]) < k:
        line = proc.stdout.readline().decode().strip()
        if not line:
            break
        seen.append(line)
    return seen


@pytest.mark.slow
@pytest.mark.soak
def test_a_migration_killed_at_any_step_is_finished_by_the_next_start(tmp_path: Path) -> None:
    cfg = load_config().config
    records = with_every_kind(
        list(lived_days(cfg, years=1.5, per_day=2, seed=5, end=date(2026, 9, 30))))
    source = tmp_path / "source"
    with MonthFile.open(source) as single:  # the single-file layout, as kiosks wrote it so far
        single.add_many(records)
    original = (source / "history.json").read_bytes()

    dry = tmp_path / "dry"
    shutil_copy(source, dry)
    proc = start(dry)
    lines = steps_until(proc, 10**6)
    proc.wait(timeout=600)
    steps = len([s for s in lines if s.startswith("step")])
    assert "done" in lines and steps > 10, lines

    rng = random.Random(20261129)
    killed = 0
    for trial in range(TRIALS):
        data = tmp_path / f"t{trial}"
        shutil_copy(source, data)
        for _ in range(rng.choice((1, 1, 2))):  # now and then the resumed start is killed too
            proc = start(data)
            seen = steps_until(proc, rng.randrange(1, steps + 1))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=600)
            killed += "done" not in seen
        with WholeHistory.open(data) as history:
            assert history.recovery is None
            assert [r.id for r in history.every_record()] == [r.id for r in records]
            assert list(history.every_record()) == records
        assert not (data / "history.json").exists()
        assert (data / FOLDER / MIGRATED).read_bytes() == original
        assert len(months_in(data / FOLDER)) >= 18
    print(f"\nmigration: {steps} steps, {TRIALS} first starts, {killed} killed before the end")
    assert killed >= TRIALS // 2


def with_every_kind(records: list[Record]) -> list[Record]:
    """The simulated sessions and pain entries, with a record of every other kind the codec
    knows slipped in after every 50th, at its time: the split must carry them all."""
    out: list[Record] = []
    for n, record in enumerate(records):
        out.append(record)
        if n % 50 == 49 and isinstance(record, SessionRecord):
            at = record.ended_at + timedelta(minutes=5)
            out += [make(f"{tag}-{n}", at) for tag, make in SAMPLES.items()
                    if tag not in ("session", "pain")]
    assert {type(r) for r in out} == {k.type for k in KINDS.values()}
    return out


def shutil_copy(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target)
