"""Trace routes (SPEC.md: /api/traces)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import (
    DateTimeQuery,
    LimitQuery,
    OffsetQuery,
    SessionDep,
    SettingsDep,
    StreamSessionDep,
    already_stored,
    streamed,
)
from tunix_rt.api.guard import PARQUET, media_of
from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.pagination import DEFAULT_LIMIT, Page, Pagination
from tunix_rt.traces import importer, service
from tunix_rt.traces.formats import tabular
from tunix_rt.traces.formats.mapping import UploadFormat
from tunix_rt.traces.formats.stream import import_lines
from tunix_rt.traces.schemas import (
    TraceBatchCreate,
    TraceBatchCreated,
    TraceCreate,
    TracePublic,
    public_doc,
)
from tunix_rt.traces.scoring import Scorer, TraceScore
from tunix_rt.traces.validation import parse_batch

router = APIRouter(prefix="/api/traces", tags=["traces"], dependencies=[by_method])


def _batch_schema() -> dict[str, Any]:
    """The batch body's schema, its nested models referred to in the document's components
    (where ``POST /api/traces`` already puts ``TraceCreate`` and ``TraceStep``)."""
    schema = TraceBatchCreate.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/x-ndjson": _BINARY, PARQUET: _BINARY},
    }
}
_BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _batch_schema()}},
    }
}


class ScoreRequest(BaseModel):
    """Which scorer to run."""

    scorer: Scorer = Scorer.BASELINE


async def trace_filter(
    source: str | None = None,
    category: str | None = None,
    difficulty: str | None = None,
    tag: str | None = None,
    created_after: DateTimeQuery = None,
    created_before: DateTimeQuery = None,
    q: Annotated[str | None, Query(max_length=500, description="Text in prompt/answer.")] = None,
) -> service.TraceFilter:
    """List and export filters from the query string."""
    return service.TraceFilter(
        source, category, difficulty, tag, created_after, created_before, q or None
    )


FilterDep = Annotated[service.TraceFilter, Depends(trace_filter)]


def _json(model: BaseModel, status_code: int = 200) -> Response:
    """Serialise in Rust (pydantic-core): list pages are several times faster than the encoder."""
    return Response(model.model_dump_json(), status_code, media_type="application/json")


@router.post("", status_code=201, responses=already_stored(TracePublic, "trace"))
async def create_trace(
    trace_in: TraceCreate, session: SessionDep, response: Response
) -> TracePublic:
    """Store a trace. An identical trace already stored is returned with 200."""
    trace, created = await service.create_trace(session=session, trace_in=trace_in)
    if not created:
        response.status_code = 200
    return TracePublic.model_validate(trace)


@router.post("/batch", status_code=201, response_model=TraceBatchCreated, openapi_extra=_BATCH_BODY)
async def create_traces(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Store up to ``max_batch_traces`` traces in one transaction; 422 names ``traces[i].field``."""
    traces = parse_batch(await request.body(), max_traces=settings.max_batch_traces)
    result = await service.store_canonical(session=session, traces=traces)
    body = TraceBatchCreated(created=result.created, duplicates=result.duplicates, ids=result.ids)
    return _json(body, 201)


@router.get("", response_model=Page[TracePublic])
async def list_traces(
    session: SessionDep,
    flt: FilterDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
) -> Response:
    """Newest first. ``cursor`` pages by keyset (fast at any depth); ``offset`` by OFFSET.
    ``pagination.total`` counts every trace matching the filters."""
    page = await service.list_traces(
        session=session, flt=flt, limit=limit, offset=offset, cursor=cursor
    )
    pagination = Pagination(
        limit=limit,
        offset=offset,
        next_offset=page.next_offset,
        next_cursor=page.next_cursor,
        total=page.total,
    )
    body = {"data": [public_doc(row) for row in page.rows], "pagination": pagination.model_dump()}
    return Response(orjson.dumps(body, option=orjson.OPT_UTC_Z), media_type="application/json")


@router.get("/compare")
async def compare_traces(
    base: uuid.UUID, other: uuid.UUID, session: SessionDep
) -> service.TraceComparison:
    """Two traces side by side with a step diff and both traces' scores."""
    return await service.compare_traces(session=session, base_id=base, other_id=other)


@router.get(
    "/export.jsonl", response_class=StreamingResponse, responses=streamed("application/x-ndjson")
)
async def export_traces(session: StreamSessionDep, flt: FilterDep) -> StreamingResponse:
    """Stream matching traces as JSONL in the trace format (importable again)."""
    stream = importer.export_jsonl(session=session, flt=flt)
    return StreamingResponse(stream, media_type="application/x-ndjson")


FormatQuery = Annotated[
    UploadFormat,
    Query(alias="format", description="Record shape (docs/interop.md); auto: the first record's."),
]


@router.post("/import", openapi_extra=_IMPORT_BODY)
async def import_traces(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    skip_invalid: bool = False,
    fmt: FormatQuery = UploadFormat.AUTO,
) -> importer.ImportResult:
    """Import an uploaded JSONL or Parquet body; a bad line (row) imports nothing unless
    ``skip_invalid``. Parquet is read through ``datasets``, as ``tunix-rt traces import``."""
    if media_of(request) == PARQUET:
        result = await tabular.import_parquet_upload(
            session=session, chunks=request.stream(), home=settings.home, fmt=fmt,
            skip_invalid=skip_invalid,
        )  # fmt: skip
        what = "rows"
    elif fmt is UploadFormat.HF:
        msg = f"hf reads a Parquet body (Content-Type {PARQUET}); JSON lines take a record shape"
        raise InvalidInput(problems=[Problem("format", msg)])
    else:
        result = await import_lines(
            session=session, chunks=request.stream(), fmt=fmt, skip_invalid=skip_invalid
        )
        what = "JSONL lines"
    if result.lines == 0:
        raise InvalidInput(problems=[Problem("body", f"the upload holds no {what}")])
    return result


class PathImport(BaseModel):
    """A datasets folder or Parquet file on the server, under TUNIX_RT_HOME or a model root."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1, max_length=4096)
    format: UploadFormat = UploadFormat.AUTO
    skip_invalid: bool = False


@router.post("/import/path")
async def import_traces_from_path(
    body: PathImport, session: SessionDep, settings: SettingsDep
) -> importer.ImportResult:
    """Import a ``datasets`` folder or ``.parquet`` file the server can read, confined to the
    allowed roots like every client-named path; each trace's origin records its name."""
    if body.format is UploadFormat.OTLP:
        raise InvalidInput(problems=[Problem("format", "otlp is read from JSON lines uploads")])
    path = tabular.server_path(body.path, settings)
    return await tabular.import_rows(
        session=session, path=path, fmt=body.format, skip_invalid=body.skip_invalid
    )


@router.get("/{trace_id}")
async def get_trace(trace_id: uuid.UUID, session: SessionDep) -> TracePublic:
    """One trace by id."""
    return TracePublic.model_validate(await service.get_trace(session=session, trace_id=trace_id))


@router.delete("/{trace_id}", status_code=204)
async def delete_trace(trace_id: uuid.UUID, session: SessionDep) -> Response:
    """Delete a trace."""
    await service.delete_trace(session=session, trace_id=trace_id)
    return Response(status_code=204)


@router.post("/{trace_id}/score")
async def score_trace(
    trace_id: uuid.UUID, session: SessionDep, body: ScoreRequest | None = None
) -> TraceScore:
    """Score a trace: ``baseline`` (steps and length) or ``step_check`` (arithmetic), 0 to 1."""
    scorer = body.scorer if body else Scorer.BASELINE
    return await service.score_trace(session=session, trace_id=trace_id, scorer=scorer)
