"""Imports from JSON lines (an upload or a file) and from an OTLP request, through one pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import Problem
from tunix_rt.traces.formats.mapping import record_traces, request_traces, shape_of, sniffed
from tunix_rt.traces.formats.otlp_schema import ExportTraceServiceRequest, PartialSuccess
from tunix_rt.traces.formats.records import Shape
from tunix_rt.traces.importer import (
    ImportResult,
    Parsed,
    Tally,
    import_parsed,
    lines_of,
    parse_line,
)


def _decoded(line: bytes) -> object:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


async def parse_lines(
    chunks: AsyncIterable[bytes], fmt: str, tally: Tally, file: str | None = None
) -> AsyncIterator[Parsed]:
    """The traces of a JSON-lines stream of one format (``auto``: the first line's shape)."""
    shape = shape_of(fmt)
    async for line in lines_of(chunks):
        tally.lines += 1
        if not line.strip():
            continue
        number = tally.lines
        if shape is None:
            shape = sniffed(_decoded(line))
        if shape is Shape.TRACE:
            yield parse_line(number, line)  # the fast path of our own format
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield [Problem(f"line {number}", f"not valid JSON ({exc})")]
            continue
        origin = {"file": file, "line": number} if file else {"line": number}
        for parsed in record_traces(shape, record, f"line {number}", origin):
            if parsed is None:
                tally.ignored += 1
            else:
                yield parsed


async def import_lines(
    *,
    session: AsyncSession,
    chunks: AsyncIterable[bytes],
    fmt: str,
    file: str | None = None,
    skip_invalid: bool = False,
) -> ImportResult:
    """Import a JSON-lines stream (``file``, a name only, is recorded in each trace's origin)."""
    tally = Tally()
    records = parse_lines(chunks, fmt, tally, file)
    return await import_parsed(
        session=session, records=records, tally=tally, skip_invalid=skip_invalid
    )


async def _spans(request: ExportTraceServiceRequest, tally: Tally) -> AsyncIterator[Parsed]:
    for parsed in request_traces(request, "", {"format": Shape.OTLP.value}):
        tally.lines += 1
        if parsed is None:
            tally.ignored += 1
        else:
            yield parsed


async def receive_spans(
    *, session: AsyncSession, request: ExportTraceServiceRequest
) -> PartialSuccess | None:
    """Store a request's GenAI spans as traces; the spans not stored and why, if any.

    OTLP is partial by design: the good spans are stored and the others rejected, so the sender
    neither retries nor loses the good ones.
    """
    tally = Tally()
    result = await import_parsed(
        session=session, records=_spans(request, tally), tally=tally, skip_invalid=True
    )
    rejected = result.skipped + result.ignored
    if not rejected:
        return None
    reasons = []
    if result.ignored:
        are = "span is" if result.ignored == 1 else "spans are"
        reasons.append(f"{result.ignored} {are} not GenAI chat or completion calls (ignored)")
    if result.skipped:
        hold = "span holds" if result.skipped == 1 else "spans hold"
        shown = "; ".join(result.problems[:5])
        reasons.append(f"{result.skipped} GenAI {hold} no trace: {shown}")
    return PartialSuccess(rejectedSpans=rejected, errorMessage="; ".join(reasons))
