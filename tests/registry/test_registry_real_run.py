"""A promoted version's provenance comes from the run manifest the training recipe wrote."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import orjson
import pytest
import torch
import transformers
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.runs.models import Run, RunStatus
from tunix_rt.training.config import load_config
from tunix_rt.training.data import file_sha256
from tunix_rt.training.torch_recipe import train

SMALL = {
    "hidden_size": 16,
    "intermediate_size": 32,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "num_key_value_heads": 2,
}


@pytest.fixture(scope="module")
def torch_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 2-step torch recipe run directory (run_manifest.json, final/)."""
    root = tmp_path_factory.mktemp("provenance")
    rows = [
        {
            "prompt": f"What is {n} + 3?",
            "final_answer": str(n + 3),
            "steps": [{"i": 0, "type": "compute", "content": f"{n}+3={n + 3}"}],
        }
        for n in range(16)
    ]
    data = root / "d.jsonl"
    data.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    cfg = {
        "model": "tiny-llama",
        "model_overrides": SMALL,
        "data_path": str(data),
        "max_steps": 2,
        "batch_size": 8,
        "num_threads": 1,
        "output_dir": str(root / "run"),
    }
    train(load_config(cfg))
    return root / "run"


async def _run_row(session: AsyncSession, run_dir: Path) -> Run:
    run = Run(
        id=uuid.uuid4(),
        name="tiny-torch",
        kind="train",
        status=RunStatus.SUCCEEDED,
        config={"model": "tiny-llama"},
        dataset_key="arith@1",
        run_dir=str(run_dir),
    )
    session.add(run)
    await session.flush()
    return run


async def test_provenance_has_the_torch_manifests_dataset_hash_and_libraries(
    client: httpx.AsyncClient, session: AsyncSession, torch_run: Path
) -> None:
    manifest = json.loads((torch_run / "run_manifest.json").read_text())
    run = await _run_row(session, torch_run)
    await client.post("/api/models", json={"name": "tutor"})
    promoted = await client.post("/api/models/tutor/versions/promote", json={"run_id": str(run.id)})
    assert promoted.status_code == 201, promoted.text
    version_id = promoted.json()["version"]["id"]
    provenance = (await client.get(f"/api/models/versions/{version_id}")).json()["provenance"]
    assert provenance["dataset_sha256"] == file_sha256(torch_run.parent / "d.jsonl")
    assert provenance["library_versions"]["torch"] == torch.__version__
    assert provenance["library_versions"]["transformers"] == transformers.__version__
    assert provenance["library_versions"]["python"]
    assert provenance["code_version"] == manifest["code_version"]
    assert provenance["run_manifest"]["data_sha256"] == provenance["dataset_sha256"]
