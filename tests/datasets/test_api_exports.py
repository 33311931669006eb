"""Dataset API: build, manifest, list, delete, exports in every format, ingest."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import orjson
import pyarrow.parquet as pq
from sqlalchemy.ext.asyncio import AsyncSession
from tests.datasets.factories import make_traces, store

from tunix_rt.datasets import service
from tunix_rt.datasets.manifest import hash_lines


def _lines(body: bytes) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in body.splitlines()]


async def _built(client: httpx.AsyncClient, session: AsyncSession, **kw: object) -> dict:
    await store(session, make_traces(12))
    body = {"name": "api", "strategy": "random", "seed": 3, "eval_fraction": 0.25, **kw}
    response = await client.post("/api/datasets/build", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_build_manifest_list_and_delete(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    built = await _built(client, session)
    manifest = built["manifest"]
    assert manifest["split"] == {"eval_fraction": 0.25, "split_seed": 3, "train": 9, "eval": 3}
    for field in ("key", "build_id", "filters", "stats", "contamination", "provenance", "sha256"):
        assert field in manifest
    on_disk = orjson.loads((home / "datasets" / "api-v1" / "manifest.json").read_bytes())
    assert len(on_disk["trace_ids"]) == 12
    again = await client.post(
        "/api/datasets/build",
        json={"name": "api", "strategy": "random", "seed": 3, "eval_fraction": 0.25},
    )
    assert again.status_code == 200
    clash = await client.post(
        "/api/datasets/build",
        json={"name": "api", "strategy": "random", "seed": 4, "eval_fraction": 0.25},
    )
    assert clash.status_code == 409
    full = await client.get("/api/datasets/api-v1?trace_ids=true")
    assert full.json()["manifest"]["trace_ids"] == on_disk["trace_ids"]
    listed = await client.get("/api/datasets")
    assert [d["key"] for d in listed.json()["data"]] == ["api-v1"]
    assert (await client.delete("/api/datasets/api-v1")).status_code == 204
    assert (await client.get("/api/datasets/api-v1")).status_code == 404
    assert not (home / "datasets" / "api-v1").exists()


async def test_bad_builds_are_422(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await store(session, make_traces(3))
    empty = await client.post(
        "/api/datasets/build", json={"name": "e", "filters": {"category": "x"}}
    )
    assert empty.status_code == 422
    assert "no traces match" in empty.text
    bad = await client.post("/api/datasets/build", json={"name": "e", "strategy": "random"})
    assert bad.status_code == 422
    assert "seed" in bad.text


async def test_exports_in_every_format(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _built(client, session)
    url = "/api/datasets/api-v1/export.jsonl"
    trace = await client.get(url)
    assert trace.status_code == 200
    rows = _lines(trace.content)
    assert len(rows) == 12
    assert {r["split"] for r in rows} == {"train", "eval"}
    manifest = (await client.get("/api/datasets/api-v1")).json()["manifest"]
    stripped = [
        orjson.dumps({k: v for k, v in r.items() if k != "id"}, option=orjson.OPT_SORT_KEYS) + b"\n"
        for r in rows
    ]
    assert hash_lines(stripped)[0] == manifest["sha256"]
    sft = _lines((await client.get(url, params={"format": "tunix_sft"})).content)
    assert set(sft[0]) == {"id", "prompts", "final_answer", "metadata"}
    example = _lines((await client.get(url, params={"format": "training_example"})).content)
    assert example[0]["prompt"] + example[0]["response"] == sft[0]["prompts"]
    chat = _lines((await client.get(url, params={"format": "chat", "split": "eval"})).content)
    assert len(chat) == 3
    assert [m["role"] for m in chat[0]["messages"]] == ["user", "assistant"]
    parquet = await client.get("/api/datasets/api-v1/export.parquet", params={"style": "tagged"})
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == 12
    assert table.column("rendered_completion")[0].as_py().startswith("<reasoning>")
    bad = await client.get(url, params={"format": "csv", "split": "test"})
    assert bad.status_code == 422
    assert "format" in bad.text
    assert "split" in bad.text


async def test_export_to_file_and_regeneration(
    client: httpx.AsyncClient, session: AsyncSession, home: Path, tmp_path: Path
) -> None:
    await _built(client, session)
    out = tmp_path / "train.jsonl"
    result = await service.export_to_file(
        session=session, key="api-v1", fmt="trace", path=out, split="train"
    )
    assert result.count == 9
    assert result.bytes == out.stat().st_size
    (home / "datasets" / "api-v1" / "data.jsonl").unlink()
    again = await service.export_to_file(
        session=session, key="api-v1", fmt="trace", path=tmp_path / "b.jsonl", split="train"
    )
    assert again.sha256 == result.sha256


async def test_ingest_builds_from_upload(client: httpx.AsyncClient) -> None:
    traces = [t.model_dump(mode="json") for t in make_traces(5)]
    traces.append({"prompts": "seed spelling", "trace_steps": ["1 + 1 = 2"], "final_answer": "2"})
    body = b"".join(orjson.dumps(t) + b"\n" for t in traces)
    response = await client.post("/api/datasets/ingest?name=up&eval_fraction=0.2", content=body)
    assert response.status_code == 201, response.text
    assert response.json()["record_count"] == 6
    bad = await client.post("/api/datasets/ingest?name=up2", content=b'{"prompt": 1}\nnope\n')
    assert bad.status_code == 422
    assert "line 1" in bad.text
    assert "line 2" in bad.text


async def test_delete_refuses_a_dataset_a_run_uses(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    from tunix_rt.runs.models import Run

    await _built(client, session)
    session.add(Run(name="r", kind="train", config={}, dataset_key="api-v1", run_dir="/tmp/r"))
    await session.flush()
    response = await client.delete("/api/datasets/api-v1")
    assert response.status_code == 409
    assert "used by 1 run" in response.text
