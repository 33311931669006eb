"""``tunix-rt datasets`` and ``tunix-rt evalsets register`` on a fresh embedded database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
from tests.datasets.factories import make_traces, store
from typer.testing import CliRunner

from tunix_rt.cli.main import app as cli_app
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope


async def _seed(url: str, n: int) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with session_scope(create_sessionmaker(engine)) as session:
        await store(session, make_traces(n))
    await engine.dispose()


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TUNIX_RT_HOME", str(home))
    monkeypatch.setenv("TUNIX_RT_DATABASE_URL", url)
    asyncio.run(_seed(url, 10))
    return home


def test_build_show_export_delete(cli_home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["datasets", "build", "--name", "cli", "--strategy", "random", "--seed", "1"]
    built = runner.invoke(cli_app, [*args, "--eval-fraction", "0.2", "--meta", "seed=2"])
    assert built.exit_code == 0, built.output
    assert "built cli-v1: 2 records" in built.output
    again = runner.invoke(cli_app, [*args, "--eval-fraction", "0.2", "--meta", "seed=2"])
    assert "exists (identical)" in again.output
    clash = runner.invoke(cli_app, [*args, "--eval-fraction", "0.5", "--meta", "seed=2"])
    assert clash.exit_code == 4
    assert clash.output.count("\n") == 1
    shown = runner.invoke(cli_app, ["datasets", "show", "cli-v1"])
    assert orjson.loads(shown.output)["record_count"] == 2
    out = tmp_path / "sft.jsonl"
    exported = runner.invoke(
        cli_app, ["datasets", "export", "cli-v1", "--format", "tunix_sft", "-o", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert len(out.read_bytes().splitlines()) == 2
    inspected = runner.invoke(cli_app, ["datasets", "inspect", "cli-v1", "--max-seq-length", "40"])
    assert inspected.exit_code == 0, inspected.output
    assert "truncated: 2" in inspected.output
    assert "<start_of_turn>" in inspected.output
    listed = runner.invoke(cli_app, ["datasets", "list"])
    assert listed.output.startswith("cli-v1\t2\t")
    assert runner.invoke(cli_app, ["datasets", "delete", "cli-v1"]).exit_code == 0
    missing = runner.invoke(cli_app, ["datasets", "show", "cli-v1"])
    assert missing.exit_code == 3


def test_bad_build_is_one_line(cli_home: Path) -> None:
    result = CliRunner().invoke(
        cli_app, ["datasets", "build", "--name", "x", "--strategy", "random"]
    )
    assert result.exit_code == 2
    assert "seed" in result.output
    assert result.output.count("\n") == 1


def test_register_eval_set(cli_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "ev.jsonl"
    path.write_bytes(b'{"id": "1", "prompt": "p", "expected_answer": "a"}\n')
    runner = CliRunner()
    first = runner.invoke(cli_app, ["evalsets", "register", "ev", str(path)])
    assert "registered ev: 1 items" in first.output
    second = runner.invoke(cli_app, ["evalsets", "register", "ev", str(path)])
    assert "already registered" in second.output
    listed = runner.invoke(cli_app, ["evalsets", "list"])
    assert listed.output.startswith("ev\t1")
