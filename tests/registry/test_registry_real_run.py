"""A real torch recipe run through the registry: provenance from its manifest, generation by URI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import orjson
import pytest
import torch
import transformers
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import add_run
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.runs.models import Run
from tunix_rt.settings import Settings
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
    return await add_run(
        session,
        name="tiny-torch",
        config={"model": "tiny-llama"},
        dataset_key="arith@1",
        run_dir=str(run_dir),
    )


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


async def _embedded_run_row(home: Path, run_dir: Path) -> Run:
    engine = create_engine(Settings(home=home).resolved_database_url)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            return await _run_row(session, run_dir)
    finally:
        await engine.dispose()


def test_generate_resolves_a_registry_uri(
    torch_run: Path, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNIX_RT_HOME", str(home))
    runner = CliRunner()
    assert runner.invoke(app, ["models", "create", "tutor"]).exit_code == 0
    run = asyncio.run(_embedded_run_row(home, torch_run))
    promote = ["models", "promote", "tutor", str(run.id), "--alias", "champion"]
    promoted = runner.invoke(app, promote)
    assert promoted.exit_code == 0, promoted.output
    (tmp_path / "eval.jsonl").write_text('{"id": "q1", "prompt": "What is 4 + 3?"}\n')
    out = tmp_path / "p.jsonl"
    argv = ["generate", "--eval-file", str(tmp_path / "eval.jsonl"), "--out", str(out)]
    argv += ["--max-new-tokens", "4"]
    by_uri = runner.invoke(app, [*argv, "--model", "registry://tutor/champion"])
    assert by_uri.exit_code == 0, by_uri.output
    assert "model registry://tutor/champion: version v1" in by_uri.output
    from_uri = json.loads(out.read_text())
    by_dir = runner.invoke(app, [*argv, "--model", str(torch_run / "final")])
    assert by_dir.exit_code == 0, by_dir.output
    assert json.loads(out.read_text()) == from_uri  # greedy: the same weights, the same answer
    assert from_uri["id"] == "q1"

    missing = runner.invoke(app, [*argv, "--model", "registry://tutor/nope"])
    assert missing.exit_code == 3
    assert missing.output.strip().startswith("error:")
