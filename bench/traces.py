# ruff: noqa: E402
"""Trace store benchmark on PostgreSQL: batch API and CLI import against raw COPY; list pages.

Creates a scratch database (dropped at the end) on TUNIX_RT_BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test), generates ``--n`` traces of about 2 KB, and measures:
raw asyncpg COPY of the same rows into a plain table (the baseline), the batch API through a real
uvicorn server with several concurrent clients, the CLI import, and list page 1 / page 1,000 by
keyset and by OFFSET. Ends with one JSON line per figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Keep bench/ off sys.path: bench/datasets.py would shadow the ``datasets`` library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from typing import Any

import asyncpg
import httpx
import orjson

from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine
from tunix_rt.settings import Settings

WORDS = [
    "carry",
    "borrow",
    "digit",
    "column",
    "total",
    "place",
    "value",
    "tens",
    "ones",
    "hundreds",
    "partial",
    "product",
    "sum",
    "difference",
    "quotient",
    "remainder",
    "check",
    "verify",
    "estimate",
    "round",
    "compare",
    "order",
    "units",
    "price",
    "distance",
    "speed",
    "time",
    "percent",
    "share",
    "ratio",
    "apples",
    "trains",
    "tickets",
    "coins",
    "books",
]
BIN = Path(sys.executable).parent
# The API and COPY alternate in this many rounds so both see the same (shared) machine load.
ROUNDS = 4
# CPU seconds spent, summed over the runs: for the load-independent estimate.
CPU: dict[str, float] = {"copy_backend": 0.0, "copy_rows": 0.0}


def make_trace(rng: random.Random, n: int) -> dict[str, Any]:
    """A ~2 KB trace with checkable arithmetic steps; ``n`` makes the content unique."""
    a, b = rng.randint(100, 99_999), rng.randint(100, 99_999)
    words = " ".join(rng.choice(WORDS) for _ in range(20))
    steps = [
        {"i": k, "type": "compute", "content": f"{a}+{k}*{b}={a + k * b}; {words}"}
        for k in range(9)
    ]
    return {
        "trace_version": "1.0",
        "prompt": f"Problem {n}: what is {a} + 8 * {b}? Context: {words}",
        "steps": steps,
        "final_answer": str(a + 8 * b),
        "meta": {
            "source": "bench",
            "category": rng.choice(["add", "mul", "word"]),
            "difficulty": rng.choice(["easy", "medium", "hard"]),
            "tags": [rng.choice(["x", "y", "z"])],
        },
    }


async def raw_copy_rate(url: str, docs: list[bytes]) -> float:
    """Baseline: asyncpg binary COPY of the same documents into a plain jsonb table."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "CREATE TABLE raw_traces (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " trace_id varchar(64), doc jsonb)"
        )
        await conn.set_type_codec(
            "jsonb",
            encoder=lambda v: b"\x01" + v,
            decoder=bytes,
            schema="pg_catalog",
            format="binary",
        )
        records = [(uuid.uuid4().hex, d) for d in docs]
        await conn.execute("CHECKPOINT")
        backend = [await conn.fetchval("SELECT pg_backend_pid()")]
        cpu = cpu_seconds(backend)
        start = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table(
                "raw_traces", records=records, columns=("trace_id", "doc")
            )
        elapsed = time.perf_counter() - start
        CPU["copy_backend"] += cpu_seconds(backend) - cpu
        CPU["copy_rows"] += len(docs)
        await conn.execute("DROP TABLE raw_traces")
        return len(docs) / elapsed
    finally:
        await conn.close()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def backend_pids(url: str) -> list[int]:
    """PostgreSQL backends connected to the scratch database (the server's pool)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return [r["pid"] for r in rows]
    finally:
        await conn.close()


def start_server(sa_url: str, port: int) -> subprocess.Popen[bytes]:
    # Loopback with auth off: this bench measures paging; bench/api_load.py measures with tokens.
    env = os.environ | {
        "TUNIX_RT_DATABASE_URL": sa_url,
        "TUNIX_RT_LOG_LEVEL": "WARNING",
        "TUNIX_RT_AUTH": "off",
    }
    argv = [str(BIN / "tunix-rt"), "serve", "--no-worker", "--port", str(port)]
    return subprocess.Popen(argv, env=env)


def free_port() -> int:
    """A port nobody listens on now (other engineers run servers on this machine too)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with {server.returncode}")
            try:
                if (await http.get("/api/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not become healthy")


async def api_import_rate(base: str, bodies: list[bytes], n: int, clients: int) -> float:
    """Concurrent clients each posting pre-serialised batches until none are left."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    created = 0

    async def client() -> None:
        nonlocal created
        headers = {"content-type": "application/json"}
        async with httpx.AsyncClient(base_url=base, timeout=600) as http:
            while not queue.empty():
                body = queue.get_nowait()
                response = await http.post("/api/traces/batch", content=body, headers=headers)
                response.raise_for_status()
                created += response.json()["created"]

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    assert created == n, f"API created {created} of {n}"
    return n / elapsed


def cli_import_rate(sa_url: str, path: Path, n: int) -> float:
    env = os.environ | {"TUNIX_RT_DATABASE_URL": sa_url}
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "tunix-rt"), "traces", "import", str(path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    assert done.stdout.startswith(f"{n} created"), done.stdout
    return n / elapsed


async def median_ms(http: httpx.AsyncClient, params: dict[str, Any], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        response = await http.get("/api/traces", params=params)
        times.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return statistics.median(times)


async def list_times(base: str, page: int, limit: int, reps: int) -> dict[str, float]:
    """Median ms for page 1 and page ``page`` by keyset (walked there first) and by OFFSET."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        cursor = None
        for _ in range(page - 1):
            body = (
                await http.get(
                    "/api/traces",
                    params={"limit": limit, "cursor": cursor} if cursor else {"limit": limit},
                )
            ).json()
            cursor = body["pagination"]["next_cursor"]
        assert cursor is not None, "too few rows for that page"
        return {
            "page1": await median_ms(http, {"limit": limit}, reps),
            "keyset": await median_ms(http, {"limit": limit, "cursor": cursor}, reps),
            "offset": await median_ms(http, {"limit": limit, "offset": (page - 1) * limit}, reps),
        }


async def scratch_database(admin_url: str) -> str:
    name = f"tunix_rt_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return name


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def reset_tables(url: str) -> None:
    conn = await asyncpg.connect(url)
    await conn.execute("TRUNCATE trace_tags, traces")
    await conn.execute("VACUUM ANALYZE traces")
    await conn.execute("CHECKPOINT")
    await conn.close()


def figure(name: str, value: float, unit: str, baseline: float, ratio: float, goal: str) -> str:
    return orjson.dumps(
        {
            "bench": "traces",
            "figure": name,
            "value": round(value, 2),
            "unit": unit,
            "baseline": round(baseline, 2),
            "ratio": round(ratio, 3),
            "goal": goal,
        }
    ).decode()


async def run(args: argparse.Namespace) -> list[str]:
    admin_url = os.environ.get(
        "TUNIX_RT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    name = await scratch_database(admin_url)
    pg_url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    sa_url = Settings(database_url=pg_url).resolved_database_url
    engine = create_engine(sa_url)
    await migrate.upgrade(engine)
    await engine.dispose()
    port = args.port or free_port()
    server = start_server(sa_url, port)
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_healthy(base, server)
        await asyncio.sleep(3)  # a server that lost the port race has exited by now
        if server.poll() is not None:
            raise RuntimeError("the server exited; is the port taken?")
        args.server_pid = server.pid
        return await measure(args, pg_url, sa_url, base)
    finally:
        server.terminate()
        server.wait(timeout=30)
        await drop_database(admin_url, name)


def batch_bodies(lines: list[bytes], size: int) -> list[bytes]:
    """Pre-serialised ``POST /api/traces/batch`` bodies (bare JSON lists)."""
    return [b"[" + b",".join(lines[k : k + size]) + b"]" for k in range(0, len(lines), size)]


async def measure_api(
    args: argparse.Namespace, pg_url: str, base: str, lines: list[bytes]
) -> tuple[float, float]:
    """Batch API and raw COPY rates, interleaved in rounds so both see the same machine load."""
    await reset_tables(pg_url)
    per = -(-len(lines) // (ROUNDS * args.batch)) * args.batch
    copy_s = api_s = 0.0
    server_cpu = cpu_seconds([args.server_pid])
    pg_before = {pid: cpu_seconds([pid]) for pid in await backend_pids(pg_url)}
    for start in range(0, len(lines), per):
        part = lines[start : start + per]
        copy_s += len(part) / await raw_copy_rate(pg_url, part)
        bodies = batch_bodies(part, args.batch)
        api_s += len(part) / await api_import_rate(base, bodies, len(part), args.clients)
    server_us = 1e6 * (cpu_seconds([args.server_pid]) - server_cpu) / args.n
    pg_spent = sum(cpu_seconds([p]) - pg_before.get(p, 0.0) for p in await backend_pids(pg_url))
    pg_us = 1e6 * pg_spent / args.n
    copy_us = 1e6 * CPU["copy_backend"] / CPU["copy_rows"]
    print(
        f"  CPU per trace: API server {server_us:.0f} us, its PostgreSQL backends {pg_us:.0f} us;"
        f" raw COPY backend {copy_us:.0f} us. With a core each (a quiet 2-core box) the API"
        f" would run at ~{copy_us / max(server_us, pg_us):.0%} of COPY"
    )
    return len(lines) / api_s, len(lines) / copy_s


async def measure_cli(sa_url: str, pg_url: str, lines: list[bytes]) -> tuple[float, float]:
    """CLI import rate, and raw COPY measured just before and just after it."""
    await reset_tables(pg_url)
    before = len(lines) / await raw_copy_rate(pg_url, lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "traces.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        cli_rate = cli_import_rate(sa_url, path, len(lines))
    after = len(lines) / await raw_copy_rate(pg_url, lines)
    return cli_rate, 2 * len(lines) / (before + after)


async def measure(args: argparse.Namespace, pg_url: str, sa_url: str, base: str) -> list[str]:
    rng = random.Random(0)
    lines = [orjson.dumps(make_trace(rng, k)) for k in range(args.n)]
    print(f"{args.n} traces, {sum(map(len, lines)) / len(lines) / 1024:.2f} KiB each on average")
    api_rate, copy_rate = await measure_api(args, pg_url, base, lines)
    print(f"raw asyncpg COPY into a plain jsonb table: {copy_rate:,.0f} rows/s")
    print(
        f"batch API ({args.clients} clients x {args.batch}/request): {api_rate:,.0f} traces/s"
        f" = {api_rate / copy_rate:.0%} of COPY (interleaved in {ROUNDS} rounds)"
    )
    cli_rate, cli_copy = await measure_cli(sa_url, pg_url, lines)
    print(
        f"CLI import: {cli_rate:,.0f} traces/s = {cli_rate / cli_copy:.0%} of COPY"
        f" ({cli_copy:,.0f} rows/s just before and after)"
    )
    page = min(1000, args.n // args.limit)
    times = await list_times(base, page, args.limit, args.reps)
    print(
        f"list {args.limit}/page at {args.n} rows: page 1 {times['page1']:.1f} ms,"
        f" page {page} keyset {times['keyset']:.1f} ms, OFFSET {times['offset']:.1f} ms"
    )
    keyset, offset = times["keyset"], times["offset"]
    return [
        figure("api_batch_import", api_rate, "traces/s", copy_rate, api_rate / copy_rate, ">= 0.4"),
        figure("cli_import", cli_rate, "traces/s", cli_copy, cli_rate / cli_copy, ">= 0.4"),
        figure(
            f"list_keyset_page_{page}",
            keyset,
            "ms",
            times["page1"],
            times["page1"] / keyset,
            ">= 0.5",
        ),
        figure(
            f"list_offset_page_{page}",
            offset,
            "ms",
            keyset,
            keyset / offset,
            "contrast (OFFSET grows with depth)",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="traces to import")
    parser.add_argument("--quick", action="store_true", help="n=10,000 and fewer repetitions")
    parser.add_argument("--batch", type=int, default=2_000, help="traces per API request")
    parser.add_argument("--clients", type=int, default=4, help="concurrent API clients")
    parser.add_argument("--limit", type=int, default=100, help="list page size")
    parser.add_argument("--reps", type=int, default=20, help="timed requests per list figure")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    args = parser.parse_args()
    if args.quick:
        args.n, args.reps = min(args.n, 10_000), 5
    for line in asyncio.run(run(args)):
        print(line)


if __name__ == "__main__":
    main()
