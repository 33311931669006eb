"""The contamination guard: exact and n-gram overlap with registered eval sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession
from tests.datasets.factories import make_trace, make_traces, store

from tunix_rt.datasets import evalsets, service
from tunix_rt.datasets.contamination import (
    ContaminationIndex,
    EvalPrompt,
    Overlap,
    ngrams,
    normalise,
)
from tunix_rt.datasets.schemas import DatasetBuild, EvalItemIn

LONG = "A farmer has 12 crates with 30 apples in each crate and sells half of them at the market"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What  is 2+2?", "what is 2 2"),
        ("\uff21\uff22\uff23 Déjà-vu!", "abc déjà vu"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_index_finds_exact_and_partial_overlap() -> None:
    index = ContaminationIndex(
        [EvalPrompt("ev", "e1", "What is 2 + 2?"), EvalPrompt("ev", "e2", LONG)], n=8
    )
    exact = index.check(0, "what is 2+2")
    assert exact is not None
    assert exact.exact
    partial = index.check(1, "Question: " + LONG.replace("market", "fair") + " today?")
    assert partial is not None
    assert not partial.exact
    assert partial.item_id == "e2"
    assert 0.5 <= partial.containment < 1.0
    assert index.check(2, "Something else entirely about 12 crates") is None
    assert len(ngrams(LONG, 8)) == len(LONG.split()) - 7


def _reference_check(
    items: list[EvalPrompt], prompt: str, n: int, threshold: float
) -> Overlap | None:
    """The guard's definition, computed the slow way: every n-gram of every eval item."""
    for item in items:
        if normalise(item.prompt) == normalise(prompt):
            return Overlap(0, item.eval_set, item.item_id, True, 1.0)
    grams = ngrams(prompt, n)
    scored = [
        (len(ngrams(item.prompt, n) & grams) / len(ngrams(item.prompt, n)), -k)
        for k, item in enumerate(items)
        if ngrams(item.prompt, n)
    ]
    if not scored or max(scored)[0] == 0 or max(scored)[0] < threshold:
        return None
    containment, neg_k = max(scored)
    best = items[-neg_k]
    return Overlap(0, best.eval_set, best.item_id, False, round(containment, 4))


# A small vocabulary, so that random prompts share many words, pairs and n-grams.
few_words = st.lists(st.sampled_from(["a", "b", "c", "d", "7", "A", "b!"]), max_size=14)


@settings(max_examples=400, deadline=None)
@given(
    eval_prompts=st.lists(few_words.map(" ".join), min_size=1, max_size=5),
    prompt=few_words.map(" ".join),
    n=st.integers(min_value=1, max_value=5),
    threshold=st.sampled_from([0.1, 0.5, 0.8, 1.0]),
)
def test_index_agrees_with_the_definition(
    eval_prompts: list[str], prompt: str, n: int, threshold: float
) -> None:
    items = [EvalPrompt("ev", f"e{k}", text) for k, text in enumerate(eval_prompts)]
    index = ContaminationIndex(items, n=n, threshold=threshold)
    assert index.check(0, prompt) == _reference_check(items, prompt, n, threshold)


async def test_build_reports_and_excludes_overlap(session: AsyncSession, home: Path) -> None:
    traces = make_traces(10)
    leaked = make_trace(50).model_copy(update={"prompt": LONG})
    await store(session, [*traces, leaked])
    items = [
        EvalItemIn(id="x1", prompt=traces[3].prompt.upper(), expected_answer="1"),
        EvalItemIn(id="x2", prompt=LONG + " afterwards", expected_answer="180"),
        EvalItemIn(id="x3", prompt="unrelated prompt", expected_answer="0"),
    ]
    await evalsets.register_eval_set(session=session, name="guard", items=items)
    build = DatasetBuild(name="c")
    dataset, _ = await service.build_dataset(session=session, build=build, home=home)
    report = dataset.manifest["contamination"]
    assert report["eval_sets"] == ["guard"]
    assert report["overlap_count"] == 2
    assert report["exact_count"] == 1
    assert {o["item_id"] for o in report["overlaps"]} == {"x1", "x2"}
    assert dataset.record_count == 11
    clean, _ = await service.build_dataset(
        session=session,
        build=DatasetBuild(name="c", version="v2", exclude_eval_overlap=True),
        home=home,
    )
    assert clean.record_count == 9
    assert clean.manifest["contamination"]["excluded"] is True
