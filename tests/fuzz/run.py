"""``make fuzz``: schemathesis against a live ``tunix-rt serve`` on SQLite and on PostgreSQL.

Each backend gets a fresh home and database, a little seed data (so detail routes get hits),
a server on a free loopback port with no job workers, and one bounded schemathesis run with
every check. PostgreSQL gets a fresh database on ``TUNIX_RT_FUZZ_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``), dropped afterwards. Exit status 0 only when
every run had no failure at all (server errors, schema violations and every other check).

Excluded checks, each with its reason, are in ``EXCLUDED_CHECKS`` (and docs/security.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from xml.etree import ElementTree

from sqlalchemy import text
from sqlalchemy.engine import make_url

from tunix_rt.db.session import create_engine
from tunix_rt.settings import Settings

BIN = Path(sys.executable).parent
HOOKS = "tests.fuzz.hooks"
ROOT = Path(__file__).resolve().parents[2]
SEEDS = ("golden-v2", "eval-v2")
PG = "postgresql://postgres@127.0.0.1:5432/postgres"
# check name -> why it is not run (also listed in docs/security.md, "Fuzzing").
EXCLUDED_CHECKS = {
    "positive_data_acceptance": (
        "domain validation refuses, by name, values JSON Schema cannot express: an opaque "
        "cursor, a training config that needs one of epochs/max_steps/time_budget_s, a search "
        "space's keys, date ranges whose ends cross, names of judges; and NUL characters are "
        "refused by design (422) although the schema's strings allow them"
    ),
}


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _admin(base_url: str, statement: str) -> None:
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


def create_pg_database(base_url: str) -> str:
    """A fresh PostgreSQL database next to ``base_url``'s; its URL."""
    name = f"tunix_rt_fuzz_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base_url, f'CREATE DATABASE "{name}"'))
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(base_url: str, url: str) -> None:
    """Drop the database ``create_pg_database`` made."""
    name = make_url(url).database
    asyncio.run(_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def cli(env: dict[str, str], *args: str) -> str:
    """Run ``tunix-rt ARGS`` and return its stdout (raises on a non-zero exit)."""
    done = subprocess.run(
        [str(BIN / "tunix-rt"), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"tunix-rt {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate and seed; with auth on, the headers of a fresh admin token."""
    cli(env, "db", "upgrade")
    for name in SEEDS:
        cli(env, "seed", name)
    if env.get("TUNIX_RT_AUTH") == "off":
        return {}
    token = cli(env, "tokens", "create", f"fuzz-{uuid.uuid4().hex[:6]}", "--scope", "admin")
    return {"Authorization": f"Bearer {token.strip()}"}


def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    """Poll ``/api/health`` until it answers 200 (or the server exits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"tunix-rt serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("tunix-rt serve did not become healthy")


def api_post(base: str, path: str, body: object, headers: dict[str, str]) -> None:
    """One JSON POST for seeding (a 4xx here is a broken seed, so it raises)."""
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30):
        pass


def seed_over_http(base: str, headers: dict[str, str]) -> None:
    """A dataset and a model family, so their detail routes have something to find."""
    api_post(base, "/api/datasets/build", {"name": "fuzz", "version": "v1"}, headers)
    api_post(base, "/api/models", {"name": "fuzz-family"}, headers)


def schemathesis_args(base: str, args: argparse.Namespace, report: Path) -> list[str]:
    """The schemathesis command line: every check but the excluded ones, bounded in time."""
    command = [
        str(BIN / "schemathesis"), "run", f"{base}/openapi.json",
        "--checks", "all",
        "--max-examples", str(args.max_examples),
        "--max-time", str(args.max_time),
        "--request-timeout", "15",
        "--workers", "1",
        "--seed", str(args.seed),
        "--generation-database", "none",
        "--report", "junit", "--report-junit-path", str(report),
        "--no-color",
    ]  # fmt: skip
    if EXCLUDED_CHECKS:
        command += ["--exclude-checks", ",".join(EXCLUDED_CHECKS)]
    return command


def count_failures(report: Path) -> tuple[int, int]:
    """(operations, operations with a failure or error) from the JUnit report."""
    if not report.is_file():
        return 0, -1
    cases = ElementTree.parse(report).getroot().iter("testcase")
    total = failed = 0
    for case in cases:
        total += 1
        failed += any(child.tag in ("failure", "error") for child in case)
    return total, failed


def fuzz_backend(backend: str, args: argparse.Namespace) -> bool:
    """One server, one schemathesis run; True when it found nothing."""
    home = Path(tempfile.mkdtemp(prefix=f"tunix-rt-fuzz-{backend}-"))
    env = os.environ
    raw = env.get("TUNIX_RT_FUZZ_POSTGRES_URL") or env.get("TUNIX_RT_TEST_POSTGRES_URL") or PG
    pg_base = Settings(database_url=raw).database_url  # the asyncpg spelling
    db_url = create_pg_database(pg_base) if backend == "postgres" else ""
    try:
        return _serve_and_fuzz(backend, home, db_url, args)
    finally:
        if db_url:
            drop_pg_database(pg_base, db_url)
        shutil.rmtree(home, ignore_errors=True)


def _env(home: Path, db_url: str, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNIX_RT_")}
    env.update(TUNIX_RT_HOME=str(home), TUNIX_RT_AUTH=args.auth, TUNIX_RT_WORKERS="0")
    env.update(TUNIX_RT_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT), SCHEMATHESIS_HOOKS=HOOKS)
    if db_url:
        env["TUNIX_RT_DATABASE_URL"] = db_url
    return env


def _serve_and_fuzz(backend: str, home: Path, db_url: str, args: argparse.Namespace) -> bool:
    env = _env(home, db_url, args)
    headers = prepare(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args.out.mkdir(parents=True, exist_ok=True)
    log_path, report = args.out / f"{backend}-serve.log", args.out / f"{backend}-junit.xml"
    log = log_path.open("wb")
    command = [str(BIN / "tunix-rt"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen([*command, "--no-worker"], env=env, stdout=log, stderr=log)
    try:
        wait_healthy(base, server)
        seed_over_http(base, headers)
        command = schemathesis_args(base, args, report)
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        # cwd: schemathesis keeps a crash cache in its working directory, not in the repo.
        rc = subprocess.run(command, env=env, cwd=home, check=False).returncode
        total, failed = count_failures(report)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    server_errors = log_path.read_text(errors="replace").count("Traceback")
    print(f"fuzz {backend}: {total} operations, {failed} with failures, "
          f"{server_errors} server tracebacks, schemathesis exit {rc}")  # fmt: skip
    if server_errors:
        print(f"server log: {log_path}")
    return rc == 0 and failed == 0 and server_errors == 0


def main() -> int:
    """Fuzz each backend asked for; non-zero when any run found something."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--max-time", type=int, default=90, help="seconds per backend")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--auth", choices=["required", "off"], default="required")
    default_out = Path(tempfile.gettempdir()) / "tunix-rt-fuzz"
    parser.add_argument("--out", type=Path, default=default_out, help="server logs, reports")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = [fuzz_backend(backend, args) for backend in backends]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
