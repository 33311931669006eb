"""One set of training records: both backends write one ``RunManifest`` and count steps alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.training.test_torch_recipe import _config, _events

from tunix_rt.training import checkpoint as ckpt
from tunix_rt.training import records
from tunix_rt.training.batching import batches_per_epoch, epoch_batches, total_steps
from tunix_rt.training.config import TrainConfig, load_config
from tunix_rt.training.torch_recipe import train

LEGACY = Path(__file__).parent / "legacy_manifests"
# Facts every finished run records, whichever backend trained it.
COMMON = (
    "code_version",
    "data_sha256",
    "train_examples",
    "eval_examples",
    "model_source",
    "parameters",
    "trainable_parameters",
    "dtype",
    "devices",
    "started_at",
    "finished_at",
    "steps",
    "stop_reason",
    "final_dir",
)


def _manifest(run: Path) -> records.RunManifest:
    return records.RunManifest.model_validate_json((run / "run_manifest.json").read_bytes())


def _finished_alike(manifest: records.RunManifest, backend: str) -> None:
    assert manifest.backend == backend
    assert manifest.config.backend == backend
    assert [k for k in COMMON if getattr(manifest, k) is None] == []
    assert manifest.stop_reason == records.StopReason.MAX_STEPS
    assert manifest.libraries["python"]


def _tunix_run(tmp: Path) -> Path:
    pytest.importorskip("tunix")
    from tests.training.test_tunix_backend import make_config, write_traces

    from tunix_rt.training import tunix_backend

    # 60 rows, 8 held out: 52 to train, 7 micro-batches of 8 per epoch, 2 per update.
    data = write_traces(tmp / "t60.jsonl", 60)
    cfg = make_config(
        tmp,
        data_path=str(data),
        max_steps=None,
        epochs=1,
        gradient_accumulation_steps=2,
        eval_every_steps=None,
        save_every_steps=None,
    )
    result = tunix_backend.train(cfg, resume=False)
    assert result.step == total_steps(cfg, 52) == 4  # floor would be 3: the stream ran out
    return tmp / "run"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Flax/Orbax/Tunix library code
def test_both_backends_write_the_one_manifest_schema(tmp_path: Path) -> None:
    # 42 training rows at batch 8: 6 batches an epoch, the last one short; 4 per update.
    (tmp_path / "torch").mkdir()
    doc = _config(tmp_path / "torch", max_steps=None, epochs=1, gradient_accumulation_steps=4)
    cfg = load_config({**doc, "warmup_steps": 0, "save_every_steps": None})
    result = train(cfg)
    torch_run = tmp_path / "torch" / "run"
    torch_manifest = _manifest(torch_run)
    assert torch_manifest.train_examples == 42
    assert result.step == torch_manifest.steps == total_steps(cfg, 42) == 2
    assert [e["step"] for e in _events(torch_run, "train")] == [1, 2]
    # The loop really took ceil(6 / 4) updates of 4 batches: all 6, then 2 of the next epoch.
    state = ckpt.load_checkpoint(ckpt.checkpoint_dirs(torch_run)[-1])
    assert (state["epoch"], state["cursor"]) == (1, 2)

    (tmp_path / "tunix").mkdir()
    tunix_manifest = _manifest(_tunix_run(tmp_path / "tunix"))
    assert tunix_manifest.steps == 4
    assert tunix_manifest.tunix is not None
    assert tunix_manifest.tunix.family == "gemma3"

    for manifest, backend in ((torch_manifest, "torch"), (tunix_manifest, "tunix")):
        _finished_alike(manifest, backend)
    assert torch_manifest.libraries["torch"]
    assert tunix_manifest.libraries["jax"]
    assert set(json.loads((torch_run / "run_manifest.json").read_text())) == set(
        json.loads((tmp_path / "tunix" / "run" / "run_manifest.json").read_text())
    )


@pytest.mark.parametrize(
    ("n", "changes", "expected"),
    [
        (42, {"epochs": 1}, 6),
        (42, {"epochs": 1, "gradient_accumulation_steps": 4}, 2),
        (42, {"epochs": 2, "gradient_accumulation_steps": 4}, 3),
        (42, {"epochs": 1, "batch_size": 4, "processes": 2}, 6),
        (52, {"epochs": 1, "gradient_accumulation_steps": 2}, 4),
        (52, {"epochs": 1, "gradient_accumulation_steps": 2, "max_steps": 3}, 3),
        (10, {"epochs": 1, "gradient_accumulation_steps": 4}, 1),
        (10, {"max_steps": 7}, 7),
        (10, {"time_budget_s": 5.0}, None),
    ],
)
def test_total_steps(n: int, changes: dict[str, Any], expected: int | None) -> None:
    cfg = TrainConfig.model_validate(
        {"model": "tiny-llama", "data_path": "d", "batch_size": 8, **changes}
    )
    assert total_steps(cfg, n) == expected


@pytest.mark.parametrize("n", [1, 7, 8, 9, 401, 1000])
def test_both_loops_train_a_short_last_batch(n: int) -> None:
    from tunix_rt.training.data import EncodedExample
    from tunix_rt.training.tunix_backend import batches

    torch_order = epoch_batches([5] * n, 8, seed=0, epoch=0)
    assert len(torch_order) == batches_per_epoch(n, 8)
    assert sorted(i for rows in torch_order for i in rows) == list(range(n))
    examples = [EncodedExample([1, 2], [0, 1])] * n
    stream = batches.iterate(examples, batch_size=8, length=8, pad_id=0, seed=0, epochs=1)
    assert len(list(stream)) == batches_per_epoch(n, 8)


@pytest.mark.parametrize("backend", ["torch", "tunix"])
def test_manifests_written_before_the_schema_still_read(backend: str, tmp_path: Path) -> None:
    """Both files are what 9be08a2's backends wrote for a 2-step run."""
    doc = json.loads((LEGACY / f"{backend}-9be08a2.json").read_text())
    if backend == "tunix":
        # Run from a git checkout, without qwix: what those two keys held then.
        doc["code"]["git_commit"] = "9be08a2" + "0" * 33
        doc["libraries"]["qwix"] = None
    (tmp_path / "run_manifest.json").write_text(json.dumps(doc))
    manifest = records.read_manifest(tmp_path)
    assert manifest is not None
    assert manifest.backend == backend
    assert manifest.data_sha256 is not None
    assert len(manifest.data_sha256) == 64
    assert manifest.code_version.startswith("0.")
    assert manifest.libraries["python"]
    assert None not in manifest.libraries.values()
    assert (manifest.train_examples, manifest.resumed_from_step) == (21, 0)
    assert manifest.parameters > manifest.trainable_parameters / 2 > 0
    assert manifest.devices
    assert manifest.started_at.year >= 2026
    if backend == "tunix":
        assert manifest.code_version == "0.1.0+9be08a2"
        assert "qwix" not in manifest.libraries
        assert manifest.tunix is not None
        assert manifest.tunix.family == "gemma3"
        assert (manifest.steps, manifest.model_source) == (2, "preset")
        assert manifest.finished_at is not None
        assert manifest.final_dir is not None


@pytest.mark.parametrize("text", ["{not json", '{"backend": "torch"}', "[]"])
def test_an_unreadable_manifest_reads_as_none(text: str, tmp_path: Path) -> None:
    (tmp_path / "run_manifest.json").write_text(text)
    assert records.read_manifest(tmp_path) is None
    assert records.read_manifest(tmp_path / "missing") is None
