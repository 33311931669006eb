"""With the adapter on, auth, the Host check and path confinement still hold, and requests in
our own shapes (or marked native) are answered by ours unchanged."""

from __future__ import annotations

import pytest
from tests.compat.live import live
from tests.compat.seed import make_token

from tunix_rt.api.compat.runs import DRY_RUN_OK
from tunix_rt.auth.tokens import Scope


async def test_auth_host_check_and_confinement_hold_with_the_adapter_on(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async with live(db_backend, tmp_path_factory, compat=True) as app:
        ingest = {"path": str(app.ingest_dir / "e2e_ingest.jsonl"), "source_name": "x"}
        anonymous = {"Authorization": ""}
        refused = await app.http.post("/api/datasets/ingest", json=ingest, headers=anonymous)
        assert refused.status_code == 401
        reader = {"Authorization": f"Bearer {await make_token(app.settings, [Scope.READ])}"}
        refused = await app.http.post("/api/datasets/ingest", json=ingest, headers=reader)
        assert refused.status_code == 403
        assert refused.json()["message"] == "this needs the 'write' scope"
        foreign = await app.http.get("/api/models", headers={"Host": "evil.example"})
        assert foreign.status_code == 400
        outside = await app.http.post(
            "/api/datasets/ingest", json={"path": "/etc/hostname", "source_name": "x"}
        )
        assert outside.status_code == 422
        assert outside.json()["detail"][0]["loc"] == ["path"]
        missing = await app.http.post("/api/datasets/ingest", json={"source_name": "x"})
        assert missing.json()["detail"][0]["loc"] == ["path"]


async def test_our_shapes_and_native_clients_are_answered_by_ours(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async with live(db_backend, tmp_path_factory, compat=True) as app:
        lines = b'{"trace_version":"1.0","prompt":"p","final_answer":"a","steps":[{"i":0,"type":"t","content":"c"}]}\n'  # noqa: E501
        uploaded = await app.http.post(
            "/api/datasets/ingest",
            params={"name": "uploaded"},
            content=lines,
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["record_count"] == 1
        built = await app.http.post("/api/datasets/build", json={"name": "ours", "version": "v1"})
        assert built.status_code == 201, built.text
        assert "dataset_key" not in built.json()
        assert isinstance((await app.http.get("/api/models")).json(), list)
        native = await app.http.get("/api/models", headers={"X-Tunix-RT-API": "native"})
        assert set(native.json()) == {"data", "pagination"}
        dry = await app.http.post(
            "/api/tunix/run",
            json={"dataset_key": "ours-v1", "model_id": "tiny-llama", "dry_run": True},
        )
        assert dry.status_code == 200
        assert (dry.json()["status"], dry.json()["message"]) == ("completed", DRY_RUN_OK)
        assert dry.json()["mode"] == "dry-run"


async def test_duels_are_stored_by_default_and_exported_from_the_store(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async with live(db_backend, tmp_path_factory, compat=True) as app:
        made = await app.http.post("/api/ungar/high-card-duel/generate", json={"count": 3})
        assert made.status_code == 201
        stored = made.json()["trace_ids"]
        assert len(stored) == 3
        one = await app.http.get(
            "/api/ungar/high-card-duel/export.jsonl", params={"trace_ids": stored[0]}
        )
        assert len(one.text.splitlines()) == 1
        dealt = await app.http.get("/api/ungar/high-card-duel/export.jsonl", params={"count": 7})
        assert len(dealt.text.splitlines()) == 7  # ours: count deals new duels
