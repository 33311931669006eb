"""Sweep test helpers: the dataset and eval set a sweep names must exist when it is created."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets import evalsets
from tunix_rt.datasets.models import Dataset
from tunix_rt.datasets.schemas import EvalItemIn


async def add_dataset(session: AsyncSession, key: str) -> Dataset:
    """A dataset row (its records are never read by these tests: no trial trains)."""
    name, version = key.split("@")
    dataset = Dataset(
        key=key, name=name, version=version, build_id=uuid.uuid4(), content_hash="0" * 64,
        spec_hash="0" * 64, strategy="random", seed=0, record_count=0, train_count=0,
        eval_count=0, manifest={}, trace_ids=[], splits="",
    )  # fmt: skip
    session.add(dataset)
    await session.flush()
    return dataset


@pytest.fixture
async def sweep_refs(session: AsyncSession) -> None:
    """``arith@1`` and the eval set ``eval-v2``, as the test sweeps name them."""
    await add_dataset(session, "arith@1")
    item = EvalItemIn(id="q1", prompt="1 + 1?", expected_answer="2")
    await evalsets.register_eval_set(session=session, name="eval-v2", items=[item])
