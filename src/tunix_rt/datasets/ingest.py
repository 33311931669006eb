"""Build a dataset from uploaded trace JSONL (a request body, never a server path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets import service
from tunix_rt.datasets.models import Dataset
from tunix_rt.datasets.schemas import DatasetBuild
from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.traces.bulk import create_traces
from tunix_rt.traces.schemas import TraceCreate, normalise_seed_variants

MAX_PROBLEMS = 100


def problems_of(exc: ValidationError, prefix: str = "") -> list[Problem]:
    """Pydantic errors as problems naming the field."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        out.append(Problem(f"{prefix}{loc}" if loc else prefix.rstrip(": "), err["msg"]))
    return out


def build_request(params: dict[str, Any]) -> DatasetBuild:
    """A validated build request, or ``InvalidInput`` naming each bad field."""
    try:
        return DatasetBuild.model_validate(params)
    except ValidationError as exc:
        raise InvalidInput("invalid dataset build", problems=problems_of(exc)) from None


def parse_traces(data: bytes) -> list[TraceCreate]:
    """Every trace of a JSONL body; all problems are reported with line numbers."""
    traces: list[TraceCreate] = []
    problems: list[Problem] = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = normalise_seed_variants(orjson.loads(line))
            traces.append(TraceCreate.model_validate(doc))
        except orjson.JSONDecodeError as exc:
            problems.append(Problem(f"line {number}", f"invalid JSON: {exc}"))
        except ValidationError as exc:
            problems.extend(problems_of(exc, f"line {number}: "))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InvalidInput("invalid trace JSONL", problems=problems)
    if not traces:
        raise InvalidInput("the upload holds no traces")
    return traces


async def ingest_jsonl(
    *, session: AsyncSession, data: bytes, build: DatasetBuild, home: Path
) -> tuple[Dataset, bool]:
    """Store the uploaded traces (de-duplicated by content) and build a dataset of them."""
    if build.strategy == "stratified" or build.filters.model_dump(exclude_defaults=True):
        raise InvalidInput(
            problems=[Problem("strategy", "ingest takes the upload as is: latest or random")]
        )
    traces = parse_traces(data)
    result = await create_traces(session=session, traces=traces)
    return await service.build_dataset(
        session=session, build=build, home=home, trace_ids=result.ids
    )
