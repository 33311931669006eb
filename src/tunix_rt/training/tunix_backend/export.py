"""The ``final/`` model directory of a tunix run: Orbax params, tokenizer, ``tunix_rt.json``.

Gemma 3 is written in the upstream Gemma checkpoint layout (``transformer/layer_N/...``), so
Tunix's own ``gemma3.params.create_model_from_checkpoint`` loads it exactly as it loads
Google's released checkpoints (what the Tunix hackathon requires: Orbax, not safetensors).
Families without an upstream Orbax loader (Qwen 3, Llama 3) are written as the NNX state tree,
restored against the abstract model the way Tunix's notebooks restore their own checkpoints.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import orbax.checkpoint as ocp
from flax import nnx

from tunix_rt.errors import InvalidInput
from tunix_rt.training.tunix_backend.models import FAMILIES, Family, tunix_config

META_FILE = "tunix_rt.json"
CHECKPOINT_DIR = "checkpoint"
GEMMA3_UPSTREAM = "gemma3-upstream-orbax"
NNX_STATE = "nnx-state-orbax"
DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16}


def to_gemma3_upstream(params: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    """NNX Gemma 3 params (pure dict) -> the upstream ``transformer/...`` checkpoint tree."""
    out: dict[str, dict[str, Any]] = {
        "transformer/embedder": {"input_embedding": params["embedder"]["input_embedding"]},
        "transformer/final_norm": {"scale": params["final_norm"]["scale"]},
    }
    for idx, layer in params["layers"].items():
        prefix = f"transformer/layer_{idx}"
        mlp = layer["mlp"]
        out[f"{prefix}/mlp/gating_einsum"] = {
            "w": jnp.stack([mlp["gate_proj"]["kernel"].T, mlp["up_proj"]["kernel"].T])
        }
        out[f"{prefix}/mlp/linear"] = {"w": mlp["down_proj"]["kernel"]}
        for name, sub in layer.items():
            if name == "mlp":
                continue
            if name == "attn":
                for attn_name, leaf in sub.items():
                    out[f"{prefix}/attn/{attn_name}"] = dict(leaf)
            else:
                out[f"{prefix}/{name}"] = dict(sub)
    return out


def _save_tree(path: Path, tree: Any) -> None:
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(path.absolute(), jax.tree.map(np.asarray, tree))
    checkpointer.wait_until_finished()
    checkpointer.close()


def save_final(
    final_dir: Path,
    *,
    family: Family,
    params: dict[Any, Any],
    hf_config: dict[str, Any],
    dtype: str,
    meta: dict[str, Any],
) -> None:
    """Write the params in the family's Orbax form and ``tunix_rt.json`` beside them."""
    final_dir.mkdir(parents=True, exist_ok=True)
    if family.name == "gemma3":
        fmt, tree = GEMMA3_UPSTREAM, to_gemma3_upstream(params)
    else:
        fmt, tree = NNX_STATE, params
    _save_tree(final_dir / CHECKPOINT_DIR, tree)
    doc = {
        **meta,
        "backend": "tunix",
        "family": family.name,
        "checkpoint": CHECKPOINT_DIR,
        "checkpoint_format": fmt,
        "dtype": dtype,
        "model_config": hf_config,
    }
    (final_dir / META_FILE).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def read_meta(model_dir: Path) -> dict[str, Any]:
    """The ``tunix_rt.json`` of a tunix model directory."""
    path = model_dir / META_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"model: {model_dir} has no readable {META_FILE}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("backend") != "tunix":
        raise InvalidInput(f"model: {model_dir} is not a tunix model directory")
    if doc.get("family") not in FAMILIES or doc.get("dtype") not in DTYPES:
        raise InvalidInput(f"model: {path} names an unknown family or dtype")
    return doc


def load_final(model_dir: Path, *, mesh: Any = None) -> tuple[Any, dict[str, Any]]:
    """Rebuild the model of a tunix ``final/`` directory through Tunix's own loaders."""
    meta = read_meta(model_dir)
    family = FAMILIES[meta["family"]]
    dtype = DTYPES[meta["dtype"]]
    cfg = tunix_config(family, meta["model_config"], dtype=dtype)
    path = str((model_dir / meta.get("checkpoint", CHECKPOINT_DIR)).absolute())
    if meta.get("checkpoint_format") == GEMMA3_UPSTREAM:
        params = importlib.import_module("tunix.models.gemma3.params")
        return params.create_model_from_checkpoint(path, cfg, mesh=mesh, dtype=dtype), meta
    abstract = nnx.eval_shape(lambda: family.model_class()(cfg, rngs=nnx.Rngs(0)))
    graph, state = nnx.split(abstract)
    target = state.to_pure_dict()
    if mesh is not None:
        shardings = nnx.get_named_sharding(state, mesh).to_pure_dict()
        target = jax.tree.map(
            lambda x, s: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=s),  # type: ignore[no-untyped-call]
            target,
            shardings,
        )
    restored = ocp.StandardCheckpointer().restore(path, target=target)
    return nnx.merge(graph, restored), meta
