"""``tunix-rt traces import --format otlp FILE.json``: one ExportTraceServiceRequest per line, as
the collector's file exporter writes them."""

from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from tests.conftest import own_database
from tests.interop import otel
from typer.testing import CliRunner

from tunix_rt.cli.main import app


@pytest.fixture(scope="module")
async def cli_db(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with own_database(db_backend, tmp_path_factory) as url:
        yield url


@pytest.fixture
def cli(cli_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("TUNIX_RT_DATABASE_URL", cli_db)
    monkeypatch.setenv("TUNIX_RT_HOME", str(tmp_path))
    return CliRunner()


@pytest.mark.parametrize("fmt", ["otlp", "auto"])
def test_otlp_file_lines_become_traces(cli: CliRunner, tmp_path: Path, fmt: str) -> None:
    spans = otel.recorded()
    path = tmp_path / "spans.json"
    path.write_bytes(otel.json_line(spans[:3]) + b"\n" + otel.json_line(spans[3:5]) + b"\n")
    result = cli.invoke(app, ["traces", "import", str(path), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 duplicates (already stored), 2 non-GenAI spans ignored" in result.stdout
    out = cli.invoke(app, ["traces", "export", "--source", "otlp"])
    docs = [orjson.loads(line) for line in out.stdout.splitlines()]
    mine = [d for d in docs if d["meta"]["origin"]["trace_id"] in {
        format(s.context.trace_id, "032x") for s in spans}]  # fmt: skip
    said = {d["prompt"]: ([s["content"] for s in d["steps"]], d["final_answer"]) for d in mine}
    assert said == otel.expected()
    assert {d["meta"]["origin"]["file"] for d in mine} == {"spans.json"}
    assert {d["meta"]["origin"]["line"] for d in mine} == {1}


def test_a_broken_otlp_line_names_it_and_imports_nothing(cli: CliRunner, tmp_path: Path) -> None:
    spans = otel.recorded()
    path = tmp_path / "broken.json"
    lines = [otel.json_line(spans[:3]), orjson.dumps({"resourceSpans": [{"scopeSpans": 1}]})]
    path.write_bytes(b"\n".join(lines) + b"\n" + otel.json_line(spans[5:]) + b"\n")
    result = cli.invoke(app, ["traces", "import", str(path), "--format", "otlp"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert "2 bad lines; nothing imported: line 2: resourceSpans[0].scopeSpans:" in result.stderr
    assert "line 3: resourceSpans[0].scopeSpans[0].spans[0]: attributes: a GenAI span" in (
        result.stderr
    )
    skipped = cli.invoke(app, ["traces", "import", str(path), "--skip-invalid"])
    assert skipped.exit_code == 0, skipped.output
    assert "2 invalid lines skipped" in skipped.stdout
