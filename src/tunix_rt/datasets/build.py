"""Pure build steps: order, stratify, de-duplicate, split, canonicalise and hash records.

Every random choice is a sort by ``sha256(f"{seed}:{content_hash}")``, so it depends only on
the seed and the traces' content: the same on SQLite and PostgreSQL, on any machine.
"""

from __future__ import annotations

import hashlib
import heapq
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import orjson

from tunix_rt.datasets.contamination import ContaminationIndex, Overlap, normalise
from tunix_rt.datasets.query import Candidate, Record

T = TypeVar("T")
NO_STRATUM = "(none)"
# Lines per piece of data.jsonl in memory (~1 MB): hashed and written a piece at a time.
LINES_PER_PIECE = 512


def rank(seed: int | str, content_hash: str) -> bytes:
    """The seeded sort key of one trace."""
    return hashlib.sha256(f"{seed}:{content_hash}".encode()).digest()


def order_random(candidates: Sequence[Candidate], seed: int) -> list[Candidate]:
    """A seeded shuffle that depends only on content."""
    return sorted(candidates, key=lambda c: rank(seed, c.content_hash))


def allocate(sizes: dict[str, int], limit: int) -> dict[str, int]:
    """Proportional quotas per stratum summing to ``min(limit, total)`` (largest remainder)."""
    total = sum(sizes.values())
    if limit >= total:
        return dict(sizes)
    exact = {k: limit * n / total for k, n in sizes.items()}
    quota = {k: int(v) for k, v in exact.items()}
    leftover = limit - sum(quota.values())
    by_remainder = sorted(exact, key=lambda k: (-(exact[k] - quota[k]), k))
    for key in by_remainder[:leftover]:
        quota[key] += 1
    return quota


def order_stratified(
    candidates: Sequence[Candidate], seed: int, limit: int | None
) -> list[Candidate]:
    """Each stratum keeps its share of ``limit``; the chosen traces are then seed-shuffled."""
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for cand in order_random(candidates, seed):
        groups[cand.stratum if cand.stratum is not None else NO_STRATUM].append(cand)
    quota = allocate({k: len(v) for k, v in groups.items()}, limit or len(candidates))
    chosen = [c for key, group in groups.items() for c in group[: quota[key]]]
    return order_random(chosen, seed)


class _Keyed(Protocol):
    @property
    def content_hash(self) -> str: ...
    @property
    def prompt(self) -> str: ...


K = TypeVar("K", bound=_Keyed)


def dedupe(records: Sequence[K], by: str) -> tuple[list[K], int]:
    """Drop later records with the same content (or normalised prompt); returns (kept, dropped)."""
    if by == "none":
        return list(records), 0
    if by == "content" and len({r.content_hash for r in records}) == len(records):
        return list(records), 0  # the usual case: traces' hashes are unique in the database
    seen: set[str] = set()
    kept: list[K] = []
    for record in records:
        key = record.content_hash if by == "content" else normalise(record.prompt)
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return kept, len(records) - len(kept)


def assign_splits(hashes: Sequence[str], eval_fraction: float, split_seed: int) -> list[str]:
    """``train``/``eval`` per record: the lowest seeded ranks go to eval."""
    n = len(hashes)
    n_eval = round(n * eval_fraction)
    if eval_fraction > 0 and n >= 2:
        n_eval = min(max(n_eval, 1), n - 1)
    splits = ["train"] * n
    # rank(f"split:{split_seed}", h) for every h, without a call per record.
    prefix = f"split:{split_seed}:".encode()
    keys = [hashlib.sha256(prefix + h.encode()).digest() for h in hashes] if n_eval else []
    for i in heapq.nsmallest(n_eval, range(n), key=keys.__getitem__):  # = sorted(...)[:n_eval]
        splits[i] = "eval"
    return splits


def canonical_line(record: Record, split: str) -> bytes:
    """One record as canonical JSON (sorted keys, no ids): what the dataset hash covers."""
    doc = {
        "trace_version": record.trace_version,
        "prompt": record.prompt,
        "steps": record.steps,
        "final_answer": record.final_answer,
        "meta": record.meta,
        "split": split,
    }
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS) + b"\n"


# Not frozen: a frozen dataclass's __init__ costs several times more, and a build makes one
# per trace. Nothing mutates a Prepared.
@dataclass(slots=True)
class Prepared:
    """A selected trace, made ready in the pass that parses it.

    ``head`` and ``tail`` are its canonical line before and after the split field (which sorts
    between ``prompt`` and ``steps``; the split is known only once all records are selected).
    The parsed record is dropped at once: freeing it then, while it is in the CPU cache, costs
    a tenth of freeing 100k of them at the end. The rest is what stats and reports need.
    """

    trace_id: uuid.UUID
    content_hash: str
    prompt: str
    head: bytes
    tail: bytes
    step_count: int
    prompt_chars: int
    answer_chars: int
    category: Any
    source: Any
    difficulty: Any
    overlap: Overlap | None


def prepare(records: Sequence[Record], index: ContaminationIndex) -> list[Prepared]:
    """Each record's canonical line parts, stats figures and eval-set overlap."""
    prepared = []
    for r in records:
        front = {"final_answer": r.final_answer, "meta": r.meta, "prompt": r.prompt}
        back = {"steps": r.steps, "trace_version": r.trace_version}
        meta = r.meta or {}
        prepared.append(
            Prepared(
                r.trace_id,
                r.content_hash,
                r.prompt,
                orjson.dumps(front, option=orjson.OPT_SORT_KEYS)[:-1],
                orjson.dumps(back, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)[1:],
                len(r.steps),
                len(r.prompt),
                len(r.final_answer),
                meta.get("category"),
                meta.get("source"),
                meta.get("difficulty"),
                index.match(r.prompt),
            )
        )
    return prepared


def _split_field(split: str) -> bytes:
    return b',"split":' + orjson.dumps(split) + b","


def prepared_line(prepared: Prepared, split: str) -> bytes:
    """The canonical line of a prepared record (= ``canonical_line`` of its record)."""
    return b"".join((prepared.head, _split_field(split), prepared.tail))


def joined_lines(records: Sequence[Prepared], splits: Sequence[str]) -> list[bytes]:
    """The records' canonical lines in order, joined ``LINES_PER_PIECE`` at a time."""
    fields = {split: _split_field(split) for split in set(splits)}
    pieces = []
    for start in range(0, max(len(records), len(splits)), LINES_PER_PIECE):
        chunk = records[start : start + LINES_PER_PIECE]
        parts: list[bytes] = [b""] * (3 * len(chunk))
        parts[0::3] = [r.head for r in chunk]
        parts[1::3] = [fields[s] for s in splits[start : start + LINES_PER_PIECE]]
        parts[2::3] = [r.tail for r in chunk]
        pieces.append(b"".join(parts))
    return pieces


def line_sizes(records: Sequence[Prepared], splits: Sequence[str]) -> list[int]:
    """The byte size of each record's canonical line."""
    extra = {split: len(_split_field(split)) for split in set(splits)}
    return [len(r.head) + len(r.tail) + extra[s] for r, s in zip(records, splits, strict=True)]


def _summary(values: Sequence[int]) -> dict[str, float]:
    if not values:
        return {"min": 0, "max": 0, "mean": 0.0, "p50": 0, "p95": 0}
    ordered = sorted(values)
    return {
        "min": ordered[0],
        "max": ordered[-1],
        "mean": round(statistics.fmean(ordered), 2),
        "p50": ordered[len(ordered) // 2],
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
    }


def _label(value: Any) -> str:
    return NO_STRATUM if value is None else str(value)


def _counts(values: Sequence[Any]) -> dict[str, int]:
    """How often each value occurs, by its text (None as ``NO_STRATUM``), sorted."""
    try:
        distinct = Counter(values)
    except TypeError:  # an unhashable value (a list, an object)
        distinct = Counter(map(_label, values))
    if not all(value is None or type(value) is str for value in distinct):
        # 1, 1.0 and True are one key to a Counter but three texts: count the texts.
        distinct = Counter(map(_label, values))
    counter: Counter[str] = Counter()
    for value, n in distinct.items():
        counter[_label(value)] += n
    return dict(sorted(counter.items()))


def record_stats(
    records: Sequence[Prepared], splits: Sequence[str], sizes: Sequence[int]
) -> dict[str, Any]:
    """Counts, step counts, lengths and per-category/source/difficulty counts."""
    return {
        "count": len(records),
        "splits": _counts(splits),
        "steps": _summary([record.step_count for record in records]),
        "prompt_chars": _summary([record.prompt_chars for record in records]),
        "answer_chars": _summary([record.answer_chars for record in records]),
        "record_bytes": _summary(sizes),
        "by_category": _counts([record.category for record in records]),
        "by_source": _counts([record.source for record in records]),
        "by_difficulty": _counts([record.difficulty for record in records]),
    }


def first_limit(items: Sequence[T], limit: int | None) -> list[T]:
    """The first ``limit`` items (all when ``limit`` is None)."""
    return list(items if limit is None else items[:limit])
