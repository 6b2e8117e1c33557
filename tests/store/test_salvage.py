"""What a damaged file still holds is merged with the backup by session id: nothing is lost."""

from __future__ import annotations

import json

from store_samples import real_json

from kiosk.core.data.records import SessionRecord
from kiosk.store.records import decode
from kiosk.store.salvage import merge, salvage


def test_every_copy_of_a_duplicated_table_is_read() -> None:
    a, b, c = (real_json(i) for i in "abc")
    raw = ('{"sessions": ' + json.dumps({"1": a, "2": b}) + ', "sessions": '
           + json.dumps({"3": c}) + "}").encode()
    found = salvage(raw)
    assert [(seq, r.id) for seq, r in found.records] == [(1, "a"), (2, "b"), (3, "c")]


def test_a_merge_keeps_the_damaged_files_newer_copy_and_the_backups_older_sessions() -> None:
    older_b = real_json("b", pain_after=5)
    newer_b = real_json("b", pain_after=0)
    backup = {1: decode(real_json("a")), 2: decode(older_b)}
    found = salvage(json.dumps({"sessions": {"2": newer_b, "3": real_json("c")}}).encode())
    merged = merge(found, backup)
    assert [(seq, r.id) for seq, r in merged.items()] == [(1, "a"), (2, "b"), (3, "c")]
    assert isinstance(merged[2], SessionRecord) and merged[2].pain_after == 0


def test_clean_reps_are_repaired_from_the_ratings_and_an_unreadable_record_is_counted() -> None:
    bad = real_json("c")
    bad["exercises"][0]["sets"][0]["clean_reps"] = 10**9
    found = salvage(json.dumps({"sessions": {"1": bad, "2": {"id": "x"}}}).encode())
    [(_, record)] = found.records
    assert isinstance(record, SessionRecord)
    assert record.exercises[0].sets[0].clean_reps == 2
    assert (found.repaired, found.skipped) == (1, 1)


def test_not_json_at_all_salvages_nothing() -> None:
    assert salvage(b"\0\0\0").records == []
