"""Sealed months (kiosk/store/seal.py): a closed month checked once is read without the checks,
and a reader never sees anything but what the checked read would show. A month that changed in
any way, a seal from another codec and a damaged seal all fall back to the checked read, which
finds and reports damage exactly as before."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from test_months_kinds import RECORDS
from test_recovery import CORPUS

from kiosk.cli import main
from kiosk.core.records import PainEntry, SessionRecord
from kiosk.store import seal
from kiosk.store.months import FOLDER, MonthlyHistory, months_in
from kiosk.store.readonly import read_history
from kiosk.store.records import parse_history


def saved(data: Path) -> list[str]:
    """Every kind of record over five months, saved by the kiosk; the months, oldest first."""
    with MonthlyHistory.open(data) as history:
        for r in RECORDS:
            history.add(r)
    return months_in(data / FOLDER)


def _unseal(data: Path) -> None:
    for s in (data / FOLDER).glob(f"*/{seal.SEAL}"):
        s.unlink()


def test_closed_months_are_sealed_and_read_back_the_same(tmp_path: Path) -> None:
    months = saved(tmp_path)
    root = tmp_path / FOLDER
    assert [m for m in months if (root / m / seal.SEAL).exists()] == months[:-1]  # not the open
    for m in months[:-1]:  # each seal vouches for its month, and it decodes the same
        raw = (root / m / "history.json").read_bytes()
        assert seal.trusted(root / m, raw) == parse_history(raw)
    sealed = read_history(tmp_path)
    _unseal(tmp_path)
    checked = read_history(tmp_path)
    assert sealed.records == checked.records == RECORDS
    assert sealed.note is None


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_damage_in_a_sealed_month_is_found_and_told(tmp_path: Path, name: str) -> None:
    months = saved(tmp_path)
    month = tmp_path / FOLDER / months[1]
    (month / "history.json").write_bytes(CORPUS[name])  # the seal no longer matches the bytes
    found = read_history(tmp_path)
    assert found.note is not None and str(month / "history.json") in found.note
    _unseal(tmp_path)
    assert read_history(tmp_path) == found  # exactly what the checked read shows and says


def test_a_month_changed_by_hand_shows_its_new_numbers(tmp_path: Path) -> None:
    months = saved(tmp_path)
    path = tmp_path / FOLDER / months[0] / "history.json"
    data = json.loads(path.read_bytes())
    first = next(k for k, v in data["sessions"].items() if "kind" not in v)
    data["sessions"][first]["pain_before"] = 9  # valid, and different from what was sealed
    path.write_text(json.dumps(data))
    shown = [r for r in read_history(tmp_path).records if isinstance(r, SessionRecord)]
    assert shown[0].pain_before == 9


@pytest.mark.parametrize("spoil", ["other codec", "garbage", "wrong size", "not an object",
                                   "a FIFO", "a link"])
def test_a_seal_that_does_not_fit_is_not_trusted(tmp_path: Path, spoil: str) -> None:
    months = saved(tmp_path)
    month = tmp_path / FOLDER / months[0]
    stamp = json.loads((month / seal.SEAL).read_bytes())
    spoilt = {
        "other codec": json.dumps({**stamp, "codec": "0" * 64}),
        "garbage": '{"format": 1, "codec',
        "wrong size": json.dumps({**stamp, "size": stamp["size"] + 1}),
        "not an object": "[1, 2]",
    }.get(spoil)
    if spoilt is not None:
        (month / seal.SEAL).write_text(spoilt)
    elif spoil == "a FIFO":  # a reader, perhaps root, must not hang on it
        (month / seal.SEAL).unlink()
        os.mkfifo(month / seal.SEAL)
    else:  # a good seal, but behind a link: not trusted
        (month / seal.SEAL).rename(tmp_path / "elsewhere.json")
        (month / seal.SEAL).symlink_to(tmp_path / "elsewhere.json")
    raw = (month / "history.json").read_bytes()
    assert seal.trusted(month, raw) is None
    assert read_history(tmp_path).records == RECORDS  # read the checked way, all there


def test_a_damaged_month_is_never_sealed(tmp_path: Path) -> None:
    months = saved(tmp_path)
    month = tmp_path / FOLDER / months[0]
    (month / seal.SEAL).unlink()
    (month / "history.json").write_bytes(CORPUS["pain out of range"])
    assert not seal.seal(month)
    assert not (month / seal.SEAL).exists()


def test_a_history_from_before_seals_is_sealed_when_the_next_month_closes(
    tmp_path: Path,
) -> None:
    months = saved(tmp_path)
    _unseal(tmp_path)
    with MonthlyHistory.open(tmp_path) as history:
        history.add(PainEntry("june", datetime(2026, 6, 2, 9), 3))  # June: May closes
    root = tmp_path / FOLDER
    assert all((root / m / seal.SEAL).exists() for m in months)  # May closed, and the others
    assert not (root / "2026-06" / seal.SEAL).exists()


def test_readers_never_write_a_seal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved(tmp_path)
    _unseal(tmp_path)
    read_history(tmp_path)
    assert main(["--data-dir", str(tmp_path), "report", "--out", str(tmp_path / "out")]) == 0
    assert main(["--data-dir", str(tmp_path), "export"]) == 0
    capsys.readouterr()
    assert not list((tmp_path / FOLDER).glob(f"*/{seal.SEAL}"))
