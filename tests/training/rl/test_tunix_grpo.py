"""GRPO on the tunix backend: Tunix's own GRPOLearner on a tiny Gemma 3, on CPU.

One module-scoped run (2 steps, then resumed to 3) backs most tests, because each JAX compile
costs seconds here; the worker test starts a second run from that run's ``final/`` (a Tunix
run's model as ``rl.init_from``, with a KL to it). The ``mock`` judge (a hash of the item and
the text) gives a random-weight model rewards that differ inside a group, so the updates are
real; ``step_check`` in process mode and ``answer_correctness`` ride along (0 on random text).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("tunix")

# Flax/Orbax/Tunix 0.1.x emit their own deprecation warnings from inside library code.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from tunix_rt.settings import Settings  # noqa: E402
from tunix_rt.training import generate  # noqa: E402
from tunix_rt.training.config import config_problems, load_config  # noqa: E402
from tunix_rt.training.records import StopReason  # noqa: E402
from tunix_rt.training.rl.data import load_prompts  # noqa: E402
from tunix_rt.training.tunix_backend import (  # noqa: E402
    batches,
    grpo,
    grpo_setup,
    is_tunix_model_dir,
)

# One layer keeps each compile short; the shape is the SFT backend's tiny Gemma 3, smaller.
TINY = {
    "num_hidden_layers": 1,
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "head_dim": 16,
    "query_pre_attn_scalar": 16,
}
REWARDS = [
    {"judge": "mock"},
    {"judge": "answer_correctness"},
    {"judge": "step_check", "mode": "process", "weight": 0.5},
]
N_PROMPTS = 8


def write_prompts(path: Path) -> Path:
    rows = [
        {
            "id": f"p{a}",
            "prompt": f"What is {a} + 3?",
            "steps": [{"i": 0, "type": "compute", "content": f"{a}+3={a + 3}"}],
            "final_answer": str(a + 3),
        }
        for a in range(N_PROMPTS)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def grpo_doc(tmp: Path, rl: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "backend": "tunix",
        "algorithm": "grpo",
        "model": "tiny-gemma3",
        "model_overrides": TINY,
        "data_path": str(write_prompts(tmp / "prompts.jsonl")),
        "template": "gemma",
        "style": "tagged",
        "max_steps": 2,
        "batch_size": 4,
        "learning_rate": 1e-3,
        "lr_schedule": "constant",
        "max_seq_length": 48,
        "log_every_steps": 1,
        "save_every_steps": 1,
        "output_dir": str(tmp / "run"),
        "rl": {
            "num_generations": 2,
            "prompts_per_step": 2,
            "max_new_tokens": 8,
            "filter_zero_std": True,
            "rewards": REWARDS,
            "samples_every_steps": 1,
            "samples_prompts": 1,
            **(rl or {}),
        },
    }
    doc.update(kw)
    return doc


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def events(out: Path, kind: str = "train") -> list[dict[str, Any]]:
    return [e for e in lines(out / "metrics.jsonl") if e["event"] == kind]


@pytest.fixture(scope="module")
def grpo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 GRPO steps, then ``--resume`` with max_steps 3: the run directory."""
    import jax

    tmp = tmp_path_factory.mktemp("tunix-grpo")
    # The resumed run, the worker's run and the sampler recompile the same programs.
    jax.config.update("jax_compilation_cache_dir", str(tmp / "xla-cache"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    first = grpo.train(load_config(grpo_doc(tmp)), resume=False)
    assert (first.step, first.stop_reason) == (2, StopReason.MAX_STEPS)
    (tmp / "after_first.jsonl").write_text((tmp / "run" / "metrics.jsonl").read_text())
    grpo.train(load_config(grpo_doc(tmp, max_steps=3)), resume=True)
    return tmp / "run"


def test_steps_log_trl_metrics_with_a_finite_loss(grpo_run: Path) -> None:
    train = events(grpo_run)
    assert [e["step"] for e in train] == [1, 2, 3]
    for e in train:
        assert math.isfinite(e["loss"])
        assert math.isfinite(e["grad_norm"])
        for key in (
            "reward",
            "reward_std",
            "frac_reward_zero_std",
            "rewards/mock/mean",
            "rewards/mock/std",
            "rewards/answer_correctness/mean",
            "rewards/step_check/mean",
            "entropy",
            "completions/mean_length",
            "completions/clipped_ratio",
            "clip_ratio/region_mean",
            "step_time",
            "rollout_tokens_per_s",
        ):
            assert isinstance(e[key], float | int), key
        assert "kl" not in e  # beta 0: no reference model
        assert 0 <= e["completions/mean_length"] <= 8
        # reward is the weighted sum of the judges' means (mock 1.0, others 0 on random text)
        weighted = e["rewards/mock/mean"] + e["rewards/answer_correctness/mean"]
        assert e["reward"] == pytest.approx(weighted + 0.5 * e["rewards/step_check/mean"])
        assert e["kept_groups"] == round(2 * (1 - e["frac_reward_zero_std"]))


def test_filter_zero_std_leaves_nothing_to_learn_from_equal_groups(grpo_run: Path) -> None:
    train = events(grpo_run)
    for e in train:
        if e["frac_reward_zero_std"] == 1.0:  # every group filtered out: no loss, no gradient
            assert (e["loss"], e["grad_norm"]) == (0.0, 0.0)
    # the mock judge splits at least one group somewhere, and that step does learn
    assert any(e["grad_norm"] > 0 for e in train)


def test_orbax_checkpoints_and_resume_continue_at_the_saved_step(grpo_run: Path) -> None:
    steps = sorted(p.name for p in (grpo_run / "checkpoints" / "actor").iterdir())
    assert steps == ["step_1", "step_2", "step_3"]
    ends = events(grpo_run, "end")
    assert [(e["step"], e["stop_reason"]) for e in ends] == [(2, "max_steps"), (3, "max_steps")]
    before = [e for e in lines(grpo_run.parent / "after_first.jsonl") if e["event"] == "train"]
    assert events(grpo_run)[:2] == before  # the resumed run kept the first run's events
    # Step 3 trains the seeded order's next batch: epoch 0, prompts 4 and 5 of its permutation.
    order = batches.epoch_order(N_PROMPTS, seed=0, epoch=0).tolist()
    assert [e["prompt_ids"] for e in events(grpo_run)] == [
        [f"p{i}" for i in order[k : k + 2]] for k in (0, 2, 4)
    ]
    manifest = json.loads((grpo_run / "run_manifest.json").read_text())
    assert (manifest["backend"], manifest["resumed_from_step"]) == ("tunix", 2)


def test_samples_keep_each_step_once_with_scores_and_advantages(grpo_run: Path) -> None:
    kept = lines(grpo_run / "samples.jsonl")
    assert [s["step"] for s in kept] == [1, 2, 3]
    for entry in kept:
        assert len(entry["completions"]) == 2
        advantages = [c["advantage"] for c in entry["completions"]]
        assert sum(advantages) == pytest.approx(0.0, abs=1e-5)
        for c in entry["completions"]:
            assert set(c["rewards"]) == {"mock", "answer_correctness", "step_check"}
            assert c["clipped"] == (c["tokens"] == 8)


@dataclass(frozen=True)
class Item:
    id: str
    prompt: str


def test_final_reloads_and_generates_through_our_generation_path(
    grpo_run: Path, tmp_path: Path
) -> None:
    final = grpo_run / "final"
    assert is_tunix_model_dir(final)
    assert json.loads((final / "tunix_rt.json").read_text())["step"] == 3
    items = [Item(str(i), f"What is {i} + 3?") for i in range(2)]
    eval_file = tmp_path / "eval.jsonl"
    eval_file.write_text("".join(json.dumps(asdict(i)) + "\n" for i in items))
    argv = ["--model", str(final), "--eval-file", str(eval_file), "--out", str(tmp_path / "p")]
    assert generate.main([*argv, "--max-new-tokens", "8", "--batch-size", "2"]) == 0
    preds = lines(tmp_path / "p")
    assert [p["id"] for p in preds] == ["0", "1"]
    assert all(1 <= p["tokens"] <= 8 for p in preds)


async def test_grpo_through_a_worker_from_a_tunix_final_with_kl(
    grpo_run: Path, api: Any, settings: Settings, start_worker: Any, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the recipe never touches the database: one backend is enough")
    start_worker()
    tmp = settings.home / "tunix-grpo"
    doc = grpo_doc(tmp, {"init_from": str(grpo_run / "final"), "beta": 0.04})
    del doc["output_dir"], doc["model_overrides"]  # the worker's run dir; the shape is final/'s
    run = (await api.post("/api/tunix/run", json={"config": doc}, timeout=600)).json()
    assert run["status"] == "succeeded", (run["error"], run["traceback"])
    series = (await api.get(f"/api/tunix/runs/{run['id']}/metrics")).json()["series"]
    for key in ("reward", "rewards/mock/mean", "kl", "entropy", "loss", "frac_reward_zero_std"):
        assert [p["step"] for p in series[f"train/{key}"]] == [1, 2], key
    run_dir = settings.home / "runs" / run["id"]
    meta = json.loads((run_dir / "final" / "tunix_rt.json").read_text())
    assert meta["base_model"] == str(grpo_run / "final")
    assert lines(run_dir / "samples.jsonl")[0]["step"] == 1


@pytest.mark.parametrize(
    ("rl", "extra", "loc"),
    [
        ({"scale_rewards": "batch"}, {}, "rl.scale_rewards"),
        ({"num_generations": 4}, {"batch_size": 2}, "batch_size"),
        ({"prompts_per_step": 3}, {"batch_size": 4}, "batch_size"),
        ({"beta": 0.04}, {}, "rl.beta"),
        ({}, {"eval_every_steps": 2}, "eval_every_steps"),
    ],
)
def test_tunix_refusals_name_the_key(
    tmp_path: Path, rl: dict[str, Any], extra: dict[str, Any], loc: str
) -> None:
    assert loc in [p.loc for p in config_problems(grpo_doc(tmp_path, rl, **extra))]


def test_a_tunix_final_dir_is_a_valid_init_from(tmp_path: Path) -> None:
    model = tmp_path / "final"
    model.mkdir()
    (model / "tunix_rt.json").write_text(json.dumps({"backend": "tunix"}))
    doc = grpo_doc(tmp_path, {"init_from": str(model), "beta": 0.04})
    assert config_problems(doc) == []


def test_the_prompt_stream_stops_at_a_step_boundary(tmp_path: Path) -> None:
    from tunix.rl.rollout import base_rollout

    cfg = load_config(grpo_doc(tmp_path, time_budget_s=5.0, max_steps=None))
    assert cfg.rl is not None
    assert cfg.data_path is not None
    prompts = load_prompts(cfg.data_path)
    rendered = [f"q{i}" for i in range(N_PROMPTS)]
    prep = grpo_setup.Prepared(tmp_path, cfg.rl, cfg, None, None, prompts, rendered, 8, None)  # type: ignore[arg-type]
    rollout = base_rollout.RolloutConfig()
    ledger: dict[int, tuple[int, list[str]]] = {}
    stop: list[StopReason] = []
    now = [0.0]

    def stream() -> Any:
        return grpo_setup.prompt_stream(
            prep, cfg, rollout=rollout, ledger=ledger, clock=lambda: now[0], stop=stop
        )

    batches_ = stream()
    first = next(batches_)
    assert list(first["prompts"]) == [f"q{p.removeprefix('p')}" for p in ledger[1][1]]
    key = np.asarray(rollout.seed)
    next(batches_)
    assert not np.array_equal(key, np.asarray(rollout.seed))  # a new sampling key every step
    stop.append(StopReason.SIGNAL)  # SIGTERM during a step: the next batch never comes
    assert next(batches_, None) is None
    stop.clear()
    now[0] = 6.0  # past time_budget_s
    assert next(stream(), None) is None
    assert stop == [StopReason.TIME_BUDGET]
