"""Training throughput: the PyTorch recipe beside a minimal hand-written loop, and Tunix.

Same tiny model (tiny-llama preset, same seed), same data, same batch size and thread count,
measured in one process. It also measures candidate tiny models side by side at the demo's
layout (batch 2 on one thread: each of the demo's two processes), on the demo's own data
(``reasoning_mix`` as the demo draws it, ``words`` tokenizer, ``plain`` template, ``tagged``
style): the preset as transformers runs it, the same under ``torch.compile``, GPT-2's
architecture (learned positions, LayerNorm, fused GELU, one QKV matmul) and GPT-NeoX's (rotary,
LayerNorm, fused GELU), each against the preset in the same run. Rounds alternate (minimal,
recipe, minimal, recipe, ...) and the best round of each counts, because this 2-core machine
is shared and noisy. Tokens/s counts non-pad tokens (prompt + completion) of training steps
after warm-up. With two or more threads it also
compares, at the demo's small batch (4), the recipe as one process on all threads with 2
data-parallel processes on half the threads and half the batch each (the same updates): tiny
matrices leave a second thread idle, a second process is not. And it runs the demo's own
layout and config (2 processes x batch 2) with the per-step sums over gloo (as before #16)
and through shared memory (now), beside two independent loops (the ceiling of two cores).

    .venv/bin/python -P bench/train.py [--quick] [--steps N] [--rounds R] [--threads T]
        [--no-tunix] [--no-candidates]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import orjson
import torch

from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.traces.generators import run_generator
from tunix_rt.training import tiny
from tunix_rt.training.batching import collate, epoch_batches
from tunix_rt.training.config import TrainConfig, load_config
from tunix_rt.training.data import corpus_texts, encode_examples, load_rows
from tunix_rt.training.torch_recipe import train

BATCH, WARMUP = 32, 5
# The demo's batch, where a second thread inside one process gains little.
SMALL_BATCH = 4


def write_data(path: Path, n: int) -> Path:
    """Mixed arithmetic traces (the demo's kind of data)."""
    traces = run_generator("arithmetic", n, seed=3, knobs={"operation": "mixed", "digits": 4})
    path.write_bytes(b"".join(orjson.dumps(t.model_dump(mode="json")) + b"\n" for t in traces))
    return path


def config(data: Path, out: Path, steps: int, threads: int, **extra: Any) -> TrainConfig:
    """The benchmark's run config (constant lr: no schedule effects on speed)."""
    return load_config(
        {
            "model": "tiny-llama",
            "data_path": str(data),
            "max_steps": steps,
            "batch_size": BATCH,
            "lr_schedule": "constant",
            "log_every_steps": WARMUP,
            "num_threads": threads,
            "output_dir": str(out),
            "template": "chatml",
            "style": "numbered",
            **extra,
        }
    )


def demo_data(path: Path, n: int) -> Path:
    """The demo's kind of traces, drawn as ``tunix-rt demo`` draws them."""
    from tunix_rt.cli.demo import DemoPlan
    from tunix_rt.traces.generators import reasoning_mix

    traces = reasoning_mix.generate(n, seed=7, **DemoPlan().knobs)
    path.write_bytes(b"".join(orjson.dumps(t.model_dump(mode="json")) + b"\n" for t in traces))
    return path


def candidate_models(vocab: int, pad: int) -> dict[str, Any]:
    """Builders of the candidates, each at the demo's size (3 layers, d=128, 4 heads)."""
    from transformers import AutoModelForCausalLM, GPT2Config, GPTNeoXConfig

    def preset() -> Any:
        return tiny.build_model("tiny-llama", vocab, {"num_hidden_layers": 3}, pad_token_id=pad)

    def gpt2() -> Any:
        cfg = GPT2Config(
            vocab_size=vocab, n_embd=128, n_inner=512, n_layer=3, n_head=4, n_positions=1024,
            activation_function="gelu_pytorch_tanh", resid_pdrop=0.0, embd_pdrop=0.0,
            attn_pdrop=0.0, pad_token_id=pad, bos_token_id=pad, eos_token_id=pad,
        )  # fmt: skip
        return AutoModelForCausalLM.from_config(cfg)

    def neox() -> Any:
        cfg = GPTNeoXConfig(
            vocab_size=vocab, hidden_size=128, intermediate_size=512, num_hidden_layers=3,
            num_attention_heads=4, max_position_embeddings=2048, hidden_act="gelu_pytorch_tanh",
            tie_word_embeddings=True, attention_dropout=0.0, hidden_dropout=0.0,
            pad_token_id=pad, bos_token_id=pad, eos_token_id=pad,
        )  # fmt: skip
        return AutoModelForCausalLM.from_config(cfg)

    return {"tiny-llama": preset, "tiny-llama+compile": preset, "gpt2": gpt2, "gpt-neox": neox}


def candidate_rate(data: Path, name: str, steps: int, warmup: int) -> tuple[int, float]:
    """(parameters, tokens/s after ``warmup`` steps) of one candidate at batch 2, one thread."""
    import torch.nn.functional as F

    torch.set_num_threads(1)
    rows = load_rows(data)
    kw: dict[str, Any] = {"template": ChatTemplate.PLAIN, "style": TraceStyle.TAGGED}
    tok = tiny.build_tokenizer(corpus_texts(rows, **kw), words=True, **kw)
    examples, _ = encode_examples(rows, tok, max_seq_length=640, **kw)
    torch.manual_seed(0)
    model = candidate_models(len(tok), tok.pad_token_id)[name]()
    forward = torch.compile(model, dynamic=True) if name.endswith("+compile") else model
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), fused=True)
    order = epoch_batches([len(e.input_ids) for e in examples], 2, seed=0, epoch=0)
    tokens, started = 0, time.perf_counter()
    for step in range(steps):
        if step == warmup:  # compiling (and its recompiles) happens before this
            tokens, started = 0, time.perf_counter()
        batch = collate([examples[i] for i in order[step % len(order)]], tok.pad_token_id)
        logits = forward(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits
        loss = F.cross_entropy(
            logits[:, :-1].reshape(-1, logits.size(-1)), batch.labels[:, 1:].reshape(-1)
        )
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        tokens += batch.tokens
    return model.num_parameters(), tokens / (time.perf_counter() - started)


def _independent_loop(data: Path, steps: int, warmup: int, rates: Any) -> None:
    rates.put(candidate_rate(data, "tiny-llama", steps, warmup)[1])


def layout_rates(data: Path, out: Path, steps: int, every: int) -> tuple[float, float, float]:
    """The demo's layout (its config: 2 processes x batch 2, one thread each) summing over gloo,
    the same summing through shared memory (the recipe's default), and the ceiling: two
    independent single-process loops side by side, their tokens/s added."""
    import multiprocessing

    from tunix_rt.cli.demo import DemoPlan
    from tunix_rt.training import parallel
    from tunix_rt.training.torch_recipe import train_rank

    doc = {k: v for k, v in DemoPlan().train.items() if k != "max_steps"}
    doc.update(data_path=str(data), style="tagged", max_steps=steps, log_every_steps=every)
    doc["warmup_steps"] = min(doc["warmup_steps"], steps // 10)
    gloo = load_config({**doc, "output_dir": str(out / "gloo")})
    parallel.launch(gloo, False, train_rank, shared_sums=False)
    shared = load_config({**doc, "output_dir": str(out / "shared")})
    parallel.launch(shared, False, train_rank)
    ctx = multiprocessing.get_context("spawn")
    rates = ctx.Queue()
    procs = [ctx.Process(target=_independent_loop, args=(data, steps, every, rates)) for _ in "ab"]
    for proc in procs:
        proc.start()
    ceiling = rates.get() + rates.get()
    for proc in procs:
        proc.join()
    return steady_rate(out / "gloo", every), steady_rate(out / "shared", every), ceiling


def minimal_loop(data: Path, steps: int, threads: int) -> float:
    """A plain loop: HF loss on masked labels, AdamW, clipping; tokens/s after warm-up."""
    torch.set_num_threads(threads)
    rows = load_rows(data)
    kw: dict[str, Any] = {"template": ChatTemplate.CHATML, "style": TraceStyle.NUMBERED}
    tok = tiny.build_tokenizer(corpus_texts(rows, **kw), **kw)
    examples, _ = encode_examples(rows, tok, max_seq_length=512, **kw)
    torch.manual_seed(0)
    model = tiny.build_model("tiny-llama", len(tok), pad_token_id=tok.pad_token_id)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98))
    order = epoch_batches([len(e.input_ids) for e in examples], BATCH, seed=0, epoch=0)
    tokens, started = 0, 0.0
    for step in range(steps):
        if step == WARMUP:
            tokens, started = 0, time.perf_counter()
        batch = collate([examples[i] for i in order[step % len(order)]], tok.pad_token_id)
        out = model(
            input_ids=batch.input_ids, attention_mask=batch.attention_mask, labels=batch.labels
        )
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        tokens += batch.tokens
    return tokens / (time.perf_counter() - started)


def _recipe_rate(
    data: Path, out: Path, steps: int, threads: int, batch: int, processes: int
) -> float:
    extra = {"batch_size": batch, "processes": processes, "log_every_steps": 4 * WARMUP}
    train(config(data, out, steps, threads, **extra))
    return steady_rate(out, after=4 * WARMUP)


def steady_rate(out: Path, after: int = WARMUP) -> float:
    """Tokens/s of the recipe's log windows after the first (warm-up) window."""
    events = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    rates = [e["tokens_per_s"] for e in events if e["event"] == "train" and e["step"] > after]
    return sum(rates) / len(rates)


def tunix_rate(data: Path, out: Path, steps: int, threads: int) -> float | None:
    """The Tunix backend on the same config, or None when it is not installed."""
    try:
        from tunix_rt.training import tunix_backend
    except ImportError:
        return None
    if not tunix_backend.status()["installed"]:
        return None
    tunix_backend.train(config(data, out, steps, threads, backend="tunix"), resume=False)
    return steady_rate(out)


def figure(name: str, value: float, baseline: float, goal: str) -> str:
    """One bench JSON line."""
    return json.dumps(
        {
            "bench": "train",
            "figure": name,
            "value": round(value, 1),
            "unit": "tokens/s",
            "baseline": round(baseline, 1),
            "ratio": round(value / baseline, 3),
            "goal": goal,
        }
    )


def main() -> None:
    """Run the rounds and print human figures, then the JSON lines."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="tiny run, for smoke tests")
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--no-tunix", action="store_true")
    p.add_argument("--no-candidates", action="store_true", help="skip the model candidates")
    a = p.parse_args()
    steps, rounds = (WARMUP + 5, 1) if a.quick else (a.steps, a.rounds)
    with tempfile.TemporaryDirectory() as tmp:
        data = write_data(Path(tmp) / "d.jsonl", 400 if a.quick else 4000)
        minimal, recipe = [], []
        for r in range(rounds):
            minimal.append(minimal_loop(data, steps, a.threads))
            train(config(data, Path(tmp) / f"run{r}", steps, a.threads))
            recipe.append(steady_rate(Path(tmp) / f"run{r}"))
            print(f"round {r}: minimal {minimal[-1]:.0f} tok/s, recipe {recipe[-1]:.0f} tok/s")
        small = parallel = None
        if a.threads >= 2:
            small = _recipe_rate(data, Path(tmp) / "b4", steps * 4, a.threads, SMALL_BATCH, 1)
            parallel = _recipe_rate(data, Path(tmp) / "dp", steps * 4, a.threads // 2, 2, 2)
            print(
                f"batch {SMALL_BATCH}: one process x {a.threads} threads {small:.0f} tok/s, "
                f"2 processes x {a.threads // 2} threads {parallel:.0f} tok/s"
            )
        tunix = None if a.no_tunix else tunix_rate(data, Path(tmp) / "tunix", steps, a.threads)
        candidates: dict[str, list[float]] = {}
        demo = demo_data(Path(tmp) / "demo.jsonl", 300 if a.quick else 2000)
        layouts = []
        for r in range(rounds):
            l_steps, every = (30, 10) if a.quick else (steps * 15, 100)
            layouts.append(layout_rates(demo, Path(tmp) / f"layout{r}", l_steps, every))
            print(
                f"round {r}: demo layout (2 processes x batch 2): gloo sums {layouts[-1][0]:.0f} "
                f"tok/s, shared-memory sums {layouts[-1][1]:.0f}, two independent loops "
                f"{layouts[-1][2]:.0f}"
            )
        if not a.no_candidates:
            c_steps, c_warm = (30, 10) if a.quick else (steps * 10, steps * 2)
            for r in range(rounds):
                for name in candidate_models(8, 0):
                    params, rate = candidate_rate(demo, name, c_steps, c_warm)
                    candidates.setdefault(name, []).append(rate)
                    print(f"round {r}: {name} ({params:,} parameters) {rate:.0f} tok/s")
    base = max(minimal)
    print(
        f"best: minimal loop {base:.0f} tok/s, recipe {max(recipe):.0f} tok/s, "
        f"tunix {'skipped or not installed' if tunix is None else f'{tunix:.0f} tok/s'}"
    )
    print(figure("torch_recipe_tokens_per_s", max(recipe), base, ">= 0.9"))
    if small is not None and parallel is not None:
        print(figure("batch4_2_processes_tokens_per_s", parallel, small, ">= 1.2"))
    if tunix is not None:
        print(figure("tunix_tokens_per_s", tunix, base, "report"))
    gloo, shared, ceiling = (max(x[i] for x in layouts) for i in range(3))
    print(figure("demo_layout_tokens_per_s", shared, gloo, ">= 1.6 (shared sums / gloo sums)"))
    print(figure("demo_layout_vs_independent_loops", shared, ceiling, ">= 0.9"))
    if candidates:
        preset = max(candidates.pop("tiny-llama"))
        for name, rates in candidates.items():
            print(figure(f"candidate_{name}_tokens_per_s", max(rates), preset, ">= 1.6"))


if __name__ == "__main__":
    main()
