"""An SD card failing slowly under ten years of history (issue 29, item 7).

Each round copies a ten-year data directory, damages files across it at random (bytes
flipped, files cut short, blocks zeroed), runs reading commands and then a whole session
(``kiosk demo``), and counts the sessions before and after. Every round runs every reader,
each on the round's damage, before the session: every command meets every round's damage.
Damage never touches both copies of a month (its file and its journal), so every record has one
copy left: none may be lost. Every command must end without a traceback.
``make test`` runs a few rounds, ``make soak`` many (tests/lengths.py): only the count changes.
"""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path

import pytest

from kiosk import cli
from kiosk.config import load_config
from kiosk.core.coach.progression import Replays
from kiosk.core.coach.signature import tuning
from kiosk.simulate import lived_days
from kiosk.store.atomic import AtomicJSONStorage
from kiosk.store.journal import JOURNAL
from kiosk.store.months import WholeHistory
from kiosk.store.readonly import read_history
from tests.lengths import count

pytestmark = [pytest.mark.slow, pytest.mark.soak]

ROUNDS = count(short=20, full=200)
END = date(2026, 11, 30)
BUG = 70  # cli.main's exit code for an exception it did not expect
COMMANDS = [
    ["history"], ["plan", "--date", "2026-12-01"], ["rituals", "--date", "2026-12-01"],
    ["rhythm", "--date", "2026-12-01"], ["summary", "--date", "2026-12-01"], ["signature"],
    ["export"], ["export", "--format", "csv"], ["export", "--format", "fhir"],
    ["report", "--out", "{out}"], ["check"],
]


class NoSync(AtomicJSONStorage):
    """Only to make the ten years quickly: their durability is not what is tested here."""

    @staticmethod
    def fsync(fd: int) -> None:
        pass


@pytest.fixture(scope="module")
def ten_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cfg = load_config().config
    data = tmp_path_factory.mktemp("sd") / "data"
    replays = Replays(cfg.library, cfg.progression, dict(tuning(None, cfg.signature).allowed))
    with WholeHistory.open(data, replays=replays, storage=NoSync) as history:
        history.add_many(lived_days(cfg, years=10, per_day=1, seed=29, end=END))
    return data


@pytest.fixture(scope="module")
def sessions_before(ten_years: Path) -> set[str]:
    """The sessions of the ten years, undamaged: read once, not in every round."""
    return {s.id for s in read_history(ten_years).sessions}


def _damage(data: Path, rng: random.Random) -> list[str]:
    """Damage a few files at random; never a month's file and its journal both."""
    files = sorted(p for p in data.rglob("*") if p.is_file() and not p.is_symlink()
                   and p.name != ".lock")
    done: list[str] = []
    spoilt_months: set[Path] = set()
    for path in rng.sample(files, k=min(len(files), rng.randint(1, 12))):
        if path.name in ("history.json", JOURNAL):
            if path.parent in spoilt_months:
                continue
            spoilt_months.add(path.parent)
        raw = bytearray(path.read_bytes())
        how = rng.choice(["flip", "cut", "zero"])
        if how == "flip" and raw:
            for _ in range(rng.randint(1, 8)):
                raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        elif how == "cut":
            del raw[rng.randrange(len(raw) + 1):]
        elif raw:
            start = rng.randrange(0, len(raw), 512) if len(raw) > 512 else 0
            raw[start:start + 4096] = bytes(len(raw[start:start + 4096]))
        path.write_bytes(bytes(raw))
        done.append(f"{how} {path.relative_to(data)}")
    return done


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_failing_card_loses_no_session_and_stops_no_command(
    ten_years: Path, sessions_before: set[str], tmp_path: Path, round_: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = tmp_path / "data"
    shutil.copytree(ten_years, data, symlinks=True)
    before = sessions_before
    damage = _damage(data, random.Random(round_))
    for command in COMMANDS:
        args = [a.format(out=tmp_path / "report") for a in command]
        code = cli.main(["--data-dir", str(data), *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and code != BUG, (command, damage, err[-2000:])
    code = cli.main(["--data-dir", str(data), "demo", "--date", "2026-12-01"])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in out + err, (damage, err[-2000:])
    [new] = [line.split()[2] for line in out.splitlines() if line.startswith("saved: session ")]
    after = {s.id for s in read_history(data).sessions}
    assert before - after == set(), (damage, sorted(before - after)[:5])
    assert new in after and len(after) == len(before) + 1
