"""Token-level preview and lint of rendered records (pure).

For each record: which tokens carry loss (the completion) and which are masked (the prompt),
its token length, whether ``max_seq_length`` truncates it, and whether the cut falls inside the
answer; plus lint warnings that would otherwise only show after training.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from tunix_rt.datasets.render import (
    ChatTemplate,
    TraceStyle,
    parse_completion,
    render_body,
    render_example,
)
from tunix_rt.datasets.tokenize import PreviewTokenizer, load_tokenizer

_TAG = re.compile(r"<(/?)([A-Za-z_][\w-]*)>")
MAX_LISTED = 1000


@dataclass(frozen=True)
class InspectOptions:
    """How to render and tokenize, and how much detail to return."""

    template: ChatTemplate
    style: TraceStyle
    max_seq_length: int
    system: str | None = None
    sample: int = 5
    max_tokens_shown: int = 4096


@dataclass
class RecordView:
    """One record's preview."""

    id: str
    split: str
    prompt_tokens: int
    completion_tokens: int
    truncated: bool
    answer_cut: bool
    lint: list[str]
    tokens: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def unclosed_tags(text: str) -> list[str]:
    """Tags opened in ``text`` and never closed (``<b>`` without ``</b>``)."""
    depth: Counter[str] = Counter()
    for closing, name in _TAG.findall(text):
        depth[name] += -1 if closing else 1
    return sorted(name for name, n in depth.items() if n > 0)


def answer_span(steps: Sequence[str], answer: str, style: TraceStyle) -> tuple[int, int]:
    """Character span of the rendered answer inside the completion."""
    body = render_body(steps, answer, style=style)
    empty = render_body(steps, "", style=style)
    closer = "</answer>" if style is TraceStyle.TAGGED else ""
    start = len(empty) - len(closer)
    return start, start + len(body) - len(empty)


def lint_record(
    steps: Sequence[str], answer: str, completion: str, options: InspectOptions
) -> list[str]:
    """Warnings for one record: unclosed tags, empty reasoning, answer lost in rendering."""
    out = [f"unclosed_tag: {t}" for t in unclosed_tags("\n".join([*steps, answer]))]
    if options.style is not TraceStyle.ANSWER_ONLY and not any(s.strip() for s in steps):
        out.append("empty_reasoning: no reasoning steps")
    parsed = parse_completion(completion, style=options.style, template=options.template)
    if not answer.strip():
        out.append("answer_missing: the final answer is empty")
    elif parsed.answer is None or parsed.answer.strip() != answer.strip():
        out.append(f"answer_missing: the {options.style} parser reads {parsed.answer!r}")
    return out


def view_record(
    tid: str,
    split: str,
    doc: dict[str, Any],
    tokenizer: PreviewTokenizer,
    options: InspectOptions,
    detail: bool,
) -> RecordView:
    """Tokenize one canonical record and judge truncation against the answer span."""
    steps = [str(s["content"]) for s in doc["steps"]]
    answer = str(doc["final_answer"])
    ex = render_example(
        doc["prompt"],
        steps,
        answer,
        template=options.template,
        style=options.style,
        system=options.system,
    )
    p_tokens = tokenizer.tokenize(ex.prompt, prompt=True)
    c_tokens = tokenizer.tokenize(ex.completion, prompt=False)
    start, end = answer_span(steps, answer, options.style)
    limit = options.max_seq_length - len(p_tokens)
    answer_tokens = [i for i, t in enumerate(c_tokens) if t.start < end and t.end > start]
    answer_cut = bool(answer_tokens) and answer_tokens[-1] >= limit
    view = RecordView(
        id=tid,
        split=split,
        prompt_tokens=len(p_tokens),
        completion_tokens=len(c_tokens),
        truncated=len(p_tokens) + len(c_tokens) > options.max_seq_length,
        answer_cut=answer_cut or limit <= 0,
        lint=lint_record(steps, answer, ex.completion, options),
    )
    if detail:
        marked = [(t, False) for t in p_tokens] + [(t, True) for t in c_tokens]
        view.tokens = [
            {"text": t.text, "loss": loss, "kept": i < options.max_seq_length}
            for i, (t, loss) in enumerate(marked[: options.max_tokens_shown])
        ]
    return view


def _distribution(lengths: Sequence[int], max_seq_length: int) -> dict[str, Any]:
    if not lengths:
        return {"min": 0, "max": 0, "mean": 0.0, "p50": 0, "p95": 0, "histogram": []}
    ordered = sorted(lengths)
    width = max(1, -(-max(ordered[-1], max_seq_length) // 10))
    buckets = Counter(n // width for n in ordered)
    return {
        "min": ordered[0],
        "max": ordered[-1],
        "mean": round(statistics.fmean(ordered), 2),
        "p50": ordered[len(ordered) // 2],
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "histogram": [
            {"from": b * width, "to": (b + 1) * width, "count": buckets[b]} for b in sorted(buckets)
        ],
    }


def summarise(
    views: Iterable[RecordView], options: InspectOptions, warnings: list[str]
) -> dict[str, Any]:
    """The preview: length distribution, truncation counts, lint counts, sampled records."""
    all_views = list(views)
    lint = Counter(w.split(":", 1)[0] for v in all_views for w in v.lint)
    flagged = [v for v in all_views if v.lint or v.answer_cut]
    shown = [v for v in all_views if v.tokens]
    return {
        "records": len(all_views),
        "max_seq_length": options.max_seq_length,
        "template": str(options.template),
        "style": str(options.style),
        "token_lengths": _distribution([v.total for v in all_views], options.max_seq_length),
        "truncated": sum(v.truncated for v in all_views),
        "answer_cut": sum(v.answer_cut for v in all_views),
        "answer_cut_ids": [v.id for v in all_views if v.answer_cut][:MAX_LISTED],
        "lint_counts": dict(sorted(lint.items())),
        "warnings": warnings,
        "flagged": [_public(v, tokens=False) for v in flagged[:MAX_LISTED]],
        "samples": [_public(v, tokens=True) for v in shown],
    }


def _public(view: RecordView, *, tokens: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": view.id,
        "split": view.split,
        "prompt_tokens": view.prompt_tokens,
        "completion_tokens": view.completion_tokens,
        "total_tokens": view.total,
        "truncated": view.truncated,
        "answer_cut": view.answer_cut,
        "lint": view.lint,
    }
    if tokens:
        doc["tokens"] = view.tokens
    return doc


def preview(
    records: Iterable[tuple[str, str, bytes]],
    *,
    tokenizer: str,
    options: InspectOptions,
    max_records: int,
    split: str | None = None,
) -> dict[str, Any]:
    """Preview of up to ``max_records`` canonical records (``tokenizer``: "char" or a dir)."""
    tok = load_tokenizer(tokenizer, options.template, options.style)
    views: list[RecordView] = []
    for tid, rec_split, line in records:
        if split is not None and rec_split != split:
            continue
        if len(views) >= max_records:
            break
        detail = len(views) < options.sample
        views.append(view_record(tid, rec_split, orjson.loads(line), tok, options, detail))
    report = summarise(views, options, tok.warnings(options.template, options.style))
    return {"tokenizer": tok.name, **report}
