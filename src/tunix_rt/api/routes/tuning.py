"""Sweep routes (SPEC.md: /api/tuning/jobs…)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import LimitQuery, OffsetQuery, SessionDep, SettingsDep
from tunix_rt.api.routes.registry import version_public
from tunix_rt.pagination import DEFAULT_LIMIT, Page, page_of
from tunix_rt.registry.schemas import PromoteResult
from tunix_rt.tuning import service
from tunix_rt.tuning.models import TuningJob
from tunix_rt.tuning.schemas import (
    PromoteBestRequest,
    TuningJobCreate,
    TuningJobPublic,
)

router = APIRouter(prefix="/api/tuning/jobs", tags=["tuning"], dependencies=[by_method])


async def _public(session: SessionDep, job: TuningJob, *, trials: bool = True) -> TuningJobPublic:
    rows = await service.list_trials(session=session, job_id=job.id)
    return TuningJobPublic.of(job, rows, with_trials=trials)


@router.post("", status_code=201)
async def create_tuning_job(
    job_in: TuningJobCreate, session: SessionDep, settings: SettingsDep
) -> TuningJobPublic:
    """Create a sweep; every search-space key must be a training config key, and in-process
    workers must have ``max_concurrent_trials + 1`` slots (422 otherwise)."""
    job = await service.create_tuning_job(
        session=session, settings=settings, job_in=job_in, embedded_workers=settings.workers
    )
    return await _public(session, job)


@router.get("")
async def list_tuning_jobs(
    session: SessionDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> Page[TuningJobPublic]:
    """Sweeps, newest first."""
    page = page_of(
        await service.list_tuning_jobs(session=session, limit=limit, offset=offset),
        limit=limit,
        offset=offset,
        total=await service.count_tuning_jobs(session=session),
    )
    data = [await _public(session, job, trials=False) for job in page.data]
    return Page[TuningJobPublic](data=data, pagination=page.pagination)


@router.get("/{job_id}")
async def get_tuning_job(job_id: uuid.UUID, session: SessionDep) -> TuningJobPublic:
    """A sweep with its trials."""
    return await _public(session, await service.get_tuning_job(session=session, job_id=job_id))


@router.post("/{job_id}/start", status_code=202)
async def start_tuning_job(
    job_id: uuid.UUID, session: SessionDep, settings: SettingsDep
) -> TuningJobPublic:
    """Enqueue the sweep on the job queue (422 when in-process workers have too few slots)."""
    job = await service.start_tuning_job(
        session=session, settings=settings, job_id=job_id, embedded_workers=settings.workers
    )
    return await _public(session, job)


@router.post("/{job_id}/cancel")
async def cancel_tuning_job(
    job_id: uuid.UUID, session: SessionDep, settings: SettingsDep
) -> TuningJobPublic:
    """Stop the sweep and its running trials."""
    job = await service.cancel_tuning_job(session=session, settings=settings, job_id=job_id)
    return await _public(session, job)


@router.post("/{job_id}/promote-best", status_code=201)
async def promote_best(
    job_id: uuid.UUID, body: PromoteBestRequest, session: SessionDep, settings: SettingsDep
) -> PromoteResult:
    """Register the best trial's model in a registry family."""
    version, created = await service.promote_best(
        session=session, job_id=job_id, family=body.family, aliases=body.aliases, home=settings.home
    )
    return PromoteResult(version=await version_public(session, version), created=created)
