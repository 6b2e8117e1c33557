"""The packaged config files parsed at install time (kiosk/tomlcache.py): used only for the
very bytes that were parsed, ignored whole when damaged, and the config is the same either way."""

from __future__ import annotations

import importlib.util
import marshal
import tomllib
from pathlib import Path

import pytest

from kiosk import tomlcache
from kiosk.config import PACKAGED, load_config


def test_the_install_step_stores_every_packaged_file_as_tomllib_parses_it(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "config.marshal"
    files = sorted(PACKAGED.glob("*.toml"))
    assert tomlcache.write(files, cache) == len(files) >= 5
    assert oct(cache.stat().st_mode & 0o777) == "0o644"  # the service's user must read it
    for file in files:
        data = file.read_bytes()
        assert tomlcache.loads(file, data, cache) == tomllib.loads(data.decode())
        assert tomlcache.read(cache)[str(file)][0] == data


def test_an_edited_file_is_parsed_as_it_is_now(tmp_path: Path) -> None:
    cache, file = tmp_path / "config.marshal", tmp_path / "kiosk.toml"
    file.write_text('[voice]\nrate = 150\n')
    tomlcache.write([file], cache)
    file.write_text('[voice]\nrate = 140\n')
    assert tomlcache.loads(file, file.read_bytes(), cache) == {"voice": {"rate": 140}}
    # and the stored parse is what is handed out for the bytes it was made from
    cache.write_bytes(importlib.util.MAGIC_NUMBER + marshal.dumps(
        {str(file): (file.read_bytes(), marshal.dumps({"from": "cache"}))}))
    assert tomlcache.loads(file, file.read_bytes(), cache) == {"from": "cache"}


def test_each_caller_gets_objects_of_its_own(tmp_path: Path) -> None:
    cache, file = tmp_path / "config.marshal", tmp_path / "kiosk.toml"
    file.write_text('[voice]\nrate = 150\n')
    tomlcache.write([file], cache)
    first = tomlcache.loads(file, file.read_bytes(), cache)
    first["voice"]["rate"] = 0
    assert tomlcache.loads(file, file.read_bytes(), cache) == {"voice": {"rate": 150}}


def test_a_file_that_does_not_parse_is_left_out_and_still_reported(tmp_path: Path) -> None:
    cache, file = tmp_path / "config.marshal", tmp_path / "kiosk.toml"
    file.write_text("[voice\nrate = ")
    assert tomlcache.write([file, tmp_path / "missing.toml"], cache) == 0
    with pytest.raises(tomllib.TOMLDecodeError):
        tomlcache.loads(file, file.read_bytes(), cache)


@pytest.mark.parametrize("damage", [
    b"",                                                         # an empty file
    b"not marshal at all",                                       # no magic number
    importlib.util.MAGIC_NUMBER + b"\x00\x01",                   # cut off after the magic
    importlib.util.MAGIC_NUMBER + marshal.dumps([1, 2, 3]),      # the wrong shape
    importlib.util.MAGIC_NUMBER + marshal.dumps({"x": (1, 2)}),  # entries of the wrong shape
    b"\x00\x00\r\n" + marshal.dumps({}),                         # another Python's
])
def test_a_damaged_cache_is_ignored_whole(tmp_path: Path, damage: bytes) -> None:
    cache, file = tmp_path / "config.marshal", PACKAGED / "kiosk.toml"
    cache.write_bytes(damage)
    assert tomlcache.read(cache) == {}
    data = file.read_bytes()
    assert tomlcache.loads(file, data, cache) == tomllib.loads(data.decode())


def test_the_kiosk_config_is_the_same_with_or_without_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tomlcache, "CACHE", tmp_path / "none.marshal")
    monkeypatch.setattr(tomlcache, "_entries", None)
    parsed = load_config()  # every file parsed
    assert tomlcache.write(sorted(PACKAGED.glob("*.toml"))) >= 5  # into the patched CACHE
    parses: list[str] = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: (parses.append(text), real(text))[1])
    assert load_config() == parsed
    assert parses == []  # all of it came from the cache
