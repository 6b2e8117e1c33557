"""Long work says how far it has got, on a terminal only (issue 30, item 7).

``kiosk simulate``, every export, ``kiosk report`` and the USB copy draw one progress line on
stderr, rewritten in place, when stderr is a terminal; through a pipe (a script, the kiosk's
own child, a service's journal) they print exactly what they printed before. Each command runs
as its own process, once with stderr on a real pseudo-terminal and once on a pipe.
"""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.core.data.records import PainEvent, SessionRecord, SetRecord
from kiosk.terminal import Progress

ROOT = Path(__file__).resolve().parents[1]
END = date(2026, 11, 30)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four months of ``kiosk simulate``: enough months for a line per month."""
    data = tmp_path_factory.mktemp("long") / "data"
    done = _run(["--data-dir", str(data), "simulate", "--years", "0.3", "--end", str(END)],
                terminal=False)
    assert done[0] == 0, done
    return data


def _run(args: list[str], *, terminal: bool, cwd: Path | None = None
         ) -> tuple[int, str, str]:
    """``kiosk ARGS``: its exit code, stdout and stderr; stderr a pseudo-terminal or a pipe.
    stdout is a pipe either way, as when the export is the data."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    env.pop("KIOSK_CONFIG", None)
    command = [sys.executable, "-m", "kiosk", *args]
    if not terminal:
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=cwd)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=slave,
                             stdin=subprocess.DEVNULL, cwd=cwd)
    os.close(slave)
    assert child.stdout is not None
    said, out = bytearray(), bytearray()
    open_ = {master: said, child.stdout.fileno(): out}
    while open_:  # read both until the child closes them: no timing involved
        ready, _, _ = select.select(list(open_), [], [])
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: every end of the terminal is closed
                chunk = b""
            if chunk:
                open_[fd] += chunk
            else:
                del open_[fd]
    child.wait()
    child.stdout.close()
    os.close(master)
    return child.returncode, out.decode(), said.decode()


def _months_said(err: str, label: str) -> list[str]:
    return [part for part in err.split("\r") if part.startswith(f"{label}: reading ")]


@pytest.mark.parametrize("fmt", ["fhir", "csv", "json"])
def test_an_export_shows_each_month_on_a_terminal_and_nothing_on_a_pipe(
    history: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"h.{fmt}"
    code, _, err = _run(["--data-dir", str(history), "export", "--format", fmt, "--out",
                         str(out)], terminal=True)
    assert code == 0, err
    said = _months_said(err, "kiosk export")
    assert len(said) >= 4 and said[0].startswith("kiosk export: reading 2026-0"), err
    total = int(said[-1].rstrip().rsplit(" of ", 1)[1])
    assert len(said) == total and said[-1].rstrip().endswith(f"{total} of {total}"), said
    assert err.endswith("\r"), "the line is cleared at the end, for what is printed next"
    written = out.read_bytes()
    code, _, err = _run(["--data-dir", str(history), "export", "--format", fmt, "--out",
                         str(out)], terminal=False)
    assert code == 0 and err == "" and "\r" not in err
    assert len(out.read_bytes()) == len(written)


def test_a_fhir_export_to_a_pipe_counts_first_and_gives_the_same_entries(
    history: Path, tmp_path: Path
) -> None:
    import json

    code, piped, err = _run(["--data-dir", str(history), "export", "--format", "fhir"],
                            terminal=True)
    assert code == 0
    assert any(p.startswith("kiosk export: counting: reading") for p in err.split("\r"))
    _run(["--data-dir", str(history), "export", "--format", "fhir", "--out",
          str(tmp_path / "f.json")], terminal=False)
    to_file = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    to_pipe = json.loads(piped)
    assert to_pipe["entry"] == to_file["entry"] and len(to_pipe["entry"]) > 100


def test_the_report_and_the_usb_copy_show_progress_on_a_terminal_only(
    history: Path, tmp_path: Path
) -> None:
    code, out, err = _run(["--data-dir", str(history), "report", "--until", str(END), "--out",
                           str(tmp_path / "r")], terminal=True)
    assert code == 0 and out.strip().endswith("report.html")
    assert len(_months_said(err, "kiosk report")) >= 4, err
    code, out, err = _run(["--data-dir", str(history), "report", "--until", str(END), "--out",
                           str(tmp_path / "r2")], terminal=False)
    assert code == 0 and err == ""
    stick = tmp_path / "stick"
    stick.mkdir()
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[usb]\npath = "{stick}"\nrequire_mount = false\n')
    usb = ["--config", str(config), "--data-dir", str(history), "export", "--usb"]
    code, out, err = _run(usb, terminal=True)
    assert code == 0 and "You can take the stick out now" in out
    assert len(_months_said(err, "kiosk export --usb")) >= 4, err
    code, out, err = _run(usb, terminal=False)
    assert code == 0 and err == ""
    assert len(list((stick / "backcare-kiosk").iterdir())) == 2


def test_simulate_shows_each_month_saved(tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path / "a"), "simulate", "--years", "0.2", "--end", str(END)]
    code, out, err = _run(args, terminal=True)
    assert code == 0 and out.startswith("simulated ")
    said = [p for p in err.split("\r") if p.startswith("kiosk simulate: saving ")]
    # 73 days to 30 November: from 19 September, three months
    assert [p.rstrip() for p in said] == [f"kiosk simulate: saving 2026-{m}, {n} of 3"
                                          for n, m in ((1, "09"), (2, "10"), (3, "11"))], err
    code, out, err = _run(["--data-dir", str(tmp_path / "b"), *args[2:]], terminal=False)
    assert code == 0 and err == ""


# --- the line itself ----------------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_shorter_line_blanks_what_the_longer_one_left_and_done_clears_it() -> None:
    screen = _Terminal()
    line = Progress("kiosk report", screen)
    line.step("reading 2026-10", 10, 12)
    line.step("drawing")
    line.done()
    line.done()  # twice is harmless
    drawn = screen.getvalue()
    assert drawn.startswith("\rkiosk report: reading 2026-10, 10 of 12")
    shown = drawn.split("\r")
    longest = len("kiosk report: reading 2026-10, 10 of 12")
    assert "kiosk report: drawing".ljust(longest) in shown  # the longer line blanked
    assert drawn.endswith("\r") and shown[-2].strip() == ""
    quiet = Progress("kiosk report", io.StringIO())  # not a terminal
    quiet.step("reading 2026-10", 1, 2)
    quiet.done()
    muted = _Terminal()
    Progress("kiosk export", muted, quiet=True).step("reading", 1, 2)
    assert muted.getvalue() == ""


# --- the report's folder, as export's file (issue 30, item 10) ---------------------------------
def test_report_out_makes_its_own_folder_but_never_a_missing_one_above_it(
    history: Path, tmp_path: Path
) -> None:
    code, out, _ = _run(["--data-dir", str(history), "report", "--out", str(tmp_path / "new")],
                        terminal=False)
    assert code == 0 and (tmp_path / "new" / "report.html").is_file()
    typo = tmp_path / "usbb" / "report"
    code, out, err = _run(["--data-dir", str(history), "report", "--out", str(typo)],
                          terminal=False)
    assert code == 1 and not (tmp_path / "usbb").exists()
    assert err.strip() == (f"kiosk report: {typo}: the folder {typo.parent} does not exist; "
                           "make it first, or choose a folder in another one")
    a_file = tmp_path / "page.html"
    a_file.write_text("mine")
    code, out, err = _run(["--data-dir", str(history), "report", "--out", str(a_file)],
                          terminal=False)
    assert code == 1 and "is a file, not a folder" in err and a_file.read_text() == "mine"
    code, out, err = _run(["--data-dir", str(history), "export", "--out",
                           str(tmp_path / "usbb" / "h.csv")], terminal=False)
    assert code == 1 and "does not exist; make it first" in err


# --- the report from a stream: what waits is what the whole history says -----------------------
@pytest.mark.parametrize("program", [False, True], ids=["default program", "clinician's"])
def test_the_streamed_report_finds_what_waits_as_the_whole_replay_does(
    tmp_path: Path, program: bool
) -> None:
    """Ten months of sessions; in the last weeks one exercise hurts three times in five. The
    report reads the history once, replaying the months before its period as they pass:
    it must list exactly what the planner, given every record at once, lists; also when a
    clinician's program, loaded months before the period, bounds the families."""
    from kiosk.coaching import make_planner
    from kiosk.report import ReportSink
    from kiosk.simulate import lived_days

    cfg = load_config(None).config
    records = list(lived_days(cfg, years=0.8, per_day=1, seed=3, end=END))
    sessions = [r for r in records if isinstance(r, SessionRecord) and r.exercises]
    hurt = sessions[-1].exercises[0].family
    for s in [s for s in sessions if any(e.family == hurt for e in s.exercises)][-3:]:
        ex = next(e for e in s.exercises if e.family == hurt)
        red = PainEvent(30.0, ex.family, ex.variation, 1, 1, "set", 7)
        sets = (SetRecord(None, ("clean",), 1, "pain"),)
        changed = s.__class__(**{**s.__dict__, "pain_events": (red,), "exercises": tuple(
            e.__class__(**{**e.__dict__, "sets": sets}) if e is ex else e
            for e in s.exercises)})
        records[records.index(s)] = changed
    if program:
        from kiosk.config.program import program_record

        at = records[len(records) // 3]
        assert isinstance(at, SessionRecord)
        text = f'families = ["{hurt}", "walking"]\nsessions_per_week = 4\n'
        records.insert(len(records) // 3, program_record(text, at.started_at, "usb"))
    whole = make_planner(cfg)(records, END, None).waiting
    assert whole, "the history must make something wait, or this test shows nothing"
    sink = ReportSink(cfg, tmp_path / "r", since=END - timedelta(weeks=4), until=END,
                      now=__import__("datetime").datetime(2026, 11, 30, 18))
    for record in records:
        sink.add(record)
    sink.finish()
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Waiting for your review" in page
    for name, why in whole:
        assert name in page and why in page
    assert ("Aim: 4 sessions a week" in page) == program  # the first page: the program in force
