"""Regression routes: named baselines and gate checks."""

from __future__ import annotations

from fastapi import APIRouter

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import SessionDep
from tunix_rt.regression import service
from tunix_rt.regression.schemas import BaselineCreate, BaselinePublic, CheckRequest, CheckResult

router = APIRouter(prefix="/api/regression", tags=["regression"], dependencies=[by_method])


@router.post("/baselines", status_code=201)
async def create_baseline(body: BaselineCreate, session: SessionDep) -> BaselinePublic:
    """Keep a run's latest successful evaluation on an eval set as a named baseline."""
    baseline = await service.create_baseline(session=session, body=body)
    return BaselinePublic.model_validate(baseline)


@router.get("/baselines")
async def list_baselines(session: SessionDep) -> list[BaselinePublic]:
    """Every baseline, newest first."""
    return [BaselinePublic.model_validate(b) for b in await service.list_baselines(session=session)]


@router.post("/check")
async def check_run(body: CheckRequest, session: SessionDep) -> CheckResult:
    """Gate a run: ``fail`` only when the drop exceeds the tolerance AND is significant."""
    return await service.check_run(session=session, body=body)
