"""Judges as rewards: one adapter from ``(JudgeItem, Prediction) -> Verdict`` to the signature
TRL and Tunix call, ``fn(prompts, completions, **kwargs) -> list[float]``.

Dataset columns arrive as keyword arguments (lists, one value per completion):
``expected_answer`` (required), and optionally ``id``, ``category``, ``difficulty`` and
``truncated``. A verdict whose score is None (the judge skipped the output: no steps, no
arithmetic) is reward 0, the score a judge gives output it cannot parse.

``step_check`` in ``process`` mode gives partial credit up to the first wrong step: with ``n``
steps and the first wrong one at step ``k`` (1-based) the reward is ``(k - 1) / n``; all steps
right is 1, no checkable steps is 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.evaluation.judges import JUDGES, JudgeFn, JudgeItem, Prediction, Verdict
from tunix_rt.training.rl.config import RewardSpec


def _text(completion: Any) -> str:
    """A completion in TRL's standard (str) or conversational (list of messages) format."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], Mapping):
        return str(completion[-1].get("content", ""))
    return str(completion)


def _column(kwargs: Mapping[str, Any], key: str, n: int) -> list[Any]:
    value = kwargs.get(key)
    if value is None:
        return [None] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"reward column {key!r} has {len(values)} values for {n} completions")
    return values


def process_credit(verdict: Verdict) -> float:
    """step_check's partial credit: the share of steps before the first wrong one."""
    if verdict.score is None:
        return 0.0
    if verdict.score >= 1.0:
        return 1.0
    first = verdict.details.get("first_wrong")
    steps = int(verdict.details.get("steps") or 0)
    if not isinstance(first, Mapping) or steps <= 0:
        return 0.0
    return (int(first["step"]) - 1) / steps


def first_wrong_step(verdict: Verdict) -> int | None:
    """The 1-based step a step_check verdict found wrong, if any."""
    first = verdict.details.get("first_wrong")
    return int(first["step"]) if isinstance(first, Mapping) else None


@dataclass(frozen=True)
class JudgeReward:
    """A registered judge as a reward function (``__name__`` is TRL's metric key: the judge, or
    ``<judge>_<mode>`` for the second entry of a judge listed twice)."""

    spec: RewardSpec
    judge: JudgeFn
    style: TraceStyle
    template: ChatTemplate
    name: str | None = None  # None: the judge's name

    @property
    def __name__(self) -> str:
        return self.name or self.spec.judge

    def verdicts(
        self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any
    ) -> list[Verdict]:
        """The judge's verdict on each completion."""
        n = len(completions)
        expected = _column(kwargs, "expected_answer", n)
        ids = _column(kwargs, "id", n)
        cats = _column(kwargs, "category", n)
        diffs = _column(kwargs, "difficulty", n)
        cut = _column(kwargs, "truncated", n)
        out: list[Verdict] = []
        for k in range(n):
            item = JudgeItem(
                id=str(ids[k] if ids[k] is not None else k),
                prompt=_text(prompts[k]),
                expected_answer=str(expected[k] if expected[k] is not None else ""),
                category=cats[k],
                difficulty=diffs[k],
            )
            pred = Prediction(
                _text(completions[k]), bool(cut[k]), style=self.style, template=self.template
            )
            out.append(self.judge(item, pred))
        return out

    def score(self, verdict: Verdict) -> float:
        """The reward of one verdict (unweighted)."""
        if self.spec.mode == "process":
            return process_credit(verdict)
        return 0.0 if verdict.score is None else float(verdict.score)

    def __call__(
        self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any
    ) -> list[float]:
        """TRL's and Tunix's reward signature: one unweighted reward per completion."""
        return [self.score(v) for v in self.verdicts(prompts, completions, **kwargs)]


def build_rewards(
    specs: Sequence[RewardSpec], *, style: TraceStyle, template: ChatTemplate
) -> list[JudgeReward]:
    """One reward function per ``rl.rewards`` entry (names were checked by the config); a judge
    listed twice keeps ``<judge>_<mode>`` as the second one's name, so each has its own series."""
    out: list[JudgeReward] = []
    for spec in specs:
        taken = {fn.__name__ for fn in out}
        name = f"{spec.judge}_{spec.mode}" if spec.judge in taken else None
        out.append(JudgeReward(spec, JUDGES[spec.judge].fn, style, template, name))
    return out


@dataclass(frozen=True)
class Scored:
    """Rewards of a batch of completions: per judge, weighted total, and the first wrong step."""

    per_judge: dict[str, list[float]]
    total: list[float]
    first_wrong: list[int | None]


def score_all(
    rewards: Sequence[JudgeReward],
    prompts: Sequence[str],
    completions: Sequence[str],
    **columns: Any,
) -> Scored:
    """Every reward of every completion; ``total`` is the weighted sum (TRL's default)."""
    n = len(completions)
    per_judge: dict[str, list[float]] = {}
    total = [0.0] * n
    first_wrong: list[int | None] | None = None
    for fn in rewards:
        verdicts = fn.verdicts(prompts, completions, **columns)
        scores = [fn.score(v) for v in verdicts]
        per_judge[fn.__name__] = scores  # a judge listed twice: <judge>_<mode> the second time
        total = [t + fn.spec.weight * s for t, s in zip(total, scores, strict=True)]
        if fn.spec.judge == "step_check":
            first_wrong = [first_wrong_step(v) for v in verdicts]
    if first_wrong is None:  # samples show the first wrong step whether or not it is rewarded
        check = step_checker(*_render(rewards))
        first_wrong = [first_wrong_step(v) for v in check.verdicts(prompts, completions, **columns)]
    return Scored(per_judge, total, first_wrong)


def step_checker(style: TraceStyle, template: ChatTemplate) -> JudgeReward:
    """``step_check`` as a reward of weight 1 (for the first wrong step of samples)."""
    return JudgeReward(RewardSpec(judge="step_check"), JUDGES["step_check"].fn, style, template)


def _render(rewards: Sequence[JudgeReward]) -> tuple[TraceStyle, ChatTemplate]:
    return (
        (rewards[0].style, rewards[0].template)
        if rewards
        else (TraceStyle.NUMBERED, ChatTemplate.CHATML)
    )
