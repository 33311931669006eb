"""Eval sets: validation with line numbers, idempotent registration, API and CLI."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from tunix_rt.cli.main import app as cli_app
from tunix_rt.datasets import evalsets
from tunix_rt.datasets.evalfile import parse_eval_jsonl
from tunix_rt.datasets.schemas import EvalItemIn
from tunix_rt.errors import Conflict, InvalidInput, NotFound

ITEMS = [
    {"id": "a1", "prompt": "What is 2 + 2?", "expected_answer": "4", "section": "core"},
    {"id": "a2", "prompt": "What is 3 * 5?", "expected_answer": "15", "difficulty": "easy"},
    {"id": "a3", "prompt": "Is 7 prime?", "expected_answer": "yes", "category": "primes"},
]


def _jsonl(rows: list[dict[str, object]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def _items() -> list[EvalItemIn]:
    return [EvalItemIn.model_validate(r) for r in ITEMS]


def test_parse_reports_every_problem_with_line_numbers() -> None:
    bad = (
        _jsonl([ITEMS[0], {"id": "a1", "prompt": "dup", "expected_answer": "x"}])
        + b"{not json\n"
        + _jsonl(
            [
                {"id": "b", "prompt": "p", "section": "extra", "difficulty": "insane"},
                {"id": "c", "prompt": "", "expected_answer": "x", "colour": "red"},
            ]
        )
    )
    items, problems = parse_eval_jsonl(bad)
    text = [str(p) for p in problems]
    assert [i.id for i in items] == ["a1"]
    assert any("line 2" in t and "duplicate id 'a1' (first on line 1)" in t for t in text)
    assert any("line 3" in t and "invalid JSON" in t for t in text)
    assert any("line 4" in t and "missing field 'expected_answer'" in t for t in text)
    assert any("line 4" in t and "'section' is 'extra'" in t for t in text)
    assert any("line 4" in t and "'difficulty' is 'insane'" in t for t in text)
    assert any("line 5" in t and "'prompt' must be a non-empty string" in t for t in text)
    assert any("line 5" in t and "unknown field 'colour'" in t for t in text)


async def test_register_is_idempotent_and_conflicts_on_change(session: AsyncSession) -> None:
    first = await evalsets.register_eval_set(session=session, name="ev", items=_items())
    again = await evalsets.register_eval_set(session=session, name="ev", items=_items())
    assert again.id == first.id
    changed = [*_items()[:2], EvalItemIn(id="a3", prompt="Is 9 prime?", expected_answer="no")]
    with pytest.raises(Conflict):
        await evalsets.register_eval_set(session=session, name="ev", items=changed)
    assert [i.id for i in await evalsets.list_eval_items(session=session, name="ev")] == [
        "a1",
        "a2",
        "a3",
    ]
    stats = await evalsets.eval_set_stats(session=session, name="ev")
    assert stats.count == 3
    assert stats.by_section == {"core": 1, "none": 2}


async def test_register_rejects_duplicates_and_missing(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput, match="duplicate id"):
        await evalsets.register_eval_set(session=session, name="d", items=_items() * 2)
    with pytest.raises(NotFound):
        await evalsets.get_eval_set(session=session, name="nope")


async def test_write_eval_file(session: AsyncSession, tmp_path: Path) -> None:
    await evalsets.register_eval_set(session=session, name="ev", items=_items())
    path = tmp_path / "out" / "ev.jsonl"
    assert await evalsets.write_eval_file(session=session, name="ev", path=path) == 3
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert rows[0] == ITEMS[0]


async def test_api_register_list_show(client: httpx.AsyncClient) -> None:
    body = _jsonl(ITEMS)
    created = await client.post("/api/evalsets?name=api-ev", content=body)
    assert created.status_code == 201, created.text
    again = await client.post("/api/evalsets?name=api-ev", content=body)
    assert again.status_code == 200
    conflict = await client.post("/api/evalsets?name=api-ev", content=_jsonl(ITEMS[:2]))
    assert conflict.status_code == 409
    bad = await client.post("/api/evalsets?name=bad", content=b'{"id": "x"}\n')
    assert bad.status_code == 422
    assert "line 1" in bad.text
    listed = await client.get("/api/evalsets")
    assert [d["name"] for d in listed.json()["data"]] == ["api-ev"]
    shown = await client.get("/api/evalsets/api-ev?items=true")
    assert shown.json()["stats"]["count"] == 3
    assert len(shown.json()["items"]) == 3
    assert (await client.get("/api/evalsets/none")).status_code == 404


def test_cli_validate_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "ev.jsonl"
    path.write_bytes(_jsonl([ITEMS[0], ITEMS[0], {"id": "z", "prompt": "p"}]))
    result = CliRunner().invoke(cli_app, ["evalsets", "validate", str(path)])
    assert result.exit_code == 2
    assert "line 2" in result.output
    assert "duplicate id" in result.output
    assert "line 3" in result.output
    assert "missing field 'expected_answer'" in result.output
    path.write_bytes(_jsonl(ITEMS))
    ok = CliRunner().invoke(cli_app, ["evalsets", "validate", str(path)])
    assert ok.exit_code == 0
    assert "3 items" in ok.output
