"""Eval-set storage: register (idempotent), read, list, stats, and write JSONL for generation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets import contamination
from tunix_rt.datasets.evalfile import items_hash, items_to_jsonl, validate_items
from tunix_rt.datasets.models import EvalItem, EvalSet
from tunix_rt.datasets.schemas import EvalItemIn, EvalSetStats
from tunix_rt.errors import Conflict, InvalidInput, NotFound, Problem

__all__ = [
    "EvalItemIn",
    "eval_set_stats",
    "get_eval_set",
    "list_eval_items",
    "list_eval_sets",
    "register_eval_set",
    "store_eval_set",
    "write_eval_file",
]

NAME_MAX = 200


def _check_name(name: str) -> None:
    if not name or len(name) > NAME_MAX or name != name.strip() or "/" in name:
        raise InvalidInput(
            "invalid eval-set name",
            problems=[Problem("name", "1-200 characters, no '/', no surrounding spaces")],
        )


async def register_eval_set(
    *, session: AsyncSession, name: str, items: Sequence[EvalItemIn], description: str = ""
) -> EvalSet:
    """Store an eval set; identical content under the same name returns the existing one."""
    eval_set, _ = await store_eval_set(
        session=session, name=name, items=items, description=description
    )
    return eval_set


async def store_eval_set(
    *, session: AsyncSession, name: str, items: Sequence[EvalItemIn], description: str = ""
) -> tuple[EvalSet, bool]:
    """``register_eval_set`` that also says whether the set was created (False: existed)."""
    _check_name(name)
    problems = validate_items(items)
    if problems:
        raise InvalidInput(f"eval set {name!r} is invalid", problems=problems)
    digest = items_hash(items)
    existing = await session.scalar(select(EvalSet).where(EvalSet.name == name))
    if existing is not None:
        if existing.content_hash == digest:
            return existing, False
        raise Conflict(f"eval set {name!r} already exists with different content")
    eval_set = EvalSet(
        name=name, description=description, content_hash=digest, item_count=len(items)
    )
    session.add(eval_set)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"eval set {name!r} was registered concurrently") from exc
    rows = [_item_row(eval_set, position, item) for position, item in enumerate(items)]
    await session.execute(insert(EvalItem), rows)
    return eval_set, True


def _item_row(eval_set: EvalSet, position: int, item: EvalItemIn) -> dict[str, object]:
    return {
        "eval_set_id": eval_set.id,
        "position": position,
        "item_id": item.id,
        "prompt": item.prompt,
        "expected_answer": item.expected_answer,
        "section": item.section,
        "category": item.category,
        "difficulty": item.difficulty,
        "prompt_hash": contamination.prompt_hash(item.prompt),
    }


async def get_eval_set(*, session: AsyncSession, name: str) -> EvalSet:
    """The eval set with this name, or ``NotFound``."""
    eval_set = await session.scalar(select(EvalSet).where(EvalSet.name == name))
    if eval_set is None:
        raise NotFound(f"eval set {name!r} not found")
    return eval_set


async def list_eval_sets(
    *, session: AsyncSession, limit: int = 50, offset: int = 0
) -> tuple[list[EvalSet], bool]:
    """A page of eval sets by name, and whether more follow."""
    rows = await session.scalars(
        select(EvalSet).order_by(EvalSet.name).offset(offset).limit(limit + 1)
    )
    found = list(rows)
    return found[:limit], len(found) > limit


async def count_eval_sets(*, session: AsyncSession) -> int:
    """Every registered eval set (the list's total)."""
    return int(await session.scalar(select(func.count()).select_from(EvalSet)) or 0)


async def list_eval_items(*, session: AsyncSession, name: str) -> list[EvalItemIn]:
    """The items of an eval set, in registration order."""
    eval_set = await get_eval_set(session=session, name=name)
    rows = await session.scalars(
        select(EvalItem).where(EvalItem.eval_set_id == eval_set.id).order_by(EvalItem.position)
    )
    return [
        EvalItemIn(
            id=row.item_id,
            prompt=row.prompt,
            expected_answer=row.expected_answer,
            section=row.section,
            category=row.category,
            difficulty=row.difficulty,
        )
        for row in rows
    ]


async def eval_set_stats(*, session: AsyncSession, name: str) -> EvalSetStats:
    """Counts per section, category and difficulty, computed in the database."""
    eval_set = await get_eval_set(session=session, name=name)
    counts: dict[str, Counter[str]] = {}
    for column in ("section", "category", "difficulty"):
        col = getattr(EvalItem, column)
        result = await session.execute(
            select(col, func.count()).where(EvalItem.eval_set_id == eval_set.id).group_by(col)
        )
        counts[column] = Counter({str(key or "none"): int(n) for key, n in result.all()})
    return EvalSetStats(
        count=eval_set.item_count,
        by_section=dict(sorted(counts["section"].items())),
        by_category=dict(sorted(counts["category"].items())),
        by_difficulty=dict(sorted(counts["difficulty"].items())),
    )


async def write_eval_file(*, session: AsyncSession, name: str, path: Path) -> int:
    """Write the eval set as JSONL (for generation); returns the number of items."""
    items = await list_eval_items(session=session, name=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(items_to_jsonl(items))
    tmp.replace(path)
    return len(items)


async def all_eval_prompts(*, session: AsyncSession) -> list[contamination.EvalPrompt]:
    """Every registered eval prompt, for the contamination guard."""
    result = await session.execute(
        select(EvalSet.name, EvalItem.item_id, EvalItem.prompt)
        .join(EvalSet, EvalSet.id == EvalItem.eval_set_id)
        .order_by(EvalSet.name, EvalItem.position)
    )
    return [contamination.EvalPrompt(s, i, p) for s, i, p in result.all()]
