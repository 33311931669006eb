"""GRPO config refusals: each names its key."""

from pathlib import Path
from typing import Any

import pytest

from tunix_rt.errors import InvalidInput
from tunix_rt.training.config import check_resumable, config_problems, load_config


def _doc(tmp_path: Path, rl: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "algorithm": "grpo",
        "model": "tiny-llama",
        "data_path": str(tmp_path / "d.jsonl"),
        "max_steps": 2,
        **extra,
    }
    if rl is not None:
        doc["rl"] = rl
    return doc


def _locs(doc: dict[str, Any]) -> list[str]:
    return [p.loc for p in config_problems(doc)]


def test_a_grpo_config_with_defaults_is_valid(tmp_path: Path) -> None:
    cfg = load_config(_doc(tmp_path, {}))
    assert cfg.algorithm == "grpo"
    assert cfg.rl is not None
    assert cfg.rl.num_generations == 4
    assert [r.judge for r in cfg.rl.rewards] == ["answer_correctness"]


@pytest.mark.parametrize(
    ("rl", "extra", "loc"),
    [
        ({"num_generations": 1}, {}, "rl.num_generations"),
        ({"rewards": [{"judge": "no_such_judge"}]}, {}, "rl.rewards.0.judge"),
        ({"rewards": [{"judge": "format"}, {"judge": "llm_judge"}]}, {}, "rl.rewards.1.judge"),
        ({"rewards": [{"judge": "format", "mode": "process"}]}, {}, "rl.rewards.0.mode"),
        ({"rewards": []}, {}, "rl.rewards"),
        ({"init_from": "/no/such/model/dir"}, {}, "rl.init_from"),
        ({"beta": 0.04}, {}, "rl.beta"),
        ({}, {"algorithm": "sft"}, "rl"),
        (None, {}, "rl"),
        ({"scale_rewards": "batch"}, {"backend": "tunix"}, "rl.scale_rewards"),
        ({}, {"gradient_accumulation_steps": 2}, "gradient_accumulation_steps"),
        ({}, {"eval_every_steps": 5}, "eval_every_steps"),
        ({"max_new_tokens": 600}, {"max_seq_length": 512}, "rl.max_new_tokens"),
        ({"unknown_key": 1}, {}, "rl.unknown_key"),
    ],
)
def test_refusals_name_the_key(
    tmp_path: Path, rl: dict[str, Any] | None, extra: dict[str, Any], loc: str
) -> None:
    assert loc in _locs(_doc(tmp_path, rl, **extra))


def test_init_from_a_model_dir_without_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert "rl.init_from" in _locs(_doc(tmp_path, {"init_from": str(tmp_path / "empty")}))


def test_beta_with_a_reference_to_stay_near_is_accepted(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    for rl in (
        {"beta": 0.04, "init_from": str(model)},
        {"beta": 0.04, "init_from": "registry://m"},
    ):
        assert _locs(_doc(tmp_path, rl)) == []
    assert _locs(_doc(tmp_path, {"beta": 0.04}, model=str(model))) == []


def test_a_checkpoint_saved_before_algorithm_existed_still_resumes(tmp_path: Path) -> None:
    cfg = load_config(
        {"model": "tiny-llama", "data_path": str(tmp_path / "d.jsonl"), "max_steps": 2}
    )
    saved = {k: v for k, v in cfg.model_dump(mode="json").items() if k not in ("algorithm", "rl")}
    check_resumable(saved, cfg)
    grpo = load_config(_doc(tmp_path, {}))
    with pytest.raises(InvalidInput, match="config differs"):
        check_resumable(saved, grpo)


def test_a_micro_batch_at_least_the_step_or_dividing_it_is_accepted(tmp_path: Path) -> None:
    for batch_size in (12, 64, 6, 4, 3):
        doc = _doc(tmp_path, {"num_generations": 4, "prompts_per_step": 3}, batch_size=batch_size)
        assert "batch_size" not in _locs(doc), batch_size
