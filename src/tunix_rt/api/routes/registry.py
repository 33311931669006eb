"""Model registry routes (SPEC.md: /api/models…)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Response
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import LimitQuery, OffsetQuery, SessionDep, SettingsDep, already_stored
from tunix_rt.pagination import DEFAULT_LIMIT, Page, page_of
from tunix_rt.registry import service, storage
from tunix_rt.registry.models import ModelFamily, ModelVersion
from tunix_rt.registry.schemas import (
    AliasSet,
    ModelFamilyCreate,
    ModelFamilyPublic,
    ModelVersionPublic,
    PromoteRequest,
    PromoteResult,
)

router = APIRouter(prefix="/api/models", tags=["registry"], dependencies=[by_method])


async def _family_public(session: SessionDep, family: ModelFamily) -> ModelFamilyPublic:
    summary = await service.family_summary(session=session, family=family)
    latest = summary.pop("latest")
    public = ModelFamilyPublic.model_validate(family).model_copy(update=summary)
    if latest is not None:
        public.latest = await version_public(session, latest)
    return public


async def version_public(session: SessionDep, version: ModelVersion) -> ModelVersionPublic:
    aliases = await service.version_aliases(session=session, version=version)
    return ModelVersionPublic.model_validate(version).model_copy(update={"aliases": aliases})


@router.get("/versions/{version_id}")
async def get_version(version_id: uuid.UUID, session: SessionDep) -> ModelVersionPublic:
    """One version with its provenance."""
    version = await service.get_version(session=session, version_id=version_id)
    return await version_public(session, version)


@router.get("/versions/{version_id}/download")
async def download_version(version_id: uuid.UUID, session: SessionDep) -> StreamingResponse:
    """The version's files as a streamed, deterministic tar; its sha256 is ``archive_sha256``."""
    version = await service.get_version(session=session, version_id=version_id)
    headers = {
        "Content-Disposition": f'attachment; filename="{version.label}-{version.sha256[:12]}.tar"',
        "X-Archive-SHA256": version.archive_sha256,
        "X-Content-SHA256": version.sha256,
    }
    stream = storage.iter_archive(Path(version.storage_path), "model")
    return StreamingResponse(stream, media_type="application/x-tar", headers=headers)


@router.post("", status_code=201)
async def create_family(family_in: ModelFamilyCreate, session: SessionDep) -> ModelFamilyPublic:
    """Create a model family."""
    family = await service.create_family(session=session, family_in=family_in)
    return await _family_public(session, family)


@router.get("")
async def list_families(
    session: SessionDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> Page[ModelFamilyPublic]:
    """Model families by name."""
    rows = await service.list_families(session=session, limit=limit, offset=offset)
    total = await service.count_families(session=session)
    page = page_of(rows, limit=limit, offset=offset, total=total)
    data = [await _family_public(session, family) for family in page.data]
    return Page[ModelFamilyPublic](data=data, pagination=page.pagination)


@router.get("/{family_ref}")
async def get_family(family_ref: str, session: SessionDep) -> ModelFamilyPublic:
    """A family by id or name."""
    family = await service.get_family(session=session, ref=family_ref)
    return await _family_public(session, family)


@router.get("/{family_ref}/versions")
async def list_versions(
    family_ref: str,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[ModelVersionPublic]:
    """A family's versions, newest first."""
    family = await service.get_family(session=session, ref=family_ref)
    rows = await service.list_versions(session=session, family=family, limit=limit, offset=offset)
    total = await service.count_versions(session=session, family=family)
    page = page_of(rows, limit=limit, offset=offset, total=total)
    data = [await version_public(session, v) for v in page.data]
    return Page[ModelVersionPublic](data=data, pagination=page.pagination)


@router.post(
    "/{family_ref}/versions/promote",
    status_code=201,
    responses=already_stored(PromoteResult, "model version"),
)
async def promote(
    family_ref: str,
    request: PromoteRequest,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> PromoteResult:
    """Promote a succeeded run's final model; identical content returns the existing version."""
    family = await service.get_family(session=session, ref=family_ref)
    version, created = await service.promote_run(
        session=session, family=family, request=request, home=settings.home
    )
    if not created:
        response.status_code = 200
    return PromoteResult(version=await version_public(session, version), created=created)


@router.put("/{family_ref}/aliases/{alias}")
async def set_alias(
    family_ref: str,
    alias: Annotated[str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")],
    body: AliasSet,
    session: SessionDep,
) -> ModelVersionPublic:
    """Point an alias (``champion``, ``candidate``…) at a version of the family."""
    family = await service.get_family(session=session, ref=family_ref)
    version = await service.get_version(session=session, version_id=body.version_id)
    await service.set_alias(session=session, family=family, alias=alias, version=version)
    return await version_public(session, version)
