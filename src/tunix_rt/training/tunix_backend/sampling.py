"""Generation from a tunix model directory with Tunix's ``Sampler`` (greedy or seeded sampling).

Prompts are rendered with the template and system prompt recorded in ``tunix_rt.json``, so
generation conditions the model exactly as training did; decoding stops at the template's
end-of-turn token, and an output that hits ``max_new_tokens`` without it is flagged truncated.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from tunix.generate import sampler as sampler_lib

from tunix_rt.datasets.render import ChatTemplate, render_prompt
from tunix_rt.errors import InvalidInput
from tunix_rt.training.records import Prediction
from tunix_rt.training.tunix_backend import export, models


class GenerateItem(Protocol):
    """What generation needs from an eval item."""

    @property
    def id(self) -> str: ...

    @property
    def prompt(self) -> str: ...


class SamplerTokenizer:
    """The HF tokenizer as Tunix's sampler sees it, encoding prompts exactly as training did.

    Training encodes prompts with the tokenizer's own special tokens (``add_special_tokens``),
    so the sampler must not prepend a BOS of its own: ``bos_id`` is None.
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def decode(self, ids: list[int]) -> str:
        return str(self.tokenizer.decode(ids, skip_special_tokens=True))

    def bos_id(self) -> int | None:
        return None

    def eos_id(self) -> int:
        return int(self.tokenizer.eos_token_id)

    def pad_id(self) -> int:
        return int(self.tokenizer.pad_token_id)


def _next_pow2(n: int) -> int:
    return 1 << max(n - 1, 0).bit_length()


def _load(model_dir: Path) -> tuple[Any, dict[str, Any], Any]:
    from transformers import AutoTokenizer

    model, meta = export.load_final(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    return model, meta, tokenizer


def _sampler(model: Any, meta: dict[str, Any], tokenizer: Any, cache_size: int) -> Any:
    shape = models.hf_shape(meta["model_config"])
    cache = sampler_lib.CacheConfig(
        cache_size=cache_size,
        num_layers=shape["num_layers"],
        num_kv_heads=shape["num_kv_heads"],
        head_dim=shape["head_dim"],
    )
    return sampler_lib.Sampler(
        transformer=model, tokenizer=SamplerTokenizer(tokenizer), cache_config=cache
    )


def generate(
    model_dir: Path,
    items: Sequence[GenerateItem],
    *,
    max_new_tokens: int,
    batch_size: int,
    temperature: float,
    seed: int,
) -> list[Prediction]:
    """Answers to ``items`` from the model in ``model_dir``, in input order."""
    if max_new_tokens < 1 or batch_size < 1 or temperature < 0:
        raise InvalidInput("max_new_tokens and batch_size must be >= 1, temperature >= 0")
    if not items:
        return []
    model, meta, tokenizer = _load(model_dir)
    template = ChatTemplate(meta["template"])
    prompts = [
        render_prompt(it.prompt, template=template, system=meta.get("system_prompt"))
        for it in items
    ]
    shim = SamplerTokenizer(tokenizer)
    # One prompt length and batch shape for every call, so the sampler compiles once.
    prompt_len = _next_pow2(max(len(shim.encode(p)) for p in prompts))
    sampler = _sampler(model, meta, tokenizer, prompt_len + max_new_tokens)
    out: list[Prediction] = []
    for start in range(0, len(items), batch_size):
        chunk = prompts[start : start + batch_size]
        padded = chunk + [chunk[-1]] * (batch_size - len(chunk))
        result = sampler(
            input_strings=padded,
            max_generation_steps=max_new_tokens,
            max_prompt_length=prompt_len,
            eos_tokens=[shim.eos_id()],
            temperature=temperature if temperature > 0 else 0.0,
            top_p=1.0 if temperature > 0 else None,
            seed=seed + start,
        )
        for offset, ids in enumerate(result.tokens[: len(chunk)]):
            ids = [int(t) for t in ids]
            truncated = len(ids) >= max_new_tokens
            item = items[start + offset]
            out.append(
                Prediction(
                    id=str(item.id),
                    prompt=item.prompt,
                    prediction=shim.decode(ids),
                    truncated=truncated,
                    tokens=len(ids) + (0 if truncated else 1),
                )
            )
    return out
