"""``tunix-rt eval budget`` (and its alias ``eval-budget``) and ``tunix-rt train --dry-run`` on an
embedded database."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from tests.evaluation.conftest import register, run_with_style, write_predictions
from typer.testing import CliRunner

from tunix_rt.cli.common import sessionmaker_for
from tunix_rt.cli.main import app
from tunix_rt.db.session import session_scope
from tunix_rt.evaluation.models import Evaluation
from tunix_rt.settings import Settings, get_settings


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``TUNIX_RT_HOME`` for CLI invocations (embedded SQLite)."""
    home = tmp_path / "cli-home"
    home.mkdir()
    monkeypatch.setenv("TUNIX_RT_HOME", str(home))
    get_settings.cache_clear()
    return home


def _evaluated(home: Path) -> str:
    """An evaluation of 10 items, 20 generated tokens each (as the predictions file says)."""

    async def seed() -> str:
        async with sessionmaker_for(Settings(home=home)) as maker, session_scope(maker) as session:
            items = await register(session, n=10)
            run = await run_with_style(session, home)
            write_predictions(run, "adds", items, wrong={0, 1})
            return str(run.id)

    async def evaluation_of(run_id: str) -> str:
        async with sessionmaker_for(Settings(home=home)) as maker, session_scope(maker) as session:
            found = await session.scalar(
                select(Evaluation.id).where(Evaluation.run_id == uuid.UUID(run_id))
            )
            return str(found)

    run_id = asyncio.run(seed())
    done = CliRunner().invoke(app, ["eval", run_id, "--eval-set", "adds"])
    assert done.exit_code == 0, done.output
    return asyncio.run(evaluation_of(run_id))


def test_eval_budget_prints_the_curve_and_json(cli_home: Path) -> None:
    evaluation_id = _evaluated(cli_home)
    cli = CliRunner()
    text = cli.invoke(app, ["eval-budget", evaluation_id, "--budget", "10", "--budget", "20"])
    assert text.exit_code == 0, text.output
    assert "10 of 10 items judged, accuracy 80.0%" in text.output
    assert "(lengths: stored)" in text.output
    assert "budget 10: accuracy 0.0%, truncated 100.0%" in text.output
    assert "budget 20: accuracy 80.0%, truncated 0.0%" in text.output
    doc = json.loads(cli.invoke(app, ["eval-budget", evaluation_id, "--json"]).output)
    assert doc["curve"][-1] == {"budget": 20, "accuracy": 0.8, "truncated": 0.0}
    missing = cli.invoke(app, ["eval-budget", "5d0c1d47-0000-4000-8000-000000000000"])
    assert missing.exit_code == 3
    bad = cli.invoke(app, ["eval-budget", "nope"])
    assert bad.exit_code == 2


def test_eval_budget_is_a_sub_command_of_eval(cli_home: Path) -> None:
    """``tunix-rt eval budget EVAL_ID`` answers as ``eval-budget``; ``eval --help`` names it."""
    evaluation_id = _evaluated(cli_home)
    cli = CliRunner()
    args = [evaluation_id, "--budget", "20", "--json"]
    spelled = cli.invoke(app, ["eval", "budget", *args])
    assert spelled.exit_code == 0, spelled.output
    doc = json.loads(spelled.output)
    assert doc == json.loads(cli.invoke(app, ["eval-budget", *args]).output)
    assert doc["curve"] == [{"budget": 20, "accuracy": 0.8, "truncated": 0.0}]
    assert cli.invoke(app, ["eval", "budget", "nope"]).exit_code == 2
    missing = cli.invoke(app, ["eval", "budget", "5d0c1d47-0000-4000-8000-000000000000"])
    assert missing.exit_code == 3
    assert "tunix-rt eval budget EVAL_ID" in cli.invoke(app, ["eval", "--help"]).output


def test_train_dry_run_refuses_a_hub_name_in_one_line(cli_home: Path, tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    trace = {
        "prompt": "What is 2 + 3?",
        "steps": [{"i": 0, "content": "2+3=5"}],
        "final_answer": "5",
    }
    data.write_bytes(orjson.dumps(trace) + b"\n")
    config = tmp_path / "config.json"
    cli = CliRunner()
    config.write_text(json.dumps({"model": "tiny-llama", "data_path": str(data), "max_steps": 2}))
    ok = cli.invoke(app, ["train", "--config", str(config), "--dry-run"])
    assert ok.exit_code == 0, ok.output
    assert "model tiny-llama: preset (random weights, built here)" in ok.output
    assert not (cli_home / "tunix-rt.db").exists()  # a data file and a preset: no database
    config.write_text(json.dumps({"model": "org/name", "data_path": str(data), "max_steps": 2}))
    hub = cli.invoke(app, ["train", "--config", str(config), "--dry-run"])
    assert hub.exit_code == 2
    [line] = hub.output.strip().splitlines()
    assert "config.model" in line
    assert "nothing is downloaded" in line
