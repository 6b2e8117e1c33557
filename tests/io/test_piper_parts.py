"""The neural voice cut in two (kiosk/io/piper_parts.py): where the cut falls, what each part
holds, when it is made again, and the decoder's windows joining sample for sample.

The models here are built byte by byte, small ONNX graphs shaped like a Piper voice: an
"encoder" that makes a latent, and a decoder that begins with ``dec.conv_pre.weight``. Where
onnxruntime is installed (the ``voice`` extra, which `make test` installs), both parts run and
must give what the whole graph gives. The real voice is cut in tests/io/test_piper.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.io import piper_parts
from kiosk.io.piper_parts import MANIFEST, split

needs_onnxruntime = pytest.mark.skipif(
    importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("numpy") is None,
    reason="onnxruntime is not installed here (the voice extra); make test installs it",
)
FLOAT, INT64 = 1, 7  # TensorProto.DataType
CHANNELS = 4


# --- ONNX, byte by byte (onnx/onnx.proto's field numbers) -------------------------------------
def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if not value:
            return bytes(out + bytes([byte]))
        out.append(byte | 0x80)


def field(number: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return varint(number << 3 | 2) + varint(len(data)) + data


def number_field(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def tensor(name: str, dims: list[int], values: list[float] | list[int], kind: int = FLOAT) -> bytes:
    raw = struct.pack(f"<{len(values)}{'f' if kind == FLOAT else 'q'}", *values)
    return (b"".join(number_field(1, d) for d in dims) + number_field(2, kind)
            + field(8, name) + field(9, raw))


def ints_attribute(name: str, values: list[int]) -> bytes:
    return field(1, name) + number_field(20, 7) + b"".join(number_field(8, v) for v in values)


def node(op: str, inputs: list[str], outputs: list[str], *attributes: bytes) -> bytes:
    return (b"".join(field(1, i) for i in inputs) + b"".join(field(2, o) for o in outputs)
            + field(3, f"/{outputs[0]}") + field(4, op)
            + b"".join(field(5, a) for a in attributes))


def value_info(name: str, dims: list[int | str]) -> bytes:
    shape = b"".join(field(1, number_field(1, d) if isinstance(d, int) else field(2, d))
                     for d in dims)
    return field(1, name) + field(2, field(1, number_field(1, FLOAT) + field(2, shape)))


def model(nodes: list[bytes], initializers: list[bytes]) -> bytes:
    graph = (b"".join(field(1, n) for n in nodes) + field(2, "voice")
             + b"".join(field(5, t) for t in initializers)
             + field(11, value_info("x", [1, CHANNELS, "frames"]))
             + field(12, value_info("output", [1, 1, 1, "samples"])))
    opset = field(1, "") + number_field(2, 13)
    return number_field(1, 8) + field(2, "test") + field(7, graph) + field(8, opset)


def voice_like(*, decoder_reads: str = "", subgraph: bool = False, weight: str =
               "dec.conv_pre.weight") -> bytes:
    """A graph shaped like a Piper voice: x -> (encoder) latent -> (decoder) output. The
    decoder is a convolution of kernel 3 (one frame of context on each side), then tanh, then
    an Unsqueeze whose axes come from a Constant node in the encoder's part, as in Piper's."""
    kernel = [0.1 * (i % 5) - 0.2 for i in range(CHANNELS * 3)]
    nodes = [
        node("Constant", [], ["axes"], field(1, "value") + number_field(20, 4)
             + field(5, tensor("", [1], [0], INT64))),
        node("Mul", ["x", "scale"], ["enc_out"]),
        node("Relu", ["enc_out"], ["latent"]),
        node("Conv", ["latent", weight, "dec.conv_pre.bias"], ["conv"],
             ints_attribute("pads", [1, 1])),
        node("Tanh", ["conv"] + ([decoder_reads] if decoder_reads else []), ["wave"]),
        node("Unsqueeze", ["wave", "axes"], ["output"]),
    ]
    if subgraph:  # an If, whose branches are graphs (AttributeProto field 6)
        nodes.insert(1, node("Identity", ["x"], ["unused"], field(1, "body") + field(6, b"")))
    initializers = [tensor("scale", [1], [1.5]), tensor(weight, [1, CHANNELS, 3], kernel),
                    tensor("dec.conv_pre.bias", [1], [0.05])]
    return model(nodes, initializers)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- where the cut falls ------------------------------------------------------------------------
def test_the_decoder_is_all_that_depends_on_the_latent_with_its_constants_copied(
    tmp_path: Path,
) -> None:
    parts = split(write(tmp_path / "voice.onnx", voice_like()), tmp_path / "parts")
    assert parts is not None and parts.latent == "latent"
    encoder, decoder = parts.encoder.read_bytes(), parts.decoder.read_bytes()
    for op in (b"Mul", b"Relu"):
        assert op in encoder and op not in decoder
    for op in (b"Conv", b"Tanh", b"Unsqueeze", b"dec.conv_pre.weight", b"dec.conv_pre.bias"):
        assert op in decoder and op not in encoder
    assert b"Constant" in decoder and b"Constant" in encoder  # copied: the Unsqueeze needs it
    assert b"scale" in encoder and b"scale" not in decoder
    assert json.loads((tmp_path / "parts" / MANIFEST).read_text())["latent"] == "latent"
    # private, as every file in the data directory
    assert stat.S_IMODE((tmp_path / "parts").stat().st_mode) == 0o700
    for path in (tmp_path / "parts").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


@pytest.mark.parametrize("model_bytes, why", [
    (voice_like(weight="decoder.first"), "no dec.conv_pre.weight"),
    (voice_like(decoder_reads="enc_out"), "the decoder reads more than the latent"),
    (voice_like(subgraph=True), "a node holds a graph"),
])
def test_a_model_with_no_clean_cut_renders_whole(tmp_path: Path, model_bytes: bytes,
                                                 why: str) -> None:
    voice = write(tmp_path / "voice.onnx", model_bytes)
    assert split(voice, tmp_path / "parts") is None, why
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [MANIFEST]
    # ...and it is not looked at again while the file is the same
    before = (tmp_path / "parts" / MANIFEST).stat().st_mtime_ns
    assert split(voice, tmp_path / "parts") is None
    assert (tmp_path / "parts" / MANIFEST).stat().st_mtime_ns == before


@pytest.mark.parametrize("junk", [b"", b"\xff" * 64, b"Piper voice, honest", voice_like()[:150]])
def test_a_file_that_is_not_onnx_is_refused_with_a_reason(tmp_path: Path, junk: bytes) -> None:
    with pytest.raises(ValueError, match="not an ONNX file"):
        split(write(tmp_path / "voice.onnx", junk), tmp_path / "parts")
    assert not (tmp_path / "parts" / MANIFEST).exists()


def test_the_parts_are_made_once_and_again_when_the_model_changes(tmp_path: Path) -> None:
    voice = write(tmp_path / "voice.onnx", voice_like())
    assert not piper_parts.made(voice, tmp_path / "parts")
    parts = split(voice, tmp_path / "parts")
    assert parts is not None and piper_parts.made(voice, tmp_path / "parts")
    made = parts.encoder.stat().st_mtime_ns, parts.decoder.stat().st_mtime_ns
    os.utime(parts.encoder, ns=(1, 1))  # so that any rewrite would show
    again = split(voice, tmp_path / "parts")
    assert again == parts and parts.encoder.stat().st_mtime_ns == 1
    # Another voice in the same file: cut again.
    write(voice, voice_like(weight="decoder.first"))
    os.utime(voice, ns=(made[0] + 10**9, made[0] + 10**9))
    assert not piper_parts.made(voice, tmp_path / "parts")
    assert split(voice, tmp_path / "parts") is None
    assert piper_parts.made(voice, tmp_path / "parts")  # known not to be cuttable
    assert not parts.encoder.exists() and not parts.decoder.exists()
    # A part gone (removed by hand, a disk error): cut again.
    write(voice, voice_like())
    parts = split(voice, tmp_path / "parts")
    assert parts is not None
    parts.decoder.unlink()
    assert not piper_parts.made(voice, tmp_path / "parts")
    assert split(voice, tmp_path / "parts") == parts and parts.decoder.is_file()
    piper_parts.forget(parts)
    assert list((tmp_path / "parts").iterdir()) == []


def test_a_full_disk_leaves_no_half_written_part(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    voice = write(tmp_path / "voice.onnx", voice_like())
    real_copy = piper_parts._File.copy
    copied: list[int] = []

    def fill_up(self: piper_parts._File, out: int, start: int, end: int) -> None:
        real_copy(self, out, start, end)
        copied.append(end - start)
        if len(copied) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")

    # monkeypatch stays: a disk that fills up part way through a copy cannot be made here
    # without root and a small mount.
    monkeypatch.setattr(piper_parts._File, "copy", fill_up)
    with pytest.raises(OSError, match="No space"):
        split(voice, tmp_path / "parts")
    assert list((tmp_path / "parts").iterdir()) == []  # no part, no manifest, no leftovers
    monkeypatch.undo()
    assert split(voice, tmp_path / "parts") is not None  # room again: it is made


# --- the parts run as the whole ------------------------------------------------------------------
@needs_onnxruntime
def test_the_two_parts_in_windows_give_the_whole_graphs_output(tmp_path: Path) -> None:
    import numpy as np
    import onnxruntime

    voice = write(tmp_path / "voice.onnx", voice_like())
    parts = split(voice, tmp_path / "parts")
    assert parts is not None

    def session(path: Path) -> onnxruntime.InferenceSession:
        return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    x = np.random.default_rng(3).normal(size=(1, CHANNELS, 50)).astype(np.float32)
    (whole,) = session(voice).run(None, {"x": x})
    windowed = piper_parts.WindowedSession(session(parts.encoder), session(parts.decoder),
                                           parts.latent, window=7, overlap=2)
    (joined,) = windowed.run(None, {"x": x})
    assert joined.shape == (50,) and whole.shape == (1, 1, 1, 50)
    np.testing.assert_allclose(joined, whole.reshape(-1), atol=1e-6)
    # With less context than the decoder's one frame each side, the joins show: the test can fail.
    short = piper_parts.WindowedSession(session(parts.encoder), session(parts.decoder),
                                        parts.latent, window=7, overlap=0)
    assert np.abs(short.run(None, {"x": x})[0] - whole.reshape(-1)).max() > 1e-3
    assert [i.name for i in windowed.get_inputs()] == ["x"]  # what Piper asks the session


# A decoder as Piper's is built: upsampling, then convolutions; each sample depends on the
# frames within CONTEXT of its own.
HOP, CONTEXT = 4, 3


def toy_decoder(frames: object) -> object:
    import numpy as np

    z = np.asarray(frames)[0].sum(axis=0)
    up = np.repeat(z, HOP)
    kernel = np.hanning(2 * CONTEXT * HOP + 1)
    full = np.convolve(up, kernel)  # zeros beyond the edges, as the real decoder's padding
    return np.tanh(full[CONTEXT * HOP:CONTEXT * HOP + up.size])[None, None, :]


@pytest.mark.skipif(importlib.util.find_spec("numpy") is None, reason="numpy is not installed")
@settings(max_examples=60, deadline=None)
@given(frames=st.integers(1, 200), window=st.integers(1, 40), extra=st.integers(0, 10),
       seed=st.integers(0, 2**16))
def test_windows_with_enough_context_join_sample_for_sample(frames: int, window: int,
                                                            extra: int, seed: int) -> None:
    import numpy as np

    latent = np.random.default_rng(seed).normal(size=(1, 2, frames)).astype(np.float32)
    whole = np.asarray(toy_decoder(latent)).reshape(-1)
    joined = piper_parts.decode(toy_decoder, latent, window=window, overlap=CONTEXT + extra)
    assert joined.shape == whole.shape
    np.testing.assert_allclose(joined, whole, atol=1e-9)


@pytest.mark.skipif(importlib.util.find_spec("numpy") is None, reason="numpy is not installed")
def test_a_decoder_whose_samples_do_not_match_its_frames_is_refused() -> None:
    import numpy as np

    with pytest.raises(ValueError, match="samples for"):
        piper_parts.decode(lambda f: np.zeros(7 * f.shape[-1] + 1), np.zeros((1, 2, 90)),
                           window=10, overlap=4)
