"""Dataset routes: build, ingest, list, manifest, delete, export (streamed), inspect."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import (
    LimitQuery,
    OffsetQuery,
    SeedQuery,
    SessionDep,
    SettingsDep,
    already_stored,
    streamed,
)
from tunix_rt.datasets import exports, ingest, service
from tunix_rt.datasets.inspect import InspectOptions
from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.datasets.schemas import DatasetBuild, DatasetDetail, DatasetPublic, DatasetsPublic
from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.pagination import DEFAULT_LIMIT, page_of
from tunix_rt.runs import service as runs_service

router = APIRouter(prefix="/api/datasets", tags=["datasets"], dependencies=[by_method])

JSONL_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/x-ndjson": {"schema": {"type": "string", "format": "binary"}}},
    }
}
MEDIA = {"parquet": "application/vnd.apache.parquet"}
JSONL_OR_PARQUET = streamed("application/x-ndjson", MEDIA["parquet"])
Split = Literal["train", "eval"]
ExportFormat = Literal["trace", "tunix_sft", "training_example", "chat", "parquet"]  # FORMATS


@router.post("/build", status_code=201, responses=already_stored(DatasetDetail, "dataset"))
async def build_dataset(
    build: DatasetBuild, session: SessionDep, settings: SettingsDep, response: Response
) -> DatasetDetail:
    """Build a dataset version; an identical existing version answers 200, a different one 409."""
    dataset, created = await service.build_dataset(session=session, build=build, home=settings.home)
    if not created:
        response.status_code = 200
    return DatasetDetail.of(dataset)


@router.post(
    "/ingest",
    status_code=201,
    openapi_extra=JSONL_BODY,
    responses=already_stored(DatasetDetail, "dataset"),
)
async def ingest_dataset(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    name: str = Query(...),
    version: str = Query("v1"),
    eval_fraction: float = Query(0.0),
    seed: SeedQuery = None,
    strategy: str = Query("latest", description="latest keeps the upload order; random."),
) -> DatasetDetail:
    """Store the uploaded traces (JSONL body) and build a dataset of exactly those traces."""
    params = {"name": name, "version": version, "eval_fraction": eval_fraction, "seed": seed}
    build = ingest.build_request({**params, "strategy": strategy})
    dataset, created = await ingest.ingest_jsonl(
        session=session, data=await request.body(), build=build, home=settings.home
    )
    if not created:
        response.status_code = 200
    return DatasetDetail.of(dataset)


@router.get("")
async def list_datasets(
    session: SessionDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> DatasetsPublic:
    """Datasets, newest first."""
    rows, _ = await service.list_datasets(session=session, limit=limit + 1, offset=offset)
    total = await service.count_datasets(session=session)
    data = [DatasetPublic.model_validate(r) for r in rows]
    page = page_of(data, limit=limit, offset=offset, total=total)
    return DatasetsPublic(data=page.data, pagination=page.pagination)


@router.get("/{key}")
async def get_dataset(
    key: str,
    session: SessionDep,
    trace_ids: bool = Query(False, description="Include the trace-id list (can be long)."),
) -> DatasetDetail:
    """A dataset and its manifest."""
    dataset = await service.get_dataset(session=session, key=key)
    manifest: dict[str, Any] = dict(dataset.manifest)
    if trace_ids:
        manifest = await service.full_manifest(session=session, key=key)
    return DatasetDetail.of(dataset, manifest)


@router.delete("/{key}", status_code=204)
async def delete_dataset(key: str, session: SessionDep) -> Response:
    """Delete a dataset no run uses (409 otherwise)."""
    used = await runs_service.count_dataset_runs(session=session, dataset_key=key)
    await service.delete_dataset(session=session, key=key, used_by_runs=used)
    return Response(status_code=204)


async def _stream(
    session: SessionDep, key: str, options: exports.ExportOptions, filename: str
) -> StreamingResponse:
    dataset = await service.get_dataset(session=session, key=key)
    source = await exports.open_source(session=session, dataset=dataset)
    media = MEDIA.get(options.fmt, "application/x-ndjson")
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Dataset-Sha256": dataset.content_hash,
    }
    return StreamingResponse(
        exports.iter_export(source, options), media_type=media, headers=headers
    )


@router.get("/{key}/export.jsonl", response_class=StreamingResponse, responses=JSONL_OR_PARQUET)
async def export_jsonl(
    key: str,
    session: SessionDep,
    format: ExportFormat = Query("trace", description=", ".join(exports.FORMATS)),
    split: Split | None = Query(None, description="train or eval; all records when absent"),
    template: ChatTemplate = Query(ChatTemplate.GEMMA),
    style: TraceStyle = Query(TraceStyle.NUMBERED),
    system: str | None = Query(None),
) -> StreamingResponse:
    """The dataset's records in manifest order (``format=parquet`` streams Parquet instead)."""
    options = exports.ExportOptions.parse(
        fmt=format, split=split, template=template, style=style, system=system
    )
    ext = "parquet" if options.fmt == "parquet" else "jsonl"
    return await _stream(session, key, options, f"{key}.{options.fmt}.{ext}")


@router.get(
    "/{key}/export.parquet", response_class=StreamingResponse, responses=streamed(MEDIA["parquet"])
)
async def export_parquet(
    key: str,
    session: SessionDep,
    split: Split | None = Query(None),
    template: ChatTemplate = Query(ChatTemplate.GEMMA),
    style: TraceStyle = Query(TraceStyle.NUMBERED),
    system: str | None = Query(None),
) -> StreamingResponse:
    """The dataset as Parquet (trace columns plus the rendered prompt and completion)."""
    options = exports.ExportOptions.parse(
        fmt="parquet", split=split, template=template, style=style, system=system
    )
    return await _stream(session, key, options, f"{key}.parquet")


def _tokenizer_dir(spec: str, home: Path) -> str:
    """``char``, or ``run:<id>``: the tokenizer saved with a run's final model (never a path)."""
    if spec == "char":
        return spec
    prefix, _, run_id = spec.partition(":")
    try:
        rid = uuid.UUID(run_id)
    except ValueError:
        rid = None
    if prefix != "run" or rid is None:
        raise InvalidInput(problems=[Problem("tokenizer", "expected 'char' or 'run:<run id>'")])
    return str(home / "runs" / str(rid) / "final")


@router.get("/{key}/inspect")
async def inspect_dataset(
    key: str,
    session: SessionDep,
    settings: SettingsDep,
    tokenizer: str = Query("char", description="'char' or 'run:<run id>' (its saved tokenizer)"),
    template: ChatTemplate = Query(ChatTemplate.GEMMA),
    style: TraceStyle = Query(TraceStyle.NUMBERED),
    max_seq_length: int = Query(512, ge=8, le=1_048_576),
    system: str | None = Query(None),
    sample: int = Query(5, ge=0, le=100),
    max_records: int = Query(10_000, ge=1, le=100_000),
    split: Split | None = Query(None),
) -> dict[str, Any]:
    """Token-level preview: loss/masked tokens, length distribution, truncation, lint."""
    options = InspectOptions(
        template=template, style=style, max_seq_length=max_seq_length, system=system, sample=sample
    )
    return await service.inspect_dataset(
        session=session,
        key=key,
        tokenizer=_tokenizer_dir(tokenizer, settings.home),
        options=options,
        max_records=max_records,
        split=split,
    )
