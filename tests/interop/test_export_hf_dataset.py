"""A dataset exported as a Hugging Face ``datasets`` folder, read back by ``load_dataset``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession
from tests.datasets.factories import make_traces, store
from typer.testing import CliRunner

from tunix_rt.cli.main import app as cli_app
from tunix_rt.datasets import exports, hf_export, ingest, service
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.errors import InvalidInput


def _load(path: Path) -> object:
    """``load_dataset`` with a cache of its own (the shared one could answer for a folder with
    the same path from an earlier run)."""
    import datasets

    return datasets.load_dataset(str(path), cache_dir=str(path.parent / "hf-cache"))


def _front_matter(readme: str) -> dict[str, object]:
    _, front, _ = readme.split("---\n", 2)
    loaded: dict[str, object] = yaml.safe_load(front)
    return loaded


async def test_folder_loads_with_datasets_in_manifest_order(
    session: AsyncSession, home: Path, tmp_path: Path
) -> None:
    await store(session, make_traces(23))
    build = ingest.build_request({"name": "hf", "eval_fraction": 0.3, "seed": 1})
    dataset, _ = await service.build_dataset(session=session, build=build, home=home)
    source = await exports.open_source(session=session, dataset=dataset)
    card = hf_export.DatasetCard(dataset.key, dataset.content_hash, dict(dataset.manifest))
    options = exports.ExportOptions.parse(fmt="parquet", style="tagged")
    out = tmp_path / "hf"
    done = await asyncio.to_thread(hf_export.write_folder, source, card, options, out, shard_rows=5)
    n_train, n_eval = dataset.train_count, dataset.eval_count
    assert done.counts == {"train": n_train, "eval": n_eval}
    shards = -(-n_train // 5)
    assert f"data/train-00000-of-{shards:05d}.parquet" in done.files
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(f[5:] for f in done.files)
    loaded = await asyncio.to_thread(_load, out)
    assert {name: len(split) for name, split in loaded.items()} == done.counts  # type: ignore[attr-defined]
    expected = [(tid, s) for tid, s, _ in source.records()]
    got = [(row["id"], row["split"]) for name in ("train", "eval") for row in loaded[name]]  # type: ignore[index]
    assert got == [p for p in expected if p[1] == "train"] + [p for p in expected if p[1] == "eval"]
    first = loaded["train"][0]  # type: ignore[index]
    assert first["rendered_completion"].startswith("<reasoning>")
    assert first["steps"][0]["type"] == "parse"
    readme = (out / "README.md").read_text()
    front = _front_matter(readme)
    assert front["configs"] == [
        {"config_name": "default", "data_files": [
            {"split": "train", "path": "data/train-*"}, {"split": "eval", "path": "data/eval-*"},
        ]},
    ]  # fmt: skip
    assert front["tunix_rt"] == {"dataset": "hf-v1", "sha256": dataset.content_hash,
                                 "records": done.counts}  # fmt: skip
    assert dataset.content_hash in readme.split("---\n", 2)[2]
    manifest = orjson.loads((out / hf_export.MANIFEST_FILE).read_bytes())
    assert manifest["key"] == "hf-v1"


async def test_a_non_empty_target_is_refused_and_left_alone(
    session: AsyncSession, home: Path, tmp_path: Path
) -> None:
    await store(session, make_traces(4))
    build = ingest.build_request({"name": "hf"})
    dataset, _ = await service.build_dataset(session=session, build=build, home=home)
    source = await exports.open_source(session=session, dataset=dataset)
    card = hf_export.DatasetCard(dataset.key, dataset.content_hash, dict(dataset.manifest))
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    options = exports.ExportOptions.parse(fmt="parquet")
    with pytest.raises(InvalidInput, match="is not empty"):
        hf_export.write_folder(source, card, options, out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    with pytest.raises(InvalidInput, match="no records"):
        hf_export.write_folder(
            source, card, exports.ExportOptions.parse(fmt="parquet", split="eval"), tmp_path / "e"
        )
    assert not (tmp_path / "e").exists()


async def _seed(url: str, n: int) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with session_scope(create_sessionmaker(engine)) as session:
        await store(session, make_traces(n))
    await engine.dispose()


def test_cli_exports_hf_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TUNIX_RT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TUNIX_RT_DATABASE_URL", url)
    asyncio.run(_seed(url, 12))
    runner = CliRunner()
    built = runner.invoke(
        cli_app, ["datasets", "build", "--name", "cli", "--eval-fraction", "0.25"]
    )
    assert built.exit_code == 0, built.output
    out = tmp_path / "folder"
    args = ["datasets", "export", "cli-v1", "--format", "hf", "-o", str(out), "--shard-rows", "4"]
    exported = runner.invoke(cli_app, args)
    assert exported.exit_code == 0, exported.output
    assert "wrote 12 records (4 shards, manifest sha256 " in exported.output
    loaded = _load(out)
    assert {name: len(split) for name, split in loaded.items()} == {"train": 9, "eval": 3}  # type: ignore[attr-defined]
    again = runner.invoke(cli_app, args)
    assert again.exit_code == 2
    assert again.output.count("\n") == 1
    assert "out: " in again.output
