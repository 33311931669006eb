"""The tunix backend on CPU: a tiny Gemma 3 trains, checkpoints, resumes, exports and generates.

Also: ``tunix_rt.training.generate`` (the evaluation's and the CLI's generation) dispatches a
tunix model directory to Tunix's sampler, and the registry reads the tunix run manifest.

One module-scoped run (4 steps, then resumed to 6) backs most tests, because each JAX
compile costs seconds on these machines.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

pytest.importorskip("tunix")

# Flax/Orbax/Tunix 0.1.x emit their own deprecation warnings from inside library code.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from tests.factories import add_run  # noqa: E402

from tunix_rt.errors import InvalidInput  # noqa: E402
from tunix_rt.training import generate, tunix_backend  # noqa: E402
from tunix_rt.training.config import TrainConfig  # noqa: E402
from tunix_rt.training.data import file_sha256  # noqa: E402

# Small enough that compiles stay short; wide enough that the loss visibly falls in 4 steps.
TINY = {
    "num_hidden_layers": 2,
    "hidden_size": 64,
    "intermediate_size": 128,
    "head_dim": 16,
    "query_pre_attn_scalar": 16,
}


def write_traces(path: Path, n: int) -> Path:
    """Two-digit additions as traces, every 8th held out for eval."""
    rng = random.Random(0)
    with path.open("w") as fh:
        for i in range(n):
            a, b = rng.randint(10, 99), rng.randint(10, 99)
            row = {
                "prompt": f"What is {a} + {b}?",
                "steps": [{"i": 0, "type": "compute", "content": f"{a}+{b}={a + b}"}],
                "final_answer": str(a + b),
                "meta": {},
                "split": "eval" if i % 8 == 0 else "train",
            }
            fh.write(json.dumps(row) + "\n")
    return path


def make_config(tmp: Path, **kw: Any) -> TrainConfig:
    doc: dict[str, Any] = {
        "backend": "tunix",
        "model": "tiny-gemma3",
        "model_overrides": TINY,
        "data_path": str(write_traces(tmp / "traces.jsonl", 64)),
        "template": "gemma",
        "style": "tagged",
        "max_steps": 4,
        "batch_size": 8,
        "learning_rate": 1e-2,
        "warmup_steps": 1,
        "log_every_steps": 1,
        "save_every_steps": 2,
        "eval_every_steps": 4,
        "output_dir": str(tmp / "run"),
    }
    doc.update(kw)
    return TrainConfig.model_validate(doc)


def events(out: Path, kind: str = "train") -> list[dict[str, Any]]:
    lines = (out / "metrics.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == kind]


@pytest.fixture(scope="module")
def resumed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 steps, then ``--resume`` with max_steps 6: the run directory."""
    import jax

    tmp = tmp_path_factory.mktemp("tunix")
    # The resumed run and the sampler recompile the same programs; reuse them from disk.
    jax.config.update("jax_compilation_cache_dir", str(tmp / "xla-cache"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    tunix_backend.train(make_config(tmp), resume=False)
    (tmp / "after_first.jsonl").write_text((tmp / "run" / "metrics.jsonl").read_text())
    tunix_backend.train(make_config(tmp, max_steps=6), resume=True)
    return tmp / "run"


def test_loss_is_finite_and_falls(resumed_run: Path) -> None:
    losses = [e["loss"] for e in events(resumed_run)]
    assert all(isinstance(x, float) for x in losses)
    assert losses[-1] < losses[0] - 0.5
    first = events(resumed_run)[0]
    assert {"step", "loss", "lr", "grad_norm", "tokens_per_s", "elapsed_s"} <= set(first)
    assert first["lr"] == pytest.approx(1e-2)  # warmup (step + 1) / warmup_steps, as in torch
    # Tunix evaluates when train() starts, so the resumed run re-evaluates step 4.
    assert [e["step"] for e in events(resumed_run, "eval")] == [0, 4, 4, 6]
    ends = events(resumed_run, "end")
    assert [(e["step"], e["stop_reason"]) for e in ends] == [(4, "max_steps"), (6, "max_steps")]
    # The step budget's last update trains at the cosine floor (10% of the peak), as in torch.
    assert [e["step"] for e in events(resumed_run)][-1] == 6
    assert events(resumed_run)[-1]["lr"] == pytest.approx(1e-3)


def test_orbax_checkpoints_are_written(resumed_run: Path) -> None:
    steps = sorted(p.name for p in (resumed_run / "checkpoints").iterdir())
    assert steps == ["step_2", "step_4", "step_6"]
    assert (resumed_run / "checkpoints" / "step_4" / "optimizer_state").is_dir()


def test_resume_continues_from_the_saved_step(resumed_run: Path) -> None:
    manifest = json.loads((resumed_run / "run_manifest.json").read_text())
    assert manifest["resumed_from_step"] == 4
    assert manifest["steps"] == 6
    assert [e["step"] for e in events(resumed_run)] == [1, 2, 3, 4, 5, 6]
    assert manifest["config"]["max_steps"] == 6
    assert manifest["libraries"]["google-tunix"] == tunix_backend.status()["version"]
    assert len(manifest["data_sha256"]) == 64


def test_final_loads_through_tunix_gemma3_code(resumed_run: Path) -> None:
    import jax.numpy as jnp
    from tunix.models.gemma3 import model as gemma3_model
    from tunix.models.gemma3 import params as gemma3_params

    from tunix_rt.training.tunix_backend import models

    final = resumed_run / "final"
    meta = json.loads((final / "tunix_rt.json").read_text())
    assert meta["backend"] == "tunix"
    assert (meta["template"], meta["style"], meta["step"]) == ("gemma", "tagged", 6)
    cfg = models.tunix_config(models.FAMILIES["gemma3"], meta["model_config"], dtype=jnp.float32)
    model = gemma3_params.create_model_from_checkpoint(
        str(final / "checkpoint"), cfg, dtype=jnp.float32
    )
    assert isinstance(model, gemma3_model.Gemma3)
    assert (final / "tokenizer.json").exists()


@dataclass(frozen=True)
class Item:
    id: str
    prompt: str


def test_generate_from_the_final_model(resumed_run: Path, tmp_path: Path) -> None:
    items = [Item(str(i), f"What is {11 + i} + {22 + i}?") for i in range(3)]
    preds = tunix_backend.generate(
        resumed_run / "final", items, max_new_tokens=8, batch_size=2, temperature=0.0, seed=0
    )
    assert [p.id for p in preds] == ["0", "1", "2"]
    for pred in preds:
        assert isinstance(pred.prediction, str)
        assert 1 <= pred.tokens <= 8
        assert pred.truncated == (pred.tokens == 8)
    assert tunix_backend.is_tunix_model_dir(resumed_run / "final")

    # The evaluation's generation subprocess (and `tunix-rt generate`) take the same path.
    eval_file = tmp_path / "eval.jsonl"
    eval_file.write_text("".join(json.dumps(asdict(i)) + "\n" for i in items))
    argv = ["--model", str(resumed_run / "final"), "--eval-file", str(eval_file)]
    argv += ["--out", str(tmp_path / "p.jsonl"), "--max-new-tokens", "8", "--batch-size", "2"]
    assert generate.main(argv) == 0
    lines = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert lines == [asdict(p) for p in preds]


def test_torch_loader_refuses_a_tunix_model_dir(resumed_run: Path) -> None:
    with pytest.raises(InvalidInput, match="tunix model directory"):
        generate.load_model(resumed_run / "final")


async def test_promoted_provenance_reads_the_tunix_manifest(
    resumed_run: Path, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    manifest = json.loads((resumed_run / "run_manifest.json").read_text())
    run = await add_run(
        session, name="tiny-tunix", config=manifest["config"], run_dir=str(resumed_run)
    )
    await client.post("/api/models", json={"name": "tunix-tutor"})
    promoted = await client.post(
        "/api/models/tunix-tutor/versions/promote", json={"run_id": str(run.id)}
    )
    assert promoted.status_code == 201, promoted.text
    provenance = promoted.json()["version"]["provenance"]
    assert provenance["dataset_sha256"] == file_sha256(resumed_run.parent / "traces.jsonl")
    libraries = provenance["library_versions"]
    assert libraries["google-tunix"] == tunix_backend.status()["version"]
    assert libraries["jax"] == manifest["libraries"]["jax"]
    assert libraries["python"] == manifest["libraries"]["python"]
    assert provenance["code_version"] == manifest["code_version"]


def test_fresh_run_refuses_to_reuse_checkpoints(resumed_run: Path) -> None:
    cfg = make_config(resumed_run.parent)
    with pytest.raises(InvalidInput, match="output_dir"):
        tunix_backend.train(cfg, resume=False)


def test_resume_refuses_a_changed_run(resumed_run: Path) -> None:
    cfg = make_config(resumed_run.parent, max_steps=8, learning_rate=0.5)
    with pytest.raises(InvalidInput) as info:
        tunix_backend.train(cfg, resume=True)
    assert [p.loc for p in info.value.problems] == ["learning_rate"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"model_overrides": {**TINY, "hidden_act": "relu"}}, "model_overrides.hidden_act"),
        (
            {"lora": {"rank": 4, "alpha": 8.0, "target_modules": ["q_proj", "lm_head"]}},
            "lora.target_modules",
        ),
        ({"num_threads": 64}, "num_threads"),
        ({"dataset": "some-key", "data_path": None}, "dataset"),
    ],
)
def test_unsupported_keys_are_refused_by_name(
    tmp_path: Path, change: dict[str, Any], key: str
) -> None:
    cfg = make_config(tmp_path, **change)
    with pytest.raises(InvalidInput) as info:
        tunix_backend.train(cfg, resume=False)
    assert key in [p.loc for p in info.value.problems]
    assert not (tmp_path / "run").exists()


def test_status_reports_versions_without_devices() -> None:
    doc = tunix_backend.status()
    assert doc["installed"] is True
    assert doc["libraries"]["jax"]
    assert doc["devices"] is None


@pytest.mark.slow  # ~25 CPU-s: a second model, qwix wrapping and its own compile
def test_lora_trains_only_the_adapters(tmp_path: Path) -> None:
    import jax.numpy as jnp
    import numpy as np
    import orbax.checkpoint as ocp

    from tunix_rt.training.tunix_backend import export, models

    lora = {"rank": 4, "alpha": 8.0, "target_modules": ["q_proj", "o_proj"]}
    cfg = make_config(tmp_path, lora=lora, max_steps=2, eval_every_steps=None)
    result = tunix_backend.train(cfg, resume=False)
    assert result.step == 2
    run = tmp_path / "run"
    manifest = json.loads((run / "run_manifest.json").read_text())
    assert 0 < manifest["trainable_parameters"] < manifest["parameters"] / 4
    saved = ocp.StandardCheckpointer().restore(
        (run / "checkpoints" / "step_2" / "model_params").absolute()
    )
    names = {str(path[-2]) for path, _ in jax_paths(saved)}  # [..., "w_lora_a", "value"]
    assert names == {"w_lora_a", "w_lora_b"}
    # The merged export changed the adapted projections and left the MLP as initialised.
    meta = export.read_meta(run / "final")
    family = models.FAMILIES["gemma3"]
    initial = models.create_random(
        family,
        models.tunix_config(family, meta["model_config"], dtype=jnp.float32),
        seed=0,
        dtype=jnp.float32,
        mesh=None,
    )
    final = ocp.StandardCheckpointer().restore((run / "final" / "checkpoint").absolute())
    layer = initial.layers[0]
    np.testing.assert_array_equal(
        final["transformer/layer_0/mlp/linear"]["w"], np.asarray(layer.mlp.down_proj.kernel[...])
    )
    assert not np.allclose(
        final["transformer/layer_0/attn/attn_vec_einsum"]["w"],
        np.asarray(layer.attn.attn_vec_einsum.w[...]),
    )


def jax_paths(tree: Any) -> list[tuple[Any, Any]]:
    import jax

    return [
        (tuple(getattr(k, "key", k) for k in path), leaf)
        for path, leaf in jax.tree_util.tree_leaves_with_path(tree)
    ]


@pytest.mark.slow
def test_merged_lora_export_computes_what_the_adapters_did() -> None:
    import jax
    import jax.numpy as jnp
    import numpy as np
    from flax import nnx

    from tunix_rt.training.config import LoraConfig
    from tunix_rt.training.tunix_backend import models

    family = models.FAMILIES["gemma3"]
    hf = {**TINY, "vocab_size": 40, "num_key_value_heads": 2, "num_attention_heads": 4}
    hf["sliding_window"] = 64
    cfg = models.tunix_config(family, hf, dtype=jnp.float32)
    lora = LoraConfig(rank=2, alpha=4.0, target_modules=("q_proj", "k_proj", "down_proj"))
    adapted = models.apply_lora(
        family,
        models.create_random(family, cfg, seed=0, dtype=jnp.float32, mesh=None),
        lora,
        seed=1,
    )
    # Fresh adapters have B = 0; give them values so the merge has something to add.
    state = nnx.state(adapted, nnx.LoRAParam)
    keys = iter(jax.random.split(jax.random.key(3), len(jax.tree.leaves(state))))
    nnx.update(adapted, jax.tree.map(lambda x: 0.1 * jax.random.normal(next(keys), x.shape), state))
    plain = models.create_random(family, cfg, seed=5, dtype=jnp.float32, mesh=None)
    nnx.update(plain, models.merged_params(adapted, lora))
    tokens = jnp.array([[3, 7, 9, 11, 4]])
    pos = jnp.arange(5)[None]
    mask = jnp.tril(jnp.ones((1, 5, 5), dtype=bool))
    want, _ = adapted(tokens, pos, None, mask)
    got, _ = plain(tokens, pos, None, mask)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_tunix_safetensors_loader_matches_the_torch_model(tmp_path: Path) -> None:
    """The real-checkpoint path: a tiny HF Gemma 3 saved as safetensors, loaded by Tunix."""
    import jax.numpy as jnp
    import numpy as np
    import torch

    from tunix_rt.training import tiny
    from tunix_rt.training.tunix_backend import models

    torch.manual_seed(0)
    hf_model = tiny.build_model("tiny-gemma3", 48, {**TINY, "num_key_value_heads": 2})
    hf_model.save_pretrained(tmp_path)
    doc = json.loads((tmp_path / "config.json").read_text())
    family = models.FAMILIES[models.HF_MODEL_TYPE_FAMILY[doc["model_type"]]]
    cfg = models.tunix_config(family, doc, dtype=jnp.float32)
    model = models.load_safetensors(family, str(tmp_path), cfg, dtype=jnp.float32, mesh=None)
    ids = [[5, 9, 13, 17, 21, 25]]
    with torch.no_grad():
        want = hf_model(torch.tensor(ids)).logits.numpy()
    n = len(ids[0])
    got, _ = model(
        jnp.array(ids), jnp.arange(n)[None], None, jnp.tril(jnp.ones((1, n, n), dtype=bool))
    )
    np.testing.assert_allclose(np.asarray(got), want, rtol=2e-3, atol=2e-3)


@pytest.mark.slow
def test_random_llama_starts_with_unit_norm_gains() -> None:
    import jax.numpy as jnp
    import numpy as np
    from flax import nnx

    from tunix_rt.training.tunix_backend import models

    family = models.FAMILIES["llama3"]
    hf = {**TINY, "vocab_size": 40, "num_attention_heads": 4, "tie_word_embeddings": True}
    cfg = models.tunix_config(family, hf, dtype=jnp.float32)
    model = models.create_random(family, cfg, seed=0, dtype=jnp.float32, mesh=None)
    gains = [m.w[...] for _, m in nnx.iter_graph(model) if type(m).__name__ == "RMSNorm"]
    assert len(gains) == 2 * 2 + 1
    assert all(np.all(np.asarray(g) == 1.0) for g in gains)
    assert not np.all(np.asarray(model.layers[0].mlp.up_proj.kernel[...]) == 0)
