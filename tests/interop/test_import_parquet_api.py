"""Parquet through the API: a body written by the real ``datasets`` library, read back through
``datasets`` (``POST /api/traces/import``), and a server-side folder (``/api/traces/import/path``)
confined to the allowed roots; both databases."""

import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tests.conftest import app_client
from tests.interop.test_import_chat import CHATS, GSM8K

import datasets
from tunix_rt.settings import Settings
from tunix_rt.traces.formats.tabular import STALE_UPLOAD_S
from tunix_rt.traces.models import Trace

URL = "/api/traces/import"
PARQUET = {"content-type": "application/vnd.apache.parquet"}


def _parquet(rows: list[dict[str, Any]], path: Path) -> bytes:
    datasets.Dataset.from_list(rows).to_parquet(str(path))
    return path.read_bytes()


def _gsm8k_rows(n: int) -> list[dict[str, Any]]:
    return [{**GSM8K[0], "question": f"{GSM8K[0]['question']} ({k})"} for k in range(n)]


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Trace)) or 0)


async def _listed(client: httpx.AsyncClient, source: str) -> list[dict[str, Any]]:
    response = await client.get("/api/traces", params={"source": source, "limit": 50})
    return sorted(response.json()["data"], key=lambda t: t["meta"]["origin"]["row"])


def _spooled(home: Path) -> list[Path]:
    return list((home / "uploads").glob("*")) if (home / "uploads").exists() else []


@pytest.mark.parametrize("fmt", ["auto", "chat", "hf"])
async def test_a_chat_parquet_upload_becomes_traces(
    fmt: str, client: httpx.AsyncClient, tmp_path: Path, home: Path
) -> None:
    body = _parquet(CHATS, tmp_path / "chats.parquet")
    response = await client.post(URL, params={"format": fmt}, content=body, headers=PARQUET)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "lines": 3, "created": 3, "duplicates": 0, "skipped": 0, "ignored": 0, "problems": [],
    }  # fmt: skip
    think, field, inline = await _listed(client, "chat")
    assert think["meta"]["origin"] == {"format": "chat", "row": 1}  # an upload names no file
    assert (think["prompt"], think["final_answer"], think["meta"]["system"]) == (
        "What is 6 * 7?", "42", "Show your work.")  # fmt: skip
    assert [s["content"] for s in field["steps"]] == ["6 * 7 = 42", "42 / 7 = 6, so it checks"]
    assert inline["meta"]["reasoning"] == "content"
    assert _spooled(home) == []


async def test_a_gsm8k_parquet_upload_and_its_duplicate(
    client: httpx.AsyncClient, tmp_path: Path, home: Path
) -> None:
    body = _parquet(_gsm8k_rows(2), tmp_path / "gsm8k.parquet")
    first = await client.post(URL, params={"format": "gsm8k"}, content=body, headers=PARQUET)
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["duplicates"]) == (2, 0)
    one, _ = await _listed(client, "gsm8k")
    assert one["steps"][0]["content"] == "Natalia sold 48/2 = 24 clips in May."
    assert one["final_answer"] == "72"
    again = await client.post(URL, content=body, headers=PARQUET)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["duplicates"]) == (0, 2)
    assert _spooled(home) == []


async def test_a_broken_row_is_named_and_nothing_is_imported(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path, home: Path
) -> None:
    rows = _gsm8k_rows(3)
    rows[1]["answer"] = "no final marker here"
    body = _parquet(rows, tmp_path / "broken.parquet")
    before = await _count(session)
    refused = await client.post(URL, content=body, headers=PARQUET)
    assert refused.status_code == 422, refused.text
    assert refused.json()["message"] == "1 bad row; nothing imported"
    (problem,) = refused.json()["detail"]
    assert problem["loc"] == ["row 2"]
    assert "answer" in problem["msg"]
    assert await _count(session) == before
    skipped = await client.post(URL, params={"skip_invalid": "true"}, content=body,
                                headers=PARQUET)  # fmt: skip
    assert skipped.status_code == 200, skipped.text
    assert (skipped.json()["created"], skipped.json()["skipped"]) == (2, 1)
    assert skipped.json()["problems"][0].startswith("row 2: ")
    assert _spooled(home) == []


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        (b"", "the upload is empty"),
        (b'{"messages": []}\n', "not a Parquet file"),
        (b"PAR1" + b"\x00" * 40 + b"PAR1", "not readable as a dataset"),
    ],
)
async def test_a_body_that_is_not_parquet_is_named(
    body: bytes, msg: str, client: httpx.AsyncClient, home: Path
) -> None:
    refused = await client.post(URL, content=body, headers=PARQUET)
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["detail"]
    assert problem["loc"] == ["body"]
    assert msg in problem["msg"]
    assert _spooled(home) == []


async def test_hf_needs_a_parquet_body_and_other_types_are_415(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    jsonl = await client.post(URL, params={"format": "hf"}, content=b'{"a": 1}\n')
    assert jsonl.status_code == 422
    assert jsonl.json()["detail"][0]["loc"] == ["format"]
    body = _parquet(CHATS, tmp_path / "c.parquet")
    for media in ("application/octet-stream", "application/x-parquet", "text/plain"):
        other = await client.post(URL, content=body, headers={"content-type": media})
        assert other.status_code == 415, media
        assert "application/vnd.apache.parquet" in other.json()["detail"][0]["msg"]
    otlp = await client.post(URL, params={"format": "otlp"}, content=body, headers=PARQUET)
    assert otlp.status_code == 422
    assert otlp.json()["detail"][0]["loc"] == ["format"]


async def test_an_upload_over_the_size_limit_is_refused_by_name(
    settings: Settings, engine: AsyncEngine, session: AsyncSession, admin_token: str,
    tmp_path: Path, home: Path,
) -> None:  # fmt: skip
    rows = [{**r, "question": f"{r['question']} {'x' * 2000} {k}"} for k, r in
            enumerate(_gsm8k_rows(60))]  # fmt: skip
    body = _parquet(rows, tmp_path / "big.parquet")
    limit = 4096
    assert len(body) > limit
    small = settings.model_copy(update={"max_body_bytes": limit})
    async with app_client(small, engine, session, token=admin_token) as http:
        refused = await http.post(URL, content=body, headers=PARQUET)
    assert refused.status_code == 413
    assert refused.json()["detail"][0]["loc"] == ["body"]
    assert str(limit) in refused.json()["message"]
    assert await _count(session) == 0
    assert _spooled(home) == []


async def test_a_server_folder_under_the_home_is_imported(
    client: httpx.AsyncClient, home: Path, tmp_path: Path
) -> None:
    splits = {
        "train": datasets.Dataset.from_list(_gsm8k_rows(2)),
        "test": datasets.Dataset.from_list(_gsm8k_rows(3)[2:]),
    }
    datasets.DatasetDict(splits).save_to_disk(str(home / "gsm8k"))
    made = await client.post(f"{URL}/path", json={"path": str(home / "gsm8k"), "format": "hf"})
    assert made.status_code == 200, made.text
    assert made.json()["created"] == 3
    origins = sorted(
        (t["meta"]["origin"]["split"], t["meta"]["origin"]["row"])
        for t in (await client.get("/api/traces", params={"source": "gsm8k"})).json()["data"]
    )
    assert origins == [("test", 1), ("train", 1), ("train", 2)]
    (home / "one.parquet").write_bytes(_parquet(CHATS, tmp_path / "one.parquet"))
    one = await client.post(f"{URL}/path", json={"path": str(home / "one.parquet")})
    assert one.json()["created"] == 3, one.text
    chat = await _listed(client, "chat")
    assert chat[0]["meta"]["origin"] == {"format": "chat", "file": "one.parquet", "row": 1}


async def test_server_paths_outside_the_roots_are_refused_alike(
    client: httpx.AsyncClient, home: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    datasets.Dataset.from_list(CHATS).save_to_disk(str(outside))
    (home / "link").symlink_to(outside)
    (home / "notes.txt").write_text("hello")
    for path in (str(outside), str(home / "link"), "/etc", str(home / ".." / "outside")):
        refused = await client.post(f"{URL}/path", json={"path": path})
        assert refused.status_code == 422, path
        assert refused.json()["detail"][0]["loc"] == ["path"]
        assert "TUNIX_RT_HOME" in refused.json()["detail"][0]["msg"]
    for path in (str(home / "notes.txt"), str(home / "absent")):
        refused = await client.post(f"{URL}/path", json={"path": path})
        assert refused.status_code == 422, path
        assert "not a datasets folder or .parquet file" in refused.json()["detail"][0]["msg"]
    unknown = await client.post(f"{URL}/path", json={"path": str(home), "nope": 1})
    assert unknown.status_code == 422


async def test_an_upload_left_by_a_dead_server_is_swept_by_the_next(
    client: httpx.AsyncClient, tmp_path: Path, home: Path
) -> None:
    spool = home / "uploads"
    spool.mkdir()
    old, recent = spool / "traces-old.parquet", spool / "traces-recent.parquet"
    for leftover in (old, recent):
        leftover.write_bytes(b"PAR1 partial")
    day_ago = time.time() - STALE_UPLOAD_S - 60
    os.utime(old, (day_ago, day_ago))
    body = _parquet(_gsm8k_rows(1), tmp_path / "one.parquet")
    response = await client.post(URL, params={"format": "gsm8k"}, content=body, headers=PARQUET)
    assert response.status_code == 200, response.text
    assert _spooled(home) == [recent]  # a live import's file is left alone
