"""Sealed months (kiosk/store/seal.py): a closed month checked once is read without the checks,
and a reader never sees anything but what the checked read would show. A month that changed in
any way, a seal from another codec and a damaged seal all fall back to the checked read, which
finds and reports damage exactly as before."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from test_months_kinds import RECORDS
from test_recovery import CORPUS

from kiosk.cli import main
from kiosk.core.data.records import PainEntry, SessionRecord
from kiosk.store import seal
from kiosk.store.months import FOLDER, WholeHistory, months_in
from kiosk.store.readonly import read_history
from kiosk.store.records import parse_history


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every kind of record over five months, saved by the kiosk, which closes each month (and
    seals it) as the next one begins; once, then copied for each test."""
    data = tmp_path_factory.mktemp("seal") / "data"
    with WholeHistory.open(data) as history:
        for r in RECORDS:
            history.add(r)
    return data


@pytest.fixture
def data(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "data", symlinks=True)
    return tmp_path / "data"


def saved(data: Path) -> list[str]:
    """The months, oldest first."""
    return months_in(data / FOLDER)


def _unseal(data: Path) -> None:
    for s in (data / FOLDER).glob(f"*/{seal.SEAL}"):
        s.unlink()


def test_closed_months_are_sealed_and_read_back_the_same(data: Path) -> None:
    months = saved(data)
    root = data / FOLDER
    assert [m for m in months if (root / m / seal.SEAL).exists()] == months[:-1]  # not the open
    for m in months[:-1]:  # each seal vouches for its month, and it decodes the same
        raw = (root / m / "history.json").read_bytes()
        assert seal.trusted(root / m, raw) == parse_history(raw)
    sealed = read_history(data)
    _unseal(data)
    checked = read_history(data)
    assert sealed.records == checked.records == RECORDS
    assert sealed.note is None


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_damage_in_a_sealed_month_is_found_and_told(data: Path, name: str) -> None:
    months = saved(data)
    month = data / FOLDER / months[1]
    (month / "history.json").write_bytes(CORPUS[name])  # the seal no longer matches the bytes
    found = read_history(data)
    assert found.note is not None and str(month / "history.json") in found.note
    _unseal(data)
    assert read_history(data) == found  # exactly what the checked read shows and says


def test_a_month_changed_by_hand_shows_its_new_numbers(data: Path) -> None:
    months = saved(data)
    path = data / FOLDER / months[0] / "history.json"
    doc = json.loads(path.read_bytes())
    first = next(k for k, v in doc["sessions"].items() if "kind" not in v)
    doc["sessions"][first]["pain_before"] = 9  # valid, and different from what was sealed
    path.write_text(json.dumps(doc))
    shown = [r for r in read_history(data).records if isinstance(r, SessionRecord)]
    assert shown[0].pain_before == 9


@pytest.mark.parametrize("spoil", ["other codec", "garbage", "wrong size", "not an object",
                                   "a FIFO", "a link"])
def test_a_seal_that_does_not_fit_is_not_trusted(data: Path, spoil: str, tmp_path: Path) -> None:
    months = saved(data)
    month = data / FOLDER / months[0]
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
    assert read_history(data).records == RECORDS  # read the checked way, all there


def test_a_damaged_month_is_never_sealed(data: Path) -> None:
    months = saved(data)
    month = data / FOLDER / months[0]
    (month / seal.SEAL).unlink()
    (month / "history.json").write_bytes(CORPUS["pain out of range"])
    assert not seal.seal(month)
    assert not (month / seal.SEAL).exists()


def test_a_history_from_before_seals_is_sealed_when_the_next_month_closes(
    data: Path,
) -> None:
    months = saved(data)
    _unseal(data)
    with WholeHistory.open(data) as history:
        history.add(PainEntry("june", datetime(2026, 6, 2, 9), 3))  # June: May closes
    root = data / FOLDER
    assert all((root / m / seal.SEAL).exists() for m in months)  # May closed, and the others
    assert not (root / "2026-06" / seal.SEAL).exists()


def test_readers_never_write_a_seal(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved(data)
    _unseal(data)
    read_history(data)
    assert main(["--data-dir", str(data), "report", "--out", str(tmp_path / "out")]) == 0
    assert main(["--data-dir", str(data), "export"]) == 0
    capsys.readouterr()
    assert not list((data / FOLDER).glob(f"*/{seal.SEAL}"))
