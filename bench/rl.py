# ruff: noqa: E402
"""Rollout tokens/s and RL steps/s of the GRPO backends against a minimal hand-written loop.

Generation is the bottleneck of RL on a CPU. Each backend runs real GRPO steps through the
platform's own dispatch (``tunix_rt.training.__main__.run_training``: the code a queued
``algorithm: grpo`` run executes) from the SAME saved model directory (a seeded random
``tiny-llama``, char tokenizer) on the SAME prompts, G, prompts per step, completion limit,
sampling settings (temperature 1, top-p 1, no top-k), reward (``answer_correctness``), loss
(``dapo``, beta 0, one update per rollout), optimizer (AdamW) and thread count, beside a
minimal loop written here: KV-cached batched sampling in plain torch (the model's forward with
its cache, one token per call, multinomial over the softmax), the same reward, group
advantages, the dapo loss and AdamW. Rounds alternate (minimal, backend, minimal, ...) so
whatever else the shared machine runs is spread over both; the first ``--warmup`` steps of each
are not timed.

How each side is timed:

- rollout tokens/s, torch backend: ``transformers.GenerationMixin.generate`` is wrapped for
  the backend's run (whoever calls it: our loop or TRL's GRPOTrainer); each call's wall time
  (``perf_counter`` around it) and the completion tokens it returned (per row, up to and
  including the first end token) are summed over the calls of the timed steps.
- rollout tokens/s, minimal: ``perf_counter`` around the hand-written sampler, tokens counted
  the same way.
- RL steps/s, backends: the run's own clock, the ``elapsed_s`` of consecutive ``train`` events
  in its ``metrics.jsonl`` (logged every step): the whole step, sampling to optimizer step.
- RL steps/s, minimal: ``perf_counter`` around the whole step.
- the tunix backend (when the config accepts ``backend: tunix`` for GRPO; skipped with the
  refusal printed otherwise) runs the ``tiny-gemma3`` preset in JAX; its rollout tokens/s is
  the run's own ``rollout_tokens_per_s`` (the rollout's wall time as the backend records it),
  its steps/s the run's own ``step_time`` (first rollout of a step to the next step's: Tunix
  reports a step one update late, so its events' ``elapsed_s`` come in bursts); its baseline
  is the minimal loop on the torch build of the same preset (same config, seeded weights).

The backends' own progress lines are kept out of the output (only this script's lines print).

The figures are medians over the timed steps (per-step rates); ratio = backend / minimal,
goal >= 0.8 for the torch backend (issue #17).

    .venv/bin/python -P bench/rl.py [--quick] [--steps N] [--length L] [--rounds R] [--no-tunix]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Keep bench/ off sys.path: bench/datasets.py would shadow the ``datasets`` library TRL imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import contextlib
import io
import itertools
import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import orjson
import torch

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, render_prompt
from tunix_rt.errors import InvalidInput
from tunix_rt.training import tiny
from tunix_rt.training.__main__ import run_training
from tunix_rt.training.config import load_config
from tunix_rt.training.rl.config import RewardSpec
from tunix_rt.training.rl.rewards import build_rewards

TEMPLATE, STYLE = ChatTemplate.CHATML, TraceStyle.NUMBERED


@dataclass
class Timed:
    """Per timed step: completion tokens, rollout seconds, whole-step seconds."""

    tokens: list[int] = field(default_factory=list)
    rollout_s: list[float] = field(default_factory=list)
    step_s: list[float] = field(default_factory=list)

    def tokens_per_s(self) -> float:
        return statistics.median(t / s for t, s in zip(self.tokens, self.rollout_s, strict=True))

    def steps_per_s(self) -> float:
        return 1.0 / statistics.median(self.step_s)


def problems(n: int) -> list[dict[str, str]]:
    """Eval-set-shaped prompts (``prompt`` + ``expected_answer``)."""
    return [
        {
            "id": f"p{k}",
            "prompt": f"What is {10 + k} + {20 + 2 * k}?",
            "expected_answer": str(30 + 3 * k),
        }
        for k in range(n)
    ]


def save_model(preset: str, rows: list[dict[str, str]], where: Path) -> Path:
    """A seeded random preset and its tokenizer as a model directory both sides load."""
    texts = [render_prompt(r["prompt"], template=TEMPLATE) for r in rows]
    tok = tiny.build_tokenizer(texts, template=TEMPLATE, style=STYLE)
    torch.manual_seed(0)
    model = tiny.build_model(
        preset,
        len(tok),
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    model.save_pretrained(where)
    tok.save_pretrained(where)
    return where


def completion_tokens(comp: torch.Tensor, eos: int) -> int:
    """Tokens per row up to and including the first end token (all of them when none)."""
    is_end = comp == eos
    ended = is_end.any(dim=1)
    first = is_end.int().argmax(dim=1) + 1
    return int(torch.where(ended, first, torch.full_like(first, comp.shape[1])).sum())


@torch.no_grad()
def hand_sample(
    model: Any, ids: torch.Tensor, attn: torch.Tensor, max_new: int, eos: int, pad: int
) -> torch.Tensor:
    """KV-cached batched sampling at temperature 1 (no top-k/top-p): (B, T) completion ids."""
    pos = (attn.cumsum(1) - 1).clamp(min=0)
    out = model(input_ids=ids, attention_mask=attn, position_ids=pos, use_cache=True)
    cache, logits = out.past_key_values, out.logits[:, -1]
    done = torch.zeros(ids.shape[0], dtype=torch.bool)
    nxt_pos = pos[:, -1:] + 1
    tokens: list[torch.Tensor] = []
    for _ in range(max_new):
        nxt = torch.multinomial(torch.softmax(logits.float(), -1), 1).squeeze(1)
        nxt = torch.where(done, torch.full_like(nxt, pad), nxt)
        tokens.append(nxt)
        done |= nxt == eos
        if bool(done.all()) or len(tokens) == max_new:
            break
        attn = torch.cat([attn, torch.ones_like(attn[:, :1])], dim=1)
        out = model(
            input_ids=nxt.unsqueeze(1),
            attention_mask=attn,
            position_ids=nxt_pos,
            past_key_values=cache,
            use_cache=True,
        )
        cache, logits = out.past_key_values, out.logits[:, -1]
        nxt_pos = nxt_pos + 1
    return torch.stack(tokens, dim=1)


def dapo_loss(
    model: Any,
    ids: torch.Tensor,
    attn: torch.Tensor,
    comp: torch.Tensor,
    cmask: torch.Tensor,
    adv: torch.Tensor,
) -> torch.Tensor:
    """The dapo policy-gradient loss of one rollout (one update per rollout: ratio 1, beta 0)."""
    full = torch.cat([ids, comp], dim=1)
    full_attn = torch.cat([attn, cmask], dim=1)
    pos = (full_attn.cumsum(1) - 1).clamp(min=0)
    logits = model(input_ids=full, attention_mask=full_attn, position_ids=pos).logits
    logp = torch.log_softmax(logits[:, ids.shape[1] - 1 : -1].float(), -1)
    logp = logp.gather(-1, comp.unsqueeze(-1)).squeeze(-1)
    ratio = torch.exp(logp - logp.detach())
    loss = -(ratio * adv.unsqueeze(1) * cmask).sum() / cmask.sum().clamp(min=1)
    return loss


def minimal(a: argparse.Namespace, model_dir: Path, rows: list[dict[str, str]]) -> Timed:
    """The hand-written GRPO step: sample, reward, group advantages, dapo loss, AdamW."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    (reward,) = build_rewards(
        [RewardSpec(judge="answer_correctness")], style=STYLE, template=TEMPLATE
    )
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    eos, pad = tok.eos_token_id, tok.pad_token_id
    timed = Timed()
    for step in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        batch = [rows[(step * a.prompts + k) % len(rows)] for k in range(a.prompts)]
        texts = [render_prompt(r["prompt"], template=TEMPLATE) for r in batch]
        enc = tok(texts, return_tensors="pt", padding=True)
        ids = enc["input_ids"].repeat_interleave(a.g, 0)
        attn = enc["attention_mask"].repeat_interleave(a.g, 0)
        model.train(False)
        r0 = time.perf_counter()
        comp = hand_sample(model, ids, attn, a.length, eos, pad)
        rollout_s = time.perf_counter() - r0
        model.train()
        is_end = comp == eos
        first = torch.where(is_end.any(1), is_end.int().argmax(1), comp.shape[1])
        cmask = (torch.arange(comp.shape[1]).unsqueeze(0) <= first.unsqueeze(1)).long()
        decoded = [
            tok.decode(comp[r, : int(first[r])].tolist(), skip_special_tokens=True)
            for r in range(comp.shape[0])
        ]
        expected = [r["expected_answer"] for r in batch for _ in range(a.g)]
        rw = torch.tensor(
            reward([t for t in texts for _ in range(a.g)], decoded, expected_answer=expected)
        )
        grouped = rw.view(-1, a.g)
        adv = (rw - grouped.mean(1).repeat_interleave(a.g)) / (
            grouped.std(1).repeat_interleave(a.g) + 1e-4
        )
        loss = dapo_loss(model, ids, attn, comp, cmask, adv)
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step >= a.warmup:
            timed.tokens.append(completion_tokens(comp, eos))
            timed.rollout_s.append(rollout_s)
            timed.step_s.append(time.perf_counter() - t0)
    return timed


@contextmanager
def generate_clock(eos: int) -> Iterator[list[tuple[int, float]]]:
    """Every ``generate`` call while inside: (completion tokens, seconds)."""
    from transformers import GenerationMixin

    calls: list[tuple[int, float]] = []
    original = GenerationMixin.generate

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        given = kwargs.get("input_ids", args[0] if args else None)
        t0 = time.perf_counter()
        out = original(self, *args, **kwargs)
        seconds = time.perf_counter() - t0
        seqs = out if isinstance(out, torch.Tensor) else out.sequences
        width = given.shape[1] if isinstance(given, torch.Tensor) else 0
        calls.append((completion_tokens(seqs[:, width:], eos), seconds))
        return out

    GenerationMixin.generate = timed  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        GenerationMixin.generate = original  # type: ignore[method-assign]


def grpo_config(
    a: argparse.Namespace, model: str, data: Path, out: Path, backend: str
) -> dict[str, Any]:
    """The backend's run: the same step as the minimal loop."""
    return {
        "backend": backend,
        "algorithm": "grpo",
        "model": model,
        "data_path": str(data),
        "template": TEMPLATE.value,
        "style": STYLE.value,
        "max_seq_length": 256,
        "max_steps": a.warmup + a.steps,
        "learning_rate": 1e-5,
        "lr_schedule": "constant",
        "batch_size": a.g * a.prompts,
        "num_threads": a.threads,
        "seed": 0,
        "log_every_steps": 1,
        "output_dir": str(out),
        "rl": {
            "num_generations": a.g,
            "prompts_per_step": a.prompts,
            "max_new_tokens": a.length,
            "temperature": 1.0,
            "top_p": 1.0,
            "beta": 0.0,
            "loss": "dapo",
            "rewards": [{"judge": "answer_correctness"}],
            "samples_prompts": 0,
        },
    }


def _train_events(out: Path) -> list[dict[str, Any]]:
    lines = (out / "metrics.jsonl").read_bytes().splitlines()
    docs = [orjson.loads(line) for line in lines if line.strip()]
    return [d for d in docs if d.get("event") == "train" and "step" in d]


def _step_seconds(events: list[dict[str, Any]], warmup: int) -> list[float]:
    clock = [(int(e["step"]), float(e["elapsed_s"])) for e in events if "elapsed_s" in e]
    return [
        t1 - t0 for (s0, t0), (s1, t1) in itertools.pairwise(clock) if s1 == s0 + 1 and s0 >= warmup
    ]


def torch_backend(a: argparse.Namespace, model_dir: Path, data: Path, eos: int) -> Timed:
    """The torch GRPO backend's run; its generate calls timed by the wrapper."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(grpo_config(a, str(model_dir), data, Path(tmp), "torch"))
        with generate_clock(eos) as calls, contextlib.redirect_stdout(io.StringIO()):
            run_training(cfg, resume=False)
        events = _train_events(Path(tmp))
        timed = Timed(step_s=_step_seconds(events, a.warmup))
    per_step = max(1, len(calls) // (a.warmup + a.steps))
    for tokens, seconds in calls[a.warmup * per_step :]:
        timed.tokens.append(tokens)
        timed.rollout_s.append(seconds)
    return timed


def tunix_refusal(a: argparse.Namespace, data: Path) -> str | None:
    """Why the config refuses ``backend: tunix`` for GRPO (None: accepted)."""
    try:
        load_config(grpo_config(a, "tiny-gemma3", data, Path(tempfile.gettempdir()), "tunix"))
    except InvalidInput as exc:
        return "; ".join(str(p) for p in exc.problems) or exc.message
    return None


def tunix_backend(a: argparse.Namespace, data: Path) -> Timed:
    """The tunix GRPO backend's run: its own rollout time and clock from metrics.jsonl."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(grpo_config(a, "tiny-gemma3", data, Path(tmp), "tunix"))
        with contextlib.redirect_stdout(io.StringIO()):
            run_training(cfg, resume=False)
        events = _train_events(Path(tmp))
    timed = Timed()
    for e in events:
        if int(e["step"]) > a.warmup and e.get("step_time"):
            timed.step_s.append(float(e["step_time"]))
        if int(e["step"]) > a.warmup and e.get("rollout_s") and e.get("rollout_tokens_per_s"):
            timed.rollout_s.append(float(e["rollout_s"]))
            timed.tokens.append(round(float(e["rollout_tokens_per_s"]) * float(e["rollout_s"])))
    return timed


def figure(name: str, value: float, unit: str, baseline: float, goal: str, **shape: Any) -> str:
    return json.dumps(
        {
            "bench": "rl",
            "figure": name,
            "value": round(value, 3),
            "unit": unit,
            "baseline": round(baseline, 3),
            "ratio": round(value / baseline, 3) if baseline > 0 else None,
            "goal": goal,
            **shape,
        }
    )


def round_line(label: str, r: int, mine: Timed, theirs: Timed) -> str:
    """One round's medians (the spread between rounds shows how noisy the box was)."""
    if not (mine.tokens and theirs.tokens and mine.step_s and theirs.step_s):
        return f"{label} round {r + 1}: no timed steps"
    return (
        f"{label} round {r + 1}: minimal {mine.tokens_per_s():,.0f} tokens/s "
        f"{mine.steps_per_s():.3f} steps/s; backend {theirs.tokens_per_s():,.0f} tokens/s "
        f"{theirs.steps_per_s():.3f} steps/s"
    )


def merge(parts: list[Timed]) -> Timed:
    out = Timed()
    for p in parts:
        out.tokens += p.tokens
        out.rollout_s += p.rollout_s
        out.step_s += p.step_s
    return out


def compare(label: str, mine: Timed, theirs: Timed, goal: str, shape: dict[str, Any]) -> None:
    if not theirs.tokens or not theirs.step_s:
        print(
            f"{label}: no timed steps (rollouts {len(theirs.tokens)}, steps {len(theirs.step_s)})"
        )
        return
    tm, tt = mine.tokens_per_s(), theirs.tokens_per_s()
    sm, st = mine.steps_per_s(), theirs.steps_per_s()
    print(
        f"{label}: rollout {tt:,.0f} tokens/s vs minimal {tm:,.0f} ({tt / tm:.2f}); "
        f"{st:.3f} steps/s vs minimal {sm:.3f} ({st / sm:.2f})"
    )
    print(figure(f"rollout_tokens_per_s_{label}", tt, "tokens/s", tm, goal, **shape))
    print(figure(f"rl_steps_per_s_{label}", st, "steps/s", sm, "report", **shape))


def main() -> None:
    """Alternate the minimal loop and each backend; print the medians and the figure lines."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a smoke-sized run")
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--g", type=int, default=4)
    p.add_argument("--prompts", type=int, default=4)
    p.add_argument("--length", type=int, default=48)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds of each")
    p.add_argument("--no-tunix", action="store_true", help="skip the tunix backend")
    a = p.parse_args()
    if a.quick:
        a.steps, a.warmup, a.length, a.rounds = 2, 1, 16, 1
    torch.set_num_threads(a.threads)
    rows = problems(64)
    shape = {"g": a.g, "prompts": a.prompts, "length": a.length, "threads": a.threads}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "prompts.jsonl"
        data.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
        model_dir = save_model("tiny-llama", rows, Path(tmp) / "tiny-llama")
        from transformers import AutoTokenizer

        eos = int(AutoTokenizer.from_pretrained(model_dir).eos_token_id)
        mine: list[Timed] = []
        theirs: list[Timed] = []
        for r in range(a.rounds):
            mine.append(minimal(a, model_dir, rows))
            theirs.append(torch_backend(a, model_dir, data, eos))
            torch.set_num_threads(a.threads)  # the run set its own; the same number
            print(round_line("torch", r, mine[-1], theirs[-1]), flush=True)
        compare("torch", merge(mine), merge(theirs), ">= 0.8", shape)
        refusal = None if not a.no_tunix else "--no-tunix"
        refusal = refusal or tunix_refusal(a, data)
        if refusal is not None:
            print(f"tunix backend skipped: {refusal}")
            return
        gemma_dir = save_model("tiny-gemma3", rows, Path(tmp) / "tiny-gemma3")
        mine_g: list[Timed] = []
        theirs_g: list[Timed] = []
        for r in range(a.rounds):
            mine_g.append(minimal(a, gemma_dir, rows))
            theirs_g.append(tunix_backend(a, data))
            print(round_line("tunix", r, mine_g[-1], theirs_g[-1]), flush=True)
        compare("tunix", merge(mine_g), merge(theirs_g), "report", shape)


if __name__ == "__main__":
    main()
