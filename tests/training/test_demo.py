"""``tunix-rt demo`` end to end on a small budget: seed, build, queued training, evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tunix_rt.cli.demo import DemoPlan
from tunix_rt.cli.main import app
from tunix_rt.settings import get_settings


def test_demo_runs_the_whole_loop_and_prints_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNIX_RT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    args = ["demo", "--steps", "12", "--n-train", "300", "--n-heldout", "20", "--ablation"]
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
    # The budget is in steps: both models trained exactly 12, at batch 2 x 2 processes.
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert rows["steps"].count(" 12 ") == 2
    assert rows["examples"].count(" 48 ") == 2
    for row in ("tokens/s", "training time"):
        assert row in rows


def test_a_step_budget_replaces_the_clock_and_a_time_budget_the_steps() -> None:
    plan = DemoPlan()
    assert plan.train["max_steps"] == 22_000
    assert "time_budget_s" not in plan.train
    short = plan.budgeted(steps=50, time_budget_s=None).train
    assert (short["max_steps"], short["warmup_steps"]) == (50, 5)
    clock = plan.budgeted(steps=None, time_budget_s=300.0).train
    assert "max_steps" not in clock
    assert clock["time_budget_s"] == 300.0
    both = plan.budgeted(steps=400, time_budget_s=30.0).train
    assert (both["max_steps"], both["time_budget_s"]) == (400, 30.0)
    assert plan.budgeted(steps=None, time_budget_s=None) is plan


@pytest.mark.parametrize("args", [["--steps", "1"], ["--time-budget", "1"]])
def test_demo_rejects_a_tiny_budget_in_one_line(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["demo", *args])
    assert result.exit_code == 2
