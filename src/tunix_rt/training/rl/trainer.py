"""TRL's ``GRPOTrainer``, with what our runs need and TRL 1.16 does not have.

- The prompt is the question; the trainer renders it in the run's template and system prompt
  and cuts it from the left to ``max_seq_length - max_new_tokens`` tokens (TRL has no limit).
- Each reward function also reads a ``truncated`` column: the completion hit
  ``max_new_tokens`` without its end-of-turn token.
- ``filter_zero_std`` (DAPO's dynamic sampling, without resampling): the groups whose G rewards
  are all equal get no weight in the loss and are not counted in its normalisation (``dapo``:
  their tokens leave the token count; ``grpo``/``dr_grpo``: their completions leave the count of
  completions). A step whose groups are all dropped changes no weight and no optimizer state.
- ``samples.jsonl``: where TRL holds the completions, their rewards and advantages.
- Our optimizer (``make_optimizer``) and schedule (``lr_factor``, the SFT recipe's), built
  over the policy TRL wrapped (the LoRA adapter's parameters when ``lora:`` is set).
- A sampler whose order depends on (seed, epoch) only, so a resumed run draws the same prompts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence, Sized
from dataclasses import dataclass
from typing import Any, cast

import torch
from trl.trainer.grpo_config import GRPOConfig
from trl.trainer.grpo_trainer import GRPOTrainer
from trl.trainer.utils import RepeatSampler

from tunix_rt.datasets.render import render_prompt
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.rl.rewards import JudgeReward, score_all
from tunix_rt.training.rl.samples import Completion, PromptSamples, SamplesLog
from tunix_rt.training.schedule import lr_factor
from tunix_rt.training.torch_recipe import make_optimizer


class EpochSampler(RepeatSampler):
    """TRL's ``RepeatSampler`` (each prompt G times, whole batches of prompts) whose order is a
    function of ``seed + epoch``: the Trainer calls ``set_epoch``, so a resumed run that skips
    the batches it already trained continues the same order, in any epoch."""

    epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Called by the Trainer (through accelerate's loader) before each epoch."""
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator().manual_seed(int(self.seed or 0) + self.epoch)
        order = torch.randperm(self.num_samples, generator=generator).tolist()
        whole = len(order) - len(order) % self.batch_size
        for start in range(0, whole, self.batch_size):
            for _ in range(self.repeat_count):
                for index in order[start : start + self.batch_size]:
                    yield from [index] * self.mini_repeat_count


@dataclass
class StepInfo:
    """What the trainer saw while building the latest step's batch (for metrics.jsonl)."""

    prompt_ids: list[str]
    groups: int
    kept_groups: int


class JudgeGRPOTrainer(GRPOTrainer):
    """``GRPOTrainer`` driven by a ``TrainConfig`` with ``rl:`` (see the module docstring)."""

    def __init__(
        self,
        *,
        run_cfg: TrainConfig,
        judges: Sequence[JudgeReward],
        samples: SamplesLog,
        clock: Callable[[], float],
        total_steps: int | None,
        **kwargs: Any,
    ) -> None:
        assert run_cfg.rl is not None
        self.run_cfg = run_cfg
        self.rl = run_cfg.rl
        self.judges = list(judges)
        self.samples = samples
        self.clock = clock
        self.total_steps = total_steps
        self.max_prompt_tokens = max(8, run_cfg.max_seq_length - run_cfg.rl.max_new_tokens)
        self.step_info: StepInfo | None = None
        self.skip_update = False  # every group of the step was dropped by filter_zero_std
        self._scored: tuple[list[dict[str, Any]], list[Any], list[Any], torch.Tensor] | None = None
        # JudgeReward returns list[float]: TRL's RewardFunc (list[float | None]) by variance only.
        funcs: list[Any] = list(judges)
        super().__init__(reward_funcs=funcs, **kwargs)

    # -- what TRL has no setting for ----------------------------------------------------------

    def create_model_card(self, *args: Any, **kwargs: Any) -> None:
        """No README model card in the checkpoints: the run manifest describes the run."""

    def create_optimizer(self, model: torch.nn.Module | None = None) -> torch.optim.Optimizer:
        """The SFT recipe's optimizer (AdamW or SGD, no decay on norms and biases)."""
        if self.optimizer is None:
            assert self.model is not None
            self.optimizer = make_optimizer(self.model, self.run_cfg)
        optimizer: torch.optim.Optimizer = self.optimizer
        return optimizer

    def create_scheduler(
        self, num_training_steps: int, optimizer: torch.optim.Optimizer | None = None
    ) -> torch.optim.lr_scheduler.LRScheduler:
        """``lr_factor`` per step: warmup, then the schedule over ``total_steps`` (or, with only
        ``time_budget_s``, over the budget's elapsed share), as in SFT."""
        cfg, total = self.run_cfg, self.total_steps

        def factor(step: int) -> float:
            progress = self.clock() / cfg.time_budget_s if cfg.time_budget_s else 0.0
            return lr_factor(cfg, step, total, progress)

        if self.lr_scheduler is None:
            target = optimizer or self.optimizer
            assert target is not None
            self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(target, factor)
        scheduler: torch.optim.lr_scheduler.LRScheduler = self.lr_scheduler
        return scheduler

    def _get_train_sampler(self, dataset: Any = None) -> EpochSampler:
        args = self.args
        assert isinstance(args, GRPOConfig)
        g = self.rl.num_generations
        return EpochSampler(
            data_source=cast(Sized, self.train_dataset if dataset is None else dataset),
            mini_repeat_count=g,
            batch_size=int(args.generation_batch_size or 0) // g,
            repeat_count=self.num_iterations * int(args.steps_per_generation or 1),
            shuffle=True,
            seed=self.args.seed,
        )

    def _tokenize_prompts(self, prompts: list[Any]) -> tuple[list[list[int]], Any, Any]:
        cfg = self.run_cfg
        texts = [render_prompt(p, template=cfg.template, system=cfg.system_prompt) for p in prompts]
        ids, images, fields = super()._tokenize_prompts(texts)
        # Keep the end of a long prompt: it holds the model's turn opener.
        return [list(p)[-self.max_prompt_tokens :] for p in ids], images, fields

    def _calculate_rewards(
        self,
        inputs: list[dict[str, Any]],
        prompts: list[Any],
        completions: list[Any],
        completion_ids_list: list[list[int]],
    ) -> torch.Tensor:
        ends = set(self.eos_token_ids)
        rows = [
            {**row, "truncated": not ids or ids[-1] not in ends}
            for row, ids in zip(inputs, completion_ids_list, strict=True)
        ]
        rewards: torch.Tensor = super()._calculate_rewards(
            rows, prompts, completions, completion_ids_list
        )
        self._scored = (rows, prompts, completions, rewards)
        return rewards

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = super()._generate_and_score_completions(inputs)
        if self.model is None or not self.model.training or self._scored is None:
            return out
        rows, prompts, completions, per_func = self._scored
        self._scored = None
        g = self.rl.num_generations
        total = (per_func * self.reward_weights.to(per_func.device).unsqueeze(0)).nansum(dim=1)
        group_std = total.view(-1, g).std(dim=1)
        zero = torch.isclose(group_std, torch.zeros_like(group_std))
        keep = ~zero if self.rl.filter_zero_std else torch.ones_like(zero)
        kept = int(keep.sum())
        self.step_info = StepInfo([str(r["id"]) for r in rows[::g]], int(zero.numel()), kept)
        self.skip_update = kept == 0
        if self.rl.filter_zero_std:
            _drop_groups(out, keep.repeat_interleave(g), self.loss_type)
        step = self.state.global_step + 1
        if self.rl.samples_prompts and (step % self.rl.samples_every_steps == 0 or step == 1):
            self.samples.write(self._samples(step, rows, prompts, completions, per_func, out))
        return out

    def compute_loss(
        self,
        model: torch.nn.Module,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: Any = None,
    ) -> torch.Tensor:
        loss: torch.Tensor = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        scale = inputs.get("loss_scale")
        return loss if scale is None else loss * scale

    # -- samples.jsonl ------------------------------------------------------------------------

    def _samples(
        self,
        step: int,
        rows: list[dict[str, Any]],
        prompts: list[Any],
        completions: list[Any],
        per_func: torch.Tensor,
        out: dict[str, Any],
    ) -> list[PromptSamples]:
        g = self.rl.num_generations
        n = min(self.rl.samples_prompts, len(rows) // g) * g
        if n == 0:
            return []
        columns = {k: [r.get(k) for r in rows[:n]] for k in ("expected_answer", "id", "category")}
        columns["difficulty"] = [r.get("difficulty") for r in rows[:n]]
        columns["truncated"] = [r["truncated"] for r in rows[:n]]
        first_wrong = score_all(self.judges, prompts[:n], completions[:n], **columns).first_wrong
        names = self.reward_func_names
        weights = self.reward_weights.tolist()
        adv = out["advantages"].tolist()
        lengths = out["completion_mask"].sum(dim=1).tolist()
        entries = []
        for start in range(0, n, g):
            comps = []
            for r in range(start, start + g):
                scores = [float(v) for v in per_func[r].tolist()]
                comps.append(
                    Completion(
                        text=str(completions[r]),
                        rewards=dict(zip(names, scores, strict=True)),
                        reward=sum(w * v for w, v in zip(weights, scores, strict=True)),
                        advantage=float(adv[r]),
                        first_wrong_step=first_wrong[r],
                        tokens=int(lengths[r]),
                        clipped=bool(rows[r]["truncated"]),
                    )
                )
            row = rows[start]
            entries.append(
                PromptSamples(
                    step, str(row["id"]), str(prompts[start]), str(row["expected_answer"]), comps
                )
            )
        return entries


def _drop_groups(out: dict[str, Any], keep_rows: torch.Tensor, loss_type: str) -> None:
    """Take the dropped rows out of the loss and of its normalisation.

    TRL multiplies the completion mask by ``tool_mask`` wherever the loss reads it, so a zero
    there removes a completion's tokens from the loss, the KL and the token count ``dapo``
    divides by (``num_items_in_batch``). ``grpo`` and ``dr_grpo`` divide by the number of
    completions instead: ``loss_scale`` (applied in ``compute_loss``) turns ``1/B`` into
    ``1/kept``.
    """
    mask = out["completion_mask"]
    keep = keep_rows.to(mask.device, mask.dtype).unsqueeze(1)
    tool_mask = out.get("tool_mask")
    out["tool_mask"] = keep.expand_as(mask).clone() if tool_mask is None else tool_mask * keep
    loss_mask = mask * out["tool_mask"]
    out["num_items_in_batch"] = loss_mask.sum()
    kept = float(keep.sum())
    if loss_type in ("grpo", "dr_grpo"):
        scale = keep.numel() / kept if kept else 0.0
        out["loss_scale"] = torch.tensor(scale, device=mask.device)
