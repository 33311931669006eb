"""The contamination guard: exact and n-gram overlap with registered eval sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.datasets.factories import make_trace, make_traces, store

from tunix_rt.datasets import evalsets, service
from tunix_rt.datasets.contamination import ContaminationIndex, EvalPrompt, ngrams, normalise
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
