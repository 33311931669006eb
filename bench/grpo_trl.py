# ruff: noqa: E402
"""Seconds per GRPO step: TRL's GRPOTrainer, and the torch backend's recipe on it
(``training/rl/trainer.py``: TRL's trainer with our prompt rendering, optimizer, schedule and
run records), against a minimal hand-written GRPO step.

The same tiny random-weight model (the ``tiny-llama`` preset, char tokenizer), the same G,
prompts per step, completion length (``min_new_tokens = max_new_tokens``, so every completion
has exactly that many tokens), sampling settings, reward (a pure function of the text), loss
(``dapo``, beta 0, one update per rollout) and optimizer (AdamW), on one CPU thread count. The
first ``--warmup`` steps of each are not timed; the median of the rest is reported, over
``--rounds`` alternating rounds of the three. Ends with one JSON line per figure (docs/rl.md,
"TRL's GRPOTrainer and the minimal loop").

    .venv/bin/python -P bench/grpo_trl.py [--quick] [--steps N] [--length L] [--rounds R]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Keep bench/ off sys.path: bench/datasets.py would shadow the ``datasets`` library TRL imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import json
import os
import statistics
import tempfile
import time
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, render_prompt
from tunix_rt.training import tiny


def _prompts(n: int) -> list[str]:
    return [
        render_prompt(f"What is {10 + k} + {20 + 2 * k}?", template=ChatTemplate.CHATML)
        for k in range(n)
    ]


def digit_reward(prompts: list[Any], completions: list[Any], **_: Any) -> list[float]:
    """A cheap reward with spread: the share of digits in the completion."""
    return [sum(c.isdigit() for c in str(t)) / max(len(str(t)), 1) for t in completions]


def _model_and_tokenizer(prompts: list[str]) -> tuple[Any, Any]:
    tok = tiny.build_tokenizer(prompts, template=ChatTemplate.CHATML, style=TraceStyle.NUMBERED)
    torch.manual_seed(0)
    model = tiny.build_model(
        "tiny-llama",
        len(tok),
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    return model, tok


def minimal_steps(a: argparse.Namespace, prompts: list[str]) -> list[float]:
    """The hand-written step: generate, reward, group advantages, dapo loss, AdamW."""
    model, tok = _model_and_tokenizer(prompts)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    times: list[float] = []
    for step in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        batch = [prompts[(step * a.prompts + k) % len(prompts)] for k in range(a.prompts)]
        enc = tok(batch, return_tensors="pt", padding=True)
        ids = enc["input_ids"].repeat_interleave(a.g, 0)
        attn = enc["attention_mask"].repeat_interleave(a.g, 0)
        model.eval()
        with torch.no_grad():
            out = model.generate(
                input_ids=ids,
                attention_mask=attn,
                do_sample=True,
                temperature=1.0,
                top_k=0,
                max_new_tokens=a.length,
                min_new_tokens=a.length,
                pad_token_id=tok.pad_token_id,
            )
        model.train()
        comp = out[:, ids.shape[1] :]
        texts = tok.batch_decode(comp, skip_special_tokens=True)
        r = torch.tensor(digit_reward(batch, texts))
        grouped = r.view(-1, a.g)
        adv = (r - grouped.mean(1).repeat_interleave(a.g)) / (
            grouped.std(1).repeat_interleave(a.g) + 1e-4
        )
        full_attn = torch.cat([attn, torch.ones_like(comp)], dim=1)
        pos = (full_attn.cumsum(1) - 1).clamp(min=0)
        logits = model(input_ids=out, attention_mask=full_attn, position_ids=pos).logits
        logp = torch.log_softmax(logits[:, ids.shape[1] - 1 : -1].float(), -1)
        logp = logp.gather(-1, comp.unsqueeze(-1)).squeeze(-1)
        ratio = torch.exp(logp - logp.detach())
        loss = -(ratio * adv.unsqueeze(1)).sum() / comp.numel()
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - t0)
    return times[a.warmup :]


def trl_steps(a: argparse.Namespace, prompts: list[str]) -> list[float]:
    """TRL's GRPOTrainer, configured to do the same step; step times from a callback."""
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from datasets import Dataset

    model, tok = _model_and_tokenizer(prompts)
    times: list[float] = []

    class Clock(TrainerCallback):  # type: ignore[misc]
        t0 = 0.0

        def on_step_begin(self, *_: Any, **__: Any) -> None:
            self.t0 = time.perf_counter()

        def on_step_end(self, *_: Any, **__: Any) -> None:
            times.append(time.perf_counter() - self.t0)

    n = (a.warmup + a.steps) * a.prompts
    ds = Dataset.from_list([{"prompt": prompts[k % len(prompts)]} for k in range(n)])
    with tempfile.TemporaryDirectory() as out:
        args = GRPOConfig(
            output_dir=out,
            per_device_train_batch_size=a.prompts * a.g,
            num_generations=a.g,
            max_completion_length=a.length,
            generation_kwargs={"min_new_tokens": a.length},
            temperature=1.0,
            top_k=0,
            beta=0.0,
            loss_type="dapo",
            learning_rate=1e-5,
            max_steps=a.warmup + a.steps,
            logging_steps=1,
            report_to="none",
            save_strategy="no",
            use_cpu=True,
            # TRL's defaults are bf16 autocast and gradient checkpointing: the minimal step uses
            # neither (fp32, nothing recomputed), so neither does TRL here.
            bf16=False,
            gradient_checkpointing=False,
            disable_tqdm=True,
            dataloader_num_workers=0,
            seed=0,
        )
        trainer = GRPOTrainer(
            model=model,
            reward_funcs=[digit_reward],
            args=args,
            train_dataset=ds,
            processing_class=tok,
            callbacks=[Clock()],
        )
        trainer.train()
    return times[a.warmup :]


def recipe_steps(a: argparse.Namespace, prompts: list[str]) -> list[float]:
    """The torch backend's trainer as the recipe builds it, with the same reward and shape."""
    from transformers import TrainerCallback

    from tunix_rt.training.config import load_config
    from tunix_rt.training.rl.data import prompt_dataset
    from tunix_rt.training.rl.recipe import grpo_args
    from tunix_rt.training.rl.samples import SamplesLog
    from tunix_rt.training.rl.setup import setup_rl
    from tunix_rt.training.rl.trainer import JudgeGRPOTrainer

    times: list[float] = []

    class Clock(TrainerCallback):  # type: ignore[misc]
        t0 = 0.0

        def on_step_begin(self, *_: Any, **__: Any) -> None:
            self.t0 = time.perf_counter()

        def on_step_end(self, *_: Any, **__: Any) -> None:
            times.append(time.perf_counter() - self.t0)

    with tempfile.TemporaryDirectory() as out:
        data = Path(out) / "prompts.jsonl"
        data.write_text(
            "".join(
                json.dumps({"id": str(k), "prompt": f"What is {10 + k} + {20 + 2 * k}?",
                            "expected_answer": str(30 + 3 * k)}) + "\n"
                for k in range(len(prompts))
            )
        )  # fmt: skip
        steps = a.warmup + a.steps
        cfg = load_config(
            {
                "algorithm": "grpo",
                "model": "tiny-llama",
                "data_path": str(data),
                "output_dir": str(Path(out) / "run"),
                "max_steps": steps,
                "learning_rate": 1e-5,
                "lr_schedule": "constant",
                "batch_size": a.prompts * a.g,
                "num_threads": a.threads,
                "max_seq_length": 256,
                "log_every_steps": steps,
                "rl": {
                    "num_generations": a.g,
                    "prompts_per_step": a.prompts,
                    "max_new_tokens": a.length,
                    "loss": "dapo",
                    "samples_prompts": 0,
                },
            }
        )
        s = setup_rl(cfg, reuse_tokenizer=False)
        args = grpo_args(cfg, s.out_dir, steps)
        args.generation_kwargs = {"min_new_tokens": a.length}
        args.save_strategy = "no"
        trainer = JudgeGRPOTrainer(
            run_cfg=cfg,
            judges=[digit_reward],  # type: ignore[list-item]  # any TRL reward function
            samples=SamplesLog(s.out_dir, max_bytes=1_000, keep_until_step=0),
            clock=lambda: 0.0,
            total_steps=steps,
            model=s.model,
            args=args,
            train_dataset=prompt_dataset(s.prompts),
            processing_class=s.tokenizer,
            callbacks=[Clock()],
        )
        trainer.train()
    return times[a.warmup :]


def main() -> None:
    """Run both, print the medians and the ratio."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a smoke-sized run")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--g", type=int, default=4)
    p.add_argument("--prompts", type=int, default=4)
    p.add_argument("--length", type=int, default=48)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds of each")
    a = p.parse_args()
    if a.quick:
        a.steps, a.warmup, a.length, a.rounds = 3, 1, 16, 1
    torch.set_num_threads(a.threads)
    prompts = _prompts(64)
    mine: list[float] = []
    theirs: list[float] = []
    ours: list[float] = []
    # Alternating rounds share out whatever else the machine is doing between the three.
    for _ in range(a.rounds):
        mine += minimal_steps(a, prompts)
        theirs += trl_steps(a, prompts)
        ours += recipe_steps(a, prompts)
    m, t, r = statistics.median(mine), statistics.median(theirs), statistics.median(ours)
    shape = {"g": a.g, "prompts": a.prompts, "length": a.length, "threads": a.threads}
    print(
        f"minimal loop {m:.3f} s/step, TRL GRPOTrainer {t:.3f} s/step (ratio {t / m:.2f}), "
        f"the torch backend's trainer {r:.3f} s/step (ratio {r / m:.2f})"
    )
    for name, value in (
        ("minimal_s_per_step", m),
        ("trl_s_per_step", t),
        ("trl_ratio", t / m),
        ("recipe_s_per_step", r),
        ("recipe_ratio", r / m),
    ):
        print(json.dumps({"bench": "grpo_trl", "figure": name, "value": round(value, 4), **shape}))


if __name__ == "__main__":
    main()
