"""The whole evaluation loop for real, through the ``tunix-rt`` CLI on an embedded SQLite home.

Import traces -> build a dataset -> register a 20-item eval set -> train two tiny models as
queued runs through a worker (the API submits them: the CLI has no submit command) -> evaluate
both with ``tunix-rt eval`` (real generation + judges) -> leaderboard rows with CIs ->
``tunix-rt compare`` -> ``tunix-rt regression baseline`` -> the gate passes the good run and
fails the worse one with exit code 1 (the installed console script, as CI would call it).

The outcome is certain, not a matter of luck: every trace answers "7" in one fixed sentence, so
60 steps of a shrunken tiny-llama learn the completion exactly (loss ~0.03; 20/20 on the eval
set), while one step leaves random weights that cannot write ``Answer: 7`` (0/20 here). Eval
prompts are held out from training but have the same shape (3-digit operands), since a model
this small does not generalise to shorter prompts. About 40-50 CPU-s, mostly two trainings and
two generations in subprocesses (each imports torch).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.settings import AuthMode, Settings, get_settings

EVAL_SET = "sub7-eval"
HELD_OUT = range(105, 300, 10)  # 20 operands, none of them in the training data
TRAIN: dict[str, Any] = {
    "model": "tiny-llama",
    # A quarter of the preset's width, half its depth: ~89k parameters learn one sentence fast.
    "model_overrides": {
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 2,
    },
    "dataset": "sub7-v1",
    "template": "plain",
    "style": "numbered",
    "max_seq_length": 96,
    "batch_size": 16,
    "learning_rate": 0.01,
    "num_threads": 1,
    "log_every_steps": 10,
    "seed": 0,
}
SUMMARY = re.compile(r"answer_correctness = (\S+) \(95% CI \[(\S+), (\S+)\], n=20\)")


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``TUNIX_RT_HOME`` for CLI invocations (embedded SQLite)."""
    home = tmp_path / "cli-home"
    home.mkdir()
    monkeypatch.setenv("TUNIX_RT_HOME", str(home))
    get_settings.cache_clear()
    return home


def _write_data(folder: Path) -> tuple[Path, Path]:
    """Training traces (operands 100..299 minus the held-out ones) and the eval-set file."""
    traces = folder / "traces.jsonl"
    rows = [
        {
            "prompt": f"What is {b + 7} - {b}?",
            "steps": [{"i": 0, "type": "compare", "content": "the difference is 7"}],
            "final_answer": "7",
            "meta": {"source": "e2e", "category": "subtraction", "difficulty": "easy"},
        }
        for b in range(100, 300)
        if b not in HELD_OUT
    ]
    traces.write_text("".join(json.dumps(r) + "\n" for r in rows))
    eval_file = folder / "eval.jsonl"
    items = [
        {"id": f"sub-{b}", "prompt": f"What is {b + 7} - {b}?", "expected_answer": "7",
         "section": "core", "category": "subtraction", "difficulty": "easy"}
        for b in HELD_OUT
    ]  # fmt: skip
    eval_file.write_text("".join(json.dumps(i) + "\n" for i in items))
    return traces, eval_file


async def _with_api(home: Path, calls: Any) -> Any:
    """Run ``calls(http)`` against the app on the home's database, with one in-process worker."""
    from tunix_rt.api.app import create_app
    from tunix_rt.db.session import create_engine, create_sessionmaker
    from tunix_rt.jobs import HANDLERS
    from tunix_rt.runs.worker import Worker, WorkerConfig

    # About evaluation, in-process (no socket): auth off, and the loop runs as it would behind it.
    settings = Settings(home=home, auth=AuthMode.OFF, allowed_hosts=("test",))
    engine = create_engine(settings.resolved_database_url)
    config = WorkerConfig(concurrency=1, poll_max_s=0.2, kill_grace_s=1.0)
    maker = create_sessionmaker(engine)
    worker = Worker(settings=settings, sessionmaker=maker, handlers=HANDLERS, config=config)
    loop = asyncio.create_task(worker.run())
    app = create_app(settings, engine=engine, migrate_on_start=False, background=False)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await calls(http)
    finally:
        worker.request_stop(hand_back=True)
        await loop
        await engine.dispose()


async def _train(http: httpx.AsyncClient) -> dict[str, str]:
    """The good run (60 steps) and the worse run (1 step), each trained to completion."""
    runs = {}
    for name, steps in (("good", 60), ("worse", 1)):
        body = {"config": {**TRAIN, "max_steps": steps}, "name": f"e2e-{name}"}
        response = await http.post("/api/tunix/run", json=body, timeout=300)
        assert response.status_code == 200, response.text
        run = response.json()
        assert run["status"] == "succeeded", (run["error"], run["traceback"])
        runs[name] = run["id"]
    return runs


async def _leaderboard(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await http.get("/api/tunix/evaluations", params={"eval_set": EVAL_SET})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows


def _evaluate(cli: CliRunner, run_id: str) -> tuple[float, float, float]:
    """``tunix-rt eval``: (score, CI low, CI high) from its summary line."""
    result = cli.invoke(app, ["eval", run_id, "--eval-set", EVAL_SET, "--max-new-tokens", "48"])
    assert result.exit_code == 0, result.output
    found = SUMMARY.search(result.stdout)
    assert found, result.stdout
    score, low, high = (float(g) for g in found.groups())
    return score, low, high


def test_train_evaluate_rank_compare_and_gate(cli_home: Path, tmp_path: Path) -> None:
    cli = CliRunner()
    traces, eval_file = _write_data(tmp_path)
    imported = cli.invoke(app, ["traces", "import", str(traces)])
    assert imported.exit_code == 0, imported.output
    built = cli.invoke(app, ["datasets", "build", "--name", "sub7"])
    assert built.exit_code == 0, built.output
    assert built.stdout.startswith("built sub7-v1: 180 records"), built.stdout
    registered = cli.invoke(app, ["evalsets", "register", EVAL_SET, str(eval_file)])
    assert registered.exit_code == 0, registered.output
    assert f"registered {EVAL_SET}: 20 items" in registered.stdout

    runs = asyncio.run(_with_api(cli_home, _train))
    good, good_low, good_high = _evaluate(cli, runs["good"])
    worse, worse_low, worse_high = _evaluate(cli, runs["worse"])
    assert good >= 0.9, good
    assert worse <= 0.2, worse
    assert worse_low <= worse <= worse_high < good_low <= good <= good_high

    board = asyncio.run(_with_api(cli_home, _leaderboard))
    assert [row["run_id"] for row in board] == [runs["good"], runs["worse"]]
    assert [row["score"] for row in board] == [good, worse]
    assert [row["ci95"] for row in board] == [[good_low, good_high], [worse_low, worse_high]]
    assert all(row["n_items"] == 20 and row["dataset_key"] == "sub7-v1" for row in board)

    diff = cli.invoke(app, ["compare", runs["good"], runs["worse"]])
    assert diff.exit_code == 0, diff.output
    assert "config max_steps: 60 -> 1" in diff.stdout
    assert re.search(r"loss a: \S+ \(step 1\) -> \S+ \(step 60\)", diff.stdout), diff.stdout
    assert re.search(r"loss b: \S+ \(step 1\) -> \S+ \(step 1\)", diff.stdout), diff.stdout
    assert f"{EVAL_SET} / answer_correctness: A {good} B {worse}" in diff.stdout
    fixed, broken = map(int, re.findall(r"fixed (\d+), broken (\d+)", diff.stdout)[0])
    assert broken - fixed == round(20 * (good - worse))
    assert "mcnemar_exact p=" in diff.stdout

    made = cli.invoke(app, ["regression", "baseline", "main", runs["good"], "--eval-set", EVAL_SET])
    assert made.exit_code == 0, made.output
    assert made.stdout.strip() == f"baseline main: answer_correctness = {good:.4f} on {EVAL_SET}"
    passed = cli.invoke(app, ["regression", "check", "--baseline", "main", runs["good"]])
    assert passed.exit_code == 0, passed.output
    assert passed.stdout.startswith("PASS answer_correctness")

    # The gate as CI runs it: the installed console script, a real process, a real exit code.
    script = Path(sys.executable).parent / "tunix-rt"
    gate = subprocess.run(
        [str(script), "regression", "check", "--baseline", "main", runs["worse"], "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "TUNIX_RT_HOME": str(cli_home)},
        timeout=120,
        check=False,
    )
    assert gate.returncode == 1, (gate.stdout, gate.stderr)
    verdict = json.loads(gate.stdout)
    assert verdict["verdict"] == "fail"
    assert verdict["exceeds_tolerance"] is True
    assert verdict["significant"] is True
    assert verdict["p_value"] < 0.05
