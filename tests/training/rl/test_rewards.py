"""Judges as rewards: the TRL/Tunix signature, process credit, unparseable output."""

import pytest

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, render_example
from tunix_rt.evaluation.judges import Verdict
from tunix_rt.training.rl.config import RewardSpec
from tunix_rt.training.rl.rewards import build_rewards, process_credit, score_all

STYLE, TEMPLATE = TraceStyle.NUMBERED, ChatTemplate.CHATML


def _fns(*specs: RewardSpec):  # type: ignore[no-untyped-def]
    return build_rewards(specs, style=STYLE, template=TEMPLATE)


def _numbered(steps: list[str], answer: str) -> str:
    """A completion exactly as training renders it (end-of-turn marker included)."""
    return render_example("q", steps, answer, template=TEMPLATE, style=STYLE).completion


def test_a_judge_is_a_reward_function_with_dataset_columns_as_keywords() -> None:
    (fn,) = _fns(RewardSpec(judge="answer_correctness"))
    assert fn.__name__ == "answer_correctness"
    out = fn(
        ["What is 2 + 3?", "What is 2 + 3?"],
        [_numbered(["2+3=5"], "5"), _numbered(["2+3=6"], "6")],
        expected_answer=["5", "5"],
    )
    assert out == [1.0, 0.0]
    # TRL's conversational completions: a list of messages.
    assert fn(["q"], [[{"role": "assistant", "content": "Answer: 5"}]], expected_answer=["5"])


def test_unparseable_output_gets_the_judges_unparseable_score() -> None:
    fns = _fns(
        RewardSpec(judge="answer_correctness"),
        RewardSpec(judge="format"),
        RewardSpec(judge="step_check", mode="outcome"),
        RewardSpec(judge="step_check", mode="process"),
    )
    for fn in fns:
        assert fn(["q"], ["#@!~"], expected_answer=["5"]) == [0.0]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["2+3=5", "5*2=10", "10-1=9"], 1.0),  # all right
        (["2+3=5", "5*2=11", "11-1=10"], 1 / 3),  # first wrong at step 2 of 3: (2 - 1) / 3
        (["2+3=6", "6*2=12", "12-1=11"], 0.0),  # wrong from the first step
    ],
)
def test_process_mode_credits_the_steps_before_the_first_wrong_one(
    steps: list[str], expected: float
) -> None:
    (fn,) = _fns(RewardSpec(judge="step_check", mode="process"))
    assert fn(["q"], [_numbered(steps, "9")], expected_answer=["9"]) == [pytest.approx(expected)]


def test_process_credit_of_a_skipped_verdict_is_zero() -> None:
    assert process_credit(Verdict(None, "no_steps")) == 0.0


def test_score_all_weights_the_judges_and_reports_the_first_wrong_step() -> None:
    fns = _fns(RewardSpec(judge="answer_correctness"), RewardSpec(judge="format", weight=0.1))
    texts = [_numbered(["2+3=5", "5*2=10"], "10"), _numbered(["2+3=5", "5*2=11"], "11")]
    scored = score_all(fns, ["q", "q"], texts, expected_answer=["10", "10"])
    assert scored.total == [pytest.approx(1.1), pytest.approx(0.1)]
    assert scored.per_judge == {"answer_correctness": [1.0, 0.0], "format": [1.0, 1.0]}
    assert scored.first_wrong == [None, 2]  # step_check read for the samples, not rewarded


def test_a_judge_listed_twice_keeps_a_series_each() -> None:
    fns = _fns(RewardSpec(judge="step_check"), RewardSpec(judge="step_check", mode="process"))
    assert [fn.__name__ for fn in fns] == ["step_check", "step_check_process"]
    scored = score_all(fns, ["q"], [_numbered(["2+3=5", "5*2=11"], "11")], expected_answer=["10"])
    assert scored.per_judge == {"step_check": [0.0], "step_check_process": [0.5]}
