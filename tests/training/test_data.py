"""Data encoding: the loss mask covers exactly the completion; tokenizers round-trip."""

from pathlib import Path

import orjson
import pytest
from transformers import AutoTokenizer

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, render_example
from tunix_rt.errors import InvalidInput
from tunix_rt.training.data import corpus_texts, encode_examples, load_rows
from tunix_rt.training.tiny import build_tokenizer

ROWS: list[dict[str, object]] = [
    {
        "prompt": "What is 47 + 38?",
        "steps": [{"i": 0, "type": "step", "content": "7+8+0=15, write 5 carry 1"}],
        "final_answer": "85",
    },
    {"prompt": "Zähle 3 minus 1", "steps": ["3-1=2"], "final_answer": "2", "split": "eval"},
]


def _write(path: Path, docs: list[dict[str, object]]) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(d) for d in docs) + b"\n")
    return path


@pytest.mark.parametrize("template", list(ChatTemplate))
@pytest.mark.parametrize("style", [TraceStyle.NUMBERED, TraceStyle.TAGGED])
def test_mask_covers_exactly_the_completion(
    tmp_path: Path, template: ChatTemplate, style: TraceStyle
) -> None:
    rows = load_rows(_write(tmp_path / "d.jsonl", ROWS))
    tok = build_tokenizer(
        corpus_texts(rows, template=template, style=style), template=template, style=style
    )
    examples, stats = encode_examples(rows, tok, template=template, style=style, max_seq_length=512)
    assert (stats.kept, stats.truncated) == (2, 0)
    for row, ex in zip(rows, examples, strict=True):
        rendered = render_example(row.prompt, row.steps, row.answer, template=template, style=style)
        masked = [t for t, m in zip(ex.input_ids, ex.loss_mask, strict=True) if m]
        text = tok.decode(masked)
        eos = tok.eos_token if template is ChatTemplate.PLAIN else ""
        assert text == rendered.completion + eos
        assert tok.decode(ex.input_ids[: ex.loss_mask.index(1)]) == rendered.prompt


def test_truncation_is_counted_and_empty_completions_dropped(tmp_path: Path) -> None:
    rows = load_rows(_write(tmp_path / "d.jsonl", ROWS))
    tok = build_tokenizer([], template=ChatTemplate.CHATML, style=TraceStyle.NUMBERED)
    kw = {"template": ChatTemplate.CHATML, "style": TraceStyle.NUMBERED}
    _, stats = encode_examples(rows, tok, max_seq_length=30, **kw)  # type: ignore[arg-type]
    assert stats.truncated == 2
    examples, stats = encode_examples(rows, tok, max_seq_length=8, **kw)  # type: ignore[arg-type]
    assert (stats.dropped, examples) == (2, [])


def test_tokenizer_round_trips_through_save_pretrained(tmp_path: Path) -> None:
    texts = ["héllo <reasoning>1+2=3</reasoning>"]
    tok = build_tokenizer(texts, template=ChatTemplate.GEMMA, style=TraceStyle.TAGGED)
    tok.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    sample = "<start_of_turn>user\nhéllo<end_of_turn>\n<reasoning>9</reasoning>"
    assert loaded(sample)["input_ids"] == tok(sample)["input_ids"]
    assert loaded.decode(loaded(sample)["input_ids"]) == sample
    assert loaded.convert_tokens_to_ids("<end_of_turn>") == loaded.eos_token_id
    assert len(loaded("<reasoning>")["input_ids"]) == 1


@pytest.mark.parametrize(
    ("line", "where"),
    [
        (b"{not json", "line 2"),
        (b'{"prompt": "x"}', "line 2"),
        (b'{"prompt":"p","steps":[],"final_answer":"1","split":"dev"}', "line 2"),
    ],
)
def test_bad_row_is_named_by_line(tmp_path: Path, line: bytes, where: str) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(orjson.dumps(ROWS[0]) + b"\n" + line + b"\n")
    with pytest.raises(InvalidInput) as info:
        load_rows(path)
    assert info.value.problems[0].loc == where


def test_words_tokenizer_keeps_digits_single_and_frequent_words_whole(tmp_path: Path) -> None:
    texts = ["Sam buys 12 apples and 30 pears.\n<reasoning>12+30=42</reasoning>"] * 120
    tok = build_tokenizer(texts, template=ChatTemplate.PLAIN, style=TraceStyle.TAGGED, words=True)
    tok.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    sample = "Sam buys 907 apples and 5 plums.\n<reasoning>907+5=912</reasoning>"
    pieces = loaded.convert_ids_to_tokens(loaded(sample)["input_ids"])
    assert " apples" in pieces
    assert " buys" in pieces
    assert all(len(p) == 1 for p in pieces if any(c.isdigit() for c in p))  # digits stay single
    assert " plums" not in pieces  # unseen: spelled out, nothing lost
    assert loaded.decode(loaded(sample)["input_ids"]) == sample
    assert len(pieces) < len(sample) * 0.7
