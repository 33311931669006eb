"""``tunix-rt demo`` end to end on a small budget: seed, build, queued training, evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.settings import get_settings


def test_demo_runs_the_whole_loop_and_prints_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNIX_RT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    args = ["demo", "--budget", "10", "--n-train", "300", "--n-heldout", "20", "--ablation"]
    result = CliRunner().invoke(app, args)
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "held-out eval set" in result.output
    figures = {
        f["figure"]: f
        for f in (json.loads(line) for line in result.output.splitlines() if line.startswith("{"))
    }
    assert set(figures) == {"heldout_accuracy", "scratchpad_vs_answer_only", "wall_time"}
    assert 0.0 <= figures["heldout_accuracy"]["value"] <= 1.0
    assert figures["wall_time"]["unit"] == "s"
    assert figures["wall_time"]["value"] > 0
    # Both styles trained and were evaluated per category.
    assert "tagged" in result.output
    assert "answer_only" in result.output
    for category in ("addition", "subtraction", "multiplication", "word_problem"):
        assert category in result.output


def test_demo_rejects_a_tiny_budget_in_one_line() -> None:
    result = CliRunner().invoke(app, ["demo", "--budget", "1"])
    assert result.exit_code == 2
