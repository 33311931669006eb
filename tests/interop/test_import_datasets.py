"""Parquet files and ``datasets`` folders written by the real ``datasets`` library, read back
through ``tunix-rt traces import`` (the CLI commits, so it gets a database of its own)."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.conftest import own_database
from tests.interop.test_import_chat import CHATS, GSM8K
from tests.traces.factories import trace_doc
from typer.testing import CliRunner

import datasets
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


def _exported(cli: CliRunner, source: str) -> list[dict[str, Any]]:
    out = cli.invoke(app, ["traces", "export", "--source", source])
    assert out.exit_code == 0, out.output
    docs = [orjson.loads(line) for line in out.stdout.splitlines()]
    return sorted(
        docs, key=lambda d: (d["meta"]["origin"].get("split", ""), d["meta"]["origin"]["row"])
    )


def test_chat_parquet_round_trips_through_datasets(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "chats.parquet"
    datasets.Dataset.from_list(CHATS).to_parquet(str(path))
    first = cli.invoke(app, ["traces", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "3 created, 0 duplicates (already stored)" in first.stdout
    think, field, inline = _exported(cli, "chat")
    assert think["meta"]["origin"] == {"format": "chat", "file": "chats.parquet", "row": 1}
    assert (think["prompt"], think["final_answer"], think["meta"]["system"]) == (
        "What is 6 * 7?", "42", "Show your work.")  # fmt: skip
    assert [s["content"] for s in field["steps"]] == ["6 * 7 = 42", "42 / 7 = 6, so it checks"]
    assert inline["meta"]["reasoning"] == "content"
    again = cli.invoke(app, ["traces", "import", str(path), "--format", "chat"])
    assert "0 created, 3 duplicates (already stored)" in again.stdout


def test_gsm8k_save_to_disk_folder_with_splits(cli: CliRunner, tmp_path: Path) -> None:
    rows = [{**GSM8K[0], "question": f"{GSM8K[0]['question']} ({n})"} for n in range(3)]
    splits = {
        "train": datasets.Dataset.from_list(rows[:2]),
        "test": datasets.Dataset.from_list(rows[2:]),
    }
    datasets.DatasetDict(splits).save_to_disk(str(tmp_path / "gsm8k"))
    result = cli.invoke(app, ["traces", "import", str(tmp_path / "gsm8k"), "--format", "hf"])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.stdout
    test, *train = _exported(cli, "gsm8k")
    assert test["meta"]["origin"] == {"format": "gsm8k", "file": "gsm8k", "row": 1, "split": "test"}
    assert [t["meta"]["origin"]["row"] for t in train] == [1, 2]
    assert train[0]["steps"][0]["content"] == "Natalia sold 48/2 = 24 clips in May."
    assert train[0]["final_answer"] == "72"


def test_our_own_traces_in_a_dataset_folder_are_the_same_traces(
    cli: CliRunner, tmp_path: Path
) -> None:
    docs = [trace_doc(700 + n, meta={"source": "own-ds"}) for n in range(3)]
    src = tmp_path / "own.jsonl"
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    assert "3 created" in cli.invoke(app, ["traces", "import", str(src)]).stdout
    datasets.Dataset.from_json(str(src)).save_to_disk(str(tmp_path / "own"))
    result = cli.invoke(app, ["traces", "import", str(tmp_path / "own")])
    assert result.exit_code == 0, result.output
    assert "0 created, 3 duplicates (already stored)" in result.stdout  # same content hashes


def test_a_broken_row_names_its_number_and_imports_nothing(cli: CliRunner, tmp_path: Path) -> None:
    rows = [*CHATS[:1], {"messages": [CHATS[0]["messages"][1]]}, *CHATS[1:]]
    path = tmp_path / "broken.parquet"
    datasets.Dataset.from_list(rows).to_parquet(str(path))
    result = cli.invoke(app, ["traces", "import", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "1 bad row; nothing imported: row 2: messages: no assistant message" in result.stderr
    assert not [d for d in _exported(cli, "chat") if d["meta"]["origin"]["file"] == path.name]
    skipped = cli.invoke(app, ["traces", "import", str(path), "--skip-invalid"])
    assert "3 created, 0 duplicates (already stored), 1 invalid rows skipped" in skipped.stdout


@pytest.mark.parametrize(
    ("name", "content", "args", "says"),
    [
        ("x.jsonl", b"{}\n", ["--format", "hf"], "--format hf reads a datasets folder"),
        ("bad.parquet", b"not parquet", [], "bad.parquet: not readable as a dataset"),
        ("x.parquet", None, ["--format", "otlp"], "otlp is read from JSON lines files"),
    ],
)
def test_what_datasets_cannot_read_is_one_line(
    cli: CliRunner, tmp_path: Path, name: str, content: bytes | None, args: list[str], says: str
) -> None:
    path = tmp_path / name
    if content is None:
        datasets.Dataset.from_list(CHATS).to_parquet(str(path))
    else:
        path.write_bytes(content)
    result = cli.invoke(app, ["traces", "import", str(path), *args])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert says in result.stderr


def test_a_data_folder_in_the_hubs_layout(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "hub" / "data"
    folder.mkdir(parents=True)
    rows = [{**GSM8K[0], "question": f"Hub layout question {n}?"} for n in range(3)]
    datasets.Dataset.from_list(rows[:2]).to_parquet(str(folder / "train-00000-of-00001.parquet"))
    datasets.Dataset.from_list(rows[2:]).to_parquet(str(folder / "test-00000-of-00001.parquet"))
    result = cli.invoke(app, ["traces", "import", str(tmp_path / "hub")])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.stdout
    mine = [d for d in _exported(cli, "gsm8k") if d["meta"]["origin"]["file"] == "hub"]
    assert sorted((d["meta"]["origin"]["split"], d["prompt"]) for d in mine) == [
        ("test", "Hub layout question 2?"),
        ("train", "Hub layout question 0?"),
        ("train", "Hub layout question 1?"),
    ]
