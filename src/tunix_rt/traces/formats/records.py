"""Chat and GSM8K-shaped records mapped to trace documents (pure; docs/interop.md).

A mapping returns the trace document (validated afterwards like any imported trace) or raises
``RecordError`` with every problem, each named by the record's field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, NamedTuple

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.traces.formats.steps import split_steps, strip_calculator

_THINK = re.compile(r"<think>(?P<thought>.*?)</think>", re.DOTALL | re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)
_ANSWER_PREFIX = re.compile(
    r"^\s*(?:####|(?:so,?\s+)?(?:the\s+)?(?:final\s+)?answer\b\s*(?:is\b)?\s*[:\-]?)\s*", re.I
)
_SYSTEM_ROLES = frozenset({"system", "developer"})


class Shape(StrEnum):
    """What one record is: a trace in our format, a chat, a GSM8K pair or an OTLP request."""

    TRACE = "jsonl"
    CHAT = "chat"
    GSM8K = "gsm8k"
    OTLP = "otlp"


class RecordError(InvalidInput):
    """A record that cannot become a trace; ``problems`` name its fields."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems), problems=problems)


class Message(NamedTuple):
    """One chat message as the mappings read it (``reasoning``: a separate reasoning field)."""

    role: str
    content: str
    reasoning: str | None = None


def sniff(record: object) -> Shape | None:
    """The shape of a record by its keys, or ``None`` when none fits."""
    if not isinstance(record, Mapping):
        return None
    if "resourceSpans" in record:
        return Shape.OTLP
    if "messages" in record:
        return Shape.CHAT
    if "question" in record and "answer" in record:
        return Shape.GSM8K
    if "prompt" in record or "prompts" in record:
        return Shape.TRACE
    return None


def _text(value: object, field: str) -> str:
    """A message content: a string, or a list of ``{"type": "text", "text": ...}`` parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and all(isinstance(p, Mapping) for p in value):
        return "\n".join(str(p.get("text") or "") for p in value if p.get("type", "text") == "text")
    raise RecordError([Problem(field, "expected a string or a list of text parts")])


def _message(raw: object, n: int) -> Message:
    where = f"messages[{n}]"
    if not isinstance(raw, Mapping):
        raise RecordError([Problem(where, "expected an object with role and content")])
    role = raw.get("role")
    if not isinstance(role, str) or not role:
        raise RecordError([Problem(f"{where}.role", "expected a non-empty string")])
    content = raw.get("content")
    text = "" if content is None else _text(content, f"{where}.content")
    reasoning = raw.get("reasoning_content")
    if reasoning is not None and not isinstance(reasoning, str):
        raise RecordError([Problem(f"{where}.reasoning_content", "expected a string")])
    return Message(role.lower(), text, reasoning or None)


def _answer(text: str) -> str:
    """The answer text with an ``Answer:`` / ``The answer is`` / ``####`` prefix dropped (and the
    full stop after a one-word answer: ``The answer is 72.`` gives ``72``)."""
    answer = _ANSWER_PREFIX.sub("", text.strip(), count=1).strip()
    return answer[:-1] if answer.endswith(".") and " " not in answer else answer


def reasoning_and_answer(reply: Message, field: str) -> tuple[str, str, str]:
    """``(reasoning, answer, where the reasoning was)`` from the assistant's reply."""
    content = reply.content
    if reply.reasoning and reply.reasoning.strip():
        reasoning, kind = reply.reasoning, "reasoning_content"
    elif (match := _THINK.search(content)) is not None:
        reasoning, kind = match.group("thought"), "think"
        content = content[: match.start()] + content[match.end() :]
    elif (close := _THINK_CLOSE.search(content)) is not None:
        # Templates that open <think> in the prompt leave only the closing tag in the reply.
        reasoning, kind = content[: close.start()], "think"
        content = content[close.end() :]
    else:
        lines = [line for line in content.strip().splitlines() if line.strip()]
        if len(lines) < 2:
            msg = "no reasoning: no <think>…</think>, no reasoning_content, and a single line"
            raise RecordError([Problem(field, msg)])
        # Reasoning in the content itself: the last line is the answer, the lines above it steps.
        return "\n".join(lines[:-1]), _answer(lines[-1]), "content"
    answer = _answer(content)
    if not reasoning.strip():
        raise RecordError([Problem(field, f"the reasoning ({kind}) is empty")])
    if not answer:
        raise RecordError([Problem(field, "no answer after the reasoning")])
    return reasoning, answer, kind


def conversation_doc(messages: Sequence[Message], meta: dict[str, Any]) -> dict[str, Any]:
    """A trace from a conversation: the last user message before the last assistant reply."""
    replies = [n for n, m in enumerate(messages) if m.role == "assistant"]
    if not replies:
        raise RecordError([Problem("messages", "no assistant message")])
    last = replies[-1]
    asks = [n for n in range(last) if messages[n].role == "user" and messages[n].content.strip()]
    if not asks:
        raise RecordError([Problem("messages", "no user message before the assistant's")])
    field = f"messages[{last}].content"
    reasoning, answer, kind = reasoning_and_answer(messages[last], field)
    split = split_steps(reasoning)
    system = [m.content for m in messages[:last] if m.role in _SYSTEM_ROLES and m.content.strip()]
    meta = {**meta, "reasoning": kind, "step_split": split.method}
    if system:
        meta["system"] = "\n\n".join(system)
    return {
        "prompt": messages[asks[-1]].content.strip(),
        "steps": _step_docs(split.steps),
        "final_answer": answer,
        "meta": meta,
    }


def _step_docs(steps: list[str]) -> list[dict[str, Any]]:
    return [{"i": n, "type": "step", "content": s} for n, s in enumerate(steps)]


def chat_doc(record: Mapping[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """A trace from a ``{"messages": [{"role", "content"}, ...]}`` record."""
    raw = record.get("messages")
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes) or not raw:
        raise RecordError([Problem("messages", "expected a non-empty list of messages")])
    return conversation_doc([_message(m, n) for n, m in enumerate(raw)], meta)


def gsm8k_doc(record: Mapping[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """A trace from a GSM8K-shaped ``{"question", "answer": "steps\\n#### final"}`` record."""
    question, answer = record.get("question"), record.get("answer")
    problems = [
        Problem(name, "expected a non-empty string")
        for name, value in (("question", question), ("answer", answer))
        if not isinstance(value, str) or not value.strip()
    ]
    if problems:
        raise RecordError(problems)
    assert isinstance(question, str)
    assert isinstance(answer, str)
    if "####" not in answer:
        raise RecordError([Problem("answer", "no '#### final answer' line")])
    work, final = answer.rsplit("####", 1)
    split = split_steps(strip_calculator(work))
    if not split.steps:
        raise RecordError([Problem("answer", "no steps before '####'")])
    if not final.strip():
        raise RecordError([Problem("answer", "nothing after '####'")])
    return {
        "prompt": question.strip(),
        "steps": _step_docs(split.steps),
        "final_answer": final.strip(),
        "meta": {**meta, "step_split": split.method},
    }
