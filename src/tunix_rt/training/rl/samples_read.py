"""The read side of ``samples.jsonl`` (the run page's Samples view): one page of kept prompts,
filtered by step and prompt, read line by line so memory holds one page, whatever the file.

The writer is ``samples.py``; a line this module cannot read (bad JSON, a missing field, a line
longer than ``MAX_LINE_BYTES``) is skipped and counted, never an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel, Field, ValidationError

from tunix_rt.pagination import Page, Pagination
from tunix_rt.training.rl.samples import SAMPLES_FILE

# A line is G completions of at most 2 000 characters each plus the prompt; a line past this is
# not one the writer wrote, and is skipped without reading it into memory whole.
MAX_LINE_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024


class SampleCompletion(BaseModel):
    """One sampled completion and how it was scored."""

    text: str
    rewards: dict[str, float] = Field(description="Each judge's reward (before its weight).")
    reward: float = Field(description="The weighted total the advantage was computed from.")
    advantage: float
    first_wrong_step: int | None = Field(
        default=None,
        description="step_check's first wrong step, 1-based (null: none found or not checkable).",
    )
    tokens: int
    clipped: bool = Field(description="Hit max_new_tokens before the end-of-turn token.")


class PromptSample(BaseModel):
    """A prompt of one step and its G completions."""

    step: int
    prompt_id: str
    prompt: str
    expected_answer: str
    completions: list[SampleCompletion]


class SamplesPage(Page[PromptSample]):
    """A page of ``samples.jsonl`` with the steps it holds and the lines it could not read."""

    steps: list[int] = Field(
        description="Every step with samples (for the prompt_id filter, when given), ascending."
    )
    skipped: int = Field(description="Malformed lines skipped (over the whole file).")


def _lines(fh: BinaryIO) -> Iterator[bytes | None]:
    """Each whole line of the file, or None for one too long to read (drained a chunk at a
    time). A last line without its newline is one a live run is still writing: not yet read."""
    while line := fh.readline(MAX_LINE_BYTES + 1):
        if line.endswith(b"\n"):
            yield line
            continue
        if len(line) <= MAX_LINE_BYTES:
            return
        while (rest := fh.readline(_CHUNK)) and not rest.endswith(b"\n"):
            pass
        yield None


def read_samples(
    run_dir: Path, *, step: int | None, prompt_id: str | None, limit: int, offset: int
) -> SamplesPage:
    """The kept prompts matching ``step`` and ``prompt_id``, in file order (steps ascending);
    an empty page when the run wrote no ``samples.jsonl`` (an SFT run, or before step 1)."""
    rows: list[PromptSample] = []
    steps: set[int] = set()
    total = skipped = 0
    path = run_dir / SAMPLES_FILE
    if path.is_file():
        with path.open("rb") as fh:
            for line in _lines(fh):
                if line is not None and not line.strip():
                    continue
                try:
                    sample = PromptSample.model_validate_json(line or b"")
                except ValidationError:
                    skipped += 1
                    continue
                if prompt_id is not None and sample.prompt_id != prompt_id:
                    continue
                steps.add(sample.step)
                if step is not None and sample.step != step:
                    continue
                if offset <= total < offset + limit:
                    rows.append(sample)
                total += 1
    more = offset + limit < total
    pagination = Pagination(
        limit=limit, offset=offset, next_offset=offset + limit if more else None, total=total
    )
    return SamplesPage(data=rows, pagination=pagination, steps=sorted(steps), skipped=skipped)
