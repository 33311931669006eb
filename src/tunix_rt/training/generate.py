"""Batched generation from a trained model directory, rendered exactly as in training.

``python -m tunix_rt.training.generate --model DIR --eval-file FILE.jsonl --out predictions.jsonl``
Greedy by default; ``--temperature T --seed S`` samples reproducibly. Decoding stops at the
end-of-turn token; an output that hits ``--max-new-tokens`` first is flagged ``truncated``.
A torch recipe's model directory generates with transformers; a tunix backend's (its
``tunix_rt.json`` says ``"backend": "tunix"``) with Tunix's sampler.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from tunix_rt.datasets.render import render_prompt
from tunix_rt.errors import InvalidInput, TunixRtError, Unavailable
from tunix_rt.training import tunix_backend
from tunix_rt.training.checkpoint import RunInfo, read_run_info
from tunix_rt.training.progress import write_progress
from tunix_rt.training.records import Prediction


@dataclass(frozen=True)
class PromptItem:
    """One thing to answer."""

    id: str
    prompt: str


def load_items(path: Path) -> list[PromptItem]:
    """Prompts of an eval-set file or a trace file (rows marked ``"split": "train"`` skipped)."""
    items: list[PromptItem] = []
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise InvalidInput(f"eval-file: cannot read {path}: {exc.strerror}") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise InvalidInput(f"eval-file: line {n} is not JSON") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("prompt"), str):
            raise InvalidInput(f"eval-file: line {n} has no prompt")
        if doc.get("split") == "train":
            continue
        items.append(PromptItem(id=str(doc.get("id") or n), prompt=doc["prompt"]))
    return items


def load_model(model_dir: Path) -> tuple[Any, Any, RunInfo]:
    """Model, tokenizer (left padding) and rendering info of a torch recipe's model directory."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    info = read_run_info(model_dir)
    if tunix_backend.is_tunix_model_dir(model_dir):
        raise InvalidInput(f"model: {model_dir} is a tunix model directory (use predict())")
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise in run logs
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)
    return model, tokenizer, info


def generate(
    model: Any,
    tokenizer: Any,
    info: RunInfo,
    items: Sequence[PromptItem],
    *,
    max_new_tokens: int = 256,
    batch_size: int = 64,
    temperature: float = 0.0,
    seed: int = 0,
    on_batch: Callable[[int], None] | None = None,
) -> list[Prediction]:
    """Predictions for ``items`` in their order; prompts are batched by length.

    ``on_batch`` is called with the number of items generated so far after every batch.
    """
    import torch

    device = next(model.parameters()).device
    model.eval()
    torch.manual_seed(seed)
    texts = [
        render_prompt(i.prompt, template=info.template, system=info.system_prompt) for i in items
    ]
    order = sorted(range(len(items)), key=lambda k: len(texts[k]))
    eos = tokenizer.eos_token_id
    out: dict[int, Prediction] = {}
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        enc = tokenizer([texts[k] for k in idx], return_tensors="pt", padding=True).to(device)
        sampling: dict[str, Any] = (
            {"do_sample": True, "temperature": temperature, "top_k": 0, "top_p": 1.0}
            if temperature > 0
            else {"do_sample": False}
        )
        with torch.no_grad():
            ids = model.generate(
                **enc,
                max_new_tokens=max_new_tokens,
                eos_token_id=eos,
                pad_token_id=tokenizer.pad_token_id,
                **sampling,
            )
        for row, k in enumerate(idx):
            new = ids[row, enc["input_ids"].shape[1] :].tolist()
            ended = eos in new
            new = new[: new.index(eos)] if ended else new
            text = tokenizer.decode(new, skip_special_tokens=True)
            out[k] = Prediction(items[k].id, items[k].prompt, text, not ended, len(new) + ended)
        if on_batch is not None:
            on_batch(len(out))
    return [out[k] for k in range(len(items))]


def write_predictions(path: Path, predictions: Sequence[Prediction]) -> None:
    """One JSON object per line, written atomically."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(b"".join(orjson.dumps(asdict(p)) + b"\n" for p in predictions))
    os.replace(tmp, path)


def predict(
    model_dir: Path,
    items: Sequence[PromptItem],
    *,
    max_new_tokens: int = 256,
    batch_size: int = 64,
    temperature: float = 0.0,
    seed: int = 0,
    on_batch: Callable[[int], None] | None = None,
) -> list[Prediction]:
    """Predictions from a torch recipe's or a tunix backend's model directory, in item order
    (``on_batch``: see ``generate``; the tunix backend reports only at the end)."""
    kw: dict[str, Any] = {
        "max_new_tokens": max_new_tokens,
        "batch_size": batch_size,
        "temperature": temperature,
        "seed": seed,
    }
    if not tunix_backend.is_tunix_model_dir(model_dir):
        model, tokenizer, info = load_model(model_dir)
        return generate(model, tokenizer, info, items, on_batch=on_batch, **kw)
    if not tunix_backend.status()["installed"]:
        raise Unavailable(
            f"model: {model_dir} is a tunix model; generating from it needs the google-tunix "
            "extra (pip install -e .[tunix])"
        )
    return tunix_backend.generate(model_dir, items, **kw)


def _progress_writer(path: Path, total: int) -> Callable[[int], None]:
    """Writes ``done`` of ``total`` generated to ``path`` (starting with 0 now)."""
    started = time.time()

    def report(done: int) -> None:
        write_progress(path, phase="generating", done=done, total=total, started_at=started)

    report(0)
    return report


def run(
    model_dir: Path, eval_file: Path, out: Path, progress: Path | None = None, **kw: Any
) -> list[Prediction]:
    """Load, generate for every item of ``eval_file``, write ``out`` (and, per batch, the
    ``progress`` file of training/progress.py when given)."""
    items = load_items(eval_file)
    started = time.perf_counter()
    on_batch = None if progress is None else _progress_writer(progress, len(items))
    predictions = predict(model_dir, items, on_batch=on_batch, **kw)
    write_predictions(out, predictions)
    elapsed = time.perf_counter() - started
    made = sum(p.tokens for p in predictions)
    cut = sum(p.truncated for p in predictions)
    print(
        f"generated {len(predictions)} predictions ({made} tokens, {cut} truncated) "
        f"in {elapsed:.1f}s (model load included) -> {out}",
        flush=True,
    )
    return predictions


def main(argv: list[str] | None = None) -> int:
    """Command-line entry; errors are one line, exit code 2 (5: backend not installed)."""
    p = argparse.ArgumentParser(prog="python -m tunix_rt.training.generate", description=__doc__)
    p.add_argument("--model", required=True, type=Path, help="a final/ model dir (torch or tunix)")
    p.add_argument("--eval-file", required=True, type=Path, help="JSONL with id and prompt")
    p.add_argument("--out", type=Path, default=Path("predictions.jsonl"))
    p.add_argument("--max-new-tokens", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--temperature", type=float, default=0.0, help="0 = greedy")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--num-threads", type=int, default=None)
    p.add_argument("--progress", type=Path, default=None, help="progress file to keep current")
    a = p.parse_args(argv)
    if a.max_new_tokens < 1 or a.batch_size < 1 or a.temperature < 0:
        print(
            "error: max-new-tokens and batch-size must be >= 1, temperature >= 0", file=sys.stderr
        )
        return 2
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if a.num_threads:
        import torch

        torch.set_num_threads(a.num_threads)
    try:
        run(
            a.model,
            a.eval_file,
            a.out,
            progress=a.progress,
            max_new_tokens=a.max_new_tokens,
            batch_size=a.batch_size,
            temperature=a.temperature,
            seed=a.seed,
        )
    except TunixRtError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 5 if isinstance(exc, Unavailable) else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
