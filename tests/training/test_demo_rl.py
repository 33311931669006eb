"""``tunix-rt demo --rl --rl-control`` end to end at a tiny size: SFT, GRPO from it, the control."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tunix_rt.cli import demo, demo_rl
from tunix_rt.cli.common import sessionmaker_for
from tunix_rt.cli.demo import DemoPlan
from tunix_rt.cli.main import app
from tunix_rt.runs import service as run_service
from tunix_rt.runs.models import Run
from tunix_rt.settings import get_settings


async def _runs(ids: list[uuid.UUID]) -> list[Run]:
    async with sessionmaker_for(get_settings()) as factory, factory() as session:
        return [await run_service.get_run(session=session, run_id=i) for i in ids]


def test_demo_rl_trains_grpo_and_the_control_from_the_sft_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNIX_RT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    # Tiny: 2 prompts x 2 completions of at most 24 tokens per GRPO step.
    small = replace(
        demo_rl.RlStage(),
        rl={**demo_rl.RlStage().rl, "num_generations": 2, "prompts_per_step": 2},
        batch_size=4,
        control_warmup_steps=0,
        max_new_tokens=24,
    )
    monkeypatch.setattr(demo_rl, "RlStage", lambda: small)
    # Short held-out answers keep the three evaluations of an untrained model fast; a wide
    # console keeps each table row on one line.
    monkeypatch.setattr(demo, "DemoPlan", lambda: replace(DemoPlan(), max_new_tokens=32))
    monkeypatch.setattr(demo.console, "width", 240)
    args = ["demo", "--rl", "--rl-control", "--rl-steps", "2", "--steps", "12"]
    args += ["--n-train", "300", "--n-heldout", "20"]
    result = CliRunner().invoke(app, args)
    try:
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        rows = {line.split("│")[1].strip(): line for line in lines if "│" in line}
        for category in ("addition", "subtraction", "multiplication", "word_problem"):
            assert category in rows
            assert rows[category].count("(n=") == 3  # SFT, SFT+GRPO, control: with intervals
        assert "SFT+GRPO" in result.output
        assert "SFT+SFT (equal time)" in result.output
        assert rows["steps"].split("│")[2].strip() == "12"  # the plain demo's SFT budget
        assert rows["steps"].split("│")[3].strip() == "2"  # --rl-steps
        assert "GRPO vs SFT only:" in result.output
        assert "GRPO vs equal-time SFT:" in result.output
        assert "mcnemar_exact p =" in result.output
        figures = {
            f["figure"]: f for f in (json.loads(line) for line in lines if line.startswith("{"))
        }
        assert set(figures) == {
            "heldout_accuracy",
            "heldout_accuracy_grpo",
            "grpo_vs_sft",
            "grpo_vs_control",
            "rl_stage_time",
            "wall_time",
        }
        assert 0.0 <= figures["grpo_vs_control"]["p_value"] <= 1.0
        ids = [uuid.UUID(c.strip()) for c in rows["run"].split("│")[2:5]]
        sft, grpo, control = asyncio.run(_runs(ids))
        # Lineage: GRPO starts from the SFT run by id, the control from its final/ model.
        assert grpo.config["algorithm"] == "grpo"
        assert grpo.config["rl"]["init_from"] == str(sft.id)
        assert control.config["algorithm"] == "sft"
        assert control.config["model"] == str(Path(sft.run_dir) / "final")
        # The control's extra compute is GRPO's measured training time, not a step count.
        assert control.config["max_steps"] is None
        assert control.config["time_budget_s"] == figures["rl_stage_time"]["value"]
        # GRPO's prompts: training problems of the chosen categories only.
        prompts = Path(grpo.config["data_path"]).read_text().splitlines()
        cats = {json.loads(line)["meta"]["category"] for line in prompts}
        assert cats <= set(small.categories)
        assert all(json.loads(line).get("split") != "eval" for line in prompts)
        assert (Path(grpo.run_dir) / "final" / "config.json").is_file()
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "args", [["--rl-control"], ["--rl-steps", "3"], ["--rl", "--ablation"], ["--rl-steps", "0"]]
)
def test_demo_rl_flags_without_rl_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["demo", *args])
    assert result.exit_code == 2
