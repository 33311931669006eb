"""``tunix-rt package`` on a real torch run: contents, determinism, refusals, the scorecard."""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
import zipfile
from pathlib import Path

import nbformat
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import add_run, make_evaluation
from tests.packaging.helpers import embedded_run, names, read, write_traces
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.datasets import evalsets
from tunix_rt.datasets.schemas import EvalItemIn
from tunix_rt.evaluation.judges import JudgeItem, Verdict
from tunix_rt.evaluation.scorecard import ItemOutcome, build_scorecard
from tunix_rt.packaging import service
from tunix_rt.training.config import load_config
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
    """A real 2-step torch recipe run directory, tagged style (run_manifest.json, final/)."""
    root = tmp_path_factory.mktemp("torch-package")
    cfg = {
        "model": "tiny-llama",
        "model_overrides": SMALL,
        "data_path": str(write_traces(root / "d.jsonl", 16)),
        "style": "tagged",
        "max_steps": 2,
        "batch_size": 8,
        "num_threads": 1,
        "output_dir": str(root / "run"),
    }
    train(load_config(cfg))
    return root / "run"


def package(home: Path, run: str, out: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["package", run, "--out", str(out), *extra], env={"TUNIX_RT_HOME": str(home)}
    )
    return result.exit_code, result.stdout, result.stderr


def test_package_holds_the_run(torch_run: Path, home: Path, tmp_path: Path) -> None:
    run_id = embedded_run(home, torch_run)
    out = tmp_path / "pkg.zip"
    code, stdout, stderr = package(home, str(run_id), out)
    assert code == 0, stderr
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert stdout.strip() == f"{digest}  {out}"
    listed = names(out)
    assert listed == [*sorted(listed[:-1]), "tunix_rt_package.json"]
    assert {"model/model.safetensors", "model/config.json", "model/tunix_rt.json"} <= set(listed)
    assert {"run/config.json", "run/run_manifest.json", "run/metrics.jsonl"} <= set(listed)
    assert {"dataset/manifest.json", "dataset/train.jsonl", "README.md", "notebook.ipynb"} <= set(
        listed
    )
    assert not any(n.startswith("evaluation/") for n in listed)
    manifest = json.loads((torch_run / "run_manifest.json").read_text())
    assert json.loads(read(out, "run/config.json")) == manifest["config"]
    data = json.loads(read(out, "dataset/manifest.json"))
    assert data["sha256"] == manifest["data_sha256"]
    assert data["record_count"] == 16
    index = json.loads(read(out, "tunix_rt_package.json"))
    assert index["checkpoint"] == {"dir": "model", "format": "safetensors"}
    assert index["output_format"]["tags"] == [
        "<reasoning>",
        "</reasoning>",
        "<answer>",
        "</answer>",
    ]
    for name, facts in index["files"].items():
        assert hashlib.sha256(read(out, name)).hexdigest() == facts["sha256"], name
    card = read(out, "README.md").decode()
    assert "no evaluation" in card
    assert "<reasoning>…</reasoning><answer>…</answer>" in card
    nb = nbformat.reads(read(out, "notebook.ipynb").decode(), as_version=4)
    nbformat.validate(nb)
    assert nb.cells[1].metadata["tags"] == ["parameters"]
    assert "tunix-rt[train]" in nb.cells[1].source
    assert "AutoModelForCausalLM" in str(nb.cells)
    with zipfile.ZipFile(out) as fh:
        assert {i.date_time for i in fh.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_repackaging_is_byte_identical(torch_run: Path, home: Path, tmp_path: Path) -> None:
    run_id = str(embedded_run(home, torch_run))
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    assert package(home, run_id, first)[0] == 0
    assert package(home, run_id, second)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert package(home, run_id, first, "--force")[0] == 0
    assert first.read_bytes() == second.read_bytes()


def test_refusals_are_one_line_and_write_nothing(
    torch_run: Path, home: Path, tmp_path: Path
) -> None:
    done = str(embedded_run(home, torch_run))
    running = str(embedded_run(home, torch_run, status="running"))
    bare = tmp_path / "bare"
    shutil.copytree(torch_run, bare, ignore=shutil.ignore_patterns("final"))
    no_model = str(embedded_run(home, bare))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    cases = [
        (str(uuid.uuid4()), "x.zip", 3, "not found"),
        ("not-a-run", "x.zip", 2, "not a run id"),
        (running, "x.zip", 4, "only a succeeded run"),
        (no_model, "x.zip", 4, "no checkpoint"),
    ]
    for run, name, want, text in cases:
        code, _, stderr = package(home, run, out_dir / name)
        assert code == want, (run, stderr)
        assert stderr.count("\n") == 1, stderr
        assert text in stderr, stderr
    taken = out_dir / "taken.zip"
    taken.write_bytes(b"keep me")
    code, _, stderr = package(home, done, taken)
    assert code == 4
    assert "--force" in stderr
    assert taken.read_bytes() == b"keep me"
    code, _, stderr = package(home, done, tmp_path / "missing-dir" / "x.zip")
    assert code == 2
    assert stderr.count("\n") == 1
    assert sorted(p.name for p in out_dir.iterdir()) == ["taken.zip"]


def test_changed_data_is_refused(torch_run: Path, home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(torch_run.parent, copy)
    manifest = json.loads((copy / "run" / "run_manifest.json").read_text())
    manifest["config"]["data_path"] = str(copy / "d.jsonl")
    (copy / "run" / "run_manifest.json").write_text(json.dumps(manifest))
    (copy / "d.jsonl").write_text((copy / "d.jsonl").read_text() + "\n")
    code, _, stderr = package(home, str(embedded_run(home, copy / "run")), tmp_path / "x.zip")
    assert code == 4
    assert "changed since the run" in stderr


async def test_the_evaluation_scorecard_is_packaged_with_intervals(
    session: AsyncSession, torch_run: Path, tmp_path: Path
) -> None:
    manifest = json.loads((torch_run / "run_manifest.json").read_text())
    run = await add_run(session, config=manifest["config"], run_dir=str(torch_run))
    items = [
        EvalItemIn(id=f"q{i}", prompt=f"What is {i} + 1?", expected_answer=str(i + 1))
        for i in range(6)
    ]
    await evalsets.register_eval_set(session=session, name="arith-six", items=items)
    outcomes = [
        ItemOutcome(
            JudgeItem(i.id, i.prompt, i.expected_answer),
            {"answer_correctness": Verdict(float(n % 2), "correct" if n % 2 else "wrong")},
        )
        for n, i in enumerate(items)
    ]
    card = build_scorecard(outcomes, judges=["answer_correctness"], primary="answer_correctness")
    await make_evaluation(
        session,
        run,
        eval_set="arith-six",
        judges=["answer_correctness"],
        primary_judge="answer_correctness",
        primary_score=card.primary_score,
        n_items=6,
        scorecard=card.model_dump(mode="json"),
    )
    out = tmp_path / "scored.zip"
    result = await service.build_package(session=session, run_id=run.id, out=out, force=False)
    assert result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    stored = json.loads(read(out, "evaluation/scorecard.json"))
    assert stored["primary_score"] == 0.5
    assert stored["ci95"] == list(card.ci95 or ())
    assert json.loads(read(out, "evaluation/evaluation.json"))["eval_set"] == "arith-six"
    lines = read(out, "evaluation/eval_set.jsonl").decode().splitlines()
    assert [json.loads(x)["id"] for x in lines] == [f"q{i}" for i in range(6)]
    readme = read(out, "README.md").decode()
    assert "**0.500**" in readme
    assert "95% CI [" in readme
    assert "no evaluation" not in readme
    again = tmp_path / "again.zip"
    await service.build_package(session=session, run_id=run.id, out=again, force=False)
    assert again.read_bytes() == out.read_bytes()
