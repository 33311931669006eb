"""Run tags: free-form labels people put on runs, edited as a whole set."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.runs.models import RunTag
from tunix_rt.runs.service import get_run

MAX_TAGS = 32
MAX_TAG_LENGTH = 64


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Tags stripped, de-duplicated in order; ``InvalidInput`` naming each bad one."""
    problems: list[Problem] = []
    out: list[str] = []
    for n, raw in enumerate(tags):
        tag = raw.strip()
        if not tag or len(tag) > MAX_TAG_LENGTH or not tag.isprintable():
            msg = f"1 to {MAX_TAG_LENGTH} printable characters"
            problems.append(Problem(f"tags[{n}]", msg))
        elif tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        problems.append(Problem("tags", f"at most {MAX_TAGS} tags"))
    if problems:
        raise InvalidInput("invalid tags", problems=problems)
    return out


async def tags_of(
    *, session: AsyncSession, run_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """Each run's tags, sorted."""
    out: dict[uuid.UUID, list[str]] = {run_id: [] for run_id in run_ids}
    if not run_ids:
        return out
    rows = await session.execute(
        select(RunTag.run_id, RunTag.tag).where(RunTag.run_id.in_(run_ids)).order_by(RunTag.tag)
    )
    for run_id, tag in rows:
        out[run_id].append(tag)
    return out


async def set_tags(*, session: AsyncSession, run_id: uuid.UUID, tags: Sequence[str]) -> list[str]:
    """Replace the run's tags; returns them sorted. ``NotFound`` for an unknown run."""
    await get_run(session=session, run_id=run_id)
    cleaned = clean_tags(tags)
    await session.execute(delete(RunTag).where(RunTag.run_id == run_id))
    session.add_all(RunTag(run_id=run_id, tag=tag) for tag in cleaned)
    await session.flush()
    return sorted(cleaned)
