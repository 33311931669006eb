"""The CLI end to end on an embedded database, over runs whose predictions the test writes.

(The end-to-end test with real training and generation is ``test_end_to_end.py``.)
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tests.evaluation.conftest import register, run_with_style, write_predictions
from typer.testing import CliRunner

from tunix_rt.cli.common import sessionmaker_for
from tunix_rt.cli.main import app
from tunix_rt.db.session import session_scope
from tunix_rt.settings import Settings, get_settings


def _seed(home: Path) -> dict[str, str]:
    """Three runs with predictions written directly: good, worse, similar."""

    async def go() -> dict[str, str]:
        plan = (("good", {0}, 0.001), ("worse", set(range(20)), 0.5), ("similar", {1}, 0.002))
        async with sessionmaker_for(Settings(home=home)) as maker, session_scope(maker) as session:
            items = await register(session, n=40)
            runs = {}
            for name, wrong, lr in plan:
                run = await run_with_style(session, home, learning_rate=lr)
                write_predictions(run, "adds", items, wrong=wrong)
                runs[name] = str(run.id)
            return runs

    return asyncio.run(go())


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``TUNIX_RT_HOME`` for CLI invocations (embedded SQLite)."""
    home = tmp_path / "cli-home"
    home.mkdir()
    monkeypatch.setenv("TUNIX_RT_HOME", str(home))
    get_settings.cache_clear()
    return home


def test_eval_compare_baseline_and_gate_exit_codes(cli_home: Path) -> None:
    runs = _seed(cli_home)
    cli = CliRunner()
    for name in ("good", "worse", "similar"):
        result = cli.invoke(app, ["eval", runs[name], "--eval-set", "adds"])
        assert result.exit_code == 0, result.output
    assert (
        "answer_correctness = 0.9750 (95% CI ["
        in cli.invoke(app, ["eval", runs["good"], "--eval-set", "adds"]).output
    )
    det = cli.invoke(app, ["eval", runs["good"], "--eval-set", "adds", "--check-determinism"])
    assert det.exit_code == 0, det.output
    assert "deterministic" in det.output
    regen = cli.invoke(app, ["eval", runs["good"], "--eval-set", "adds", "--regenerate"])
    assert regen.exit_code == 1  # the test's model directory holds no real weights
    assert "generation exited with" in regen.output
    card = cli.invoke(app, ["eval", runs["worse"], "--eval-set", "adds", "--json"])
    assert json.loads(card.stdout)["n_items"] == 40
    diff = cli.invoke(app, ["compare", runs["good"], runs["worse"]])
    assert diff.exit_code == 0, diff.output
    assert "config learning_rate: 0.001 -> 0.5" in diff.output
    assert "broken 19" in diff.output
    assert "mcnemar_exact p=" in diff.output
    made = cli.invoke(app, ["regression", "baseline", "main", runs["good"], "--eval-set", "adds"])
    assert made.exit_code == 0, made.output
    failed = cli.invoke(app, ["regression", "check", "--baseline", "main", runs["worse"]])
    assert failed.exit_code == 1, failed.output
    assert failed.output.startswith("FAIL")
    passed = cli.invoke(app, ["regression", "check", "--baseline", "main", runs["similar"]])
    assert passed.exit_code == 0, passed.output
    assert passed.output.startswith("PASS")
    missing = cli.invoke(app, ["regression", "check", "--baseline", "nope", runs["similar"]])
    assert missing.exit_code == 3
    assert missing.output.strip() == "error: baseline 'nope' not found"


def test_eval_rejects_bad_input_in_one_line(cli_home: Path) -> None:
    runs = _seed(cli_home)
    cli = CliRunner()
    unknown = cli.invoke(app, ["eval", runs["good"], "--eval-set", "adds", "--judge", "vibes"])
    assert unknown.exit_code == 2
    assert unknown.output.count("\n") == 1
    assert "judges[0]: unknown judge 'vibes'" in unknown.output
    assert cli.invoke(app, ["eval", "x", "--eval-set", "adds"]).exit_code == 2
