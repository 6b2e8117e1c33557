"""A first start after an update that makes every progress snapshot again: systemd hears how it
goes (and waits), and the kiosk then plans as a full replay would."""

from __future__ import annotations

import io
import json
import os
from datetime import date, datetime
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk import coaching, runtime  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.devices import RecordingNotifier, RecordingVoice  # noqa: E402
from kiosk.simulate import lived_days  # noqa: E402
from kiosk.store.months import FOLDER, SNAPSHOT, WholeHistory, months_in  # noqa: E402


def test_snapshots_made_again_at_start_are_told_to_systemd_before_ready(tmp_path: Path) -> None:
    loaded = load_config()
    cfg = loaded.config
    with WholeHistory.open(tmp_path, replays=coaching.replays(cfg)) as history:
        for r in lived_days(cfg, years=0.5, per_day=2, seed=5, end=date(2026, 11, 20)):
            history.add(r)
    closed = months_in(tmp_path / FOLDER)[:-1]
    for month in closed:  # as an update that changes the rules leaves them
        snap = tmp_path / FOLDER / month / SNAPSHOT
        data = json.loads(snap.read_bytes())
        data["progress"]["key"] = "made-by-the-last-version"
        snap.write_text(json.dumps(data))

    notifier = RecordingNotifier()
    opts = runtime.Options(mock=True, display="headless", data_dir=tmp_path, out=io.StringIO())
    app = runtime.start_kiosk(cfg, opts, loaded.problems, FakeClock(datetime(2026, 11, 25, 9)),
                              runtime.Given(voice=RecordingVoice(), notifier=notifier))
    try:
        statuses = [s for s in notifier.sent if s.startswith("STATUS=")]
        assert len(statuses) == len(closed) > 3
        assert statuses[-1].endswith(f"{closed[-1]}, {len(closed)} of {len(closed)})")
        assert notifier.sent.index("READY=1") > notifier.sent.index(statuses[-1])
    finally:
        app.close()
    for month in closed:  # made again, for the next start
        key = json.loads((tmp_path / FOLDER / month / SNAPSHOT).read_bytes())["progress"]["key"]
        assert key != "made-by-the-last-version"
