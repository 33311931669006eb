"""JSONL import and export: one trace per line, the seed's spellings accepted on import."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.traces.bulk import BatchResult, store_canonical
from tunix_rt.traces.listing import TraceFilter, list_page
from tunix_rt.traces.models import Trace
from tunix_rt.traces.schemas import CanonicalTrace, normalise_seed_variants
from tunix_rt.traces.validation import MAX_PROBLEMS, parse_plain_line, parse_trace

# Traces validated before each bulk insert; large enough to amortise a COPY round trip.
IMPORT_CHUNK = 2_000
EXPORT_PAGE = 1_000
# While a chunk is being stored, parsing yields to it this often. Each of the insert's round
# trips (savepoint, COPY start and end, per table) waits for the next yield; at 256 lines
# (~8 ms of parsing) PostgreSQL sat idle for much of each chunk.
_YIELD_EVERY = 16


class ImportResult(BaseModel):
    """What an import did. ``problems`` lists skipped lines (first 50) with ``--skip-invalid``.

    ``ignored`` counts records that hold no trace by design (OTLP spans that are not GenAI
    chat or completion calls); they are neither stored nor problems.
    """

    lines: int
    created: int
    duplicates: int
    skipped: int
    ignored: int = 0
    problems: list[str] = []


# One parsed record: a trace, or the problems with it (each naming its line or row).
Parsed = CanonicalTrace | list[Problem]


@dataclass
class Tally:
    """What a record source counts as it reads: lines (or rows) and records ignored."""

    lines: int = 0
    ignored: int = 0
    unit: str = "line"  # what a problem's location counts: "line" or "row"


@dataclass
class _State:
    records: int = 0
    created: int = 0
    duplicates: int = 0
    bad: int = 0
    problems: list[Problem] = field(default_factory=list)
    pending: list[CanonicalTrace] = field(default_factory=list)
    inflight: asyncio.Task[BatchResult] | None = None


async def lines_of(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """Complete lines from a byte stream, without their line endings."""
    tail = b""
    async for chunk in chunks:
        parts = (tail + chunk).split(b"\n")
        tail = parts.pop()
        for part in parts:
            yield part.rstrip(b"\r")
    if tail.strip():
        yield tail.rstrip(b"\r")


def parse_line(number: int, line: bytes) -> Parsed:
    """A trace from one line, or the problems with it (each naming the line)."""
    fast = parse_plain_line(line)
    if fast is not None:
        return fast
    # Seed spellings and bad lines take the slower path, which also words the problems.
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return [Problem(f"line {number}", f"not valid JSON ({exc})")]
    if not isinstance(doc, dict):
        return [Problem(f"line {number}", "expected a JSON object")]
    try:
        return parse_trace(normalise_seed_variants(doc))
    except InvalidInput as exc:
        return [Problem(f"line {number}", str(p)) for p in exc.problems]


async def _settle(state: _State) -> None:
    """Wait for the chunk being stored and count it."""
    if state.inflight is not None:
        task, state.inflight = state.inflight, None
        result = await task
        state.created += result.created
        state.duplicates += result.duplicates


async def _flush(session: AsyncSession, state: _State) -> None:
    """Store the pending chunk while the next one is parsed (one at a time: one connection)."""
    await _settle(state)
    if state.pending:
        chunk, state.pending = state.pending, []
        state.inflight = asyncio.create_task(store_canonical(session=session, traces=chunk))


async def _consume(
    session: AsyncSession, records: AsyncIterable[Parsed], skip_invalid: bool
) -> _State:
    state = _State()
    try:
        async for parsed in records:
            state.records += 1
            if state.inflight is not None and state.records % _YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let the chunk being stored make progress
            if isinstance(parsed, list):
                state.bad += 1
                state.problems.extend(parsed[: MAX_PROBLEMS - len(state.problems)])
            elif skip_invalid or not state.bad:
                state.pending.append(parsed)
            if len(state.pending) >= IMPORT_CHUNK:
                await _flush(session, state)
        if skip_invalid or not state.bad:
            await _flush(session, state)
    finally:
        await _settle(state)  # never leave a COPY running on the connection
    return state


async def parse_jsonl(chunks: AsyncIterable[bytes], tally: Tally) -> AsyncIterator[Parsed]:
    """The traces of a JSONL stream in the trace format (blank lines skipped, but counted)."""
    async for line in lines_of(chunks):
        tally.lines += 1
        if line.strip():
            yield parse_line(tally.lines, line)


async def import_parsed(
    *,
    session: AsyncSession,
    records: AsyncIterable[Parsed],
    tally: Tally,
    skip_invalid: bool = False,
) -> ImportResult:
    """Store parsed records in one savepoint: any bad one imports nothing unless skipped.

    Every import format goes through here (docs/interop.md); ``tally`` is filled by the source.
    """
    async with session.begin_nested():
        state = await _consume(session, records, skip_invalid)
        if state.bad and not skip_invalid:
            what = tally.unit if state.bad == 1 else f"{tally.unit}s"
            raise InvalidInput(f"{state.bad} bad {what}; nothing imported", problems=state.problems)
    return ImportResult(
        lines=tally.lines,
        created=state.created,
        duplicates=state.duplicates,
        skipped=state.bad,
        ignored=tally.ignored,
        problems=[str(p) for p in state.problems],
    )


async def import_jsonl(
    *,
    session: AsyncSession,
    chunks: AsyncIterable[bytes],
    skip_invalid: bool = False,
) -> ImportResult:
    """Import a JSONL stream in the trace format (the seed's spellings accepted)."""
    tally = Tally()
    return await import_parsed(
        session=session, records=parse_jsonl(chunks, tally), tally=tally, skip_invalid=skip_invalid
    )


def export_doc(trace: Trace | Row[Any]) -> dict[str, object]:
    """The trace in the SPEC.md trace format (importable again as is)."""
    return {
        "trace_version": trace.trace_version,
        "prompt": trace.prompt,
        "steps": trace.steps,
        "final_answer": trace.final_answer,
        "meta": trace.meta,
    }


async def export_jsonl(*, session: AsyncSession, flt: TraceFilter) -> AsyncIterator[bytes]:
    """The matching traces as JSONL, newest first, fetched page by page (keyset)."""
    cursor: str | None = None
    while True:
        page = await list_page(session, flt, limit=EXPORT_PAGE, cursor=cursor)
        if page.rows:
            yield b"".join(orjson.dumps(export_doc(t)) + b"\n" for t in page.rows)
        session.expunge_all()
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
