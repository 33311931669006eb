"""Registry: families, promotion into the content-addressed store, aliases, downloads."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import make_evaluation, make_run

from tunix_rt.evaluation.scorecard import build_scorecard
from tunix_rt.registry import service, storage
from tunix_rt.runs.models import RunStatus

SCORECARD = build_scorecard([], judges=["answer_correctness"], primary="answer_correctness")


async def test_create_family_then_duplicate_is_409(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/models", json={"name": "tutor"})
    assert created.status_code == 201
    again = await client.post("/api/models", json={"name": "tutor"})
    assert again.status_code == 409
    bad = await client.post("/api/models", json={"name": "no spaces allowed"})
    assert bad.status_code == 422
    assert "name" in bad.text


async def test_promote_twice_stores_one_copy(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    run = await make_run(session, home)
    await client.post("/api/models", json={"name": "tutor"})
    first = await client.post(
        "/api/models/tutor/versions/promote",
        json={"run_id": str(run.id), "aliases": ["candidate"]},
    )
    assert first.status_code == 201, first.text
    second = await client.post("/api/models/tutor/versions/promote", json={"run_id": str(run.id)})
    assert second.status_code == 200
    assert second.json()["created"] is False
    assert second.json()["version"]["id"] == first.json()["version"]["id"]
    version = first.json()["version"]
    assert version["label"] == "v1"
    assert version["aliases"] == ["candidate"]
    assert version["provenance"]["dataset_sha256"] == "abc"
    assert version["provenance"]["dataset_key"] == "arith@1"
    objects = list((home / "registry" / "objects").glob("*/*"))
    assert len(objects) == 1


async def test_download_checksum_matches_recorded_hashes(
    client: httpx.AsyncClient, session: AsyncSession, home: Path, tmp_path: Path
) -> None:
    run = await make_run(session, home)
    await client.post("/api/models", json={"name": "tutor"})
    promoted = await client.post("/api/models/tutor/versions/promote", json={"run_id": str(run.id)})
    version = promoted.json()["version"]
    download = await client.get(f"/api/models/versions/{version['id']}/download")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == version["archive_sha256"]
    unpacked = storage.extract(download.content, tmp_path / "out")
    assert storage.content_sha256(unpacked)[0] == version["sha256"]
    assert (unpacked / "model.safetensors").read_bytes() == b"w1"


async def test_only_succeeded_runs_with_a_model_can_be_promoted(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    await client.post("/api/models", json={"name": "tutor"})
    running = await make_run(session, home, status=RunStatus.RUNNING)
    refused = await client.post(
        "/api/models/tutor/versions/promote", json={"run_id": str(running.id)}
    )
    assert refused.status_code == 409
    missing = await client.post(
        "/api/models/tutor/versions/promote", json={"run_id": str(uuid.uuid4())}
    )
    assert missing.status_code == 404
    no_family = await client.post(
        "/api/models/nope/versions/promote", json={"run_id": str(running.id)}
    )
    assert no_family.status_code == 404


async def test_aliases_move_and_registry_uris_resolve(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    await client.post("/api/models", json={"name": "tutor"})
    ids = []
    for weights in (b"one", b"two"):
        run = await make_run(session, home, weights=weights)
        promoted = await client.post(
            "/api/models/tutor/versions/promote", json={"run_id": str(run.id)}
        )
        ids.append(promoted.json()["version"]["id"])
    moved = await client.put("/api/models/tutor/aliases/champion", json={"version_id": ids[0]})
    assert moved.status_code == 200
    assert moved.json()["aliases"] == ["champion"]
    champion = await service.resolve_uri(session=session, uri="registry://tutor/champion")
    latest = await service.resolve_uri(session=session, uri="registry://tutor")
    by_label = await service.resolve_uri(session=session, uri="registry://tutor/v2")
    assert str(champion.id) == ids[0]
    assert str(latest.id) == ids[1] == str(by_label.id)
    assert (Path(champion.storage_path) / "model.safetensors").read_bytes() == b"one"
    family = await client.get("/api/models/tutor")
    assert family.json()["version_count"] == 2
    assert family.json()["aliases"] == {"champion": ids[0]}


async def test_version_listing_is_paginated(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    await client.post("/api/models", json={"name": "tutor"})
    for n in range(3):
        run = await make_run(session, home, weights=bytes([n]))
        await client.post("/api/models/tutor/versions/promote", json={"run_id": str(run.id)})
    page = await client.get("/api/models/tutor/versions", params={"limit": 2})
    body = page.json()
    assert [v["label"] for v in body["data"]] == ["v3", "v2"]
    assert body["pagination"]["next_offset"] == 2
    rest = await client.get("/api/models/tutor/versions", params={"limit": 2, "offset": 2})
    assert [v["label"] for v in rest.json()["data"]] == ["v1"]
    assert rest.json()["pagination"]["next_offset"] is None


async def test_provenance_records_the_latest_evaluation(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    run = await make_run(session, home)
    await make_evaluation(
        session,
        run,
        status=RunStatus.SUCCEEDED,
        eval_set="eval-v2",
        judges=["answer_correctness"],
        primary_judge="answer_correctness",
        primary_score=0.9,
        ci_low=0.84,
        ci_high=0.95,
        n_items=100,
        scorecard=SCORECARD.model_dump(mode="json"),
    )
    await client.post("/api/models", json={"name": "tutor"})
    promoted = await client.post("/api/models/tutor/versions/promote", json={"run_id": str(run.id)})
    evaluation = promoted.json()["version"]["provenance"]["evaluation"]
    assert evaluation["eval_set"] == "eval-v2"
    assert evaluation["primary_score"] == 0.9
    assert evaluation["ci95"] == [0.84, 0.95]
    assert evaluation["scorecard"] == SCORECARD.model_dump(mode="json")
