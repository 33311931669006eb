"""Other systems' prediction files, read into our prediction rows and matched to an eval set (pure).

Formats (``ExternalFormat``), sniffed from the content when not named: our ``predictions``
JSONL (``id``, ``prediction``, ``truncated``); the earlier system's ``legacy`` JSONL (``id``,
``predicted_answer``, ``expected_answer``); lm-evaluation-harness ``--log_samples`` JSONL
(``lm_eval``: ``doc_id``, ``doc``, ``target``, ``resps``, ``filtered_resps``); inspect_ai logs
(``inspect``: a ``.json`` log or a ``.eval`` zip, read by ``inspect_log``). docs/interop.md,
"Predictions in", gives the field mapping.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.evaluation import inspect_log
from tunix_rt.evaluation.predictions import PredictionRow

MAX_PROBLEMS = 100
SHOWN_IDS = 5
NUL_MSG = "NUL characters (U+0000) are not allowed"
# lm-eval docs carry the question under the task's own field name; these are tried in order.
LM_EVAL_PROMPT_FIELDS = ("question", "prompt", "problem", "input", "query", "text")
_SPACE = re.compile(r"\s+")


class ExternalFormat(StrEnum):
    """A prediction file's format."""

    PREDICTIONS = "predictions"
    LEGACY = "legacy"
    LM_EVAL = "lm_eval"
    INSPECT = "inspect"


@dataclass(frozen=True)
class ExternalRow:
    """One prediction as the file gives it: ways to find its item, and the text to judge."""

    where: str
    label: str
    item_id: str | None
    prompt: str | None
    prediction: str
    truncated: bool = False


@dataclass(frozen=True)
class ExternalFile:
    """A parsed prediction file: its format, rows and (when it names one) the model."""

    format: ExternalFormat
    rows: list[ExternalRow]
    model_name: str | None = None


@dataclass(frozen=True)
class Matched:
    """Rows matched to eval-set items, and what did not match either way."""

    rows: dict[str, PredictionRow]
    by_prompt: int
    extra: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def first_ids(ids: Sequence[str], total: int | None = None) -> str:
    """``N (first: a, b, ...)`` for a report line (``total``: N when ``ids`` is a prefix)."""
    shown = ", ".join(repr(i) for i in ids[:SHOWN_IDS])
    return f"{len(ids) if total is None else total} (first: {shown})" if ids else "0"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _key(value: Any) -> str | None:
    """An id as text (inspect and lm-eval ids may be integers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        return str(value) or None
    return None


def _jsonl(data: bytes, problems: list[Problem]) -> Iterator[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            problems.append(Problem(f"line {n}", "not JSON"))
            continue
        if not isinstance(doc, dict):
            problems.append(Problem(f"line {n}", "not a JSON object"))
            continue
        yield n, doc


def _ours(n: int, doc: dict[str, Any], text_field: str) -> ExternalRow | Problem:
    text, item_id = _text(doc.get(text_field)), _key(doc.get("id"))
    if text is None:
        return Problem(f"line {n}", f"field {text_field!r} must be a string")
    if item_id is None:
        return Problem(f"line {n}", "field 'id' must be a non-empty string or integer")
    truncated = doc.get("truncated", False)
    if not isinstance(truncated, bool):
        return Problem(f"line {n}", "field 'truncated' must be true or false")
    return ExternalRow(f"line {n}", item_id, item_id, _text(doc.get("prompt")), text, truncated)


def _lm_eval_text(resps: Any, filtered: Any) -> str | None:
    """The first generated text: ``resps[0][0]`` (raw), else ``filtered_resps[0]``."""
    for value in (resps, filtered):
        while isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str):
            return value
    return None


def _lm_eval(n: int, doc: dict[str, Any]) -> ExternalRow | Problem:
    body = doc.get("doc")
    if _key(doc.get("doc_id")) is None or not isinstance(body, dict):
        return Problem(f"line {n}", "an lm-eval sample needs 'doc_id' and a 'doc' object")
    text = _lm_eval_text(doc.get("resps"), doc.get("filtered_resps"))
    if text is None:
        return Problem(f"line {n}", "'resps' holds no generated text (a loglikelihood task?)")
    prompt = next((p for f in LM_EVAL_PROMPT_FIELDS if (p := _text(body.get(f)))), None)
    item_id = _key(body.get("id")) or _key(body.get("item_id"))
    return ExternalRow(f"line {n}", f"doc_id {doc['doc_id']}", item_id, prompt, text)


def _rows_jsonl(data: bytes, fmt: ExternalFormat) -> ExternalFile:
    problems: list[Problem] = []
    rows = []
    for n, doc in _jsonl(data, problems):
        if fmt is ExternalFormat.LM_EVAL:
            got = _lm_eval(n, doc)
        else:
            got = _ours(
                n, doc, "prediction" if fmt is ExternalFormat.PREDICTIONS else "predicted_answer"
            )
        if isinstance(got, Problem):
            problems.append(got)
        else:
            rows.append(got)
    _raise(problems)
    return ExternalFile(fmt, rows)


def _rows_inspect(data: bytes) -> ExternalFile:
    log = inspect_log.read_log(data)
    rows = [
        ExternalRow(s.where, s.id, s.id, s.input, s.completion, s.truncated)
        for s in log.samples
        if s.epoch == 1  # one prediction per item: further epochs are repeats
    ]
    return ExternalFile(ExternalFormat.INSPECT, rows, log.model)


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput("invalid predictions file", problems=problems[:MAX_PROBLEMS])


def sniff(data: bytes) -> ExternalFormat:
    """The format from the content: a zip or a whole JSON log is inspect; JSONL by its keys."""
    if inspect_log.is_zip(data):
        return ExternalFormat.INSPECT
    first = next((line for line in io.BytesIO(data) if line.strip()), b"").strip()
    try:
        doc = orjson.loads(first)
    except orjson.JSONDecodeError:
        doc = None
        if first.strip() == b"{":  # a pretty-printed JSON document: inspect's .json log
            return ExternalFormat.INSPECT
    if isinstance(doc, dict):
        if "eval" in doc and ("samples" in doc or "version" in doc):
            return ExternalFormat.INSPECT
        if "doc_id" in doc and ("resps" in doc or "filtered_resps" in doc):
            return ExternalFormat.LM_EVAL
        if "predicted_answer" in doc:
            return ExternalFormat.LEGACY
        if "prediction" in doc:
            return ExternalFormat.PREDICTIONS
    names = ", ".join(f.value for f in ExternalFormat)
    raise InvalidInput(
        "invalid predictions file",
        problems=[Problem("format", f"cannot tell the file's format; name one of {names}")],
    )


def read_external(data: bytes, fmt: ExternalFormat | None = None) -> ExternalFile:
    """Every row of a prediction file; ``InvalidInput`` naming each bad line (nothing kept)."""
    fmt = fmt or sniff(data)
    parsed = _rows_inspect(data) if fmt is ExternalFormat.INSPECT else _rows_jsonl(data, fmt)
    _raise([Problem(r.where, NUL_MSG) for r in parsed.rows if "\x00" in r.prediction + r.label])
    if not parsed.rows:
        _raise([Problem("predictions", "the file holds no predictions")])
    return parsed


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def match(rows: Sequence[ExternalRow], items: Mapping[str, str]) -> Matched:
    """Rows to items (``items``: id -> prompt) by id, else by the prompt text (whitespace
    squashed); a second row for one item is an error naming both places."""
    by_prompt_text = {_squash(prompt): item_id for item_id, prompt in items.items()}
    found: dict[str, PredictionRow] = {}
    seen: dict[str, str] = {}
    extra, problems, via_prompt = [], [], 0
    for row in rows:
        item_id = row.item_id if row.item_id in items else None
        if item_id is None and row.prompt is not None:
            item_id = by_prompt_text.get(_squash(row.prompt))
            via_prompt += item_id is not None
        if item_id is None:
            extra.append(row.label)
        elif item_id in seen:
            problems.append(Problem(row.where, f"a second prediction for item {item_id!r} "
                                    f"(first at {seen[item_id]})"))  # fmt: skip
        else:
            seen[item_id] = row.where
            found[item_id] = PredictionRow(item_id, row.prediction, row.truncated)
    _raise(problems)
    missing = [item_id for item_id in items if item_id not in found]
    return Matched(found, via_prompt, extra, missing)
