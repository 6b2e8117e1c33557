"""Headless Chromium (Debian's ``chromium`` package) for tests that look at a page as a person
would: render it to PNG and to PDF. It never touches the network: every background service is
off, and the page itself forbids loading anything (kiosk/core/reports/report.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

TIMEOUT = 600  # only a hung browser takes this long; a render takes seconds


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise AssertionError("headless Chromium is missing: `make setup` installs Debian's "
                             "chromium package (apt-get install chromium)")
    return found


def render(page: Path, out: Path, profile: Path, *, width: int = 1100, height: int = 3000
           ) -> None:
    """``page`` to ``out``: a PDF when ``out`` ends in .pdf, else a PNG screenshot."""
    what = (["--print-to-pdf=" + str(out), "--no-pdf-header-footer"] if out.suffix == ".pdf"
            else ["--screenshot=" + str(out), f"--window-size={width},{height}"])
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--no-first-run",
           f"--user-data-dir={profile}", *what, page.resolve().as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert out.exists() and out.stat().st_size > 0, f"chromium wrote no {out.name}: {done.stderr}"


def pdf_text(pdf: Path) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: `make setup` installs Debian's poppler-utils"
    done = subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          timeout=TIMEOUT, check=True)
    return done.stdout
