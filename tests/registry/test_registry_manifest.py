"""Promotion reads the run's manifest through the one ``RunManifest``, old shapes included."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import make_run

from tunix_rt import __version__
from tunix_rt.registry.models import ModelVersion

LEGACY = Path(__file__).parents[1] / "training" / "legacy_manifests"


async def _promoted_provenance(
    client: httpx.AsyncClient, session: AsyncSession, home: Path, manifest: str | None
) -> dict[str, object]:
    run = await make_run(session, home)
    path = Path(run.run_dir) / "run_manifest.json"
    if manifest is None:
        path.unlink()
    else:
        path.write_text(manifest)
    await client.post("/api/models", json={"name": "tutor"})
    promoted = await client.post("/api/models/tutor/versions/promote", json={"run_id": str(run.id)})
    assert promoted.status_code == 201, promoted.text
    provenance: dict[str, object] = promoted.json()["version"]["provenance"]
    return provenance


async def test_an_old_tunix_manifest_gives_the_same_provenance_keys(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    old = (LEGACY / "tunix-9be08a2.json").read_text()
    provenance = await _promoted_provenance(client, session, home, old)
    assert provenance["dataset_sha256"] == (
        "bbcaf9e0b76055dbfd25cfc20bd120bd78af357e6f896af58ffa0da9f81a9e9d"
    )
    assert provenance["code_version"] == "0.1.0"
    libraries = provenance["library_versions"]
    assert isinstance(libraries, dict)
    assert (libraries["google-tunix"], libraries["python"]) == ("0.1.7", "3.11.7")
    manifest = provenance["run_manifest"]
    assert isinstance(manifest, dict)
    assert (manifest["backend"], manifest["data_sha256"], manifest["steps"]) == (
        "tunix",
        provenance["dataset_sha256"],
        2,
    )


@pytest.mark.parametrize("manifest", [None, "{truncated", '{"code_version": "x"}'])
async def test_a_missing_or_unreadable_manifest_does_not_stop_promotion(
    client: httpx.AsyncClient, session: AsyncSession, home: Path, manifest: str | None
) -> None:
    provenance = await _promoted_provenance(client, session, home, manifest)
    assert provenance["dataset_sha256"] is None
    assert provenance["code_version"] == __version__
    assert provenance["library_versions"] == {}
    assert provenance["run_manifest"] is None
    assert provenance["dataset_key"] == "arith@1"


async def test_a_version_promoted_by_an_older_release_still_reads(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    run = await make_run(session, home)
    await client.post("/api/models", json={"name": "tutor"})
    promoted = await client.post("/api/models/tutor/versions/promote", json={"run_id": str(run.id)})
    version = await session.get(ModelVersion, uuid.UUID(promoted.json()["version"]["id"]))
    assert version is not None
    # The shape of a row before provenance was a typed record: {} for no manifest, a scorecard
    # this release cannot read, keys it no longer writes and none of the library versions.
    version.provenance = {
        "run_id": str(run.id),
        "dataset_sha256": "abc",
        "run_manifest": {},
        "evaluation": {"eval_set": "s", "ci95": [None, None], "scorecard": {"primary_score": 1}},
        "retired_key": 1,
    }
    await session.flush()
    read = (await client.get(f"/api/models/versions/{version.id}")).json()["provenance"]
    assert (read["run_id"], read["dataset_sha256"], read["run_manifest"]) == (
        str(run.id),
        "abc",
        None,
    )
    assert (read["library_versions"], read["config"], read["code_version"]) == ({}, {}, None)
    assert read["evaluation"]["eval_set"] == "s"
    assert (read["evaluation"]["ci95"], read["evaluation"]["scorecard"]) == ([None, None], None)
    assert "retired_key" not in read
