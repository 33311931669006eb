"""What the tunix GRPO recipe adds around Tunix's own ``GRPOLearner``: the judges as weighted
reward functions, a record of every rollout, ``filter_zero_std``, and the per-step events.

Tunix computes the rollout, the advantages and the loss; this module only watches (and, for
``filter_zero_std``, masks the completions of zero-std groups out of the loss aggregation).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tunix.rl import rl_cluster as rl_cluster_lib
from tunix.rl.grpo import grpo_learner

from tunix_rt.training.rl.rewards import JudgeReward, first_wrong_step, step_checker
from tunix_rt.training.tunix_backend.sampling import SamplerTokenizer

# The dataset columns the recipe puts beside ``prompts`` (what the judges read).
COLUMNS = ("question", "expected_answer", "id", "category", "difficulty")


class RolloutTokenizer(SamplerTokenizer):
    """The sampler's tokenizer, remembering each decoded completion's length in tokens.

    Tunix's sampler cuts every completion at its end-of-turn token and decodes it; the reward
    functions see only text, so the judges' ``truncated`` flag comes from these lengths.
    """

    def __init__(self, tokenizer: Any) -> None:
        super().__init__(tokenizer)
        self.lengths: list[int] = []

    def decode(self, ids: list[int]) -> str:
        self.lengths.append(len(ids))
        return super().decode(ids)

    def take(self, n: int) -> list[int]:
        """The lengths of the last ``n`` decoded completions (the batch being scored)."""
        out, self.lengths = self.lengths[-n:], []
        return out


@dataclass
class Rollout:
    """One scored micro-batch of completions (G consecutive rows per prompt)."""

    step: int
    texts: list[str]
    columns: dict[str, list[Any]]
    scores: dict[str, list[float]] = field(default_factory=dict)
    total: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    prompt_tokens: int = 0
    advantages: list[float] = field(default_factory=list)
    zero_std: list[bool] = field(default_factory=list)  # per group
    first_wrong: list[int | None] = field(default_factory=list)
    started: float = 0.0
    rollout_s: float = 0.0


def _plain(value: Any) -> Any:
    text = str(value)
    return text if text else None


class Recorder:
    """Every rollout of the run, by the step it trains; fed by the rewards and the learner."""

    def __init__(
        self, rewards: Sequence[JudgeReward], tokenizer: RolloutTokenizer, max_new_tokens: int
    ) -> None:
        self.rewards = list(rewards)
        self.tokenizer = tokenizer
        self.max_new_tokens = max_new_tokens
        self.by_step: dict[int, list[Rollout]] = {}
        self.current_step: Callable[[], int] = lambda: 0
        self.pending: Rollout | None = None
        self.reward_s = 0.0

    def reward_fns(self) -> list[Callable[..., list[float]]]:
        """One weighted reward function per ``rl.rewards`` entry, in Tunix's signature."""
        return [_Weighted(self, i, fn.__name__) for i, fn in enumerate(self.rewards)]

    def score(
        self, index: int, key: str, completions: Sequence[str], kw: dict[str, Any]
    ) -> list[float]:
        """Judge ``completions`` with reward ``index``; returns the weighted scores."""
        t0 = time.perf_counter()
        if index == 0:
            n = len(completions)
            columns = {c: [_plain(v) for v in kw[c]] for c in COLUMNS}
            lengths = self.tokenizer.take(n)
            self.pending = Rollout(self.current_step() + 1, list(completions), columns)
            self.pending.lengths = lengths
            self.pending.total = [0.0] * n
        rollout = self.pending
        assert rollout is not None
        fn = self.rewards[index]
        truncated = [n >= self.max_new_tokens for n in rollout.lengths]
        verdicts = fn.verdicts(
            rollout.columns["question"],
            completions,
            expected_answer=rollout.columns["expected_answer"],
            id=rollout.columns["id"],
            category=rollout.columns["category"],
            difficulty=rollout.columns["difficulty"],
            truncated=truncated,
        )
        scores = [fn.score(v) for v in verdicts]
        rollout.scores[key] = scores
        weighted = [fn.spec.weight * s for s in scores]
        rollout.total = [t + w for t, w in zip(rollout.total, weighted, strict=True)]
        if fn.spec.judge == "step_check":
            rollout.first_wrong = [first_wrong_step(v) for v in verdicts]
        self.reward_s += time.perf_counter() - t0
        return weighted

    def first_wrong(self, rollout: Rollout) -> list[int | None]:
        """step_check's first wrong step per completion, whether or not it is a reward."""
        if rollout.first_wrong or not self.rewards:
            return rollout.first_wrong or [None] * len(rollout.texts)
        style, template = self.rewards[0].style, self.rewards[0].template
        check = step_checker(style, template)
        cols = rollout.columns
        verdicts = check.verdicts(
            cols["question"], rollout.texts, expected_answer=cols["expected_answer"], id=cols["id"]
        )
        return [first_wrong_step(v) for v in verdicts]

    def finish(self, example: Any, generations: int, started: float) -> Rollout:
        """Complete the pending rollout with what Tunix computed from it."""
        rollout = self.pending
        assert rollout is not None
        self.pending = None
        rollout.advantages = [float(a) for a in np.asarray(example.advantages)]
        rollout.prompt_tokens = int(np.asarray(example.prompt_mask).sum())
        groups = np.asarray(rollout.total).reshape(-1, generations)
        rollout.zero_std = [bool(np.isclose(g, g[0]).all()) for g in groups]
        rollout.started = started
        rollout.rollout_s = time.perf_counter() - started - self.reward_s
        self.reward_s = 0.0
        self.by_step.setdefault(rollout.step, []).append(rollout)
        return rollout


@dataclass(frozen=True)
class _Weighted:
    """``weight x judge`` as a reward function; ``__name__`` is Tunix's metric key."""

    recorder: Recorder
    index: int
    key: str

    @property
    def __name__(self) -> str:
        return self.key

    def __call__(
        self, prompts: Sequence[str], completions: Sequence[str], **kwargs: Any
    ) -> list[float]:
        return self.recorder.score(self.index, self.key, list(completions), kwargs)


class Learner(grpo_learner.GRPOLearner):  # type: ignore[misc]
    """Tunix's GRPO learner, recording each rollout; with ``filter_zero_std``, the completions
    of groups whose G rewards are all equal leave the loss (their completion mask is zeroed,
    so Tunix's aggregation counts neither their tokens nor their rows)."""

    def __init__(self, *args: Any, recorder: Recorder, filter_zero_std: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.recorder = recorder
        self.filter_zero_std = filter_zero_std

    def _generate_and_compute_advantage(
        self, training_input: Any, mode: Any = rl_cluster_lib.Mode.TRAIN
    ) -> Any:
        started = time.perf_counter()
        example = super()._generate_and_compute_advantage(training_input, mode)
        if mode != rl_cluster_lib.Mode.TRAIN:
            return example
        g = self.algo_config.num_generations
        rollout = self.recorder.finish(example, g, started)
        if self.filter_zero_std and any(rollout.zero_std):
            keep = np.repeat(~np.asarray(rollout.zero_std), g)
            mask = np.asarray(example.completion_mask) * keep[:, None]
            example = example.replace(completion_mask=mask.astype(bool))
        return example
