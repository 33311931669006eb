"""``tunix-rt tokens create|list|revoke`` and ``tunix-rt audit``, on a database of their own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest
from tests.conftest import own_database
from tests.traces.factories import trace_doc
from typer.testing import CliRunner

from tunix_rt.api.app import create_app
from tunix_rt.cli.main import app
from tunix_rt.settings import LOOPBACK_HOSTS, Environment, Settings


@pytest.fixture(scope="module")
async def cli_db(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A database of its own: the CLI commits, so it must not share the suite's database."""
    async with own_database(db_backend, tmp_path_factory) as url:
        yield url


@pytest.fixture
def cli(cli_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("TUNIX_RT_DATABASE_URL", cli_db)
    monkeypatch.setenv("TUNIX_RT_HOME", str(tmp_path))
    return CliRunner()


def _name(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def test_create_prints_the_token_alone_then_list_and_revoke(cli: CliRunner) -> None:
    name = _name("deploy")
    made = cli.invoke(app, ["tokens", "create", name, "--scope", "write", "--scope", "read"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("trt_")
    assert "\n" not in token
    assert name in made.stderr
    assert "shown once" in made.stderr
    listed = cli.invoke(app, ["tokens", "list", "--json"])
    [row] = [r for r in map(orjson.loads, listed.stdout.splitlines()) if r["name"] == name]
    assert row["scopes"] == ["read", "write"]
    assert row["state"] == "active"
    assert row["created_by"].startswith("cli:")
    assert token not in listed.stdout
    assert "token" not in row
    plain = cli.invoke(app, ["tokens", "list"])
    assert f"{row['prefix']}  {name}  read,write  active" in plain.stdout
    revoked = cli.invoke(app, ["tokens", "revoke", row["prefix"]])
    assert revoked.exit_code == 0
    assert f"revoked {name}" in revoked.stdout
    listed = cli.invoke(app, ["tokens", "list", "--json"])
    [row] = [r for r in map(orjson.loads, listed.stdout.splitlines()) if r["name"] == name]
    assert row["state"] == "revoked"


def test_create_json_carries_the_token_and_errors_are_one_line(cli: CliRunner) -> None:
    name = _name("json")
    made = cli.invoke(app, ["tokens", "create", name, "--json", "--expires-in-days", "2"])
    record = orjson.loads(made.stdout)
    assert record["token"].startswith(f"trt_{record['prefix']}_")
    assert record["scopes"] == ["read"]
    assert record["expires_at"] is not None
    for argv, code, says in (
        (["tokens", "create", name], 4, "already exists"),
        (["tokens", "create", _name("x"), "--scope", "root"], 2, "scopes"),
        (["tokens", "create", "bad name"], 2, "name"),
        (["tokens", "revoke", "no-such-token"], 3, "no token"),
    ):
        result = cli.invoke(app, argv)
        assert result.exit_code == code, (argv, result.output)
        [line] = result.stderr.splitlines()
        assert line.startswith("error: ")
        assert says in line


async def _writes_as(token: str, cli_db: str, home: Path) -> str:
    """Create and delete a trace through the app on ``cli_db`` with ``token``; the trace id."""
    settings = Settings(
        environment=Environment.TEST, home=home, database_url=cli_db, workers=0,
        allowed_hosts=("test", *LOOPBACK_HOSTS),
    )  # fmt: skip
    api = create_app(settings, migrate_on_start=False, background=False)
    headers = {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=api)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            created = await http.post("/api/traces", json=trace_doc(9), headers=headers)
            assert created.status_code == 201, created.text
            trace_id: str = created.json()["id"]
            deleted = await http.delete(f"/api/traces/{trace_id}", headers=headers)
            assert deleted.status_code == 204
    finally:
        await api.state.engine.dispose()
    return trace_id


def test_audit_cli_lists_the_writes_of_a_token_by_name(
    cli: CliRunner, cli_db: str, tmp_path: Path
) -> None:
    name = _name("auditee")
    token = cli.invoke(app, ["tokens", "create", name, "--scope", "write"]).stdout.strip()
    trace_id = asyncio.run(_writes_as(token, cli_db, tmp_path))
    result = cli.invoke(app, ["audit", "--actor", name, "--json"])
    assert result.exit_code == 0, result.output
    events = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(e["actor"], e["action"], e["status"]) for e in events] == [
        (name, "traces-delete_trace", 204),
        (name, "traces-create_trace", 201),
    ]
    assert events[0]["target"] == f"/api/traces/{trace_id}"
    plain = cli.invoke(app, ["audit", "--action", "traces-delete_trace", "--limit", "1"])
    assert f"{name}  DELETE /api/traces/{trace_id}  traces-delete_trace  204" in plain.stdout
