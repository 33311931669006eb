"""One record of any shape to parsed traces, each problem named by the record's line or row."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from functools import partial
from typing import Any

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.traces.formats import otlp
from tunix_rt.traces.formats.otlp_schema import ExportTraceServiceRequest, parse_json
from tunix_rt.traces.formats.records import RecordError, Shape, chat_doc, gsm8k_doc, sniff
from tunix_rt.traces.importer import Parsed
from tunix_rt.traces.schemas import normalise_seed_variants
from tunix_rt.traces.validation import parse_trace


class TraceFormat(StrEnum):
    """``--format`` of ``tunix-rt traces import``: ``auto`` sniffs the first record."""

    AUTO = "auto"
    JSONL = "jsonl"
    CHAT = "chat"
    GSM8K = "gsm8k"
    HF = "hf"
    OTLP = "otlp"


class UploadFormat(StrEnum):
    """``format`` of ``POST /api/traces/import``: a record shape, or ``hf`` (a Parquet body)."""

    AUTO = "auto"
    JSONL = "jsonl"
    CHAT = "chat"
    GSM8K = "gsm8k"
    HF = "hf"
    OTLP = "otlp"


def shape_of(fmt: str) -> Shape | None:
    """The record shape a format names; ``None`` for ``auto`` and ``hf`` (sniffed)."""
    return None if fmt in (TraceFormat.AUTO, TraceFormat.HF) else Shape(fmt)


def _parsed(loc: str, build: Callable[[], dict[str, Any] | None]) -> Parsed | None:
    """The trace ``build`` maps, or its problems under ``loc``; ``None`` for no trace."""
    try:
        doc = build()
        return None if doc is None else parse_trace(doc)
    except (RecordError, InvalidInput) as exc:
        return [Problem(loc, str(p)) for p in exc.problems]


def _within(loc: str, inner: str) -> str:
    return f"{loc}: {inner}" if loc else inner


def request_traces(
    request: ExportTraceServiceRequest, loc: str, origin: Mapping[str, Any]
) -> Iterator[Parsed | None]:
    """One parsed trace per span of an OTLP request (``None`` for a span that holds none)."""
    for at in otlp.spans_of(request):
        yield _parsed(_within(loc, at.loc), partial(otlp.span_doc, at, origin))


def record_traces(
    shape: Shape, record: object, loc: str, origin: dict[str, Any]
) -> Iterator[Parsed | None]:
    """The traces of one decoded record (several for an OTLP request, ``None`` for no trace)."""
    if shape is Shape.TRACE:
        yield _parsed(loc, lambda: normalise_seed_variants(record))
        return
    if not isinstance(record, Mapping):
        yield [Problem(loc, "expected a JSON object")]
        return
    meta = {"source": shape.value, "origin": {"format": shape.value, **origin}}
    if shape is Shape.CHAT:
        yield _parsed(loc, lambda: chat_doc(record, meta))
    elif shape is Shape.GSM8K:
        yield _parsed(loc, lambda: gsm8k_doc(record, meta))
    else:
        try:
            request = parse_json(record)
        except InvalidInput as exc:
            yield [Problem(loc, str(p)) for p in exc.problems]
            return
        yield from request_traces(request, loc, {"format": shape.value, **origin})


def sniffed(record: object) -> Shape:
    """The shape of the first record; our own trace format when none fits (its problems say
    what is missing)."""
    return sniff(record) or Shape.TRACE
