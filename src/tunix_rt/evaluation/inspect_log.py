"""A small reader of inspect_ai eval logs: a ``.json`` log or a ``.eval`` zip (pure).

Only what an external evaluation needs is read: the model, and per sample its id, epoch,
input, completion and stop reason. inspect_ai itself is not imported (it is a test-only
dependency). A ``.eval`` log holds ``header.json`` and one ``samples/<id>_epoch_<n>.json`` per
sample, compressed with deflate or (inspect's default) zstd; zstd needs ``zstandard``.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from typing import Any

import orjson

from tunix_rt.errors import InvalidInput, Problem, Unavailable

ZIP_MAGIC = b"PK\x03\x04"
ZSTD = 93  # the zip method number of zstd
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # a zip member larger than this once unpacked is refused
# Stop reasons that mean the output was cut at the token limit.
TRUNCATED = frozenset({"max_tokens", "model_length"})


@dataclass(frozen=True)
class InspectSample:
    """One sample of an inspect log, as far as judging it needs."""

    where: str
    id: str
    epoch: int
    input: str | None
    completion: str
    truncated: bool


@dataclass(frozen=True)
class InspectLog:
    """The model an inspect log evaluated and its samples."""

    model: str | None
    samples: list[InspectSample]


def is_zip(data: bytes) -> bool:
    """Whether the bytes are a zip archive (a ``.eval`` log)."""
    return data[:4] == ZIP_MAGIC


def _bad(where: str, msg: str, member: str | None = None) -> InvalidInput:
    """The error; ``where`` is dot-free (the API splits a location at dots), so a ``.eval``
    member's file name goes in the message."""
    shown = f"{member}: {msg}" if member else msg
    return InvalidInput("invalid inspect log", problems=[Problem(where, shown)])


def _message_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: keep the text ones
        parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        return "".join(p for p in parts if isinstance(p, str))
    return None


def _input_text(value: Any) -> str | None:
    """The sample's prompt: a string, or the last user message of a message list."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        users = [m for m in value if isinstance(m, dict) and m.get("role") == "user"]
        return _message_text(users[-1].get("content")) if users else None
    return None


def _object(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (a field the log may leave out)."""
    return value if isinstance(value, dict) else {}


def _sample(doc: Any, where: str, member: str | None = None) -> InspectSample:
    if not isinstance(doc, dict):
        raise _bad(where, "a sample must be a JSON object", member)
    sample_id, epoch = doc.get("id"), doc.get("epoch", 1)
    if isinstance(sample_id, bool) or not isinstance(sample_id, int | str) or sample_id == "":
        raise _bad(where, "the sample has no id", member)
    if isinstance(epoch, bool) or not isinstance(epoch, int):
        raise _bad(where, "the sample's epoch must be an integer", member)
    output = _object(doc.get("output"))
    choices = output.get("choices")
    first = _object(choices[0] if isinstance(choices, list) and choices else None)
    completion = output.get("completion")
    if not isinstance(completion, str):
        completion = _message_text(_object(first.get("message")).get("content")) or ""
    truncated = first.get("stop_reason") in TRUNCATED
    return InspectSample(
        where, str(sample_id), epoch, _input_text(doc.get("input")), completion, truncated
    )


def _model(header: Any) -> str | None:
    spec = header.get("eval") if isinstance(header, dict) else None
    model = spec.get("model") if isinstance(spec, dict) else None
    return model if isinstance(model, str) and model else None


def _loads(raw: bytes, where: str, member: str | None = None) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _bad(where, f"not JSON ({exc})", member) from None


def _read_json(data: bytes) -> InspectLog:
    doc = _loads(data, "log")
    if not isinstance(doc, dict) or not isinstance(doc.get("eval"), dict):
        raise _bad("log", "not an inspect log (no 'eval' object)")
    samples = doc.get("samples")
    if not isinstance(samples, list):
        raise _bad("samples", "the log holds no samples (was it written without them?)")
    return InspectLog(_model(doc), [_sample(s, f"samples[{i}]") for i, s in enumerate(samples)])


def _zstd(raw: bytes, where: str, member: str) -> bytes:
    try:
        import zstandard
    except ImportError:
        raise Unavailable(f"{member} is zstd-compressed: install zstandard to read it") from None
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw))
        return reader.read(MAX_ENTRY_BYTES + 1)
    except zstandard.ZstdError as exc:
        raise _bad(where, f"cannot decompress ({exc})", member) from None


def _member(data: bytes, archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    """One member's bytes: stdlib methods through ``zipfile``, zstd from the raw stored bytes."""
    if info.compress_type != ZSTD:
        with archive.open(info) as handle:
            return handle.read(MAX_ENTRY_BYTES + 1)
    start = info.header_offset
    if data[start : start + 4] != ZIP_MAGIC:
        raise _bad(where, "bad local header", info.filename)
    name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
    begin = start + 30 + name_len + extra_len
    return _zstd(data[begin : begin + info.compress_size], where, info.filename)


def _read_zip(data: bytes) -> InspectLog:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _bad("log", f"not a readable .eval zip ({exc})") from None
    with archive:
        infos = {info.filename: info for info in archive.infolist()}
        if "header.json" not in infos:
            raise _bad("log", "the .eval zip has no header.json")
        members = ["header.json", *sorted(n for n in infos if n.startswith("samples/"))]
        docs = []
        for i, name in enumerate(members):
            where = "header" if i == 0 else f"samples[{i - 1}]"
            try:
                raw = _member(data, archive, infos[name], where)
            except (zipfile.BadZipFile, NotImplementedError, OSError) as exc:
                raise _bad(where, f"cannot read ({exc})", name) from None
            if len(raw) > MAX_ENTRY_BYTES:
                raise _bad(where, "larger than 256 MiB unpacked", name)
            docs.append((where, name, _loads(raw, where, name)))
    (_, _, header), samples = docs[0], docs[1:]
    return InspectLog(_model(header), [_sample(doc, w, name) for w, name, doc in samples])


def read_log(data: bytes) -> InspectLog:
    """An inspect log from its bytes (``.eval`` zip or ``.json``); ``InvalidInput`` naming the
    bad member or sample."""
    return _read_zip(data) if is_zip(data) else _read_json(data)
