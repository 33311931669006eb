"""Prediction files of other systems for the ``adds`` eval set of ``tests/evaluation``.

Ours, the earlier system's and lm-eval's are JSONL written here in each tool's shape; inspect
logs are real ones, written by inspect_ai's own ``mockllm`` provider (in a subprocess: inspect
runs its own event loop).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Collection, Sequence
from pathlib import Path

from tunix_rt.datasets.schemas import EvalItemIn

# Items answered wrong by every external file (the rest are right).
WRONG = {0, 3}


def answer(k: int, item: EvalItemIn) -> str:
    """The external model's final answer for item ``k``."""
    return str(int(item.expected_answer) + (1 if k in WRONG else 0))


def ours(
    items: Sequence[EvalItemIn], texts: Sequence[str] | None = None, truncated: Collection[int] = ()
) -> bytes:
    """Our ``predictions.jsonl`` shape (``texts``: the outputs, default a numbered one each)."""
    rows = [
        {
            "id": i.id,
            "prediction": texts[k] if texts else f"Reasoning:\n1. add\nAnswer: {answer(k, i)}",
            "truncated": k in truncated,
        }
        for k, i in enumerate(items)
    ]
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


# Items whose second reasoning step is wrong in ``stepped`` outputs (their answers are right).
WRONG_STEP = {4}


def stepped(items: Sequence[EvalItemIn], style: str) -> list[str]:
    """Outputs with two checkable steps in a trace style, written by hand as another system
    would (``a + b = s``, then ``s - b = a``; the second is off by one for ``WRONG_STEP``)."""
    texts = []
    for k, item in enumerate(items):
        a, b = (int(n) for n in item.prompt.removeprefix("What is ").rstrip("?").split(" + "))
        total = a + b
        back = a + 1 if k in WRONG_STEP else a
        one, two = f"{a} + {b} = {total}", f"{total} - {b} = {back}"
        texts.append({
            "numbered": f"Reasoning:\n1. {one}\n2. {two}\nAnswer: {total}",
            "tagged": f"<reasoning>{one}\n{two}</reasoning>\n<answer>{total}</answer>",
            "think": f"<think>\n{one}\n{two}\n</think>\n{total}",
        }[style])  # fmt: skip
    return texts


def legacy(items: Sequence[EvalItemIn], truncated: Collection[int] = ()) -> bytes:
    """The earlier system's shape: ``id``, ``predicted_answer``, ``expected_answer`` (and
    ``truncated`` on the rows in ``truncated``)."""
    rows = [
        {"id": i.id, "predicted_answer": answer(k, i), "expected_answer": i.expected_answer,
         **({"truncated": True} if k in truncated else {})}
        for k, i in enumerate(items)
    ]  # fmt: skip
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def lm_eval(items: Sequence[EvalItemIn], texts: Sequence[str] | None = None) -> bytes:
    """An lm-eval ``--log_samples`` file of a ``generate_until`` task: even docs carry our id,
    odd ones only the question (matched by prompt text)."""
    lines = []
    for k, item in enumerate(items):
        doc: dict[str, object] = {"question": item.prompt, "answer": f"#### {item.expected_answer}"}
        if k % 2 == 0:
            doc["id"] = item.id
        text = texts[k] if texts else f"Let me add them.\nThe answer is {answer(k, item)}."
        row = {
            "doc_id": k,
            "doc": doc,
            "target": item.expected_answer,
            "arguments": [[f"Question: {item.prompt}\nAnswer:", {"until": ["\n\n"]}]],
            "resps": [[text]],
            "filtered_resps": [answer(k, item)],
            "filter": "strict-match",
            "metrics": ["exact_match"],
            "doc_hash": f"{k:064x}",
            "exact_match": 0.0 if k in WRONG else 1.0,
        }
        lines.append(json.dumps(row))
    return ("\n".join(lines) + "\n").encode()


_INSPECT = """
import json, sys
from inspect_ai import Task, eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import match
from inspect_ai.solver import generate

spec = json.loads(sys.argv[1])

def output(text, stop_reason):
    out = ModelOutput.from_content("mockllm/model", text, stop_reason=stop_reason)
    # Usage given, so mockllm does not count tokens with tiktoken (a download).
    out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return out

dataset = [Sample(id=s["id"], input=s["input"], target=s["target"]) for s in spec["samples"]]
for fmt in ("json", "eval"):
    outputs = [output(s["output"], s["stop_reason"]) for s in spec["samples"]]
    model = get_model("mockllm/model", custom_outputs=outputs)
    task = Task(dataset=dataset, solver=[generate()], scorer=match())
    log = inspect_eval(task, model=model, log_dir=spec["dir"] + "/" + fmt, log_format=fmt,
                       display="none")[0]
    assert log.status == "success", log.error
"""


def inspect_logs(
    items: Sequence[EvalItemIn], out: Path, truncated: Collection[int] = ()
) -> dict[str, bytes]:
    """Real inspect logs (``json`` and ``eval``) of a mockllm run over the items; the model
    stops at its token limit (``stop_reason: max_tokens``) on the items in ``truncated``."""
    samples = [
        {"id": i.id, "input": i.prompt, "target": i.expected_answer,
         "output": f"I add the numbers.\nAnswer: {answer(k, i)}",
         "stop_reason": "max_tokens" if k in truncated else "stop"}
        for k, i in enumerate(items)
    ]  # fmt: skip
    spec = json.dumps({"samples": samples, "dir": str(out)})
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_INSPECT), spec],
        capture_output=True, text=True, timeout=300, env={"INSPECT_LOG_DIR": str(out),
        "PATH": "/usr/bin:/bin", "HOME": str(out)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    logs = {}
    for fmt in ("json", "eval"):
        (path,) = (out / fmt).glob(f"*.{fmt}")
        logs[fmt] = path.read_bytes()
    return logs
