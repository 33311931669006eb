"""Seed collections and the eval-v2 items: sizes, correctness, reproducibility, disjointness."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest
from tests.traces.test_generators import assert_correct

from tunix_rt.datasets.schemas import EvalItemIn
from tunix_rt.traces import seeds
from tunix_rt.traces.stepcheck import check_steps

SIZES = {"golden-v1": 5, "golden-v2": 100, "dev-reasoning-v1": 200, "dev-reasoning-v2": 550}
# Pinned: a change to any generator that alters a published collection must fail here (publish
# a new collection name instead of silently changing an old one).
DIGESTS = {
    "golden-v1": "4fd6317b18d291d7126f9e0633f7350d12ae50b014d1d573bf8db475d567b8b9",
    "golden-v2": "0f61573cc97b1a67d07adbdf75123d199c0fcdbc7c9e5eb5da8dfc46155662e2",
    "dev-reasoning-v1": "614a129720f21f22edac0ab1d8030f4a2f3c157b143de9f07b955d9ed30889db",
    "dev-reasoning-v2": "ff57ca7ff673d6e6dd943e13473e2b6b3da2cf4802db7235ad77492932c4f89f",
    "eval-v2": "0e422e60cafd1785ab3f19f7a52ab8a153ff38cfb6e0699fa53d094e4a24885e",
}


@pytest.mark.parametrize("name", list(SIZES))
def test_collection_size_and_every_step_correct(name: str) -> None:
    traces = seeds.COLLECTIONS[name]()
    assert len(traces) == SIZES[name]
    assert len({t.prompt for t in traces}) == len(traces)
    assert len({t.content_hash() for t in traces}) == len(traces)
    for trace in traces:
        assert_correct(trace)
        assert trace.meta is not None
        assert trace.meta["dataset"] == name
        assert name in trace.meta["tags"]


def test_collections_mix_the_categories() -> None:
    categories = Counter(t.meta["category"] for t in seeds.dev_reasoning_v2() if t.meta)
    assert categories == {
        "addition": 120,
        "subtraction": 120,
        "multiplication": 100,
        "word_problem": 130,
        "high_card_duel": 50,
        "edge_case": 30,
    }
    golden = seeds.golden_v1()
    assert [t.prompt for t in golden[:3]] == [
        "What is 487 + 356?",
        "What is 503 - 178?",
        "What is 47 * 23?",
    ]
    assert {t.meta["source"] for t in golden if t.meta} == {"curated"}


def _digests() -> dict[str, str]:
    found = {name: seeds.digest(build()) for name, build in seeds.COLLECTIONS.items()}
    return {**found, seeds.EVAL_V2: seeds.digest(seeds.eval_v2_items())}


def test_collections_are_reproducible_byte_for_byte() -> None:
    assert _digests() == DIGESTS
    # Another interpreter with another hash seed: no set or dict ordering leaks into the output.
    code = (
        "from tests.traces.test_seeds import _digests; import orjson, sys; "
        "sys.stdout.write(orjson.dumps(_digests()).decode())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout == orjson.dumps(DIGESTS).decode()


def test_eval_v2_items_split_and_shape() -> None:
    items = seeds.eval_v2_items()
    assert len(items) == 100
    assert Counter(i["section"] for i in items) == {
        "core": 60,
        "trace_sensitive": 25,
        "edge_case": 15,
    }
    assert len({i["id"] for i in items}) == 100
    assert len({i["prompt"] for i in items}) == 100
    for item in items:
        parsed = EvalItemIn.model_validate(item)
        assert parsed.difficulty in {"easy", "medium", "hard"}
        assert parsed.category


def test_eval_v2_prompts_are_disjoint_from_every_collection() -> None:
    eval_prompts = {i["prompt"] for i in seeds.eval_v2_items()}
    for build in seeds.COLLECTIONS.values():
        assert eval_prompts.isdisjoint(t.prompt for t in build())


def test_eval_v2_answers_are_correct() -> None:
    traces = seeds.eval_v2_traces()
    items = {i["prompt"]: i for i in seeds.eval_v2_items()}
    for section, section_traces in traces.items():
        for trace in section_traces:
            assert_correct(trace)
            item = items[trace.prompt]
            assert (item["section"], item["expected_answer"]) == (section, trace.final_answer)
            match = re.fullmatch(r"What is (\d+) ([-+*]) (\d+)\?", trace.prompt)
            if match:
                a, op, b = int(match[1]), match[2], int(match[3])
                value = a + b if op == "+" else a - b if op == "-" else a * b
                assert item["expected_answer"] == str(value)


def test_trace_sensitive_items_need_their_steps() -> None:
    for trace in seeds.eval_v2_traces()["trace_sensitive"]:
        steps = [s.content for s in trace.steps]
        assert len(steps) >= 3
        assert check_steps(steps).checked >= 3
