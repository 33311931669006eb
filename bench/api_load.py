# ruff: noqa: E402
"""API under mixed load, with auth on, beside a minimal FastAPI app on the same database.

For SQLite and PostgreSQL in turn: a scratch database (PostgreSQL: made on
TUNIX_RT_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test, and dropped at
the end), migrated and seeded with ``--seed`` traces; a real ``tunix-rt serve`` subprocess
(``TUNIX_RT_AUTH=required``, a write token from ``tunix-rt tokens create``) and, as the baseline,
the minimal app below (plain SQLAlchemy Core on the same tables, no auth, no middleware) run by
uvicorn with the same settings. Each is driven for ``--duration`` seconds at concurrency 1, 8
and 32 by one client: 80% list a page of 20, 10% get one trace, 10% create a trace. Reports
p50/p99 latency, requests/s and errors; ends with one JSON line per figure.

    .venv/bin/python -P bench/api_load.py [--quick] [--duration S] [--db sqlite,pg]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Keep bench/ off sys.path: bench/datasets.py would shadow the ``datasets`` library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import asyncio
import hashlib
import itertools
import os
import random
import socket
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

# At module level: the routes' annotations are strings (PEP 563) that FastAPI resolves here.
from fastapi import FastAPI, Request, Response

BIN = Path(sys.executable).parent
LEVELS = (1, 8, 32)
MIX = (("list", 0.8), ("detail", 0.1), ("create", 0.1))
PAGE = 20
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
# Same uvicorn settings for both servers: one process, uvicorn's default loop and HTTP parser.
UVICORN_LOG_LEVEL = "warning"
# Numbers the created traces across every level, so no body repeats one already stored.
CREATED = itertools.count()


# --- the baseline: the same three queries, plain SQLAlchemy Core, nothing else ---------------


def baseline_app(url: str) -> Any:
    """A FastAPI app serving list, detail and create on our tables, with no auth or checks."""
    from sqlalchemy import func, insert, select
    from sqlalchemy.ext.asyncio import create_async_engine

    from tunix_rt.traces.models import Trace, TraceTag

    traces = Trace.metadata.tables["traces"]
    tags = TraceTag.metadata.tables["trace_tags"]
    count_all = select(func.count()).select_from(traces)
    pool = {} if url.startswith("sqlite") else {"pool_size": 10, "max_overflow": 10}
    engine = create_async_engine(url, **pool)
    app = FastAPI()

    def row_json(row: Any) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row._mapping.items()}

    @app.get("/api/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/traces")
    async def list_traces(limit: int = PAGE) -> Response:
        # The page and, as our list answers (pagination.total), the count of every trace.
        stmt = select(traces).order_by(traces.c.created_at.desc(), traces.c.id.desc())
        async with engine.connect() as conn:
            rows = (await conn.execute(stmt.limit(limit + 1))).all()
            total = len(rows) if len(rows) <= limit else await conn.scalar(count_all)
        body = {"data": [row_json(r) for r in rows[:limit]], "total": total}
        return Response(orjson.dumps(body, default=str), media_type="application/json")

    @app.get("/api/traces/{trace_id}")
    async def get_trace(trace_id: uuid.UUID) -> Response:
        async with engine.connect() as conn:
            row = (await conn.execute(select(traces).where(traces.c.id == trace_id))).one()
        return Response(orjson.dumps(row_json(row), default=str), media_type="application/json")

    @app.post("/api/traces", status_code=201)
    async def create_trace(request: Request) -> Response:
        doc = orjson.loads(await request.body())
        meta = doc.get("meta") or {}
        row = {
            "id": uuid.uuid4(),
            "content_hash": hashlib.sha256(
                orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
            ).hexdigest(),
            "trace_version": doc.get("trace_version", "1.0"),
            "prompt": doc["prompt"],
            "final_answer": doc["final_answer"],
            "steps": doc["steps"],
            "meta": meta,
            "source": meta.get("source"),
            "category": meta.get("category"),
            "difficulty": meta.get("difficulty"),
            "step_count": len(doc["steps"]),
            "created_at": datetime.now(UTC),
        }
        async with engine.begin() as conn:
            await conn.execute(insert(traces), row)
            for tag in meta.get("tags", []):
                await conn.execute(insert(tags), {"trace_id": row["id"], "tag": tag})
        return Response(orjson.dumps(row, default=str), 201, media_type="application/json")

    return app


def serve_baseline(url: str, port: int) -> None:
    import uvicorn

    uvicorn.run(baseline_app(url), host="127.0.0.1", port=port, log_level=UVICORN_LOG_LEVEL)


# --- servers and databases -------------------------------------------------------------------


def free_port() -> int:
    """A port nobody listens on now (other engineers run servers on this machine too)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server subprocess and how to call it."""

    name: str
    proc: subprocess.Popen[bytes]
    base: str
    headers: dict[str, str] = field(default_factory=dict)


def server_env(url: str, home: Path, auth: str) -> dict[str, str]:
    return os.environ | {
        "TUNIX_RT_DATABASE_URL": url,
        "TUNIX_RT_HOME": str(home),
        "TUNIX_RT_LOG_LEVEL": UVICORN_LOG_LEVEL.upper(),
        "TUNIX_RT_AUTH": auth,
    }


async def wait_healthy(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.base) as http:
        for _ in range(600):
            if server.proc.poll() is not None:
                raise RuntimeError(f"{server.name} exited with {server.proc.returncode}")
            try:
                if (await http.get("/api/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{server.name} did not become healthy")


def create_token(env: dict[str, str]) -> str:
    """A write token through the CLI, which prints the token alone on stdout."""
    argv = [str(BIN / "tunix-rt"), "tokens", "create", "bench-api-load", "--scope", "write"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def start(
    name: str, argv: list[str], env: dict[str, str], port: int, headers: dict[str, str]
) -> Server:
    return Server(name, subprocess.Popen(argv, env=env), f"http://127.0.0.1:{port}", headers)


@asynccontextmanager
async def servers(url: str, auth: str) -> AsyncIterator[tuple[Server, Server]]:
    """``tunix-rt serve`` and the baseline on free ports; both stopped on exit."""
    with tempfile.TemporaryDirectory() as home:
        env = server_env(url, Path(home), auth)
        headers = {"authorization": f"Bearer {create_token(env)}"} if auth == "required" else {}
        port = free_port()
        argv = [str(BIN / "tunix-rt"), "serve", "--no-worker", "--port", str(port)]
        ours = start("tunix-rt", argv, env, port, headers)
        port = free_port()
        argv = [sys.executable, "-P", __file__, "--serve-baseline", url, str(port)]
        base = start("baseline", argv, env, port, {})
        try:
            await asyncio.gather(wait_healthy(ours), wait_healthy(base))
            yield ours, base
        finally:
            for server in (ours, base):
                server.proc.terminate()
                server.proc.wait(timeout=30)


async def migrated(url: str) -> None:
    from tunix_rt.db import migrate
    from tunix_rt.db.session import create_engine

    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()


@asynccontextmanager
async def database(kind: str, tmp: Path) -> AsyncIterator[str]:
    """A migrated scratch database URL: a SQLite file, or a PostgreSQL database dropped after."""
    import asyncpg

    from tunix_rt.settings import Settings

    if kind == "sqlite":
        url = Settings(database_url=f"sqlite:///{tmp / 'bench.db'}").database_url
        await migrated(url)
        yield url
        return
    admin = Settings(database_url=os.environ.get("TUNIX_RT_BENCH_POSTGRES_URL", DEFAULT_PG))
    dsn = admin.database_url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"tunix_rt_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        url = admin.database_url.rsplit("/", 1)[0] + f"/{name}"
        await migrated(url)
        yield url
    finally:
        conn = await asyncpg.connect(dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


# --- load ------------------------------------------------------------------------------------


def make_trace(rng: random.Random, tag: str) -> bytes:
    """A ~1 KB trace; ``tag`` (app, counter) keeps every body's content unique."""
    a, b = rng.randint(100, 99_999), rng.randint(100, 99_999)
    steps = [{"i": k, "type": "compute", "content": f"{a}+{k}*{b}={a + k * b}"} for k in range(8)]
    meta = {"source": "bench", "category": rng.choice(["add", "mul"]), "tags": ["load"]}
    prompt = f"{tag}: what is {a} + 7 * {b}? " + "carry the digit " * 20
    return orjson.dumps(
        {"prompt": prompt, "steps": steps, "final_answer": str(a + 7 * b), "meta": meta}
    )


async def seed(server: Server, n: int) -> list[str]:
    """``n`` traces through our batch API; their ids (the detail requests pick from them)."""
    rng = random.Random(1)
    bodies = [orjson.loads(make_trace(rng, f"seed {k}")) for k in range(n)]
    async with httpx.AsyncClient(base_url=server.base, headers=server.headers, timeout=120) as http:
        response = await http.post(
            "/api/traces/batch",
            content=orjson.dumps(bodies),
            headers={"content-type": "application/json"},
        )
        response.raise_for_status()
        return [str(i) for i in response.json()["ids"]]


@dataclass
class Level:
    """What one app did at one concurrency: latencies (ms) of successful requests, errors."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    # Why requests failed: the HTTP status, or the transport exception's class name.
    causes: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def rps(self) -> float:
        """Successful requests per second (errors are counted apart)."""
        return len(self.latencies) / self.elapsed

    @property
    def success_share(self) -> float:
        total = len(self.latencies) + self.errors
        return len(self.latencies) / total if total else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def drive(
    server: Server, ids: list[str], clients: int, seconds: float, warmup: float
) -> Level:
    """``clients`` concurrent loops of the mix for ``warmup`` + ``seconds``; counts the latter."""
    level = Level()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=server.base, headers=server.headers, limits=limits, timeout=30
    ) as http:
        start = time.perf_counter() + warmup
        stop = start + seconds

        async def loop(seed_: int) -> None:
            rng = random.Random(seed_)
            while (now := time.perf_counter()) < stop:
                op = rng.choices([m for m, _ in MIX], [w for _, w in MIX])[0]
                failed = await request(http, op, rng, ids, f"{server.name} {next(CREATED)}")
                if now < start:
                    continue
                if failed is None:
                    level.latencies.append((time.perf_counter() - now) * 1000)
                else:
                    level.errors += 1
                    level.causes[failed] += 1

        await asyncio.gather(*(loop(k) for k in range(clients)))
        level.elapsed = time.perf_counter() - start
    return level


async def request(
    http: httpx.AsyncClient, op: str, rng: random.Random, ids: list[str], tag: str
) -> str | None:
    """One request of the mix: None if it succeeded (2xx), else why it failed."""
    try:
        if op == "list":
            response = await http.get("/api/traces", params={"limit": PAGE})
        elif op == "detail":
            response = await http.get(f"/api/traces/{rng.choice(ids)}")
        else:
            response = await http.post(
                "/api/traces",
                content=make_trace(rng, tag),
                headers={"content-type": "application/json"},
            )
    except httpx.HTTPError as exc:
        return f"{op} {type(exc).__name__}"
    return None if response.is_success else f"{op} {response.status_code}"


# --- report ----------------------------------------------------------------------------------


def figure(name: str, value: float, unit: str, baseline: float, ratio: float, goal: str) -> str:
    return orjson.dumps(
        {
            "bench": "api_load",
            "figure": name,
            "value": round(value, 2),
            "unit": unit,
            "baseline": round(baseline, 2),
            "ratio": round(ratio, 3),
            "goal": goal,
        }
    ).decode()


def figures(db: str, clients: int, ours: Level, base: Level) -> list[str]:
    """requests/s (ratio ours / baseline) and p99 (ratio baseline / ours: higher is better too)."""
    hot = db == "pg" and clients == 8
    rps_goal, p99_goal = (">= 0.7", "< 100") if hot else ("informational", "informational")
    p99, base_p99 = ours.pct(0.99), base.pct(0.99)
    return [
        figure(f"{db}_c{clients}_rps", ours.rps, "req/s", base.rps, ours.rps / base.rps, rps_goal),
        figure(f"{db}_c{clients}_p99_ms", p99, "ms", base_p99, base_p99 / p99, p99_goal),
    ]


def describe(name: str, level: Level) -> str:
    return (
        f"{name} {level.rps:7.1f} req/s  p50 {level.pct(0.5):6.1f} ms  p99 {level.pct(0.99):6.1f}"
        f" ms  errors {level.errors}" + (f" {dict(level.causes)}" if level.causes else "")
    )


async def bench_db(db: str, args: argparse.Namespace, tmp: Path) -> list[str]:
    out = []
    async with database(db, tmp) as url, servers(url, args.auth) as (ours, base):
        ids = await seed(ours, args.seed)
        for k, clients in enumerate(args.levels):
            # Alternate which app goes first, so neither always meets the warmer database.
            order = (ours, base) if k % 2 == 0 else (base, ours)
            done = {s.name: await drive(s, ids, clients, args.duration, args.warmup) for s in order}
            print(f"{db:6} c={clients:<3} {describe('ours', done[ours.name])}")
            print(f"{'':6} {'':5} {describe('base', done[base.name])}")
            out += figures(db, clients, done[ours.name], done[base.name])
            # Errors: the baseline's count beside ours; the ratio is our share of requests that
            # succeeded (a count has no ours-to-baseline ratio worth printing).
            mine = done[ours.name]
            out.append(
                figure(
                    f"{db}_c{clients}_errors",
                    mine.errors,
                    "errors",
                    done[base.name].errors,
                    mine.success_share,
                    "== 0",
                )
            )
    return out


async def run(args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        return [line for db in args.db for line in await bench_db(db, args, Path(tmp))]


def main() -> None:
    if sys.argv[1:2] == ["--serve-baseline"]:
        serve_baseline(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s per level (a smoke run)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per level and app")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not counted, first")
    parser.add_argument("--db", default="sqlite,pg", help="comma list of sqlite, pg")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="concurrencies")
    parser.add_argument("--seed", type=int, default=1000, help="traces stored before the load")
    parser.add_argument(
        "--auth",
        choices=("required", "off"),
        default="required",
        help="our server's TUNIX_RT_AUTH (off only while developing)",
    )
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup = min(args.duration, 5.0), min(args.warmup, 1.0)
    args.db = [d for d in args.db.split(",") if d]
    args.levels = [int(c) for c in args.levels.split(",") if c]
    for line in asyncio.run(run(args)):
        print(line)


if __name__ == "__main__":
    main()
