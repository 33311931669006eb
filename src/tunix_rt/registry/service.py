"""Registry services: families, promotion into the content-addressed store, aliases."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt import __version__
from tunix_rt.errors import Conflict, InvalidInput, InvalidState, NotFound
from tunix_rt.evaluation import service as evaluation_service
from tunix_rt.evaluation.scorecard import Scorecard
from tunix_rt.registry import storage
from tunix_rt.registry.models import ModelAlias, ModelFamily, ModelVersion
from tunix_rt.registry.schemas import (
    ModelFamilyCreate,
    PromoteRequest,
    Provenance,
    ProvenanceEvaluation,
)
from tunix_rt.runs.models import Run, RunStatus
from tunix_rt.training import records

URI_PREFIX = "registry://"


def store_root(home: Path) -> Path:
    """The registry's object store under ``TUNIX_RT_HOME``."""
    return home / "registry"


async def create_family(*, session: AsyncSession, family_in: ModelFamilyCreate) -> ModelFamily:
    """A new family; 409 if the name is taken."""
    taken = await session.scalar(select(ModelFamily.id).where(ModelFamily.name == family_in.name))
    if taken is not None:
        raise Conflict(f"model family {family_in.name!r} already exists")
    family = ModelFamily(name=family_in.name, description=family_in.description)
    session.add(family)
    await session.flush()
    return family


async def list_families(*, session: AsyncSession, limit: int, offset: int) -> list[ModelFamily]:
    """Families by name; fetches ``limit + 1`` rows so the caller can tell if more exist."""
    stmt = select(ModelFamily).order_by(ModelFamily.name).limit(limit + 1).offset(offset)
    return list(await session.scalars(stmt))


async def count_families(*, session: AsyncSession) -> int:
    """Every model family (the list's total)."""
    return int(await session.scalar(select(func.count()).select_from(ModelFamily)) or 0)


async def count_versions(*, session: AsyncSession, family: ModelFamily) -> int:
    """The family's versions (the list's total)."""
    stmt = select(func.count()).select_from(ModelVersion)
    return int(await session.scalar(stmt.where(ModelVersion.family_id == family.id)) or 0)


async def get_family(*, session: AsyncSession, ref: str) -> ModelFamily:
    """A family by id or by name."""
    try:
        family = await session.get(ModelFamily, uuid.UUID(ref))
    except ValueError:
        family = await session.scalar(select(ModelFamily).where(ModelFamily.name == ref))
    if family is None:
        raise NotFound(f"model family {ref!r} not found")
    return family


async def family_summary(*, session: AsyncSession, family: ModelFamily) -> dict[str, Any]:
    """Aliases, version count and latest version of a family."""
    aliases = await session.execute(
        select(ModelAlias.alias, ModelAlias.version_id).where(ModelAlias.family_id == family.id)
    )
    count = await session.scalar(
        select(func.count()).select_from(ModelVersion).where(ModelVersion.family_id == family.id)
    )
    latest = await session.scalar(
        select(ModelVersion)
        .where(ModelVersion.family_id == family.id)
        .order_by(ModelVersion.number.desc())
        .limit(1)
    )
    return {
        "aliases": {row[0]: row[1] for row in aliases},
        "version_count": count or 0,
        "latest": latest,
    }


async def list_versions(
    *, session: AsyncSession, family: ModelFamily, limit: int, offset: int
) -> list[ModelVersion]:
    """Versions newest first (``limit + 1`` rows)."""
    stmt = (
        select(ModelVersion)
        .where(ModelVersion.family_id == family.id)
        .order_by(ModelVersion.number.desc())
        .limit(limit + 1)
        .offset(offset)
    )
    return list(await session.scalars(stmt))


async def get_version(*, session: AsyncSession, version_id: uuid.UUID) -> ModelVersion:
    """A version by id."""
    version = await session.get(ModelVersion, version_id)
    if version is None:
        raise NotFound(f"model version {version_id} not found")
    return version


async def version_aliases(*, session: AsyncSession, version: ModelVersion) -> list[str]:
    """The aliases that point at this version."""
    rows = await session.scalars(
        select(ModelAlias.alias)
        .where(ModelAlias.version_id == version.id)
        .order_by(ModelAlias.alias)
    )
    return list(rows)


async def _provenance(session: AsyncSession, run: Run) -> Provenance:
    """What the run recorded about itself: config, dataset hash, code and library versions."""
    # One schema for both backends; older manifests are mapped by training/manifest_legacy.py,
    # and a missing or unreadable one leaves the facts empty rather than failing the promotion.
    manifest = records.read_manifest(Path(run.run_dir))
    return Provenance(
        run_id=run.id,
        run_name=run.name,
        dataset_key=run.dataset_key,
        dataset_sha256=manifest.data_sha256 if manifest else None,
        config=run.config,
        code_version=manifest.code_version if manifest else __version__,
        library_versions=manifest.libraries if manifest else {},
        run_manifest=manifest,
        evaluation=await _evaluation_provenance(session, run),
    )


async def _evaluation_provenance(session: AsyncSession, run: Run) -> ProvenanceEvaluation | None:
    """The run's latest successful evaluation: eval set, headline score with its 95% CI."""
    try:
        evaluation = await evaluation_service.latest_evaluation(
            session=session, run_id=run.id, succeeded_only=True
        )
    except NotFound:
        return None
    return ProvenanceEvaluation(
        evaluation_id=evaluation.id,
        eval_set=evaluation.eval_set,
        primary_judge=evaluation.primary_judge,
        primary_score=evaluation.primary_score,
        ci95=[evaluation.ci_low, evaluation.ci_high],
        n_items=evaluation.n_items,
        scorecard=None
        if evaluation.scorecard is None
        else Scorecard.model_validate(evaluation.scorecard),
    )


async def _succeeded_run_model_dir(session: AsyncSession, run_id: uuid.UUID) -> tuple[Run, Path]:
    run = await session.get(Run, run_id)
    if run is None:
        raise NotFound(f"run {run_id} not found")
    if run.status != RunStatus.SUCCEEDED:
        raise InvalidState(f"run {run_id} is {run.status}; only a succeeded run can be promoted")
    model_dir = Path(run.run_dir) / "final"
    if not model_dir.is_dir():
        raise InvalidState(f"run {run_id} has no final model directory")
    return run, model_dir


async def set_alias(
    *, session: AsyncSession, family: ModelFamily, alias: str, version: ModelVersion
) -> None:
    """Point ``alias`` at ``version`` (moving it if it pointed elsewhere)."""
    if version.family_id != family.id:
        raise InvalidInput(f"version {version.id} belongs to another family")
    row = await session.get(ModelAlias, (family.id, alias))
    if row is None:
        session.add(ModelAlias(family_id=family.id, alias=alias, version_id=version.id))
    else:
        row.version_id = version.id
    await session.flush()


async def promote_run(
    *, session: AsyncSession, family: ModelFamily, request: PromoteRequest, home: Path
) -> tuple[ModelVersion, bool]:
    """Store a succeeded run's final model; identical content returns the existing version."""
    run, model_dir = await _succeeded_run_model_dir(session, request.run_id)
    stored = await asyncio.to_thread(storage.put, store_root(home), model_dir)
    version = await session.scalar(
        select(ModelVersion).where(
            ModelVersion.family_id == family.id, ModelVersion.sha256 == stored.sha256
        )
    )
    created = version is None
    if version is None:
        version = await _new_version(session, family, run, stored, request.label)
    for alias in request.aliases:
        await set_alias(session=session, family=family, alias=alias, version=version)
    return version, created


async def _new_version(
    session: AsyncSession,
    family: ModelFamily,
    run: Run,
    stored: storage.StoredObject,
    label: str | None,
) -> ModelVersion:
    last = await session.scalar(
        select(func.max(ModelVersion.number)).where(ModelVersion.family_id == family.id)
    )
    number = (last or 0) + 1
    label = label or f"v{number}"
    taken = await session.scalar(
        select(ModelVersion.id).where(
            ModelVersion.family_id == family.id, ModelVersion.label == label
        )
    )
    if taken is not None:
        raise Conflict(f"version label {label!r} already exists in {family.name!r}")
    version = ModelVersion(
        family_id=family.id,
        number=number,
        label=label,
        sha256=stored.sha256,
        archive_sha256=stored.archive_sha256,
        size_bytes=stored.size_bytes,
        file_count=stored.file_count,
        storage_path=str(stored.path),
        run_id=run.id,
        provenance=(await _provenance(session, run)).model_dump(mode="json"),
    )
    session.add(version)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a concurrent promotion took version {label!r}; retry") from exc
    return version


async def resolve_uri(*, session: AsyncSession, uri: str) -> ModelVersion:
    """``registry://family[/alias|label]`` → the version (latest when no reference is given)."""
    if not uri.startswith(URI_PREFIX):
        raise InvalidInput(f"not a registry URI: {uri!r}")
    name, _, ref = uri[len(URI_PREFIX) :].partition("/")
    family = await get_family(session=session, ref=name)
    if not ref:
        version = await session.scalar(
            select(ModelVersion)
            .where(ModelVersion.family_id == family.id)
            .order_by(ModelVersion.number.desc())
            .limit(1)
        )
    else:
        alias = await session.get(ModelAlias, (family.id, ref))
        version = (
            await session.get(ModelVersion, alias.version_id)
            if alias is not None
            else await session.scalar(
                select(ModelVersion).where(
                    ModelVersion.family_id == family.id, ModelVersion.label == ref
                )
            )
        )
    if version is None:
        raise NotFound(f"{uri} does not name a registered version")
    return version
