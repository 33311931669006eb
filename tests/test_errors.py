"""One error root: every exception class in the package derives from ``TunixRtError``."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

from tunix_rt import errors
from tunix_rt.api.middleware import BodyTooLarge
from tunix_rt.evaluation.execute import EvaluationCancelled, EvaluationFailed
from tunix_rt.evaluation.judges.llm_judge import JudgeUnavailable
from tunix_rt.runs.handlers import JobFailed

SRC = Path(errors.__file__).parent
BUILTIN_EXCEPTIONS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def test_only_the_root_subclasses_a_builtin_exception() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
            if bases & BUILTIN_EXCEPTIONS and node.name != "TunixRtError":
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}")
    assert offenders == []


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (JobFailed, errors.TunixRtError),
        (EvaluationFailed, errors.TunixRtError),
        (EvaluationCancelled, errors.TunixRtError),
        (JudgeUnavailable, errors.Unavailable),
        (BodyTooLarge, errors.PayloadTooLarge),
    ],
)
def test_each_error_has_its_place_under_the_root(
    cls: type[Exception], parent: type[errors.TunixRtError]
) -> None:
    assert issubclass(cls, parent)
    assert str(cls("why")) == "why"
