"""Tunix model families: HF-style configs to Tunix ``ModelConfig``, creation, LoRA via qwix.

Presets are described by the same transformers config as the torch backend (``tiny.py``), so
both backends train the same shapes; a real checkpoint's ``config.json`` goes through the
same translation and is then loaded with Tunix's own safetensors loader.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import qwix
from flax import nnx
from tunix.models import dummy_model_creator

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.training.config import LoraConfig


@dataclass(frozen=True)
class Family:
    """One Tunix model family: where its code lives and what its modules are called."""

    name: str
    model_module: str
    class_name: str
    params_module: str
    # HF projection name -> Tunix module names that implement it.
    lora_modules: dict[str, tuple[str, ...]]

    def module(self) -> Any:
        return importlib.import_module(self.model_module)

    def model_class(self) -> Any:
        return getattr(self.module(), self.class_name)


_DECODER_LORA = {n: (n,) for n in ("q_proj", "k_proj", "v_proj", "o_proj")}
_MLP_LORA = {n: (n,) for n in ("gate_proj", "up_proj", "down_proj")}

FAMILIES = {
    "gemma3": Family(
        "gemma3",
        "tunix.models.gemma3.model",
        "Gemma3",
        "tunix.models.gemma3.params_safetensors",
        {
            # Tunix fuses q/k/v into qkv_einsum when kv heads == heads, else k/v into kv_einsum.
            "q_proj": ("q_einsum", "qkv_einsum"),
            "k_proj": ("kv_einsum", "qkv_einsum"),
            "v_proj": ("kv_einsum", "qkv_einsum"),
            "o_proj": ("attn_vec_einsum",),
            **_MLP_LORA,
        },
    ),
    "qwen3": Family(
        "qwen3",
        "tunix.models.qwen3.model",
        "Qwen3",
        "tunix.models.qwen3.params",
        {**_DECODER_LORA, **_MLP_LORA, "lm_head": ("lm_head",)},
    ),
    "llama3": Family(
        "llama3",
        "tunix.models.llama3.model",
        "Llama3",
        "tunix.models.llama3.params",
        {**_DECODER_LORA, **_MLP_LORA, "lm_head": ("lm_head",)},
    ),
}
PRESET_FAMILY = {"tiny-gemma3": "gemma3", "tiny-qwen3": "qwen3", "tiny-llama": "llama3"}
HF_MODEL_TYPE_FAMILY = {
    "gemma3_text": "gemma3",
    "gemma3": "gemma3",
    "qwen3": "qwen3",
    "llama": "llama3",
}
# transformers config keys this backend maps into a Tunix ModelConfig (anything else in
# model_overrides would be silently dropped, so it is refused).
SUPPORTED_OVERRIDES = frozenset(
    {
        "hidden_size",
        "intermediate_size",
        "num_hidden_layers",
        "num_attention_heads",
        "num_key_value_heads",
        "head_dim",
        "rms_norm_eps",
        "tie_word_embeddings",
        "sliding_window",
        "query_pre_attn_scalar",
    }
)


def _rope_theta(hf: dict[str, Any], kind: str | None = None) -> float:
    params = hf.get("rope_parameters") or {}
    if kind is not None and isinstance(params.get(kind), dict):
        params = params[kind]
    return float(params.get("rope_theta") or hf.get("rope_theta") or 10_000.0)


def hf_shape(hf: dict[str, Any]) -> dict[str, int]:
    heads = int(hf["num_attention_heads"])
    return {
        "num_layers": int(hf["num_hidden_layers"]),
        "embed_dim": int(hf["hidden_size"]),
        "hidden_dim": int(hf["intermediate_size"]),
        "num_heads": heads,
        "head_dim": int(hf.get("head_dim") or int(hf["hidden_size"]) // heads),
        "num_kv_heads": int(hf.get("num_key_value_heads") or heads),
    }


def _gemma3_config(mod: Any, hf: dict[str, Any], dtype: Any) -> Any:
    shape = hf_shape(hf)
    if hf.get("tie_word_embeddings") is False:
        raise InvalidInput("model_overrides: Tunix Gemma 3 always ties word embeddings")
    scalar = hf.get("query_pre_attn_scalar") or shape["head_dim"]
    norms = mod.QueryPreAttentionNormalisation
    by_scalar = {
        shape["head_dim"]: norms.BY_ONE_OVER_SQRT_HEAD_DIM,
        shape["embed_dim"] // shape["num_heads"]: norms.BY_ONE_OVER_SQRT_EMBED_DIM_DIV_NUM_HEADS,
    }
    if scalar not in by_scalar:
        raise InvalidInput(
            "model_overrides: query_pre_attn_scalar must equal head_dim or "
            "hidden_size / num_attention_heads in Tunix Gemma 3"
        )
    return mod.ModelConfig(
        **shape,
        num_embed=int(hf["vocab_size"]),
        sliding_window_size=hf.get("sliding_window"),
        local_base_frequency=int(_rope_theta(hf, "sliding_attention")),
        global_base_frequency=int(_rope_theta(hf, "full_attention")),
        query_pre_attn_norm=by_scalar[scalar],
        param_dtype=dtype,
    )


def tunix_config(family: Family, hf: dict[str, Any], *, dtype: Any) -> Any:
    """The Tunix ``ModelConfig`` for a transformers-style config dict."""
    mod = family.module()
    if family.name == "gemma3":
        return _gemma3_config(mod, hf, dtype)
    common = {
        **hf_shape(hf),
        "vocab_size": int(hf["vocab_size"]),
        "rope_theta": int(_rope_theta(hf)),
        "norm_eps": float(hf.get("rms_norm_eps") or 1e-6),
    }
    tied = bool(hf.get("tie_word_embeddings", False))
    if family.name == "qwen3":
        return mod.ModelConfig(**common, use_tied_embedding=tied, dtype=dtype, param_dtype=dtype)
    return mod.ModelConfig(**common, weight_tying=tied)


def check_overrides(overrides: dict[str, Any] | None) -> None:
    """Refuse override keys this backend would not carry into the Tunix model."""
    unknown = sorted(set(overrides or {}) - SUPPORTED_OVERRIDES)
    if unknown:
        raise InvalidInput(
            "config not supported by the tunix backend",
            problems=[
                Problem(f"model_overrides.{key}", "not mapped to a Tunix model config")
                for key in unknown
            ],
        )


def create_random(family: Family, cfg: Any, *, seed: int, dtype: Any, mesh: Any) -> Any:
    """A randomly initialised model (Tunix's dummy creator: small normal weights).

    The creator draws *every* parameter from N(0, 0.02), norm gains included. Gemma's norms
    compute ``x * (1 + scale)``, so that is a near-identity start; Qwen 3 and Llama 3 compute
    ``w * x`` and would start with every norm output ~0, so their gains are reset to 1 (their
    own initialiser's value).
    """
    model = dummy_model_creator.create_dummy_model(
        family.model_class(), cfg, mesh=mesh, dtype=dtype, random_seed=seed
    )
    if family.name != "gemma3":
        for _, module in nnx.iter_graph(model):
            gain = getattr(module, "w", None)
            if type(module).__name__ == "RMSNorm" and isinstance(gain, nnx.Param):
                gain[...] = jnp.ones_like(gain[...])
    return model


def load_safetensors(family: Family, path: str, cfg: Any, *, dtype: Any, mesh: Any) -> Any:
    """A model from a Hugging Face safetensors directory, through Tunix's loader."""
    params = importlib.import_module(family.params_module)
    return params.create_model_from_safe_tensors(path, cfg, mesh=mesh, dtype=dtype)


def _module_names(model: Any) -> set[str]:
    return {
        str(path[-1])
        for path, node in nnx.iter_graph(model)
        if path and isinstance(node, nnx.Module)
    }


def lora_targets(family: Family, model: Any, lora: LoraConfig) -> list[str]:
    """The Tunix module names for the configured targets; unknown names are refused."""
    present = _module_names(model)
    names: list[str] = []
    problems: list[Problem] = []
    for target in lora.target_modules:
        candidates = family.lora_modules.get(target, (target,))
        found = [c for c in candidates if c in present]
        if not found:
            problems.append(
                Problem(
                    "lora.target_modules",
                    f"{target!r} is not a module of this Tunix {family.name} model",
                )
            )
        names.extend(n for n in found if n not in names)
    if problems:
        raise InvalidInput("config not supported by the tunix backend", problems=problems)
    return names


def apply_lora(family: Family, model: Any, lora: LoraConfig, *, seed: int) -> Any:
    """Wrap the targeted projections with qwix LoRA adapters (base weights stay frozen)."""
    names = lora_targets(family, model, lora)
    pattern = "|".join(f".*{re.escape(n)}" for n in names)
    provider = qwix.LoraProvider(module_path=pattern, rank=lora.rank, alpha=lora.alpha)
    return qwix.apply_lora_to_model(model, provider, rngs=nnx.Rngs(seed), **model.get_model_input())


def _merged_delta(module: Any, weight: str, a: jax.Array, b: jax.Array) -> jax.Array:
    lora_str = getattr(module, weight + "_lora_einsum_str", None)
    if lora_str is not None:
        # "lhs,A,B->out" beside the module's "lhs,W->out": contract A and B into W's layout.
        _, a_str, b_str = lora_str.split("->")[0].split(",")
        w_str = module.einsum_str.split("->")[0].split(",")[1]
        return jnp.einsum(f"{a_str},{b_str}->{w_str}", a, b)
    if a.ndim != 2 or b.ndim != 2:
        raise InvalidInput(f"lora: cannot merge adapter of shape {a.shape} x {b.shape}")
    return a @ b


def merged_params(model: Any, lora: LoraConfig) -> dict[str, Any]:
    """The model's base params (pure dict) with every LoRA delta added in."""
    base = nnx.state(model, nnx.All(nnx.Param, nnx.Not(nnx.LoRAParam))).to_pure_dict()
    scale = lora.alpha / lora.rank
    for path, module in nnx.iter_graph(model):
        if not isinstance(module, nnx.Module):
            continue
        for name in [n for n in vars(module) if n.endswith("_lora_a")]:
            weight = name.removesuffix("_lora_a")
            a = getattr(module, name)[...]
            b = getattr(module, weight + "_lora_b")[...]
            node: Any = base
            for key in path:
                node = node[key]
            delta = _merged_delta(module, weight, a, b).reshape(node[weight].shape)
            node[weight] = node[weight] + (delta * scale).astype(node[weight].dtype)
    return base


def param_count(model: Any, kind: Any = nnx.Param) -> int:
    """Number of scalars in the model's variables of ``kind``."""
    return sum(int(x.size) for x in jax.tree.leaves(nnx.state(model, kind)))


def make_mesh() -> Any:
    """An FSDP mesh over all devices, or None on a single device (CPU)."""
    devices = jax.devices()
    if len(devices) == 1:
        return None
    return jax.make_mesh((len(devices), 1), ("fsdp", "tp"))
