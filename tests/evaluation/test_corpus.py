"""The free-form corpus: ``answer_correctness`` right on >= 99.5% of it by the writers' labels,
and never wrong where math-verify is right. Run with ``-s`` to see the agreement table and
every disagreement (also: ``python -m tests.evaluation.corpus.report``)."""

from __future__ import annotations

from collections import Counter

import pytest
from tests.evaluation.corpus import build_corpus
from tests.evaluation.corpus.report import Scored, report, score

from tunix_rt.evaluation.judges.extract import Method

pytest.importorskip("math_verify")

GOAL = 0.995


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    return score()


def test_corpus_is_large_labelled_and_reproducible() -> None:
    samples = build_corpus()
    assert len(samples) >= 600
    assert [s.text for s in samples] == [s.text for s in build_corpus()]
    assert len({s.id for s in samples}) == len(samples)
    labels = Counter(s.label for s in samples)
    assert set(labels) == {"correct", "wrong", "truncated", "no_answer"}
    assert min(labels.values()) >= 30
    writers = Counter(s.writer for s in samples)
    assert len(writers) >= 10
    assert sum(s.word_answer for s in samples) >= 100


def test_ours_meets_the_goal_and_is_never_worse_than_math_verify(scored: list[Scored]) -> None:
    print("\n" + report(scored))
    right = sum(r.ours_right for r in scored) / len(scored)
    print(f"ours right on {right:.2%} of {len(scored)}")
    assert right >= GOAL, f"ours right on {right:.4f}"
    worse = [r.sample.id for r in scored if r.reference_right and not r.ours_right]
    assert worse == [], f"math-verify right where ours is wrong: {worse}"


def test_every_verdict_records_its_method(scored: list[Scored]) -> None:
    methods = Counter(r.verdict.details["method"] for r in scored)
    known = {v for k, v in vars(Method).items() if k.isupper()}
    assert set(methods) <= known
    # The free-form paths are all exercised.
    for method in (Method.GSM8K, Method.MARKER, Method.BOXED, Method.PHRASE, Method.CONCLUSION):
        assert methods[method] > 0, method
    assert methods[Method.LAST_NUMBER] > 0
    assert methods[Method.LAST_SENTENCE] > 0
