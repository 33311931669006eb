"""``step_check``: is the arithmetic written in the reasoning steps right? Score 0 or 1.

Steps are parsed with the renderer's parser and every ``a op b = c`` claim is re-computed
exactly by ``traces.stepcheck.check_steps`` (the trace scorer uses the same function). Labels:
``all_correct`` (1), ``wrong_step`` (0; the first wrong step is reported), and the skipped
``no_arithmetic`` (steps hold no checkable claim), ``no_steps`` and ``unknown_style``.
"""

from __future__ import annotations

from tunix_rt.datasets.render import parse_completion
from tunix_rt.evaluation.judges.extract import strip_end_marker
from tunix_rt.evaluation.judges.types import JudgeItem, JudgeSpec, Prediction, Verdict
from tunix_rt.traces.stepcheck import check_steps

NAME = "step_check"
VERSION = "1.1"
SCORE_RANGE = (0.0, 1.0)


def judge(item: JudgeItem, prediction: Prediction) -> Verdict:
    """1 when every arithmetic claim in the steps holds; 0 with the first wrong step otherwise."""
    if prediction.style is None:
        return Verdict(None, "unknown_style", None, "the trace style of the run is unknown")
    parsed = parse_completion(strip_end_marker(prediction.text), style=prediction.style)
    if not parsed.steps:
        return Verdict(None, "no_steps", None, "the output has no reasoning steps")
    result = check_steps(parsed.steps)
    claims = len(result.verdicts)
    details: dict[str, object] = {"steps": len(parsed.steps), "checked": result.checked}
    details["claims"] = claims
    details["wrong"] = len(result.wrong)
    if claims == 0:
        return Verdict(None, "no_arithmetic", None, "no checkable arithmetic in the steps", details)
    first = result.first_wrong
    if first is None:
        return Verdict(1.0, "all_correct", None, "", details)
    details["first_wrong"] = {
        "step": first.index + 1,
        "expression": first.expression,
        "claimed": first.claimed,
        "actual": first.actual,
    }
    reason = f"step {first.index + 1}: {first.expression} = {first.actual}, not {first.claimed}"
    return Verdict(0.0, "wrong_step", parsed.steps[first.index], reason, details)


SPEC = JudgeSpec(
    name=NAME,
    version=VERSION,
    score_range=SCORE_RANGE,
    description="Every arithmetic claim in the reasoning steps re-computes exactly (1) or not (0).",
    fn=judge,
)
