"""A registered version exported as a Hugging Face model folder: ``from_pretrained`` reads it,
and its model card holds the training data hash, the config and the scores with intervals."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest
import torch
import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.evaluation.conftest import execute_evaluate_run, register, write_predictions
from tests.factories import make_run
from transformers import AutoModelForCausalLM
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.errors import InvalidInput
from tunix_rt.registry import hf_export
from tunix_rt.runs.models import Run
from tunix_rt.settings import Settings
from tunix_rt.training.tiny import build_model


def _with_real_model(run: Run) -> torch.nn.Module:
    final = Path(run.run_dir) / "final"
    for stale in final.iterdir():
        stale.unlink()
    model = build_model("tiny-llama", vocab_size=40)
    model.save_pretrained(final)
    return model


async def test_exported_folder_loads_and_its_card_tells_the_provenance(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, home: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    run = await make_run(session, home)
    original = _with_real_model(run)
    items = await register(session)
    write_predictions(run, "adds", items, wrong={0})
    made = await client.post(f"/api/tunix/runs/{run.id}/evaluate", json={"eval_set": "adds"})
    maker = async_sessionmaker(
        bind=session.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    await execute_evaluate_run(maker, settings, uuid.UUID(made.json()["id"]))
    await client.post("/api/models", json={"name": "tutor"})
    promoted = await client.post("/api/models/tutor/versions/promote", json={"run_id": str(run.id)})
    assert promoted.status_code == 201, promoted.text
    family, version = await hf_export.resolve(session=session, uri="registry://tutor/v1")
    out = tmp_path / "export"
    done = await asyncio.to_thread(hf_export.write_folder, family, version, out)
    assert done.name == "tutor/v1"
    loaded = await asyncio.to_thread(AutoModelForCausalLM.from_pretrained, str(out))
    for name, tensor in original.state_dict().items():
        assert torch.equal(tensor, loaded.state_dict()[name]), name
    readme = (out / "README.md").read_text()
    _, front_text, body = readme.split("---\n", 2)
    front = yaml.safe_load(front_text)
    assert front["library_name"] == "transformers"
    (index,) = front["model-index"]
    metrics = {m["type"]: m["value"] for m in index["results"][0]["metrics"]}
    assert metrics["answer_correctness"] == 0.95
    assert index["results"][0]["dataset"]["name"] == "adds"
    assert front["tunix_rt"]["dataset_sha256"] == "abc"
    assert front["tunix_rt"]["sha256"] == version.sha256
    assert "- training data sha256 `abc`" in body
    row = next(line for line in body.splitlines() if line.startswith("| answer_correctness |"))
    score, ci = row.split(" | ")[2:4]
    assert score == "0.9500"
    low, high = (float(x) for x in ci.strip("[]").split(", "))
    assert low <= 0.95 <= high
    assert '"model": "tiny-llama"' in body
    assert (out / hf_export.PROVENANCE_FILE).is_file()
    with pytest.raises(InvalidInput, match="is not empty"):
        hf_export.write_folder(family, version, out)


async def _succeeded_run(home: Path) -> Run:
    engine = create_engine(Settings(home=home).resolved_database_url)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            return await make_run(session, home)
    finally:
        await engine.dispose()


def test_cli_models_export(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNIX_RT_HOME", str(home))
    runner = CliRunner()
    assert runner.invoke(app, ["models", "create", "tutor"]).exit_code == 0
    run = asyncio.run(_succeeded_run(home))
    _with_real_model(run)
    promoted = runner.invoke(app, ["models", "promote", "tutor", str(run.id)])
    assert promoted.exit_code == 0, promoted.output
    out = tmp_path / "hf-model"
    done = runner.invoke(app, ["models", "export", "registry://tutor", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "wrote tutor/v1 (" in done.output
    assert "No successful evaluation was recorded" in (out / "README.md").read_text()
    AutoModelForCausalLM.from_pretrained(str(out))
    again = runner.invoke(app, ["models", "export", "registry://tutor", "-o", str(out)])
    assert again.exit_code == 2
    assert again.output.count("\n") == 1
    missing = runner.invoke(app, ["models", "export", "registry://nope", "-o", str(tmp_path / "x")])
    assert missing.exit_code == 3
