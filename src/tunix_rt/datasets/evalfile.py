"""Parse and validate eval-set JSONL (pure): every problem is reported, with its line number."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, get_args

import orjson

from tunix_rt.datasets.schemas import Difficulty, EvalItemIn, Section
from tunix_rt.errors import Problem

REQUIRED = ("id", "prompt", "expected_answer")
OPTIONAL_ENUMS: dict[str, tuple[str, ...]] = {
    "section": get_args(Section),
    "difficulty": get_args(Difficulty),
}
KNOWN = {*REQUIRED, "section", "category", "difficulty"}


def _check_row(doc: dict[str, Any], loc: str) -> list[Problem]:
    problems = [Problem(loc, f"unknown field {key!r}") for key in doc if key not in KNOWN]
    for key in REQUIRED:
        value = doc.get(key)
        if value is None:
            problems.append(Problem(loc, f"missing field {key!r}"))
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(loc, f"field {key!r} must be a non-empty string"))
    for key, allowed in OPTIONAL_ENUMS.items():
        value = doc.get(key)
        if value is not None and value not in allowed:
            problems.append(
                Problem(loc, f"field {key!r} is {value!r}; expected one of {', '.join(allowed)}")
            )
    category = doc.get("category")
    if category is not None and not isinstance(category, str):
        problems.append(Problem(loc, "field 'category' must be a string"))
    return problems


def parse_eval_jsonl(data: bytes) -> tuple[list[EvalItemIn], list[Problem]]:
    """Items in file order, and every problem found (bad JSON, fields, enums, duplicate ids)."""
    items: list[EvalItemIn] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        loc = f"line {number}"
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            problems.append(Problem(loc, f"invalid JSON: {exc}"))
            continue
        if not isinstance(doc, dict):
            problems.append(Problem(loc, "expected a JSON object"))
            continue
        row_problems = _check_row(doc, loc)
        item_id = doc.get("id")
        if isinstance(item_id, str) and item_id.strip():
            if item_id in first_line:
                seen = first_line[item_id]
                row_problems.append(
                    Problem(loc, f"duplicate id {item_id!r} (first on line {seen})")
                )
            else:
                first_line[item_id] = number
        problems.extend(row_problems)
        if not row_problems:
            items.append(EvalItemIn.model_validate(doc))
    if not items and not problems:
        problems.append(Problem("file", "no items"))
    return items, problems


def validate_items(items: Sequence[EvalItemIn]) -> list[Problem]:
    """Problems of an already-parsed item list (duplicate ids, emptiness)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            problems.append(Problem(f"items[{index}]", f"duplicate id {item.id!r}"))
        seen.add(item.id)
    if not items:
        problems.append(Problem("items", "no items"))
    return problems


def items_hash(items: Sequence[EvalItemIn]) -> str:
    """sha256 over the canonical items in order: the identity of an eval set's content."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(orjson.dumps(item.model_dump(), option=orjson.OPT_SORT_KEYS))
        digest.update(b"\n")
    return digest.hexdigest()


def items_to_jsonl(items: Sequence[EvalItemIn]) -> bytes:
    """JSONL of the items (nulls omitted), as generation reads them."""
    return b"".join(orjson.dumps(item.model_dump(exclude_none=True)) + b"\n" for item in items)
