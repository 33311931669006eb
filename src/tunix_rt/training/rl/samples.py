"""``samples.jsonl``: what the model said. One line per kept prompt: its G completions with
each judge's reward, the total, the advantage and the first wrong step; bounded in bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

SAMPLES_FILE = "samples.jsonl"
# A completion longer than this is cut in the file (the reward was computed on all of it).
MAX_TEXT_CHARS = 2_000


@dataclass(frozen=True)
class Completion:
    """One sampled completion and how it was scored."""

    text: str
    rewards: dict[str, float]
    reward: float
    advantage: float
    first_wrong_step: int | None
    tokens: int
    clipped: bool  # hit max_new_tokens before the end-of-turn token


@dataclass(frozen=True)
class PromptSamples:
    """A prompt of one step and its G completions."""

    step: int
    prompt_id: str
    prompt: str
    expected_answer: str
    completions: list[Completion]


class SamplesLog:
    """Appends ``PromptSamples`` until the file reaches ``max_bytes``, then stops (and says so)."""

    def __init__(self, out_dir: Path, *, max_bytes: int, keep_until_step: int) -> None:
        self.path = out_dir / SAMPLES_FILE
        self.max_bytes = max_bytes
        if self.path.exists():
            # A resumed run redoes the steps after its checkpoint: drop their old lines.
            kept = [
                line
                for line in self.path.read_text().splitlines()
                if line.strip() and json.loads(line).get("step", 0) <= keep_until_step
            ]
            self.path.write_text("".join(line + "\n" for line in kept))
        self.full = self.path.exists() and self.path.stat().st_size >= max_bytes

    def write(self, entries: list[PromptSamples]) -> None:
        """Append the entries that fit under the bound."""
        if self.full:
            return
        size = self.path.stat().st_size if self.path.exists() else 0
        with self.path.open("a", encoding="utf-8") as fh:
            for entry in entries:
                doc = asdict(entry)
                for c in doc["completions"]:
                    c["text"] = c["text"][:MAX_TEXT_CHARS]
                line = json.dumps(doc) + "\n"
                if size + len(line.encode()) > self.max_bytes:
                    self.full = True
                    print(f"{SAMPLES_FILE} reached {self.max_bytes} bytes: no more samples")
                    return
                fh.write(line)
                size += len(line.encode())
