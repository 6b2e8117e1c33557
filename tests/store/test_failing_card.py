"""A failing SD card loses nothing saved (issue 29): each month keeps a journal of its saves
beside its file (kiosk/store/journal.py), a damaged month, open or closed, is read and repaired
from it, readers that meet damage say what they recovered and exit non-zero, and a slow card
at shutdown never makes the writer abandon its queue (the fallback file, fallback.py)."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from store_samples import Results, real_record
from test_months_kinds import RECORDS, REPLAYS

from kiosk import cli
from kiosk.core.data.records import PainEntry, Record
from kiosk.store import fallback, journal, seal
from kiosk.store.atomic import AtomicJSONStorage, make_private_dir
from kiosk.store.history import MonthFile
from kiosk.store.months import FOLDER, WholeHistory, months_in
from kiosk.store.readonly import read_history
from kiosk.store.writer import NOT_SAVED, STOP_SECONDS, HistoryWriter, SaveResult

HUNG = 120.0  # seconds: only a hung writer takes this long
SAME_DAY = datetime(2026, 5, 20, 9)  # every save on one day: the daily backups hold its first


def _damage(path: Path, how: str) -> None:
    raw = path.read_bytes()
    if how == "not JSON":
        path.write_bytes(b'{"oops')
    elif how == "cut short":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "zeroed block":
        mid = len(raw) // 3
        path.write_bytes(raw[:mid] + bytes(512) + raw[mid + 512:])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "gone":
        path.unlink()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every kind of record over five months, saved one by one as the kiosk saves them."""
    data = tmp_path_factory.mktemp("card") / "data"
    with WholeHistory.open(data, now=lambda: SAME_DAY) as history:
        for r in RECORDS:
            history.add(r)
    return data


@pytest.fixture
def data(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "data", symlinks=True)
    return tmp_path / "data"


DAMAGE = ["not JSON", "cut short", "zeroed block", "empty", "gone"]


@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.parametrize("which", ["open", "closed"])
def test_a_damaged_month_loses_nothing_saved_of_any_kind(
    data: Path, which: str, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    months = months_in(data / FOLDER)
    month = data / FOLDER / (months[-1] if which == "open" else months[1])
    _damage(month / "history.json", how)
    # The readers show every record, say what they recovered, and exit non-zero.
    seen = read_history(data)
    assert seen.records == RECORDS
    assert seen.note is not None and "nothing saved is lost" in seen.note
    code = cli.main(["--data-dir", str(data), "history"])
    out, _ = capsys.readouterr()
    assert code == cli.DAMAGED
    assert "recovered" in out and "nothing saved is lost" in out
    # The kiosk repairs it, open or closed, as the readers' note promises; nothing is lost.
    with WholeHistory.open(data, replays=REPLAYS, now=lambda: SAME_DAY,
                             seal_when_idle=True) as history:
        while history.idle():
            pass
        told = [history.recovery] if history.recovery else history.repaired
        assert told and all("nothing saved was lost" in r.message for r in told)
    after = read_history(data)
    assert after.records == RECORDS and after.note is None
    assert cli.main(["--data-dir", str(data), "history"]) == 0


def test_a_damaged_journal_is_written_again_from_the_file(data: Path) -> None:
    month = data / FOLDER / months_in(data / FOLDER)[-1]
    _damage(month / journal.JOURNAL, "cut short")
    with WholeHistory.open(data, now=lambda: SAME_DAY) as history:
        assert history.recovery is None  # the file is whole: nothing to tell the person
    found = journal.read(month / journal.JOURNAL)
    assert found.sound
    # And it holds every save again: the file can now be lost too.
    (month / "history.json").unlink()
    assert read_history(data).records == RECORDS


def test_a_save_cut_off_between_file_and_journal_is_journaled_at_the_next_start(
    tmp_path: Path,
) -> None:
    with WholeHistory.open(tmp_path) as history:
        history.add(PainEntry("p1", datetime(2026, 5, 1, 9), 3))
    month = tmp_path / FOLDER / "2026-05"
    (month / journal.JOURNAL).unlink()  # as if killed after the file's write
    with WholeHistory.open(tmp_path) as history:
        assert history.recovery is None
    assert [r.id for r in journal.read(month / journal.JOURNAL).records.values()] == ["p1"]


def test_a_flipped_value_that_still_reads_is_taken_from_the_journal(data: Path) -> None:
    month = data / FOLDER / months_in(data / FOLDER)[-1]
    path = month / "history.json"
    raw = path.read_bytes()
    assert b'"pain": 6' in raw
    path.write_bytes(raw.replace(b'"pain": 6', b'"pain": 2', 1))  # valid, and wrong
    with WholeHistory.open(data, now=lambda: SAME_DAY) as history:
        assert history.recovery is not None
    assert read_history(data).records == RECORDS


def test_a_fifo_journal_is_set_aside_and_never_waited_on(tmp_path: Path) -> None:
    with WholeHistory.open(tmp_path) as history:
        history.add(PainEntry("p1", datetime(2026, 5, 1, 9), 3))
    month = tmp_path / FOLDER / "2026-05"
    (month / journal.JOURNAL).unlink()
    os.mkfifo(month / journal.JOURNAL)
    with WholeHistory.open(tmp_path) as history:
        history.add(PainEntry("p2", datetime(2026, 5, 2, 9), 4))
    assert journal.read(month / journal.JOURNAL).sound
    assert [r.id for r in read_history(tmp_path).records] == ["p1", "p2"]


# --- the queue at shutdown ---------------------------------------------------------------
class SlowCard(AtomicJSONStorage):
    """The storage twin of a card whose every fsync takes half a second."""

    @staticmethod
    def fsync(fd: int) -> None:
        time.sleep(0.5)
        os.fsync(fd)


def test_the_writer_waits_as_long_as_systemd_gives_it() -> None:
    unit = (Path(__file__).parents[2] / "systemd" / "kiosk.service").read_text()
    [line] = [ln for ln in unit.splitlines() if ln.startswith("TimeoutStopSec=")]
    assert float(line.split("=", 1)[1]) == STOP_SECONDS


def _kept_when_closed(data: Path, rid: str) -> None:
    """Once close() has returned, the record is in its month or in the fallback file: the
    process may end now (a daemon writer thread still at work dies with it)."""
    on_disk = {r.id for r in read_history(data).records}
    kept = {r.id for r in fallback.read(data)[0]}
    assert rid in on_disk | kept


def _months(n: int) -> list[Record]:
    return [PainEntry(f"m{i}", datetime(2024 + i // 12, i % 12 + 1, 5, 9), 3) for i in range(n)]


@pytest.mark.slow
def test_a_months_first_save_on_a_slow_card_is_not_lost_at_close(tmp_path: Path) -> None:
    """A kiosk updated to a new codec seals every closed month again: never before the
    session is on disk (issue 29: with fsync slowed, the first save of a month was lost)."""
    old = _months(24)
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        history.add_many(old)
    for s in (tmp_path / FOLDER).glob(f"*/{seal.SEAL}"):
        s.unlink()  # as after a codec change: every closed month to seal again
    new = real_record("new", "2026-01-06T09:00:00")  # the first save of a new month
    results = Results()
    writer = HistoryWriter.open(tmp_path, storage=SlowCard, on_result=results, replays=REPLAYS)
    writer.save(new)
    writer.close()
    _kept_when_closed(tmp_path, "new")
    with WholeHistory.open(tmp_path, wait_for_lock=HUNG) as history:  # merges any fallback
        assert [r.id for r in history.every_record()] == [*(r.id for r in old), "new"]


class SlowSeals(AtomicJSONStorage):
    """The storage twin of a card on which writing a month's seal takes as long as the test
    says: once ``armed``, a seal's fsync waits for ``gate`` (the test opens it; no sleep, no
    guessed duration). Every other write is as quick as the disk. ``moved`` is set by the
    first of the two: a seal reached, or (by the test's on_result) a save reported."""

    armed = False
    gate = threading.Event()
    reached = threading.Event()
    moved = threading.Event()

    @staticmethod
    def fsync(fd: int) -> None:
        if SlowSeals.armed and seal.SEAL in os.readlink(f"/proc/self/fd/{fd}"):
            SlowSeals.reached.set()
            SlowSeals.moved.set()
            assert SlowSeals.gate.wait(HUNG)
        os.fsync(fd)


@pytest.mark.slow
def test_a_save_during_a_migration_on_a_slow_card_is_not_lost(tmp_path: Path) -> None:
    """Issue 29: a migration leaves every month to seal. The writer at 703d418 sealed them all
    on the first save of a new month, before the session, so a close on a slow card abandoned
    the session. Sealing now waits for the kiosk to be idle: the session is on disk while the
    card is still stuck on a seal, and a close in the middle of sealing loses nothing."""
    old = _months(2)
    with MonthFile.open(tmp_path) as single:  # the single-file layout, split on the next start
        single.add_many(old)
    for event in (SlowSeals.gate, SlowSeals.reached, SlowSeals.moved):
        event.clear()
    results = Results()

    def heard(result: SaveResult) -> None:
        results(result)
        SlowSeals.moved.set()

    writer = HistoryWriter.open(tmp_path, storage=SlowSeals, on_result=heard, replays=REPLAYS)
    assert months_in(tmp_path / FOLDER) == ["2024-01", "2024-02"]  # migrated, not yet sealed
    assert not list((tmp_path / FOLDER).glob(f"*/{seal.SEAL}"))
    SlowSeals.armed = True
    try:
        writer.save(real_record("new", "2024-03-06T09:00:00"))  # a new month: 2024-02 closes
        assert SlowSeals.moved.wait(HUNG)  # the session saved, or the writer stuck on a seal
        assert [(r.id, r.ok) for r in results.items] == [("new", True)]
        assert not SlowSeals.reached.is_set()  # no seal was begun before the session was in
        writer.warm()  # the kiosk is up and idle: now the months are sealed, on the slow card
        assert SlowSeals.reached.wait(HUNG)
        writer.close(timeout=0)  # systemd's stop timeout runs out in the middle of a seal
        _kept_when_closed(tmp_path, "new")
        assert fallback.read(tmp_path)[0] == []  # on disk already, not only kept for later
    finally:
        SlowSeals.armed = False
        SlowSeals.gate.set()
    writer._thread.join(HUNG)
    with WholeHistory.open(tmp_path, wait_for_lock=HUNG) as history:
        assert [r.id for r in history.every_record()] == ["m0", "m1", "new"]


class StuckCard(AtomicJSONStorage):
    """A card whose months stop answering: every fsync there waits for ``gate``, then fails;
    elsewhere (the fallback file) it works."""

    gate = threading.Event()
    reached = threading.Event()

    @staticmethod
    def fsync(fd: int) -> None:
        if f"/{FOLDER}/" not in os.readlink(f"/proc/self/fd/{fd}"):
            os.fsync(fd)
            return
        StuckCard.reached.set()
        assert StuckCard.gate.wait(HUNG)
        raise OSError(5, "Input/output error")


def test_what_close_cannot_write_is_kept_and_merged_at_the_next_start(tmp_path: Path) -> None:
    with WholeHistory.open(tmp_path) as history:
        history.add(PainEntry("before", datetime(2026, 5, 1, 9), 3))
    StuckCard.gate.clear()
    StuckCard.reached.clear()
    writer = HistoryWriter.open(tmp_path, storage=StuckCard)
    record = real_record("late", "2026-05-02T09:00:00")
    writer.save(record)
    assert StuckCard.reached.wait(HUNG)
    writer.close(timeout=0)  # the stop timeout has run out: the save is still stuck
    assert fallback.read(tmp_path)[0] == [record]
    StuckCard.gate.set()  # the stuck write fails; the writer thread ends
    writer._thread.join(HUNG)
    with WholeHistory.open(tmp_path) as history:
        assert [r.id for r in history.records()] == ["before", "late"]
    assert not fallback.path(tmp_path).exists()
    with WholeHistory.open(tmp_path) as history:  # merged once, never twice
        assert [r.id for r in history.records()] == ["before", "late"]


def test_a_save_that_cannot_be_kept_anywhere_is_said(tmp_path: Path) -> None:
    StuckCard.gate.clear()
    StuckCard.reached.clear()
    results = Results()
    writer = HistoryWriter.open(tmp_path, storage=StuckCard, on_result=results)
    writer.save(real_record("late", "2026-05-02T09:00:00"))
    assert StuckCard.reached.wait(HUNG)
    os.mkdir(fallback.path(tmp_path))  # the fallback cannot be written either
    writer.close(timeout=0)
    StuckCard.gate.set()
    writer._thread.join(HUNG)
    assert any(r.message == NOT_SAVED and r.id == "late" for r in results.items)


# --- only regular files, only inside the data directory ----------------------------------------
def _two_months(data: Path) -> None:
    with WholeHistory.open(data, replays=REPLAYS) as history:
        history.add(PainEntry("nov", datetime(2026, 11, 5, 9), 3))
        history.add(PainEntry("dec", datetime(2026, 12, 5, 9), 4))


@pytest.mark.parametrize("name", ["9999-99", "2026-13", "0000-01"])
def test_a_month_folder_outside_the_calendar_is_damage_not_a_crash(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_months(tmp_path)
    shutil.copytree(tmp_path / FOLDER / "2026-11", tmp_path / FOLDER / name)
    assert cli.main(["--data-dir", str(tmp_path), "history"]) == cli.DAMAGED
    out, _ = capsys.readouterr()
    assert f"{name} is not a calendar month" in out
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        history.add(PainEntry("jan", datetime(2027, 1, 5, 9), 2))  # a month closes: no crash
    assert [r.id for r in read_history(tmp_path).records] == ["nov", "dec", "jan"]


def test_a_month_that_links_elsewhere_is_never_written_through(tmp_path: Path) -> None:
    data, elsewhere = tmp_path / "data", tmp_path / "etc"
    elsewhere.mkdir()
    _two_months(data)
    (data / FOLDER / "2027-01").symlink_to(elsewhere)
    assert "is a symbolic link" in (read_history(data).note or "")
    with WholeHistory.open(data) as history:
        history.add(PainEntry("jan", datetime(2027, 1, 5, 9), 2))
    assert list(elsewhere.iterdir()) == []  # nothing written through the link
    assert [r.id for r in read_history(data).records] == ["nov", "dec", "jan"]
    assert (data / FOLDER / "2027-01").is_dir() and not (data / FOLDER / "2027-01").is_symlink()


@pytest.mark.parametrize("name", ["progress.json", "sealed.json"])
@pytest.mark.parametrize("what", ["fifo", "deep", "device link"])
def test_a_snapshot_or_seal_that_is_not_what_it_should_be_is_only_damage(
    tmp_path: Path, name: str, what: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_months(tmp_path)
    path = tmp_path / FOLDER / "2026-11" / name
    path.unlink(missing_ok=True)
    if what == "fifo":
        os.mkfifo(path)
    elif what == "deep":
        path.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    else:
        path.symlink_to("/dev/zero")
    for command in (["history"], ["plan", "--date", "2026-12-06"], ["export"], ["summary"]):
        code = cli.main(["--data-dir", str(tmp_path), *command])
        out, err = capsys.readouterr()
        assert code == 0 and "Traceback" not in out + err, (command, err)
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert [r.id for r in history.every_record()] == ["nov", "dec"]


class NoNewMonth(AtomicJSONStorage):
    """A card on which the history of one month cannot be opened (``refuse``)."""

    refuse = "2027-01"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if Path(path).parent.name == NoNewMonth.refuse:
            raise OSError(5, "Input/output error")
        super().__init__(path)


def test_records_after_a_failed_new_month_open_never_go_into_the_closed_month(
    tmp_path: Path,
) -> None:
    _two_months(tmp_path)
    december = tmp_path / FOLDER / "2026-12" / "history.json"
    with WholeHistory.open(tmp_path, storage=NoNewMonth) as history:
        with pytest.raises(OSError):
            history.add(PainEntry("jan", datetime(2027, 1, 5, 9), 2))
        before = december.read_bytes()
        with pytest.raises(OSError):
            history.add(PainEntry("jan2", datetime(2027, 1, 6, 9), 2))
        assert december.read_bytes() == before  # never into the closed month
        NoNewMonth.refuse = ""
        try:
            history.add(PainEntry("jan", datetime(2027, 1, 5, 9), 2))
        finally:
            NoNewMonth.refuse = "2027-01"
    assert [r.id for r in read_history(tmp_path).records] == ["nov", "dec", "jan"]
    assert december.read_bytes() == before


def test_a_report_never_writes_through_what_is_planted_beside_it(tmp_path: Path) -> None:
    from kiosk.report import write_atomic

    victim = tmp_path / "victim"
    victim.write_text("keep me")
    page = tmp_path / "report.html"
    for pid in range(os.getpid() - 2, os.getpid() + 3):  # the old, guessable names
        (tmp_path / f".report.html.{pid}.tmp").symlink_to(victim)
    os.umask(old := os.umask(0o022))
    try:
        write_atomic(page, b"<html>")
    finally:
        os.umask(old)
    assert victim.read_text() == "keep me" and page.read_bytes() == b"<html>"
    assert page.stat().st_mode & 0o777 == 0o600


def test_the_usb_copy_never_follows_its_folder_off_the_stick(tmp_path: Path) -> None:
    from kiosk.config import load_config
    from kiosk.core.reports.usb import FOLDER as USB_FOLDER
    from kiosk.core.reports.usb import Outcome
    from kiosk.usb import copy_all

    stick, elsewhere = tmp_path / "stick", tmp_path / "elsewhere"
    stick.mkdir()
    elsewhere.mkdir()
    (stick / USB_FOLDER).symlink_to(elsewhere)
    outcome = copy_all([], load_config().config, stick, now=datetime(2026, 12, 1, 9),
                       require_mount=False)
    assert outcome is Outcome.FAILED
    assert list(elsewhere.iterdir()) == []


# --- kiosk check sees every case ----------------------------------------------------------------
def _month_is_fifo(data: Path) -> Path:
    os.mkfifo(data / FOLDER / "2027-02")
    return data / FOLDER / "2027-02"


def _month_is_file(data: Path) -> Path:
    (data / FOLDER / "2027-02").write_text("{}")
    return data / FOLDER / "2027-02"


def _history_is_link(data: Path) -> Path:
    (data / FOLDER).rename(data.parent / "moved")
    (data / FOLDER).symlink_to(data.parent / "moved")
    return data / FOLDER


def _history_is_file(data: Path) -> Path:
    shutil.rmtree(data / FOLDER)
    (data / FOLDER).write_text("months")
    return data / FOLDER


def _old_file_beside(data: Path) -> Path:
    with MonthFile.open(data) as single:
        single.add(PainEntry("old", datetime(2026, 10, 5, 9), 5))
    return data / "history.json"


def _sealed_month_edited(data: Path) -> Path:
    path = data / FOLDER / "2026-11" / "history.json"
    path.write_bytes(path.read_bytes().replace(b'"pain": 3', b'"pain": 8'))
    return path


def _outside_calendar(data: Path) -> Path:
    (data / FOLDER / "2026-13").mkdir()
    return data / FOLDER / "2026-13"


CHECK_CASES = {f.__name__.strip("_"): f for f in (
    _month_is_fifo, _month_is_file, _history_is_link, _history_is_file, _old_file_beside,
    _sealed_month_edited, _outside_calendar)}


@pytest.mark.parametrize("case", sorted(CHECK_CASES))
def test_check_names_every_case_with_its_path_and_fix(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    _two_months(data)
    with WholeHistory.open(data, replays=REPLAYS, seal_when_idle=True) as history:
        while history.idle():  # November sealed
            pass
    path = CHECK_CASES[case](data)
    code = cli.main(["--data-dir", str(data), "check"])
    out, _ = capsys.readouterr()
    lines = [line for line in out.splitlines() if "PROBLEM" in line and str(path) in line]
    assert code != 0 and lines, out
    assert any(w in lines[0] for w in ("move it", "remove it", "the kiosk will", "the kiosk adds")
               ), lines


# --- modes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("umask", [0o022, 0o000, 0o277])
def test_every_file_the_store_writes_is_0600_and_every_folder_0700(
    tmp_path: Path, umask: int
) -> None:
    from kiosk.report import write_atomic
    from kiosk.store.export import write_file

    data = tmp_path / "data"
    old = os.umask(umask)
    try:
        _two_months(data)
        out = tmp_path / "out"
        out.mkdir(mode=0o755)
        os.chmod(out, 0o755)
        write_atomic(out / "report.html", b"<html>")
        write_file(out / "export.csv", lambda fp: fp.write("x"))
        make_private_dir(data / "voice-cache" / "espeak" / "en", may_be_link=True)  # tts.py
    finally:
        os.umask(old)
    for p in [*data.rglob("*"), out / "report.html", out / "export.csv"]:
        want = 0o700 if p.is_dir() else 0o600
        assert p.stat().st_mode & 0o777 == want, (p, oct(p.stat().st_mode))
    assert out.stat().st_mode & 0o777 == 0o755  # a folder given with --out keeps its own


# --- edges ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["\n=1+1", " =1+1", "\u3000=1+1", "\uff1dSUM(A1)", "\t@x",
                                  " \uff0b1", "\r-2"])
def test_a_cell_a_spreadsheet_could_read_as_a_formula_is_escaped(cell: str) -> None:
    from kiosk.store.export import escape_cell

    assert escape_cell(cell).startswith("'")


def test_controls_and_bidi_overrides_never_reach_the_csv_or_the_report() -> None:
    from kiosk.core.reports.report import escape
    from kiosk.store.export import escape_cell

    sly = "ok\x00\x1b[2J\u202egnp.exe\u2066\x9b"
    for shown in (escape_cell(sly), escape(sly)):
        assert not any(ch in shown for ch in "\x00\x1b\u202e\u2066\x9b"), shown


# --- config files: only regular files, of sane size ----------------------------------------------
@pytest.mark.parametrize("what", ["fifo", "device", "huge"])
def test_a_config_that_is_not_a_small_file_is_one_clear_line_never_a_hang(
    tmp_path: Path, what: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    if what == "fifo":
        os.mkfifo(config)
    elif what == "device":
        config.symlink_to("/dev/zero")
    else:
        config.write_text('[storage]\ndata_dir = "' + "x" * 10_000_000 + '"\n')
    code = cli.main(["--config", str(config), "--data-dir", str(tmp_path / "d"), "check"])
    out, err = capsys.readouterr()
    assert code != 0 and "Traceback" not in out + err
    assert str(config) in out + err


def test_ten_thousand_safety_questions_are_refused_in_words(tmp_path: Path) -> None:
    from kiosk.config import load_config

    config = tmp_path / "kiosk.toml"
    config.write_text("")
    packaged = (Path(__file__).parents[2] / "config" / "safety.toml").read_text()
    many = "".join(f'\n[[question]]\nid = "q{i}"\ngroup = "background"\ntext = "Is it {i}?"\n'
                   for i in range(10_000))
    (tmp_path / "safety.toml").write_text(packaged + many)
    problems = load_config(str(config)).problems
    assert any("at most 100" in str(p) for p in problems), problems


@pytest.mark.parametrize("year", [1, 1899, 2201, 9999])
def test_a_record_dated_outside_the_kiosks_years_is_refused_and_is_damage_in_a_file(
    tmp_path: Path, year: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.errors import RecordError

    _two_months(tmp_path)
    odd = PainEntry("odd", datetime(year, 12, 6, 9), 2)
    with WholeHistory.open(tmp_path) as history, pytest.raises(RecordError):
        history.add(odd)
    path = tmp_path / FOLDER / "2026-12" / "history.json"
    path.write_bytes(path.read_bytes().replace(b"2026-12-05T09:00", f"{year:04d}-12-05T09:00"
                                               .encode()))
    (tmp_path / FOLDER / "2026-12" / journal.JOURNAL).unlink()
    for fmt in ("json", "csv", "fhir"):
        code = cli.main(["--data-dir", str(tmp_path), "export", "--format", fmt])
        out, err = capsys.readouterr()
        assert code == cli.DAMAGED and "Traceback" not in err and "outside 1900-2200" in err


def test_a_fallback_file_that_is_damaged_never_stops_the_start(tmp_path: Path) -> None:
    from kiosk.store.records import encode

    good = PainEntry("good", datetime(2026, 5, 2, 9), 3)
    odd = encode(PainEntry("odd", datetime(2026, 5, 3, 9), 3)) | {"at": "9999-05-03T09:00:00"}
    fallback.path(tmp_path).write_text(
        '{"format": 1, "records": [' + ", ".join(
            [json.dumps(encode(good)), json.dumps(odd), '{"kind": "nonsense"}']) + "]}")
    with WholeHistory.open(tmp_path) as history:
        assert [r.id for r in history.records()] == ["good"]
        assert history.recovery is not None  # told: something kept could not be read
    assert not fallback.path(tmp_path).exists()
    assert list(tmp_path.glob("unsaved.json.corrupt*"))
