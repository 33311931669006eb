"""``format``: does the output follow the trace style the model was trained on? Score 0 or 1.

Uses the renderer's own parser (``datasets.render.parse_completion``), so "well formed" means
exactly "what training taught": tags opened and closed, steps present (except the
``answer_only`` style), an answer present, and nothing after the answer line. Labels:
``well_formed``, ``malformed``, ``truncated`` (malformed because the token limit was hit), and
``unknown_style`` (skipped: the run did not record its trace style).
"""

from __future__ import annotations

from tunix_rt.datasets.render import TraceStyle, parse_completion
from tunix_rt.evaluation.judges.extract import strip_end_marker
from tunix_rt.evaluation.judges.types import JudgeItem, JudgeSpec, Prediction, Verdict

NAME = "format"
VERSION = "1.0"
SCORE_RANGE = (0.0, 1.0)


def judge(item: JudgeItem, prediction: Prediction) -> Verdict:
    """1 when the output parses cleanly in its trace style, else 0 with the problems listed."""
    if prediction.style is None:
        return Verdict(None, "unknown_style", None, "the trace style of the run is unknown")
    text = strip_end_marker(prediction.text)
    parsed = parse_completion(text, style=prediction.style)
    problems = list(parsed.problems)
    answer = (parsed.answer or "").strip()
    if parsed.answer is not None and not answer:
        problems.append("empty answer")
    if "\n" in answer:
        problems.append("text after the answer")
    needs_steps = prediction.style is not TraceStyle.ANSWER_ONLY
    if needs_steps and not parsed.steps and "no reasoning steps" not in problems:
        problems.append("no reasoning steps")
    details = {"problems": problems, "steps": len(parsed.steps)}
    extracted = answer.split("\n", 1)[0] if answer else None
    if not problems and parsed.well_formed:
        return Verdict(1.0, "well_formed", extracted, "", details)
    label = "truncated" if prediction.truncated else "malformed"
    return Verdict(0.0, label, extracted, "; ".join(problems) or "not well formed", details)


SPEC = JudgeSpec(
    name=NAME,
    version=VERSION,
    score_range=SCORE_RANGE,
    description="Output follows the trained trace style (tags closed, steps and answer present).",
    fn=judge,
)
