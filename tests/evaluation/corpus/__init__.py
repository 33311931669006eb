"""A labelled corpus of free-form model outputs for ``answer_correctness``, written from known
answers by writers of messy formats (``writers``); ``report`` scores it with ours and with
math-verify (``python -m tests.evaluation.corpus.report``)."""

from __future__ import annotations

import random

from tests.evaluation.corpus.hard import hard
from tests.evaluation.corpus.problems import all_problems
from tests.evaluation.corpus.writers import WRITERS, Sample, Writer

# name: (writer, every how many problems it writes for)
ALL_WRITERS: dict[str, tuple[Writer, int]] = {**WRITERS, "hard": (hard, 2)}

SEED = 20261203


def build_corpus(seed: int = SEED) -> list[Sample]:
    """Every sample, in a fixed order (same seed, same corpus)."""
    samples: list[Sample] = []
    for n, problem in enumerate(all_problems(seed)):
        for name, (writer, every) in ALL_WRITERS.items():
            if n % every:
                continue
            rng = random.Random(f"{seed}:{n}:{name}")
            for k, (text, label, truncated) in enumerate(writer(problem, rng)):
                samples.append(
                    Sample(
                        f"{name}-{n:03d}-{k}",
                        name,
                        problem.question,
                        text,
                        problem.answer,
                        label,
                        truncated,
                    )
                )
    return samples
