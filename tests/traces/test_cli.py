"""``tunix-rt traces``: import (twice), bad lines, export, list, show and delete."""

from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from tests.conftest import own_database
from tests.traces.factories import trace_doc
from typer.testing import CliRunner

from tunix_rt.cli.main import app


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


def _write(path: Path, docs: list[object]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    return path


def test_import_twice_then_export_list_show_delete(cli: CliRunner, tmp_path: Path) -> None:
    docs = [
        trace_doc(n, prompt=f"cli trace {n}: {n} + 1?", meta={"source": "cli"}) for n in range(4)
    ]
    src = _write(tmp_path / "in.jsonl", docs)
    first = cli.invoke(app, ["traces", "import", str(src)])
    assert first.exit_code == 0, first.output
    assert "4 created, 0 duplicates (already stored)" in first.stdout
    again = cli.invoke(app, ["traces", "import", str(src)])
    assert "0 created, 4 duplicates (already stored)" in again.stdout

    out = tmp_path / "out.jsonl"
    exported = cli.invoke(app, ["traces", "export", "-o", str(out), "--source", "cli"])
    assert exported.exit_code == 0, exported.output
    assert len(out.read_bytes().splitlines()) == 4

    listed = cli.invoke(app, ["traces", "list", "--limit", "2", "--source", "cli"])
    assert listed.exit_code == 0, listed.output
    assert "next: --cursor" in listed.stdout

    stdout_export = cli.invoke(app, ["traces", "export", "--q", "cli trace 3"])
    trace = orjson.loads(stdout_export.stdout.splitlines()[0])
    assert trace["prompt"] == "cli trace 3: 3 + 1?"

    as_json = cli.invoke(app, ["traces", "list", "--json", "--source", "cli"])
    trace_id = orjson.loads(as_json.stdout.splitlines()[0])["id"]
    shown = cli.invoke(app, ["traces", "show", trace_id])
    assert orjson.loads(shown.stdout)["id"] == trace_id
    assert cli.invoke(app, ["traces", "delete", trace_id]).exit_code == 0
    missing = cli.invoke(app, ["traces", "show", trace_id])
    assert missing.exit_code == 3
    assert missing.stderr.strip() == f"error: trace {trace_id} not found"


def test_bad_line_exits_nonzero_with_one_line_and_imports_nothing(
    cli: CliRunner, tmp_path: Path
) -> None:
    docs: list[object] = [trace_doc(100 + n, meta={"source": "bad-file"}) for n in range(3)]
    src = _write(tmp_path / "bad.jsonl", docs)
    src.write_bytes(src.read_bytes() + b'{"prompt": "x", "steps": [], "final_answer": "y"}\n')
    result = cli.invoke(app, ["traces", "import", str(src)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "line 4: steps" in result.stderr
    exported = cli.invoke(app, ["traces", "export", "--source", "bad-file"])
    assert exported.stdout == ""

    skipped = cli.invoke(app, ["traces", "import", str(src), "--skip-invalid"])
    assert skipped.exit_code == 0
    assert "3 created, 0 duplicates (already stored), 1 invalid lines skipped" in skipped.stdout


def test_missing_file_and_bad_id_are_one_line_errors(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["traces", "import", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no such file")
    result = cli.invoke(app, ["traces", "show", "not-a-uuid"])
    assert result.exit_code == 2
