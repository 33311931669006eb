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
from collections.abc import Sequence
from pathlib import Path

from tunix_rt.datasets.schemas import EvalItemIn

# Items answered wrong by every external file (the rest are right).
WRONG = {0, 3}


def answer(k: int, item: EvalItemIn) -> str:
    """The external model's final answer for item ``k``."""
    return str(int(item.expected_answer) + (1 if k in WRONG else 0))


def ours(items: Sequence[EvalItemIn]) -> bytes:
    """Our ``predictions.jsonl`` shape."""
    rows = [
        {
            "id": i.id,
            "prediction": f"Reasoning:\n1. add\nAnswer: {answer(k, i)}",
            "truncated": False,
        }
        for k, i in enumerate(items)
    ]
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def legacy(items: Sequence[EvalItemIn]) -> bytes:
    """The earlier system's shape: ``id``, ``predicted_answer``, ``expected_answer``."""
    rows = [
        {"id": i.id, "predicted_answer": answer(k, i), "expected_answer": i.expected_answer}
        for k, i in enumerate(items)
    ]
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def lm_eval(items: Sequence[EvalItemIn]) -> bytes:
    """An lm-eval ``--log_samples`` file of a ``generate_until`` task: even docs carry our id,
    odd ones only the question (matched by prompt text)."""
    lines = []
    for k, item in enumerate(items):
        doc: dict[str, object] = {"question": item.prompt, "answer": f"#### {item.expected_answer}"}
        if k % 2 == 0:
            doc["id"] = item.id
        text = f"Let me add them.\nThe answer is {answer(k, item)}."
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

def output(text):
    out = ModelOutput.from_content("mockllm/model", text)
    # Usage given, so mockllm does not count tokens with tiktoken (a download).
    out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return out

dataset = [Sample(id=s["id"], input=s["input"], target=s["target"]) for s in spec["samples"]]
for fmt in ("json", "eval"):
    outputs = [output(s["output"]) for s in spec["samples"]]
    model = get_model("mockllm/model", custom_outputs=outputs)
    task = Task(dataset=dataset, solver=[generate()], scorer=match())
    log = inspect_eval(task, model=model, log_dir=spec["dir"] + "/" + fmt, log_format=fmt,
                       display="none")[0]
    assert log.status == "success", log.error
"""


def inspect_logs(items: Sequence[EvalItemIn], out: Path) -> dict[str, bytes]:
    """Real inspect logs (``json`` and ``eval``) of a mockllm run over the items."""
    samples = [
        {"id": i.id, "input": i.prompt, "target": i.expected_answer,
         "output": f"I add the numbers.\nAnswer: {answer(k, i)}"}
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
