"""``mock``: a deterministic judge for tests only (never a default). Score 0 or 1.

The score is a bit of the SHA-256 of the item id and the prediction text, so it is stable
across processes and runs and says nothing about quality.
"""

from __future__ import annotations

import hashlib

from tunix_rt.evaluation.judges.types import JudgeItem, JudgeSpec, Prediction, Verdict

NAME = "mock"
VERSION = "1.0"
SCORE_RANGE = (0.0, 1.0)


def judge(item: JudgeItem, prediction: Prediction) -> Verdict:
    """Pass or fail by a hash of (item id, prediction): deterministic, meaningless."""
    digest = hashlib.sha256(f"{item.id}\0{prediction.text}".encode()).digest()
    passed = digest[0] & 1 == 1
    return Verdict(1.0 if passed else 0.0, "pass" if passed else "fail", None, "mock judge")


SPEC = JudgeSpec(
    name=NAME,
    version=VERSION,
    score_range=SCORE_RANGE,
    description="Test-only deterministic judge (hash of item id and prediction).",
    fn=judge,
)
