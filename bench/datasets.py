"""Dataset build + export throughput on PostgreSQL, beside a minimal pipeline in the same run.

Seeds ``--n`` traces (~2 KB each) into a scratch PostgreSQL database with COPY, then measures:
- ours: ``build_dataset`` (filters in SQL, fetch, canonical records, sha256, data.jsonl,
  manifest, contamination guard against a registered eval set) followed by ``export_to_file``
  in the ``tunix_sft`` format (Gemma + numbered rendering, streamed from data.jsonl);
- minimal: asyncpg fetch of the same rows (jsonb as text), orjson parse, the same rendering as a
  plain function, orjson lines to a file, streaming sha256.
Rates are MB of the tunix_sft output per wall-clock second. Ends with one JSON line per figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Running ``python bench/datasets.py`` puts bench/ first on sys.path, where this file would
# shadow the ``datasets`` library for anything that imports it.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import asyncio
import hashlib
import json
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from tunix_rt.datasets import evalsets, service
from tunix_rt.datasets.schemas import DatasetBuild, EvalItemIn
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
CATEGORIES = ("add", "sub", "mul", "div", "word")
VOCAB = [f"w{k}" for k in range(2000)]
COLUMNS = [
    "id", "content_hash", "trace_version", "prompt", "final_answer", "steps", "meta",
    "source", "category", "difficulty", "step_count", "created_at",
]  # fmt: skip


def synthetic(i: int) -> dict[str, Any]:
    """A ~2 KB reasoning trace; ``i`` makes it unique."""
    a, b = 1000 + i * 7, 37 + i % 91
    rng = random.Random(i)
    words = " ".join(rng.choice(VOCAB) for _ in range(24))
    steps = [
        {"i": k, "type": "compute", "content": f"step {k}: {a} + {k * b} = {a + k * b}; {words}"}
        for k in range(8)
    ]
    return {
        "trace_version": "1.0",
        "prompt": f"Problem {i}: a warehouse holds {a} boxes and gets {b} more per day. {words}",
        "steps": steps,
        "final_answer": str(a + 7 * b),
        "meta": {"source": "bench", "category": CATEGORIES[i % 5], "difficulty": "medium"},
    }


def _record(doc: dict[str, Any], now: datetime) -> tuple[Any, ...]:
    digest = hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()
    meta = doc["meta"]
    return (
        uuid.uuid4(), digest, doc["trace_version"], doc["prompt"], doc["final_answer"],
        orjson.dumps(doc["steps"]).decode(), orjson.dumps(meta).decode(), meta["source"],
        meta["category"], meta["difficulty"], len(doc["steps"]), now,
    )  # fmt: skip


async def seed(url: str, n: int) -> None:
    """Migrate the scratch database and COPY ``n`` traces into it."""
    engine = create_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    await migrate.upgrade(engine)
    await engine.dispose()
    conn = await asyncpg.connect(url)
    now = datetime.now(UTC)
    records = [_record(synthetic(i), now) for i in range(n)]
    await conn.copy_records_to_table("traces", records=records, columns=COLUMNS)
    await conn.execute("ANALYZE traces")
    await conn.close()


def render_plain(prompt: str, steps: list[str], answer: str) -> str:
    """Gemma turns around the numbered style, written as one plain function."""
    lines = [
        "Reasoning:",
        *(f"{n}. {s}" for n, s in enumerate(steps, start=1)),
        f"Answer: {answer}",
    ]
    body = "\n".join(lines)
    user = f"<start_of_turn>user\n{prompt}<end_of_turn>\n<start_of_turn>model\n"
    return f"{user}{body}<end_of_turn>"


async def minimal(url: str, out: Path) -> tuple[float, int, str]:
    """The baseline: fetch, parse, render, write, hash. Returns (seconds, bytes, sha256)."""
    start = time.perf_counter()
    conn = await asyncpg.connect(url)
    digest = hashlib.sha256()
    size = 0
    sql = (
        "SELECT id, prompt, steps::text, final_answer, meta::text FROM traces "
        "ORDER BY created_at DESC, content_hash"
    )
    with out.open("wb") as fh:
        async with conn.transaction():
            buffer: list[bytes] = []
            async for tid, prompt, steps, answer, meta in conn.cursor(sql, prefetch=2000):
                texts = [s["content"] for s in orjson.loads(steps)]
                row = {
                    "id": str(tid),
                    "prompts": render_plain(prompt, texts, answer),
                    "final_answer": answer,
                    "metadata": orjson.loads(meta),
                }
                buffer.append(orjson.dumps(row) + b"\n")
                if len(buffer) >= 2000:
                    chunk = b"".join(buffer)
                    fh.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    buffer = []
            chunk = b"".join(buffer)
            fh.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    await conn.close()
    return time.perf_counter() - start, size, digest.hexdigest()


async def ours(url: str, home: Path, out: Path) -> tuple[float, float, int]:
    """Build then export through the services. Returns (build s, export s, bytes)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    factory = create_sessionmaker(engine)
    items = [EvalItemIn(id=str(k), prompt=synthetic(k * 3)["prompt"], expected_answer="0")
             for k in range(100)]  # fmt: skip
    async with session_scope(factory) as session:
        await evalsets.register_eval_set(session=session, name="bench-eval", items=items)
    start = time.perf_counter()
    async with session_scope(factory) as session:
        build = DatasetBuild(name="bench", filters={"source": ["bench"]}, eval_fraction=0.1)
        await service.build_dataset(session=session, build=build, home=home)
    built = time.perf_counter()
    async with session_scope(factory) as session:
        result = await service.export_to_file(
            session=session, key="bench-v1", fmt="tunix_sft", path=out
        )
    exported = time.perf_counter()
    await engine.dispose()
    return built - start, exported - built, result.bytes


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    await conn.execute(sql)
    await conn.close()


async def main(url: str, n: int) -> None:
    name = f"tunix_rt_bench_{uuid.uuid4().hex[:10]}"
    base = url.rsplit("/", 1)[0]
    await _admin(url, f'CREATE DATABASE "{name}"')
    scratch = f"{base}/{name}"
    try:
        t0 = time.perf_counter()
        await seed(scratch, n)
        print(f"seeded {n} traces with COPY in {time.perf_counter() - t0:.1f} s")
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            base_s, base_bytes, _ = await minimal(scratch, root / "minimal.jsonl")
            build_s, export_s, our_bytes = await ours(scratch, root / "home", root / "ours.jsonl")
        report(n, base_s, base_bytes, build_s, export_s, our_bytes)
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(n: int, base_s: float, base_b: int, build_s: float, export_s: float, our_b: int) -> None:
    """Human figures, then one JSON line per figure."""
    mb = our_b / 1e6
    ours_rate, base_rate = mb / (build_s + export_s), base_b / 1e6 / base_s
    print(f"minimal pipeline: {base_s:.2f} s, {base_rate:.1f} MB/s ({base_b / 1e6:.1f} MB)")
    print(f"ours: build {build_s:.2f} s + export {export_s:.2f} s = {build_s + export_s:.2f} s, "
          f"{ours_rate:.1f} MB/s ({mb:.1f} MB)")  # fmt: skip
    print(f"ratio {ours_rate / base_rate:.2f} (goal >= 0.5)")
    figures = [
        ("build_export_mb_s", ours_rate, "MB/s", base_rate, ">= 0.5"),
        ("build_export_traces_s", n / (build_s + export_s), "traces/s", n / base_s, ">= 0.5"),
    ]
    for figure, value, unit, baseline, goal in figures:
        line = {
            "bench": "datasets",
            "figure": figure,
            "value": round(value, 2),
            "unit": unit,
            "baseline": round(baseline, 2),
            "ratio": round(value / baseline, 3),
            "goal": goal,
        }
        print(json.dumps(line))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="Traces to seed and export.")
    parser.add_argument("--quick", action="store_true", help="5,000 traces (a smoke run).")
    parser.add_argument(
        "--url",
        default=os.environ.get("TUNIX_RT_BENCH_POSTGRES_URL", DEFAULT_URL),
        help="PostgreSQL admin URL (default: TUNIX_RT_BENCH_POSTGRES_URL, else the local one).",
    )
    args = parser.parse_args()
    asyncio.run(main(args.url, 5_000 if args.quick else args.n))
