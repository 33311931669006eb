"""Training data: trace rows from a JSONL file, rendered and encoded with a completion-only mask.

Pure Python (no torch), so both backends share it. The prompt and the completion are
tokenized separately and concatenated, so the mask boundary is exact whatever the tokenizer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, end_of_turn, render_example
from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.traces.schemas import normalise_seed_variants

SPLITS = ("train", "eval")


@dataclass(frozen=True)
class TraceRow:
    """What training needs from one trace: prompt, step texts, answer and split."""

    id: str
    prompt: str
    steps: list[str]
    answer: str
    split: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class EncodedExample:
    """Token ids and a 0/1 loss mask of the same length (1 = a completion token)."""

    input_ids: list[int]
    loss_mask: list[int]


@dataclass(frozen=True)
class EncodeStats:
    """How encoding went: examples kept, cut at ``max_seq_length``, and dropped entirely."""

    kept: int
    truncated: int
    dropped: int


class TextTokenizer(Protocol):
    """The part of a Hugging Face tokenizer that encoding uses."""

    eos_token_id: int | None

    def __call__(self, text: list[str], *, add_special_tokens: bool) -> Any: ...


def _row(doc: Any, line_no: int) -> TraceRow:
    doc = normalise_seed_variants(doc)
    where = f"line {line_no}"
    if not isinstance(doc, dict):
        raise InvalidInput("bad data file", problems=[Problem(where, "not a JSON object")])
    bad = [k for k in ("prompt", "final_answer") if not isinstance(doc.get(k), str)]
    if bad or not isinstance(doc.get("steps"), list):
        missing = ", ".join(bad or ["steps"])
        raise InvalidInput("bad data file", problems=[Problem(where, f"needs {missing}")])
    steps = sorted(doc["steps"], key=lambda s: s.get("i", 0) if isinstance(s, dict) else 0)
    texts = [s["content"] if isinstance(s, dict) else str(s) for s in steps]
    split = doc.get("split") or "train"
    if split not in SPLITS:
        raise InvalidInput("bad data file", problems=[Problem(where, f"split {split!r}")])
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    return TraceRow(
        id=str(doc.get("id") or line_no),
        prompt=doc["prompt"],
        steps=texts,
        answer=doc["final_answer"],
        split=split,
        meta=meta or {},
    )


def jsonl_docs(path: Path | str, *, what: str) -> Iterator[tuple[int, Any]]:
    """``(line number, document)`` of each non-blank line; ``InvalidInput`` naming an unreadable
    file (as ``data_path``) or a line that is not JSON (``bad <what>``)."""
    try:
        with Path(path).open("rb") as fh:
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    doc = orjson.loads(line)
                except orjson.JSONDecodeError:
                    problem = Problem(f"line {line_no}", "invalid JSON")
                    raise InvalidInput(f"bad {what}", problems=[problem]) from None
                yield line_no, doc
    except OSError as exc:
        raise InvalidInput(f"data_path: cannot read {path}: {exc.strerror}") from None


def load_rows(path: Path | str) -> list[TraceRow]:
    """Every row of a trace JSONL file; a malformed line is an error naming it."""
    return [_row(doc, line_no) for line_no, doc in jsonl_docs(path, what="data file")]


def file_sha256(path: Path | str) -> str:
    """sha256 of a file's bytes (the dataset fingerprint in the run manifest)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def render_rows(
    rows: Sequence[TraceRow],
    *,
    template: ChatTemplate,
    style: TraceStyle,
    system: str | None = None,
) -> tuple[list[str], list[str]]:
    """Prompts and completions of the rows (completions end with the end-of-turn marker)."""
    prompts: list[str] = []
    completions: list[str] = []
    for row in rows:
        ex = render_example(
            row.prompt, row.steps, row.answer, template=template, style=style, system=system
        )
        prompts.append(ex.prompt)
        completions.append(ex.completion)
    return prompts, completions


def encode_examples(
    rows: Sequence[TraceRow],
    tokenizer: TextTokenizer,
    *,
    template: ChatTemplate,
    style: TraceStyle,
    system: str | None = None,
    max_seq_length: int,
) -> tuple[list[EncodedExample], EncodeStats]:
    """Encode rows; loss on the completion only (end-of-turn/EOS included), cut to the limit."""
    if not rows:  # a tokenizer called on an empty batch fails inside transformers
        return [], EncodeStats(kept=0, truncated=0, dropped=0)
    prompts, completions = render_rows(rows, template=template, style=style, system=system)
    p_ids = tokenizer(prompts, add_special_tokens=True)["input_ids"]
    c_ids = tokenizer(completions, add_special_tokens=False)["input_ids"]
    # A template without an end marker ends the completion with the tokenizer's EOS.
    tail = [tokenizer.eos_token_id] if not end_of_turn(template) and tokenizer.eos_token_id else []
    out: list[EncodedExample] = []
    truncated = dropped = 0
    for prompt, completion in zip(p_ids, c_ids, strict=True):
        completion = [*completion, *tail]
        ids = [*prompt, *completion]
        mask = [0] * len(prompt) + [1] * len(completion)
        if len(ids) > max_seq_length:
            truncated += 1
            ids, mask = ids[:max_seq_length], mask[:max_seq_length]
            if not any(mask):
                dropped += 1
                continue
        out.append(EncodedExample(input_ids=ids, loss_mask=mask))
    return out, EncodeStats(kept=len(out), truncated=truncated, dropped=dropped)


def corpus_texts(
    rows: Sequence[TraceRow], *, template: ChatTemplate, style: TraceStyle
) -> list[str]:
    """The rendered texts a locally trained tokenizer should cover."""
    prompts, completions = render_rows(rows, template=template, style=style)
    return [p + c for p, c in zip(prompts, completions, strict=True)]
