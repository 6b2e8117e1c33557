"""A Piper voice cut in two, so that its worker renders a long clause in little memory.

A Piper voice (VITS) is one ONNX graph. Its first part (text encoder, duration predictor, flow)
turns phonemes into a latent of 192 channels at 86 frames a second: a few kB a frame. Its last
part, a HiFi-GAN decoder, turns that latent into samples, on tensors of 32 channels at the full
sample rate: about 17 MB alive for every second of the clause. That last part is what took the
worker over its memory target on a long clause (docs/voice.md, "Memory").

The decoder is a stack of convolutions and nothing else: each sample depends only on the
latent frames within a fixed distance of it. So ``split`` cuts the graph where the decoder
begins, into two ONNX files, and ``WindowedSession`` runs the decoder over the latent in
windows that overlap by more than that distance, keeping only each window's middle. The
samples are the ones the whole graph gives, to within float rounding (``tests/io/test_piper.py``),
and the decoder's memory is that of one window, whatever the clause's length.

The cut is found by the decoder's first weight, ``dec.conv_pre.weight``, which every Piper
voice trained with Piper's own code has. The ONNX files are read and written here at the
protobuf wire level rather than with the ``onnx`` package: that would be a new dependency of
20 MB, and it holds the whole model as Python objects, while here the weights go from file to
file in the kernel (``copy_file_range``) and never into the worker's memory. When a voice has
no such cut (another kind of model, a graph with subgraphs), ``split`` returns None and the
worker renders with the whole graph, as before.

No dataclasses here: the first kiosk dataclass reads the kiosk's dataclass cache
(kiosk/bytecode.py), 1.8 MB the worker has no use for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

FORMAT = 1  # of the parts and their manifest; a change makes every voice cut again
DECODER_FIRST_WEIGHT = "dec.conv_pre.weight"
ENCODER, DECODER, MANIFEST = "encoder.onnx", "decoder.onnx", "parts.json"

# How many latent frames the decoder renders at once, and how many more on each side for
# context. Each output sample of the decoder depends on the latent within about 12 frames of
# it (measured: the windowed samples match the whole graph's to float rounding from 12 frames
# on, and differ by 1e-3 at 8); 24 leaves twice that. 64 + 2 x 24 frames is 1.3 s of audio at
# most in the decoder at once. Over a day's lines (benchmarks/bench_voice.py --variants) the
# worker peaked at 172 / 175 / 181 MB with windows of 48 / 64 / 96 frames, using 261 / 239 /
# 216 s of CPU: 64 is the middle way, as a Pi Zero 2 W is short of both.
WINDOW = 64
OVERLAP = 24

# ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto and ValueInfoProto field
# numbers (onnx/onnx.proto).
_MODEL_GRAPH = 7
_GRAPH_NODE, _GRAPH_NAME, _GRAPH_INITIALIZER, _GRAPH_INPUT, _GRAPH_OUTPUT = 1, 2, 5, 11, 12
_NODE_INPUT, _NODE_OUTPUT, _NODE_OP_TYPE, _NODE_ATTRIBUTE = 1, 2, 4, 5
_ATTRIBUTE_GRAPH, _ATTRIBUTE_GRAPHS = 6, 11
_TENSOR_NAME = 8
_VALUE_INFO_NAME = 1
_FLOAT = 1  # TensorProto.DataType


class Parts(NamedTuple):
    """The two files of a cut voice, and the tensor that goes from one to the other."""

    encoder: Path
    decoder: Path
    latent: str


# --- the wire format --------------------------------------------------------------------------
def _varint(buf: Any, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ValueError("not an ONNX file: a number runs past its end")
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _field_at(buf: Any, at: int) -> tuple[int, int, int]:
    """The field whose key starts at ``buf[at]``: (its number, where its value starts, where
    it ends). ``buf`` needs to hold only the key and the length, however long the value."""
    key, i = _varint(buf, at)
    number, wire = key >> 3, key & 7
    if wire == 0:
        _, after = _varint(buf, i)
    elif wire == 1:
        after = i + 8
    elif wire == 2:
        length, i = _varint(buf, i)
        after = i + length
    elif wire == 5:
        after = i + 4
    else:
        raise ValueError(f"not an ONNX file: protobuf wire type {wire}")
    return number, i, after


def _fields(buf: Any, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, start of the field's key, start of its value, end of the field)."""
    i = start
    while i < end:
        number, value_at, after = _field_at(buf, i)
        if after > end:
            raise ValueError(f"not an ONNX file: a field runs past its end at byte {i}")
        yield number, i, value_at, after
        i = after


def _strings(buf: Any, start: int, end: int, number: int) -> list[str]:
    return [bytes(buf[v:e]).decode() for n, _, v, e in _fields(buf, start, end) if n == number]


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if not value:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def _field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | 2) + _encode_varint(len(payload)) + payload


def _float_tensor(name: str) -> bytes:
    """A ValueInfoProto: a float tensor of any shape called ``name``."""
    tensor = _encode_varint(1 << 3) + _encode_varint(_FLOAT)  # TypeProto.Tensor.elem_type
    type_proto = _field(1, tensor)  # TypeProto.tensor_type
    return _field(_VALUE_INFO_NAME, name.encode()) + _field(2, type_proto)  # ValueInfoProto.type


class _Node(NamedTuple):
    span: tuple[int, int]
    inputs: list[str]
    outputs: list[str]
    op_type: str
    has_subgraph: bool


# --- the cut ---------------------------------------------------------------------------------
def split(model: Path, out_dir: Path) -> Parts | None:
    """The parts of ``model`` in ``out_dir``, cut now unless they are there from this very
    file; None when the voice cannot be cut (then it renders whole). Raises OSError when the
    files cannot be read or written, ValueError when ``model`` is not an ONNX file."""
    source = _source(model)
    known = _known(model, out_dir)
    if known is not None:
        latent = known.get("latent")
        if latent is None:
            return None  # cut before, and found not cuttable
        parts = Parts(out_dir / ENCODER, out_dir / DECODER, str(latent))
        if parts.encoder.is_file() and parts.decoder.is_file():
            return parts
    manifest = out_dir / MANIFEST
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, as the whole cache
    with open(model, "rb") as fh:
        latent = _cut(_File(fh.fileno()), out_dir)
    tmp = manifest.with_name(f".{MANIFEST}.tmp")
    with _private(tmp) as out:
        out.write(json.dumps({**source, "latent": latent}).encode())
    os.replace(tmp, manifest)
    if latent is None:
        for name in (ENCODER, DECODER):
            (out_dir / name).unlink(missing_ok=True)
        return None
    return Parts(out_dir / ENCODER, out_dir / DECODER, latent)


class _File:
    """The model file, read in small pieces: its weights are copied from file to file by the
    kernel and never come into this process's memory."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.size = os.fstat(fd).st_size

    def read(self, start: int, end: int) -> bytes:
        data = os.pread(self.fd, end - start, start)
        if len(data) != end - start:
            raise ValueError("not an ONNX file: it ends inside a field")
        return data

    def fields(self, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
        """As ``_fields``, reading only each field's key and length."""
        i = start
        while i < end:
            head = self.read(i, min(i + 20, end))  # a key and a length fit in 20 bytes
            number, value_at, after = _field_at(head, 0)
            yield number, i, i + value_at, i + after
            i += after

    def copy(self, out: int, start: int, end: int) -> None:
        while start < end:
            try:
                done = os.copy_file_range(self.fd, out, end - start, start)
            except (AttributeError, OSError):  # not Linux, or not between these file systems
                done = os.write(out, self.read(start, min(end, start + (1 << 20))))
            if done <= 0:
                raise ValueError("not an ONNX file: it ends inside a field")
            start += done


def _tensor_name(src: _File, start: int, end: int) -> str:
    """An initializer's name. Protobuf writes fields in the order of their numbers, so it
    comes before the weights of ``raw_data`` but after those of the older ``float_data``."""
    for number, _, value_at, after in src.fields(start, end):
        if number == _TENSOR_NAME:
            return src.read(value_at, after).decode()
    return ""


def made(model: Path, out_dir: Path) -> bool:
    """Whether ``split(model, out_dir)`` would find its work done: the parts of this very model
    file are there, or it is known not to be cuttable. Reads, never writes."""
    known = _known(model, out_dir)
    if known is None:
        return False
    return known.get("latent") is None or all(
        (out_dir / name).is_file() for name in (ENCODER, DECODER))


def _source(model: Path) -> dict[str, object]:
    stat = model.stat()
    return {"format": FORMAT, "model": str(model.resolve()), "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns}


def _known(model: Path, out_dir: Path) -> dict[str, Any] | None:
    """The manifest in ``out_dir`` if it was made from this very model file, else None."""
    source = _source(model)
    try:
        known = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(known, dict) and {k: known.get(k) for k in source} == source:
        return known
    return None


def forget(parts: Parts) -> None:
    """Remove ``parts`` and their manifest: the next ``split`` cuts the voice again."""
    for path in (parts.encoder.with_name(MANIFEST), parts.encoder, parts.decoder):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass  # not ours to remove: the next split finds them damaged again, and says so


def _cut(src: _File, out_dir: Path) -> str | None:
    """Write the two parts of the model in ``src``; the latent's name, or None (nothing
    written) when the model has no clean cut."""
    model_fields = list(src.fields(0, src.size))
    graphs = [f for f in model_fields if f[0] == _MODEL_GRAPH]
    if len(graphs) != 1:
        raise ValueError("not an ONNX file: no graph")
    _, _, g_start, g_end = graphs[0]
    nodes: list[_Node] = []
    initializers: dict[str, tuple[int, int]] = {}
    inputs: list[tuple[str, tuple[int, int]]] = []
    outputs: list[str] = []
    name = b""
    for number, at, start, end in src.fields(g_start, g_end):
        if number == _GRAPH_INITIALIZER:
            initializers[_tensor_name(src, start, end)] = (at, end)
            continue
        if number not in (_GRAPH_NODE, _GRAPH_INPUT, _GRAPH_OUTPUT, _GRAPH_NAME):
            continue
        buf = src.read(start, end)  # a node, an input or an output: a few bytes
        if number == _GRAPH_NODE:
            subgraph = any(
                n == _NODE_ATTRIBUTE and any(a in (_ATTRIBUTE_GRAPH, _ATTRIBUTE_GRAPHS)
                                             for a, *_ in _fields(buf, s, e))
                for n, _, s, e in _fields(buf, 0, len(buf)))
            nodes.append(_Node((at, end), _strings(buf, 0, len(buf), _NODE_INPUT),
                               _strings(buf, 0, len(buf), _NODE_OUTPUT),
                               "".join(_strings(buf, 0, len(buf), _NODE_OP_TYPE)), subgraph))
        elif number == _GRAPH_INPUT:
            inputs.append(("".join(_strings(buf, 0, len(buf), _VALUE_INFO_NAME)), (at, end)))
        elif number == _GRAPH_OUTPUT:
            outputs.append("".join(_strings(buf, 0, len(buf), _VALUE_INFO_NAME)))
        else:
            name = buf
    if any(node.has_subgraph for node in nodes) or not outputs:
        return None
    first = [n for n in nodes if len(n.inputs) > 1 and n.inputs[1] == DECODER_FIRST_WEIGHT]
    if len(first) != 1:
        return None
    latent = first[0].inputs[0]
    # The decoder: every node that depends on the latent. ONNX keeps nodes in an order where
    # each comes after what it reads, so one pass finds them.
    reached = {latent}
    decoder: list[_Node] = []
    encoder: list[_Node] = []
    for node in nodes:
        if any(i in reached for i in node.inputs):
            decoder.append(node)
            reached.update(node.outputs)
        else:
            encoder.append(node)
    if outputs[0] not in reached or latent in outputs:
        return None
    # What the decoder reads from outside itself may only be the latent, weights, and
    # constants (copied into it): anything else means the cut is not where it looks.
    made_by = {o: node for node in encoder for o in node.outputs}
    needed: list[_Node] = []
    for node in decoder:
        for i in node.inputs:
            if not i or i in reached or i in initializers:
                continue
            maker = made_by.get(i)
            if maker is None or maker.op_type != "Constant" or maker.inputs:
                return None
            if maker not in needed:
                needed.append(maker)
    decoder = needed + decoder
    head = [(at, end) for n, at, _, end in model_fields if n != _MODEL_GRAPH]
    for part, part_nodes, part_inputs, part_outputs in (
        (ENCODER, encoder, [span for i, span in inputs if _read_by(i, encoder)], [latent]),
        (DECODER, decoder, [span for i, span in inputs if _read_by(i, decoder)], outputs[:1]),
    ):
        used = {i for node in part_nodes for i in node.inputs}
        # The new graph: bytes made here, and (start, end) spans copied from the model.
        pieces: list[bytes | tuple[int, int]] = [_field(_GRAPH_NAME, name)] if name else []
        pieces += [node.span for node in part_nodes]
        pieces += [span for i, span in initializers.items() if i in used]
        if part == DECODER:
            pieces.append(_field(_GRAPH_INPUT, _float_tensor(latent)))
        pieces += part_inputs
        pieces += [_field(_GRAPH_OUTPUT, _float_tensor(o)) for o in part_outputs]
        size = sum(len(p) if isinstance(p, bytes) else p[1] - p[0] for p in pieces)
        path = out_dir / part
        tmp = path.with_name(f".{part}.tmp")
        try:
            with _private(tmp) as out:
                fd = out.fileno()
                for a, b in head:
                    src.copy(fd, a, b)
                os.write(fd, _encode_varint(_MODEL_GRAPH << 3 | 2) + _encode_varint(size))
                for piece in pieces:
                    if isinstance(piece, bytes):
                        os.write(fd, piece)
                    else:
                        src.copy(fd, *piece)
                os.fsync(fd)
            os.replace(tmp, path)
        except BaseException:  # a full disk, say: leave no 50 MB half-file behind
            tmp.unlink(missing_ok=True)
            raise
    return latent


def _private(path: Path) -> BinaryIO:
    """``path`` opened to be written anew, readable by the kiosk's user alone (0600), as every
    file in the data directory is."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def _read_by(name: str, nodes: list[_Node]) -> bool:
    return any(name in node.inputs for node in nodes)


# --- the windows -----------------------------------------------------------------------------
def decode(run: Any, latent: Any, window: int = WINDOW, overlap: int = OVERLAP) -> Any:
    """The decoder's samples for ``latent`` (a float array, 1 x channels x frames), rendered
    ``window`` frames at a time with ``overlap`` frames of context on each side.

    ``run(frames)`` runs the decoder on a slice of the latent and returns its samples, a fixed
    number for each frame (Piper's hop length, 256). Each window's context is cut off its
    samples again, so the windows join sample for sample.
    """
    import numpy as np

    frames = latent.shape[-1]
    if frames <= window + overlap:
        return np.asarray(run(latent)).reshape(-1)
    pieces = []
    hop = 0
    for start in range(0, frames, window):
        lo, hi = max(0, start - overlap), min(frames, start + window + overlap)
        samples = np.asarray(run(latent[..., lo:hi])).reshape(-1)
        if not hop:
            hop, rest = divmod(samples.size, hi - lo)
            if rest:
                raise ValueError(f"the decoder gave {samples.size} samples for {hi - lo} frames")
        end = min(start + window, frames)
        pieces.append(samples[(start - lo) * hop:(end - lo) * hop])
    return np.concatenate(pieces)


class WindowedSession:
    """The two parts of a cut voice, run as the one ``onnxruntime.InferenceSession`` Piper's
    ``PiperVoice`` expects: its ``run`` takes the whole graph's inputs and gives its output,
    the decoder rendered in windows (``decode``)."""

    def __init__(self, encoder: Any, decoder: Any, latent: str, *, window: int = WINDOW,
                 overlap: int = OVERLAP) -> None:
        self.encoder = encoder
        self.decoder = decoder
        self.latent = latent
        self.window = window
        self.overlap = overlap

    def run(self, names: Any, feed: dict[str, Any], run_options: Any = None) -> list[Any]:
        (latent,) = self.encoder.run([self.latent], feed, run_options)

        def run_decoder(frames: Any) -> Any:
            return self.decoder.run(None, {self.latent: frames}, run_options)[0]

        return [decode(run_decoder, latent, self.window, self.overlap)]

    def __getattr__(self, name: str) -> Any:  # get_inputs() and the like: the encoder's
        return getattr(self.encoder, name)
