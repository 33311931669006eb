"""Judges: pure ``(item, prediction) -> Verdict`` functions, each with a version and score range."""

from __future__ import annotations

from collections.abc import Sequence

from tunix_rt.evaluation.judges import answer_correctness, llm_judge, mock, step_check, trace_format
from tunix_rt.evaluation.judges.types import JudgeFn, JudgeItem, JudgeSpec, Prediction, Verdict

__all__ = [
    "DEFAULT_JUDGES",
    "JUDGES",
    "JudgeFn",
    "JudgeItem",
    "JudgeSpec",
    "Prediction",
    "Verdict",
    "build_judges",
    "unknown_judges",
]


def _llm_placeholder(item: JudgeItem, prediction: Prediction) -> Verdict:
    raise llm_judge.JudgeUnavailable("llm_judge needs an endpoint: use build_judges()")


JUDGES: dict[str, JudgeSpec] = {
    spec.name: spec
    for spec in (
        answer_correctness.SPEC,
        trace_format.SPEC,
        step_check.SPEC,
        JudgeSpec(
            name=llm_judge.NAME,
            version=llm_judge.VERSION,
            score_range=llm_judge.SCORE_RANGE,
            description="Rubric judge on an OpenAI-compatible chat-completions endpoint.",
            fn=_llm_placeholder,
            binary=False,
        ),
        mock.SPEC,
    )
}
# The mock judge is never a default: it measures nothing.
DEFAULT_JUDGES: tuple[str, ...] = ("answer_correctness", "format", "step_check")


def unknown_judges(names: Sequence[str]) -> list[str]:
    """The names that are not judges."""
    return [name for name in names if name not in JUDGES]


def build_judges(
    names: Sequence[str], *, llm_config: llm_judge.LlmJudgeConfig | None = None
) -> tuple[dict[str, JudgeFn], list[llm_judge.LlmJudge]]:
    """Callable judges by name, plus the LLM judges to ``close()`` afterwards."""
    fns: dict[str, JudgeFn] = {}
    to_close: list[llm_judge.LlmJudge] = []
    for name in names:
        if name == llm_judge.NAME:
            judge = llm_judge.LlmJudge(llm_config or llm_judge.LlmJudgeConfig("", ""))
            to_close.append(judge)
            fns[name] = judge
        else:
            fns[name] = JUDGES[name].fn
    return fns, to_close
