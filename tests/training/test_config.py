"""Training config: every unknown or contradictory key is refused, naming the key."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from tunix_rt.errors import InvalidInput
from tunix_rt.training.config import TrainConfig, check_resumable, load_config

BASE = {"model": "tiny-llama", "data_path": "data.jsonl", "max_steps": 10}


def test_minimal_config_has_documented_defaults() -> None:
    cfg = load_config(BASE)
    assert (cfg.backend, cfg.template, cfg.style, cfg.batch_size) == (
        "torch",
        "chatml",
        "numbered",
        16,
    )
    assert cfg.is_preset
    assert TrainConfig.model_validate_json(cfg.model_dump_json()) == cfg


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"learning_rat": 0.1}, "learning_rat"),
        ({"warmup_steps": 10}, "warmup_steps"),
        ({"max_steps": None}, "max_steps"),
        ({"dataset": "arith"}, "data_path"),
        ({"data_path": None}, "data_path"),
        ({"model": "tiny-bert"}, "model"),
        ({"model": "/models/gemma", "model_overrides": {"hidden_size": 64}}, "model_overrides"),
        ({"model": "/models/gemma", "tokenizer": "char"}, "tokenizer"),
        ({"lora": {"rank": 4, "target_modules": ["c_attn"]}}, "lora.target_modules"),
        ({"lora": {"rank": 0}}, "lora.rank"),
        ({"lora": {"rank": 4, "rnak": 2}}, "lora.rnak"),
        ({"backend": "tunix", "lora": {"rank": 4, "dropout": 0.1}}, "lora.dropout"),
        ({"backend": "jax"}, "backend"),
        ({"precision": "fp16"}, "precision"),
        ({"lr_schedule": "step"}, "lr_schedule"),
        ({"batch_size": 0}, "batch_size"),
        ({"template": "alpaca"}, "template"),
        ({"style": "prose"}, "style"),
    ],
)
def test_bad_key_is_named(changes: dict[str, object], key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        load_config({**BASE, **changes})
    assert key in [p.loc for p in info.value.problems], str(info.value)


def test_time_budget_alone_is_enough() -> None:
    cfg = load_config({**BASE, "max_steps": None, "time_budget_s": 60})
    assert cfg.time_budget_s == 60


def test_loads_yaml_and_json_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("model: tiny-qwen3\ndata_path: d.jsonl\nepochs: 2\n")
    (tmp_path / "b.json").write_text(json.dumps({**BASE, "style": "tagged"}))
    assert load_config(tmp_path / "a.yaml").epochs == 2
    assert load_config(tmp_path / "b.json").style == "tagged"


@pytest.mark.parametrize("text", ["- a\n- b\n", "model: [unclosed\n"])
def test_non_mapping_or_broken_file_is_one_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(InvalidInput):
        load_config(tmp_path / "c.yaml")


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        load_config(tmp_path / "nope.yaml")


def test_with_data_file_swaps_the_dataset_key() -> None:
    cfg = load_config({**BASE, "data_path": None, "dataset": "arith"})
    swapped = cfg.with_data_file("/tmp/export.jsonl")
    assert (swapped.dataset, swapped.data_path) == (None, "/tmp/export.jsonl")


def test_every_contradiction_is_one_problem_at_its_key() -> None:
    changes = {"max_steps": None, "model": "tiny-bert", "tokenizer": "words", "dataset": "a"}
    with pytest.raises(InvalidInput) as info:
        load_config({**BASE, **changes})
    assert [(p.loc, p.msg) for p in info.value.problems] == [
        ("max_steps", "set epochs, max_steps or time_budget_s"),
        ("data_path", "set exactly one of dataset and data_path"),
        ("model", "unknown preset 'tiny-bert'; presets: tiny-llama, tiny-qwen3, tiny-gemma3"),
        ("tokenizer", "a locally trained words tokenizer only fits a preset"),
    ]


def test_a_config_built_directly_still_refuses_contradictions() -> None:
    with pytest.raises(ValidationError, match="warmup_steps: must be < max_steps"):
        TrainConfig.model_validate({**BASE, "warmup_steps": 10})


def test_resume_names_each_changed_key_with_its_old_value() -> None:
    saved = load_config(BASE).model_dump(mode="json")
    check_resumable(saved, load_config({**BASE, "max_steps": 20, "output_dir": "/elsewhere"}))
    with pytest.raises(InvalidInput) as info:
        check_resumable(saved, load_config({**BASE, "seed": 3, "batch_size": 4}))
    assert [(p.loc, p.msg) for p in info.value.problems] == [
        ("batch_size", "was 16"),
        ("seed", "was 0"),
    ]
