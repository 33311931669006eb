"""Run routes (SPEC.md: /api/tunix/run, /api/tunix/status, /api/tunix/runs...)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, FastAPI, Query, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import (
    INT64_MAX,
    DateTimeQuery,
    LastEventIdHeader,
    LimitQuery,
    OffsetQuery,
    SessionDep,
    SessionmakerDep,
    SettingsDep,
    SinceSeqQuery,
)
from tunix_rt.evaluation import run_table
from tunix_rt.jobs import HANDLERS
from tunix_rt.jobs.train_submit import DryRunReport, TrainRunRequest, submit_train_run
from tunix_rt.pagination import DEFAULT_LIMIT, Page, page_of
from tunix_rt.runs import artifacts, service
from tunix_rt.runs import tags as run_tags
from tunix_rt.runs.backends import TunixStatus, backend_statuses
from tunix_rt.runs.embedded import Stop, start_embedded
from tunix_rt.runs.follow import RunEvent, run_events
from tunix_rt.runs.metrics import read_metrics, to_series
from tunix_rt.runs.progress import RunProgress, run_progress
from tunix_rt.runs.schemas import (
    ArtifactsPublic,
    LogLine,
    MetricsPublic,
    RunPublic,
    RunStatusPublic,
)
from tunix_rt.training.rl.samples_read import SamplesPage, read_samples

router = APIRouter(prefix="/api/tunix", tags=["runs"], dependencies=[by_method])


async def start_workers(app: FastAPI) -> Stop:
    """Startup hook: the in-process workers of ``tunix-rt serve`` (``--workers N``)."""
    return await start_embedded(app.state.settings, app.state.sessionmaker, handlers=HANDLERS)


@router.get("/status")
async def get_tunix_status() -> TunixStatus:
    """Training backends installed here (torch, tunix) and the job kinds workers know."""
    return TunixStatus(status="ok", backends=backend_statuses(), job_kinds=sorted(HANDLERS))


@router.post(
    "/run",
    status_code=200,
    responses={202: {"model": RunPublic, "description": "The queued run (``?mode=async``)"}},
)
async def create_training_run(
    body: TrainRunRequest,
    session: SessionDep,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    response: Response,
    mode: Literal["sync", "async"] = "sync",
) -> RunPublic | DryRunReport:
    """Train: ``sync`` waits for the run to finish; ``?mode=async`` returns 202 at once."""
    # The request's own session (which the auth dependency already holds, with its audit row):
    # a second one would wait on SQLite's write lock for as long as this request holds it.
    submitted = await submit_train_run(session=session, settings=settings, body=body, mode=mode)
    await session.commit()
    if isinstance(submitted, DryRunReport):
        return submitted
    if mode == "async":
        response.status_code = 202
        return RunPublic.of(submitted)
    done = await service.wait_for_run(sessionmaker=sessionmaker, run_id=submitted.id)
    return RunPublic.of(done)


class RunsQuery(BaseModel):
    """The runs table's filters, search and sort."""

    status: str | None = None
    kind: str | None = None
    dataset: str | None = None
    model: str | None = None
    mode: str | None = None
    backend: str | None = None
    algorithm: str | None = None
    eval_set: str | None = None
    q: str | None = Field(default=None, max_length=200, description="Text in name, or id prefix.")
    tag: list[str] = Field(default_factory=list, description="Runs with every tag given.")
    sort: str = Field(default="created_at", description=f"One of {', '.join(run_table.SORTS)}.")
    order: Literal["asc", "desc"] = "desc"


@router.get("/runs")
async def list_runs(
    session: SessionDep,
    query: Annotated[RunsQuery, Query()],
    created_after: DateTimeQuery = None,
    created_before: DateTimeQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[run_table.RunRow]:
    """Runs with their metric columns and tags, filtered, searched and sorted (newest first by
    default), with the count of every matching run."""
    filters = service.RunFilters(
        status=query.status, kind=query.kind, dataset_key=query.dataset, model=query.model,
        mode=query.mode, created_after=created_after, created_before=created_before,
        backend=query.backend, algorithm=query.algorithm, q=query.q, tags=tuple(query.tag),
    )  # fmt: skip
    table = run_table.RunTableQuery(
        filters=filters, eval_set=query.eval_set, sort=query.sort,
        descending=query.order == "desc", limit=limit, offset=offset,
    )  # fmt: skip
    rows, total = await run_table.run_table(session=session, query=table)
    return page_of(rows, limit=limit, offset=offset, total=total)


@router.get("/runs/{run_id}")
async def get_run(run_id: uuid.UUID, session: SessionDep) -> RunPublic:
    """One run record: config, timings, attempts, worker, exit code, error and traceback tail."""
    return RunPublic.of(await service.get_run(session=session, run_id=run_id))


class RunPatch(BaseModel):
    """What a person may change on a run: its tags (the whole set)."""

    model_config = ConfigDict(extra="forbid")

    tags: list[Annotated[str, Field(max_length=200)]] = Field(max_length=run_tags.MAX_TAGS * 4)


class RunTagsPublic(BaseModel):
    """A run's tags after an edit."""

    run_id: uuid.UUID
    tags: list[str]


@router.patch("/runs/{run_id}")
async def update_run(run_id: uuid.UUID, body: RunPatch, session: SessionDep) -> RunTagsPublic:
    """Replace the run's tags (stripped, de-duplicated; 422 naming a bad one)."""
    tags = await run_tags.set_tags(session=session, run_id=run_id, tags=body.tags)
    return RunTagsPublic(run_id=run_id, tags=tags)


@router.get("/runs/{run_id}/progress")
async def get_run_progress(run_id: uuid.UUID, session: SessionDep) -> RunProgress:
    """Step X of Y (or elapsed of the time budget), ETA and tokens/s from the latest step."""
    return await run_progress(session=session, run_id=run_id)


@router.get("/runs/{run_id}/status")
async def get_run_status(run_id: uuid.UUID, session: SessionDep) -> RunStatusPublic:
    """The short status of a run."""
    run = await service.get_run(session=session, run_id=run_id)
    return RunStatusPublic.model_validate(run, from_attributes=True)


@router.post("/runs/{run_id}/cancel")
async def cancel_run(run_id: uuid.UUID, session: SessionDep) -> RunPublic:
    """Queued: cancelled now; running: ``cancel_requested`` until its worker stops it; else 409."""
    return RunPublic.of(await service.cancel_run(session=session, run_id=run_id))


def _sse(event: RunEvent) -> bytes:
    if event.line is not None:
        data = orjson.dumps(event.line.model_dump(mode="json"))
        return b"id: %d\nevent: log\ndata: %s\n\n" % (event.line.seq, data)
    if event.status is not None:
        return b"event: status\ndata: %s\n\n" % orjson.dumps({"status": event.status})
    return b"event: heartbeat\ndata: {}\n\n"


class EventStream(StreamingResponse):
    """A Server-Sent Events response (its media type lets OpenAPI describe the events)."""

    media_type = "text/event-stream"


# The schema of a `log` event's data; `status` events carry {"status": ...}, heartbeats {}.
_LOG_EVENTS: dict[int | str, dict[str, Any]] = {
    200: {"model": LogLine, "description": "`log` events, each a LogLine"}
}


@router.get("/runs/{run_id}/logs", response_class=EventStream, responses=_LOG_EVENTS)
async def stream_run_logs(
    run_id: uuid.UUID,
    session: SessionDep,
    sessionmaker: SessionmakerDep,
    since_seq: SinceSeqQuery = -1,
    follow: bool = True,
    last_event_id: LastEventIdHeader = None,
) -> EventStream:
    """Server-Sent Events: ``log`` (id = seq), ``status`` and ``heartbeat``; ends after the final
    status. Resumes after ``since_seq`` or the ``Last-Event-ID`` header, whichever is later."""
    await service.get_run(session=session, run_id=run_id)
    if last_event_id is not None:
        since_seq = max(since_seq, last_event_id)

    async def body() -> AsyncIterator[bytes]:
        events = run_events(
            sessionmaker=sessionmaker, run_id=run_id, since_seq=since_seq, follow=follow
        )
        async for event in events:
            yield _sse(event)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return EventStream(body(), headers=headers)


@router.get("/runs/{run_id}/artifacts")
async def list_run_artifacts(run_id: uuid.UUID, session: SessionDep) -> ArtifactsPublic:
    """Every file under the run directory, with size and sha256; checkpoints marked."""
    run = await service.get_run(session=session, run_id=run_id)
    files = await artifacts.list_artifacts(Path(run.run_dir))
    return ArtifactsPublic(run_id=run.id, data=files)


@router.get("/runs/{run_id}/artifacts/{name:path}/download", response_class=FileResponse)
async def download_run_artifact(run_id: uuid.UUID, name: str, session: SessionDep) -> Any:
    """One file of the run directory (names resolve inside it only; anything else is 404)."""
    run = await service.get_run(session=session, run_id=run_id)
    path = artifacts.resolve_artifact(Path(run.run_dir), name)
    return FileResponse(path, filename=path.name, media_type="application/octet-stream")


@router.get("/runs/{run_id}/metrics")
async def get_run_metrics(run_id: uuid.UUID, session: SessionDep) -> MetricsPublic:
    """Time series (``train/loss``, ``eval/...``) from the run's ``metrics.jsonl`` events."""
    run = await service.get_run(session=session, run_id=run_id)
    events = await read_metrics(session=session, run_id=run.id)
    return MetricsPublic(run_id=run.id, series=to_series(events), events=[e.data for e in events])


@router.get("/runs/{run_id}/samples")
async def list_run_samples(
    run_id: uuid.UUID,
    session: SessionDep,
    step: Annotated[
        int | None, Query(ge=0, le=INT64_MAX, description="Only this step's prompts.")
    ] = None,
    prompt_id: Annotated[str | None, Query(max_length=200, description="Only this prompt.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> SamplesPage:
    """A GRPO run's ``samples.jsonl``: each kept prompt with its G completions, rewards,
    advantages and first wrong step (an empty page for a run without the file; malformed lines
    skipped and counted)."""
    run = await service.get_run(session=session, run_id=run_id)
    return await asyncio.to_thread(
        read_samples, Path(run.run_dir), step=step, prompt_id=prompt_id, limit=limit, offset=offset
    )
