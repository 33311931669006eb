"""GET /api/tunix/runs/{id}/samples: a GRPO run's samples.jsonl, paged, filtered, never a 500."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tests.conftest import app_client
from tests.factories import add_run

from tunix_rt.auth import service as auth_service
from tunix_rt.auth.schemas import TokenCreate
from tunix_rt.auth.tokens import Scope
from tunix_rt.settings import Settings
from tunix_rt.training.rl import samples_read


def _completion(text: str, reward: float, *, wrong: int | None = None) -> dict[str, Any]:
    return {
        "text": text,
        "rewards": {"answer_correctness": reward, "step_check": 0.0 if wrong else 1.0},
        "reward": reward,
        "advantage": reward - 0.5,
        "first_wrong_step": wrong,
        "tokens": len(text),
        "clipped": False,
    }


def _line(step: int, prompt_id: str) -> bytes:
    doc = {
        "step": step,
        "prompt_id": prompt_id,
        "prompt": f"What is {prompt_id}?",
        "expected_answer": "408",
        "completions": [
            _completion("1. 17*24=408\nAnswer: 408", 1.0),
            _completion("1. 17*24=418\nAnswer: 418", 0.0, wrong=1),
        ],
    }
    return orjson.dumps(doc) + b"\n"


async def _grpo_run(session: AsyncSession, root: Path, body: bytes | None) -> uuid.UUID:
    run_dir = root / "runs" / uuid.uuid4().hex
    run_dir.mkdir(parents=True)
    if body is not None:
        (run_dir / "samples.jsonl").write_bytes(body)
    config = {"algorithm": "grpo", "rl": {"num_generations": 2}}
    run = await add_run(session, config=config, run_dir=str(run_dir))
    return run.id


async def test_pages_and_filters_by_step_and_prompt(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    lines = [_line(s, p) for s in (1, 2, 3) for p in ("t-1", "t-2")]
    run_id = await _grpo_run(session, tmp_path, b"".join(lines))
    url = f"/api/tunix/runs/{run_id}/samples"

    everything = (await client.get(url)).json()
    assert everything["pagination"]["total"] == 6
    assert everything["steps"] == [1, 2, 3]
    assert everything["skipped"] == 0
    first = everything["data"][0]
    assert (first["step"], first["prompt_id"], first["expected_answer"]) == (1, "t-1", "408")
    wrong = first["completions"][1]
    assert wrong["first_wrong_step"] == 1
    assert wrong["rewards"]["answer_correctness"] == 0.0

    step2 = (await client.get(url, params={"step": 2})).json()
    assert [(r["step"], r["prompt_id"]) for r in step2["data"]] == [(2, "t-1"), (2, "t-2")]
    assert step2["pagination"]["total"] == 2
    assert step2["steps"] == [1, 2, 3]

    one = (await client.get(url, params={"prompt_id": "t-2"})).json()
    assert [r["step"] for r in one["data"]] == [1, 2, 3]

    page = (await client.get(url, params={"limit": 4, "offset": 4})).json()
    assert [(r["step"], r["prompt_id"]) for r in page["data"]] == [(3, "t-1"), (3, "t-2")]
    assert page["pagination"] == {
        "limit": 4, "offset": 4, "next_offset": None, "next_cursor": None, "total": 6
    }  # fmt: skip
    head = (await client.get(url, params={"limit": 4})).json()["pagination"]
    assert head["next_offset"] == 4
    assert head["total"] == 6


async def test_malformed_lines_are_skipped_and_counted(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    long_line = b'{"step": 1, "prompt": "' + b"x" * samples_read.MAX_LINE_BYTES + b'"}\n'
    body = b"".join(
        [
            _line(1, "t-1"),
            b"not json\n",
            b"\n",
            b'{"step": 1, "prompt_id": "t-3"}\n',  # fields missing
            b'{"step": "one", "prompt_id": 1}\n',
            b"\xff\xfe\n",  # not UTF-8
            b"[1, 2]\n",
            long_line,
            _line(2, "t-1"),
            _line(3, "t-1")[:40],  # the line a live run is still writing: not read yet
        ]
    )
    run_id = await _grpo_run(session, tmp_path, body)
    got = await client.get(f"/api/tunix/runs/{run_id}/samples")
    assert got.status_code == 200, got.text
    page = got.json()
    assert [r["step"] for r in page["data"]] == [1, 2]
    assert page["skipped"] == 6
    assert page["steps"] == [1, 2]


async def test_a_run_without_samples_is_an_empty_page(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    sft = await add_run(session, config={"model": "tiny-llama"}, run_dir=str(tmp_path / "gone"))
    page = (await client.get(f"/api/tunix/runs/{sft.id}/samples")).json()
    assert page["data"] == []
    assert page["steps"] == []
    assert page["skipped"] == 0
    assert page["pagination"]["total"] == 0
    assert page["pagination"]["next_offset"] is None


async def test_unknown_run_and_bad_queries(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"/api/tunix/runs/{uuid.uuid4()}/samples")
    assert missing.status_code == 404
    bad = await client.get(f"/api/tunix/runs/{uuid.uuid4()}/samples", params={"step": -1})
    assert bad.status_code == 422
    assert "step" in bad.text
    bad = await client.get(f"/api/tunix/runs/{uuid.uuid4()}/samples", params={"limit": 0})
    assert bad.status_code == 422
    assert "limit" in bad.text


@pytest.mark.parametrize(("scopes", "status"), [([Scope.READ], 200), ([], 401)])
async def test_read_scope_is_enough(
    settings: Settings,
    engine: AsyncEngine,
    session: AsyncSession,
    tmp_path: Path,
    scopes: list[Scope],
    status: int,
) -> None:
    token = None
    if scopes:
        body = TokenCreate(name="reader", scopes=scopes)
        token = (await auth_service.create_token(session=session, body=body, created_by="t")).token
    run_id = await _grpo_run(session, tmp_path, _line(1, "t-1"))
    async with app_client(settings, engine, session, token=token) as http:
        got = await http.get(f"/api/tunix/runs/{run_id}/samples")
    assert got.status_code == status, got.text
