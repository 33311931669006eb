"""RL prompts: a trace file (``prompt`` + ``final_answer``) or an eval-set-shaped file
(``prompt`` + ``expected_answer``); rows marked ``"split": "eval"`` are held out, not trained.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.training.data import TraceRow, jsonl_docs


@dataclass(frozen=True)
class RlPrompt:
    """One prompt to sample G completions for, with what the judges compare them to."""

    id: str
    prompt: str
    expected_answer: str
    category: str | None
    difficulty: str | None
    steps: tuple[str, ...]  # the trace's steps when the row has them (tokenizer corpus only)

    def as_row(self) -> TraceRow:
        """The prompt as a trace row (a preset's tokenizer is trained on rows)."""
        return TraceRow(self.id, self.prompt, list(self.steps), self.expected_answer, "train", {})


def _prompt(doc: Any, line_no: int) -> RlPrompt | None:
    where = f"line {line_no}"
    if not isinstance(doc, dict) or not isinstance(doc.get("prompt"), str):
        raise InvalidInput("bad RL prompt file", problems=[Problem(where, "needs a prompt")])
    answer = doc.get("final_answer", doc.get("expected_answer"))
    if not isinstance(answer, str):
        raise InvalidInput(
            "bad RL prompt file", problems=[Problem(where, "needs final_answer or expected_answer")]
        )
    if doc.get("split") == "eval":
        return None
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    steps = doc.get("steps")
    steps = steps if isinstance(steps, list) else []
    texts = tuple(s.get("content", "") if isinstance(s, dict) else str(s) for s in steps)
    category = doc.get("category") or (meta or {}).get("category")
    difficulty = doc.get("difficulty") or (meta or {}).get("difficulty")
    return RlPrompt(
        id=str(doc.get("id") or line_no),
        prompt=doc["prompt"],
        expected_answer=answer,
        category=str(category) if category is not None else None,
        difficulty=str(difficulty) if difficulty is not None else None,
        steps=texts,
    )


def load_prompts(path: Path | str) -> list[RlPrompt]:
    """The training prompts of a trace or eval-set JSONL file; a bad line is named."""
    out: list[RlPrompt] = []
    for line_no, doc in jsonl_docs(path, what="RL prompt file"):
        item = _prompt(doc, line_no)
        if item is not None:
            out.append(item)
    if not out:
        raise InvalidInput(f"data_path: {path} has no training prompts")
    return out


def prompt_dataset(prompts: list[RlPrompt]) -> Any:
    """The prompts as the ``datasets.Dataset`` TRL's GRPOTrainer samples from: ``prompt`` (the
    question, rendered by the trainer in our template), and the columns the judges read
    (``expected_answer``, ``id``, ``category``, ``difficulty``), which reach every reward
    function as keyword arguments."""
    from datasets import Dataset

    return Dataset.from_dict(
        {
            "prompt": [p.prompt for p in prompts],
            "expected_answer": [p.expected_answer for p in prompts],
            "id": [p.id for p in prompts],
            "category": [p.category for p in prompts],
            "difficulty": [p.difficulty for p in prompts],
        }
    )
