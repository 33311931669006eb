"""External predictions with a trace style (``step_check`` and ``format`` judge them) and with
truncation, as each format tells it, flagged per item as for our runs (both databases)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.evaluation.conftest import eval_items, execute_evaluate_run, register
from tests.interop import prediction_files as files

from tunix_rt.settings import Settings

URL = "/api/tunix/evaluations/external"
JSONL = {"content-type": "application/x-ndjson"}
ZIP = {"content-type": "application/zip"}
TRUNCATED = {5, 9}


@pytest.fixture
def maker(session: AsyncSession) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's own connection (savepoints), so the test's rows are visible."""
    return async_sessionmaker(
        bind=session.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture(scope="module")
def truncated_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Real inspect_ai logs in which mockllm stops at its token limit on items 5 and 9."""
    return files.inspect_logs(eval_items(20), tmp_path_factory.mktemp("inspect"), TRUNCATED)


async def _judged(
    client: httpx.AsyncClient, maker: async_sessionmaker[AsyncSession], settings: Settings,
    data: bytes, headers: dict[str, str] = JSONL, **params: str,
) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    """The external evaluation's request answer and, once judged, the evaluation."""
    made = await client.post(URL, params={"eval_set": "adds", **params}, content=data,
                             headers=headers)  # fmt: skip
    assert made.status_code == 202, made.text
    outcome = await execute_evaluate_run(maker, settings, uuid.UUID(made.json()["id"]))
    assert outcome["status"] == "succeeded", outcome
    got = await client.get(f"/api/tunix/evaluations/{made.json()['id']}")
    return made.json(), got.json()


async def _items(client: httpx.AsyncClient, evaluation_id: str, **query: str) -> list[Any]:
    got = await client.get(
        f"/api/tunix/evaluations/{evaluation_id}/items", params={"limit": 50, **query}
    )
    assert got.status_code == 200, got.text
    return list(got.json()["data"])


@pytest.mark.parametrize(("fmt", "style"), [("predictions", "numbered"), ("lm_eval", "think"),
                                            ("predictions", "tagged")])  # fmt: skip
async def test_a_style_gets_real_step_check_verdicts(
    fmt: str, style: str, client: httpx.AsyncClient, session: AsyncSession,
    maker: async_sessionmaker[AsyncSession], settings: Settings,
) -> None:  # fmt: skip
    items = await register(session)
    texts = files.stepped(items, style)
    data = files.ours(items, texts) if fmt == "predictions" else files.lm_eval(items, texts)
    made, evaluation = await _judged(client, maker, settings, data, style=style)
    assert made["external"]["format"] == fmt
    judges = evaluation["scorecard"]["judges"]
    assert judges["step_check"]["labels"] == {"all_correct": 19, "wrong_step": 1}
    assert judges["format"]["labels"] == {"well_formed": 20}
    assert judges["answer_correctness"]["labels"] == {"correct": 20}
    (wrong,) = await _items(client, made["id"], judge="step_check", label="wrong_step")
    assert wrong["item_id"] == "q4"
    assert wrong["first_wrong_step"]["step"] == 2
    assert wrong["first_wrong_step"]["reason"] == "step 2: 9 - 5 = 4, not 5"


async def test_without_a_style_step_check_skips_and_an_unknown_style_is_named(
    client: httpx.AsyncClient, session: AsyncSession, maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:  # fmt: skip
    items = await register(session)
    data = files.ours(items, files.stepped(items, "numbered"))
    _, evaluation = await _judged(client, maker, settings, data)
    judges = evaluation["scorecard"]["judges"]
    assert judges["step_check"]["labels"] == {"unknown_style": 20}
    assert judges["format"]["labels"] == {"unknown_style": 20}
    bad = await client.post(URL, params={"eval_set": "adds", "style": "fancy"}, content=data,
                            headers=JSONL)  # fmt: skip
    assert bad.status_code == 422
    (problem,) = bad.json()["detail"]
    assert problem["loc"] == ["query", "style"]
    assert "numbered" in problem["msg"]


def _file(fmt: str, logs: dict[str, bytes]) -> tuple[bytes, dict[str, str]]:
    items = eval_items(20)
    if fmt == "predictions":
        return files.ours(items, truncated=TRUNCATED), JSONL
    if fmt == "legacy":
        return files.legacy(items, truncated=TRUNCATED), JSONL
    return logs["eval"], ZIP


@pytest.mark.parametrize("fmt", ["predictions", "legacy", "inspect"])
async def test_truncated_rows_are_flagged_on_their_items(
    fmt: str, client: httpx.AsyncClient, session: AsyncSession,
    maker: async_sessionmaker[AsyncSession], settings: Settings,
    truncated_logs: dict[str, bytes],
) -> None:  # fmt: skip
    await register(session)
    data, headers = _file(fmt, truncated_logs)
    made, evaluation = await _judged(client, maker, settings, data, headers)
    assert made["external"]["truncated"] == len(TRUNCATED)
    labels = evaluation["scorecard"]["judges"]["answer_correctness"]["labels"]
    assert labels["truncated"] == len(TRUNCATED)  # an answer at the very end is not trusted
    flagged = await _items(client, made["id"], truncated="true")
    assert sorted(i["item_id"] for i in flagged) == ["q5", "q9"]
    assert all(i["truncated"] for i in flagged)
    assert len(await _items(client, made["id"], truncated="false")) == 18


async def test_lm_eval_cannot_tell_truncation_and_a_bad_flag_is_named(
    client: httpx.AsyncClient, session: AsyncSession, maker: async_sessionmaker[AsyncSession],
    settings: Settings, home: Path,
) -> None:  # fmt: skip
    items = await register(session)
    made, _ = await _judged(client, maker, settings, files.lm_eval(items))
    assert made["external"]["truncated"] == 0
    assert await _items(client, made["id"], truncated="true") == []
    lines = files.ours(items).splitlines()
    lines[3] = lines[3].replace(b'"truncated": false', b'"truncated": "yes"')
    bad = await client.post(URL, params={"eval_set": "adds"}, content=b"\n".join(lines),
                            headers=JSONL)  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["detail"][0] == {
        "loc": ["line 4"], "msg": "field 'truncated' must be true or false",
        "type": "invalid_input",
    }  # fmt: skip
