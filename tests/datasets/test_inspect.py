"""Token-level preview and lint: loss masks, truncation that cuts answers, tokenizer checks."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.datasets.factories import make_trace, store

from tunix_rt.datasets import service
from tunix_rt.datasets.inspect import (
    InspectOptions,
    answer_span,
    lint_record,
    preview,
    unclosed_tags,
)
from tunix_rt.datasets.render import ChatTemplate, TraceStyle, render_body
from tunix_rt.datasets.schemas import DatasetBuild
from tunix_rt.datasets.tokenize import CharTokenizer
from tunix_rt.traces.schemas import TraceCreate

OPTIONS = InspectOptions(template=ChatTemplate.GEMMA, style=TraceStyle.TAGGED, max_seq_length=64)


def test_char_tokenizer_keeps_markers_whole() -> None:
    tok = CharTokenizer(ChatTemplate.GEMMA, TraceStyle.TAGGED)
    texts = [t.text for t in tok.tokenize("<start_of_turn>ab<answer>c", prompt=True)]
    assert texts == ["<start_of_turn>", "a", "b", "<answer>", "c"]


@pytest.mark.parametrize("style", list(TraceStyle))
def test_answer_span_points_at_the_answer(style: TraceStyle) -> None:
    body = render_body(["1 + 1 = 2", "so <b>"], "a < 2 & <answer>", style=style)
    start, end = answer_span(["1 + 1 = 2", "so <b>"], "a < 2 & <answer>", style)
    assert body[start:end].replace("&lt;", "<") == "a < 2 & <answer>"


def test_lint_warnings() -> None:
    assert unclosed_tags("<b>x</b> <i>y") == ["i"]
    completion = "<reasoning>s</reasoning>\n<answer>4</answer><end_of_turn>"
    assert lint_record(["s"], "4", completion, OPTIONS) == []
    lost = lint_record(["<think>s"], "5", "<reasoning>s</reasoning>\n", OPTIONS)
    assert "unclosed_tag: think" in lost
    assert any(w.startswith("answer_missing") for w in lost)
    assert any(
        w.startswith("empty_reasoning") for w in lint_record([" "], "4", completion, OPTIONS)
    )


async def _long_dataset(session: AsyncSession, home: Path) -> None:
    short = make_trace(1)
    doc = make_trace(2).model_dump()
    doc["steps"] = [{"i": 0, "type": "x", "content": "carry the one " * 30}]
    long = TraceCreate.model_validate(doc)
    await store(session, [short, long])
    await service.build_dataset(session=session, build=DatasetBuild(name="ins"), home=home)


async def test_inspect_reports_truncation_and_cut_answers(
    session: AsyncSession, home: Path, client: httpx.AsyncClient
) -> None:
    await _long_dataset(session, home)
    response = await client.get(
        "/api/datasets/ins-v1/inspect", params={"max_seq_length": 200, "sample": 2}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["records"] == 2
    assert report["truncated"] == 1
    assert report["answer_cut"] == 1
    assert len(report["answer_cut_ids"]) == 1
    [sample] = [s for s in report["samples"] if not s["truncated"]]
    assert sample["tokens"][0] == {"text": "<start_of_turn>", "loss": False, "kept": True}
    assert sample["tokens"][-1] == {"text": "<end_of_turn>", "loss": True, "kept": True}
    assert sum(t["loss"] for t in sample["tokens"]) == sample["completion_tokens"]
    roomy = await client.get("/api/datasets/ins-v1/inspect", params={"max_seq_length": 4096})
    assert roomy.json()["truncated"] == 0
    bad = await client.get("/api/datasets/ins-v1/inspect", params={"tokenizer": "/etc"})
    assert bad.status_code == 422


def _save_tiny_tokenizer(directory: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    corpus = ["Compute 12 and 3 using add number 2 .", "Reasoning : Answer carry the one"]
    tok.train_from_iterator(corpus, trainers.WordLevelTrainer(special_tokens=["[UNK]", "<eos>"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", eos_token="<eos>")
    fast.add_special_tokens({"additional_special_tokens": ["<start_of_turn>", "<end_of_turn>"]})
    fast.save_pretrained(str(directory))


def test_preview_with_a_local_hf_tokenizer(tmp_path: Path) -> None:
    _save_tiny_tokenizer(tmp_path / "tok")
    options = InspectOptions(
        template=ChatTemplate.GEMMA, style=TraceStyle.TAGGED, max_seq_length=64, sample=1
    )
    records = [
        (str(i), "train", orjson.dumps({**make_trace(i).model_dump(), "split": "train"}))
        for i in range(3)
    ]
    report = preview(records, tokenizer=str(tmp_path / "tok"), options=options, max_records=2)
    assert report["records"] == 2
    tokens = report["samples"][0]["tokens"]
    assert tokens[0]["text"] == "<start_of_turn>"
    assert any("splits <reasoning>" in w for w in report["warnings"])
    assert not any("<start_of_turn>" in w for w in report["warnings"])
