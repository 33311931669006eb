"""Dataset builds: filters in the database, strategies, splits, de-dup, immutability."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from tests.datasets.factories import make_trace, make_traces, store

from tunix_rt.datasets import build as steps
from tunix_rt.datasets import service
from tunix_rt.datasets.contamination import ContaminationIndex
from tunix_rt.datasets.manifest import hash_lines
from tunix_rt.datasets.query import Record
from tunix_rt.datasets.schemas import DatasetBuild
from tunix_rt.errors import Conflict, InvalidInput
from tunix_rt.traces.models import Trace


def _build(**kw: object) -> DatasetBuild:
    return DatasetBuild.model_validate({"name": "ds", **kw})


async def _keys(session: AsyncSession, home: Path, **kw: object) -> list[str]:
    dataset, _ = await service.build_dataset(session=session, build=_build(**kw), home=home)
    lines = (home / "datasets" / dataset.key / "data.jsonl").read_bytes().splitlines()
    return [orjson.loads(line)["prompt"] for line in lines]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "add"}, 10),
        ({"category": ["add", "mul"]}, 20),
        ({"source": "curated", "difficulty": "hard"}, 8),
        ({"tags": ["t-even", "all"]}, 15),
        ({"tags_any": ["t-even", "t-odd"]}, 30),
        ({"meta": {"seed": 2}}, 6),
        ({"meta": {"seed": [2, 3.0]}}, 12),
        ({"meta": {"category": "sub"}}, 10),
        ({"meta": {"seed": "2"}}, 0),
        ({"min_score": 0.5}, 15),
        ({"min_score": 0.2, "max_score": 0.3}, 6),
        ({"min_steps": 3}, 0),
    ],
)
async def test_filters_run_in_the_database(
    session: AsyncSession, home: Path, filters: dict[str, object], expected: int
) -> None:
    await store(session, make_traces(30))
    build = _build(filters=filters, version=f"v{abs(hash(str(filters)))}")
    if expected == 0:
        with pytest.raises(InvalidInput, match="no traces match"):
            await service.build_dataset(session=session, build=build, home=home)
        return
    dataset, _ = await service.build_dataset(session=session, build=build, home=home)
    assert dataset.record_count == expected


async def test_score_filter_ignores_non_numeric_scores(session: AsyncSession, home: Path) -> None:
    odd = make_trace(99).model_copy(update={"meta": {"score": "high"}})
    await store(session, [*make_traces(4), odd])
    dataset, _ = await service.build_dataset(
        session=session, build=_build(filters={"min_score": 0.0}), home=home
    )
    assert dataset.record_count == 4


async def test_random_is_seeded_and_latest_limits(session: AsyncSession, home: Path) -> None:
    await store(session, make_traces(30))
    first = await _keys(session, home, version="a", strategy="random", seed=7, limit=10)
    again = await _keys(session, home, version="b", strategy="random", seed=7, limit=10)
    other = await _keys(session, home, version="c", strategy="random", seed=8, limit=10)
    assert first == again
    assert first != other
    assert len(await _keys(session, home, version="d", limit=5)) == 5


async def test_latest_is_newest_first_then_by_hash(session: AsyncSession, home: Path) -> None:
    """Without a limit the order is made outside SQL; it must equal the SQL-ordered one."""
    ids = await store(session, make_traces(12))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for k, tid in enumerate(ids):  # three timestamps, so the hash decides within each
        moment = start + timedelta(seconds=k % 3)
        await session.execute(update(Trace).where(Trace.id == tid).values(created_at=moment))
    rows = (await session.execute(select(Trace.id, Trace.created_at, Trace.content_hash))).all()
    rows.sort(key=lambda row: row.content_hash)
    rows.sort(key=lambda row: row.created_at, reverse=True)
    unlimited, _ = await service.build_dataset(session=session, build=_build(), home=home)
    in_sql, _ = await service.build_dataset(
        session=session, build=_build(version="v2", limit=12), home=home
    )
    assert unlimited.trace_ids == [str(row.id) for row in rows]
    assert in_sql.trace_ids == unlimited.trace_ids


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["add", "add", None], {"(none)": 1, "add": 2}),
        ([1, 1.0, True, "1"], {"1": 2, "1.0": 1, "True": 1}),
        ([["x"], "['x']", None], {"(none)": 1, "['x']": 2}),
        ([None, "(none)", True, True], {"(none)": 2, "True": 2}),
    ],
)
def test_stats_count_meta_values_by_their_text(
    values: list[object], expected: dict[str, int]
) -> None:
    records = steps.prepare(
        [
            Record(uuid.uuid4(), f"h{k}", "1.0", "p", [], "a", {"category": value})
            for k, value in enumerate(values)
        ],
        ContaminationIndex([]),
    )
    stats = steps.record_stats(records, ["train"] * len(records), [3] * len(records))
    assert stats["by_category"] == expected
    assert stats["by_source"] == {"(none)": len(values)}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    prompt=st.text(),
    answer=st.text(),
    version=st.text(),
    steps_=st.lists(st.dictionaries(st.text(), json_values, max_size=4), max_size=4),
    meta=st.none() | st.dictionaries(st.text(), json_values, max_size=5),
    split=st.sampled_from(["train", "eval", "other"]),
)
def test_prepared_line_is_the_canonical_line(
    prompt: str,
    answer: str,
    version: str,
    steps_: list[dict[str, object]],
    meta: dict[str, object] | None,
    split: str,
) -> None:
    record = Record(uuid.uuid4(), "h", version, prompt, steps_, answer, meta)
    [prepared] = steps.prepare([record], ContaminationIndex([]))
    assert steps.prepared_line(prepared, split) == steps.canonical_line(record, split)


def test_joined_lines_are_the_canonical_lines_in_pieces() -> None:
    records = [
        Record(uuid.uuid4(), f"h{k}", "1.0", f"p{k}", [{"i": 0, "content": "x" * k}], "a", None)
        for k in range(2 * steps.LINES_PER_PIECE + 3)
    ]
    splits = ["eval" if k % 3 == 0 else "train" for k in range(len(records))]
    prepared = steps.prepare(records, ContaminationIndex([]))
    lines = [steps.canonical_line(r, s) for r, s in zip(records, splits, strict=True)]
    pieces = steps.joined_lines(prepared, splits)
    assert len(pieces) == 3
    assert b"".join(pieces) == b"".join(lines)
    assert steps.line_sizes(prepared, splits) == [len(line) for line in lines]


@pytest.mark.parametrize(
    ("hashes", "fraction", "seed"),
    [
        ([f"{k:064x}" for k in range(50)], 0.2, 3),
        (["a", "b", "a", "c", "b", "a"], 0.5, 0),  # repeated hashes: the earlier one goes first
        (["x", "y"], 0.01, 9),  # at least one eval record once the fraction is above 0
        (["x", "y", "z"], 0.0, 1),
        ([], 0.3, 1),
    ],
)
def test_splits_put_the_lowest_seeded_ranks_in_eval(
    hashes: list[str], fraction: float, seed: int
) -> None:
    n_eval = min(max(round(len(hashes) * fraction), 1), len(hashes) - 1) if fraction else 0
    ranked = sorted(range(len(hashes)), key=lambda i: steps.rank(f"split:{seed}", hashes[i]))
    expected = ["eval" if i in ranked[:n_eval] else "train" for i in range(len(hashes))]
    assert steps.assign_splits(hashes, fraction, seed) == expected


async def test_stratified_keeps_proportions(session: AsyncSession, home: Path) -> None:
    traces = [make_trace(i, category="add" if i < 20 else "mul") for i in range(30)]
    await store(session, traces)
    build = _build(strategy="stratified", stratify_by="category", seed=1, limit=9)
    dataset, _ = await service.build_dataset(session=session, build=build, home=home)
    assert dataset.manifest["stats"]["by_category"] == {"add": 6, "mul": 3}


async def test_split_and_prompt_dedupe(session: AsyncSession, home: Path) -> None:
    base = make_traces(20)
    twin = base[0].model_copy(update={"final_answer": "different"})
    await store(session, [*base, twin])
    build = _build(eval_fraction=0.25, split_seed=3, dedupe="prompt")
    dataset, _ = await service.build_dataset(session=session, build=build, home=home)
    assert dataset.record_count == 20
    assert (dataset.train_count, dataset.eval_count) == (15, 5)
    assert dataset.manifest["dedupe"] == {"by": "prompt", "dropped": 1}


async def test_versions_are_immutable(session: AsyncSession, home: Path) -> None:
    await store(session, make_traces(20))
    build = _build(strategy="random", seed=1, limit=5)
    first, created = await service.build_dataset(session=session, build=build, home=home)
    same, created_again = await service.build_dataset(session=session, build=build, home=home)
    assert created
    assert not created_again
    assert same.id == first.id
    with pytest.raises(Conflict, match="different build recipe"):
        await service.build_dataset(
            session=session, build=_build(strategy="random", seed=2, limit=5), home=home
        )
    latest = _build(version="v2", limit=3)
    await service.build_dataset(session=session, build=latest, home=home)
    await store(session, [make_trace(500)])
    with pytest.raises(Conflict, match="different content"):
        await service.build_dataset(session=session, build=latest, home=home)


def test_bad_requests_name_the_field() -> None:
    cases = [
        ({"strategy": "random"}, "seed is required"),
        ({"strategy": "stratified"}, "stratify_by is required"),
        ({"filters": {"colour": "red"}}, "colour"),
        ({"filters": {"meta": {"bad key!": 1}}}, "meta key"),
        ({"filters": {"min_score": 2, "max_score": 1}}, "min_score is greater"),
        ({"name": "../etc"}, "name"),
    ]
    for params, message in cases:
        with pytest.raises(ValueError, match=message):
            DatasetBuild.model_validate({"name": "ds", **params})


async def test_hash_depends_only_on_content(session: AsyncSession, home: Path) -> None:
    """The manifest sha256 equals a hash computed from the inputs alone, on every backend."""
    traces = make_traces(12)
    await store(session, traces)
    build = _build(strategy="random", seed=5, eval_fraction=0.25)
    dataset, _ = await service.build_dataset(session=session, build=build, home=home)
    records = [
        Record(
            uuid_,
            t.content_hash(),
            t.trace_version,
            t.prompt,
            [s.model_dump() for s in t.steps],
            t.final_answer,
            t.meta,
        )
        for uuid_, t in zip(range(12), traces, strict=True)
    ]
    records.sort(key=lambda r: steps.rank(5, r.content_hash))
    splits = steps.assign_splits([r.content_hash for r in records], 0.25, 5)
    expected, _ = hash_lines(
        [steps.canonical_line(r, s) for r, s in zip(records, splits, strict=True)]
    )
    assert dataset.content_hash == expected
    on_disk = (home / "datasets" / "ds-v1" / "data.jsonl").read_bytes()
    assert hash_lines([on_disk])[0] == expected
