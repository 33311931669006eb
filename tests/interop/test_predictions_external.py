"""External predictions as evaluations: every format through the API onto the leaderboard and
into comparisons beside a run of ours (both databases); bad files refused with nothing stored."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.evaluation.conftest import (
    eval_items,
    execute_evaluate_run,
    register,
    run_with_style,
    write_predictions,
)
from tests.interop import prediction_files as files

from tunix_rt.datasets.schemas import EvalItemIn
from tunix_rt.evaluation import external
from tunix_rt.runs.models import Run
from tunix_rt.settings import Settings

URL = "/api/tunix/evaluations/external"
JSONL = {"content-type": "application/x-ndjson"}
ZIP = {"content-type": "application/zip"}
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def inspect_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Real inspect_ai logs of a mockllm run over the ``adds`` items."""
    return files.inspect_logs(eval_items(20), tmp_path_factory.mktemp("inspect"))


@pytest.fixture
def maker(session: AsyncSession) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's own connection (savepoints), so the test's rows are visible."""
    return async_sessionmaker(
        bind=session.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def _file(
    fmt: str, items: list[EvalItemIn], logs: dict[str, bytes]
) -> tuple[bytes, dict[str, str]]:
    writers: dict[str, Callable[[list[EvalItemIn]], bytes]] = {
        "predictions": files.ours, "legacy": files.legacy, "lm_eval": files.lm_eval,
    }  # fmt: skip
    if fmt in writers:
        return writers[fmt](items), JSONL
    return (logs["eval"], ZIP) if fmt == "inspect_eval" else (logs["json"], JSON)


async def _ours(session: AsyncSession, home: Path, items: list[EvalItemIn]) -> Run:
    run = await run_with_style(session, home, learning_rate=0.001)
    write_predictions(run, "adds", items, wrong={1, 2, 3})
    return run


async def _evaluate_ours(
    client: httpx.AsyncClient, maker: async_sessionmaker[AsyncSession], settings: Settings, run: Run
) -> None:
    made = await client.post(f"/api/tunix/runs/{run.id}/evaluate", json={"eval_set": "adds"})
    assert made.status_code == 202, made.text
    await execute_evaluate_run(maker, settings, uuid.UUID(made.json()["id"]))


@pytest.mark.parametrize(
    "fmt", ["predictions", "legacy", "lm_eval", "inspect_json", "inspect_eval"]
)
async def test_external_file_is_on_the_leaderboard_and_compared_with_our_run(
    fmt: str, client: httpx.AsyncClient, session: AsyncSession,
    maker: async_sessionmaker[AsyncSession], settings: Settings, home: Path,
    inspect_logs: dict[str, bytes],
) -> None:  # fmt: skip
    items = await register(session)
    ours = await _ours(session, home, items)
    await _evaluate_ours(client, maker, settings, ours)
    data, headers = _file(fmt, items, inspect_logs)
    params = {"eval_set": "adds", "source": f"{fmt}.out"}
    if fmt != "inspect_json":
        params["model_name"] = f"other-{fmt}"
    made = await client.post(URL, params=params, content=data, headers=headers)
    assert made.status_code == 202, made.text
    doc = made.json()
    assert doc["status"] == "queued"
    report = doc["external"]
    assert report["format"] == ("inspect" if fmt.startswith("inspect") else fmt)
    assert (report["rows"], report["matched"], report["extra"], report["missing"]) == (20, 20, 0, 0)
    assert report["by_prompt"] == (10 if fmt == "lm_eval" else 0)
    await execute_evaluate_run(maker, settings, uuid.UUID(doc["id"]))
    board = (await client.get("/api/tunix/evaluations", params={"eval_set": "adds"})).json()
    rows = {row["run_id"]: row for row in board["data"]}
    assert set(rows) == {str(ours.id), doc["run_id"]}
    theirs = rows[doc["run_id"]]
    assert theirs["model"] == ("mockllm/model" if fmt == "inspect_json" else f"other-{fmt}")
    assert theirs["score"] == 0.9  # items 0 and 3 wrong
    low, high = theirs["ci95"]
    assert low <= 0.9 <= high
    assert theirs["config"]["external"]["sha256"] == report["sha256"]
    assert rows[str(ours.id)]["score"] == 0.85
    diff = await client.get(
        "/api/tunix/runs/compare", params={"a": str(ours.id), "b": doc["run_id"]}
    )
    assert diff.status_code == 200, diff.text
    compared = diff.json()["items"]
    assert compared["eval_set"] == "adds"
    assert compared["shared"] == 20
    assert (compared["fixed"], compared["broken"]) == (2, 1)  # 1, 2 fixed; 0 broken
    assert compared["fixed_ids"] == ["q1", "q2"]


def _break(fmt: str, data: bytes) -> bytes:
    lines = data.splitlines()
    lines[4] = b'{"id": "q4", "oops"'
    return b"\n".join(lines) + b"\n"


async def _stored_runs(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Run)) or 0)


@pytest.mark.parametrize("fmt", ["predictions", "legacy", "lm_eval"])
async def test_a_broken_line_is_named_and_nothing_is_stored(
    fmt: str, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    items = await register(session)
    data, headers = _file(fmt, items, {})
    before = await _stored_runs(session)
    got = await client.post(
        URL, params={"eval_set": "adds"}, content=_break(fmt, data), headers=headers
    )
    assert got.status_code == 422, got.text
    assert got.json()["detail"][0]["loc"] == ["line 5"]
    assert "not JSON" in got.json()["detail"][0]["msg"]
    assert await _stored_runs(session) == before


async def test_a_line_without_prediction_text_is_named(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    items = await register(session)
    lines = files.legacy(items).splitlines()
    lines[2] = json.dumps({"id": "q2", "predicted_answer": 7}).encode()
    lines[7] = json.dumps({"predicted_answer": "7"}).encode()
    got = await client.post(URL, params={"eval_set": "adds", "format": "legacy"},
                            content=b"\n".join(lines), headers=JSONL)  # fmt: skip
    assert got.status_code == 422
    detail = got.json()["detail"]
    assert [d["loc"] for d in detail] == [["line 3"], ["line 8"]]
    assert "predicted_answer" in detail[0]["msg"]


async def test_broken_inspect_logs_name_the_bad_part(
    client: httpx.AsyncClient, session: AsyncSession, inspect_logs: dict[str, bytes]
) -> None:
    await register(session)
    cut = await client.post(URL, params={"eval_set": "adds", "format": "inspect"},
                            content=inspect_logs["json"][:-200], headers=JSON)  # fmt: skip
    assert cut.status_code == 422  # refused as a JSON body before the route
    assert cut.json()["detail"][0]["loc"] == ["body"]
    octets = {"content-type": "application/octet-stream"}
    cut = await client.post(URL, params={"eval_set": "adds"}, content=inspect_logs["json"][:-200],
                            headers=octets)  # fmt: skip
    assert cut.status_code == 422
    assert cut.json()["detail"][0]["loc"] == ["log"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as broken:
        broken.writestr("header.json", json.dumps({"eval": {"model": "mockllm/model"}}))
        good = {"id": "q4", "epoch": 1, "output": {"completion": "Answer: 9"}}
        broken.writestr("samples/q4_epoch_1.json", json.dumps(good))
        broken.writestr("samples/q3_epoch_1.json", b'{"id": "q3", ')
    bad = await client.post(URL, params={"eval_set": "adds"}, content=out.getvalue(), headers=ZIP)
    assert bad.status_code == 422, bad.text
    problem = bad.json()["detail"][0]
    assert problem["loc"] == ["samples", 0]  # sorted: q3 before q4
    assert problem["msg"].startswith("samples/q3_epoch_1.json: not JSON")
    assert await _stored_runs(session) == 0


async def test_missing_and_extra_items_are_reported_not_dropped(
    client: httpx.AsyncClient, session: AsyncSession, maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:  # fmt: skip
    items = await register(session)
    lines = files.ours(items).splitlines()[:17]
    lines.append(json.dumps({"id": "zz9", "prediction": "Answer: 1"}).encode())
    data = b"\n".join(lines)
    refused = await client.post(URL, params={"eval_set": "adds"}, content=data, headers=JSONL)
    assert refused.status_code == 422
    msg = refused.json()["detail"][0]["msg"]
    assert msg.startswith("3 (first: 'q17', 'q18', 'q19') of 20 eval-set items have no prediction")
    assert await _stored_runs(session) == 0
    params = {"eval_set": "adds", "allow_missing": "true", "model_name": "partial"}
    made = await client.post(URL, params=params, content=data, headers=JSONL)
    assert made.status_code == 202, made.text
    report = made.json()["external"]
    assert (report["extra"], report["extra_ids"]) == (1, ["zz9"])
    assert (report["missing"], report["missing_ids"]) == (3, ["q17", "q18", "q19"])
    await execute_evaluate_run(maker, settings, uuid.UUID(made.json()["id"]))
    got = (await client.get(f"/api/tunix/evaluations/{made.json()['id']}")).json()
    assert got["scorecard"]["judges"]["answer_correctness"]["labels"]["no_answer"] == 3


async def test_nothing_matching_and_unknown_eval_set_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    items = await register(session)
    unknown = await client.post(URL, params={"eval_set": "nope", "judges": ["vibes"]},
                                content=files.ours(items), headers=JSONL)  # fmt: skip
    assert unknown.status_code == 422
    assert {d["loc"][0] for d in unknown.json()["detail"]} == {"judges", "eval_set"}
    other = [EvalItemIn(id=f"x{k}", prompt=f"p{k}", expected_answer="1") for k in range(3)]
    none = await client.post(
        URL, params={"eval_set": "adds"}, content=files.ours(other), headers=JSONL
    )
    assert none.status_code == 422
    assert (
        "no row matches an eval-set item (rows: 3 (first: 'x0'" in none.json()["detail"][0]["msg"]
    )
    blank = await client.post(URL, params={"eval_set": "adds"}, content=b"hello\n", headers=JSONL)
    assert blank.status_code == 422
    assert blank.json()["detail"][0]["loc"] == ["format"]


def test_formats_are_sniffed(inspect_logs: dict[str, bytes]) -> None:
    items = eval_items(4)
    assert external.sniff(files.ours(items)) == "predictions"
    assert external.sniff(files.legacy(items)) == "legacy"
    assert external.sniff(files.lm_eval(items)) == "lm_eval"
    assert external.sniff(inspect_logs["json"]) == "inspect"
    assert external.sniff(inspect_logs["eval"]) == "inspect"


def test_a_second_prediction_for_an_item_names_both_lines() -> None:
    items = eval_items(3)
    data = files.ours(items) + files.ours(items[:1])
    with pytest.raises(external.InvalidInput) as caught:
        external.match(external.read_external(data).rows, {i.id: i.prompt for i in items})
    assert (
        str(caught.value.problems[0])
        == "line 4: a second prediction for item 'q0' (first at line 1)"
    )


@pytest.mark.parametrize(
    ("body", "params"),
    [
        (b"", {}),
        (b"\xff\xfe\x00garbage", {}),
        (b"PK\x03\x04not a zip", {}),
        (b"[1, 2]\n", {"format": "predictions"}),
        (b'{"eval": {}}', {"format": "inspect"}),
        (b"{}", {"format": "nope"}),
        (b"{}", {"seed": "-1"}),
    ],
)
async def test_junk_bodies_are_422_not_500(
    body: bytes, params: dict[str, str], client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await register(session)
    octets = {"content-type": "application/octet-stream"}
    got = await client.post(
        URL, params={"eval_set": "adds", **params}, content=body, headers=octets
    )
    assert got.status_code == 422, got.text
    assert got.json()["detail"]
