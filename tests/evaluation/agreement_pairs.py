"""The (prediction, expected) pairs on which ``answer_correctness`` is compared with math-verify.

Built deterministically from the project's trace generators (arithmetic, word problems, edge
cases, high-card duel), rendered in every trace style, with the right answer, wrong answers
and formatting variants of the answer; plus real outputs of the tiny models
(``data/model_outputs.jsonl``: 360 predictions written by ``tunix_rt.training.generate`` from
tiny-llama models trained for 80-250 steps on generated arithmetic and word problems in the
numbered, tagged and think styles; most are wrong or malformed, which is the point).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from tunix_rt.datasets.render import TraceStyle, render_body
from tunix_rt.traces.generators import arithmetic, edge_cases, high_card_duel, word_problems

MODEL_OUTPUTS = Path(__file__).parent / "data" / "model_outputs.jsonl"


# Answers that are words, not mathematics (high-card duel winners): math-verify cannot compare
# them (it answers False even for identical strings), so they are reported apart.
TEXT_ANSWERS = frozenset({"player1", "player2", "tie"})


@dataclass(frozen=True)
class Pair:
    """One prediction, the expected answer, the style the prediction was written in, its kind."""

    prediction: str
    expected: str
    style: TraceStyle | None
    kind: str
    truncated: bool = False

    @property
    def textual(self) -> bool:
        """The expected answer is a word, outside math-verify's domain."""
        return self.expected in TEXT_ANSWERS


# Ways of writing a correct integer answer X (the expected answer stays the plain X).
VARIANTS = [
    ("thousands", lambda x: f"{x:,}"),
    ("decimal", lambda x: f"{x}.0"),
    ("cents", lambda x: f"{x}.00"),
    ("dollar", lambda x: f"${x}"),
    ("boxed", lambda x: f"\\boxed{{{x}}}"),
    ("unit", lambda x: f"{x} apples"),
    ("bold", lambda x: f"**{x}**"),
    ("equation", lambda x: f"x = {x}"),
    ("full_stop", lambda x: f"{x}."),
    ("phrase", lambda x: f"The answer is {x}"),
    ("math_mode", lambda x: f"${x}$"),
    ("padded", lambda x: f"  {x}  "),
]
# Non-integer answers: (written by the model, expected).
NON_INTEGER = [
    ("0.75", "3/4"),
    ("3/4", "0.75"),
    ("\\frac{3}{4}", "0.75"),
    ("\\dfrac{1}{2}", "0.5"),
    ("1/2", "0.5"),
    ("2.5", "5/2"),
    ("0.125", "1/8"),
    ("50%", "0.5"),
    ("25%", "1/4"),
    ("12.50", "12.5"),
    ("-0.5", "-1/2"),
    ("1.5", "3/2"),
    ("0.2", "1/5"),
    ("7/4", "1.75"),
    ("0.6", "3/5"),
    ("\\frac{2}{3}", "2/3"),
    ("0.8", "4/5"),
    ("9/10", "0.9"),
    ("0.74", "3/4"),
    ("1/3", "0.5"),
    ("2.4", "5/2"),
    ("60%", "0.5"),
]


def _traces(seed: int) -> list[tuple[str, list[str], str]]:
    traces = [
        *arithmetic.generate(80, seed=seed, operation="mixed", digits=3),
        *arithmetic.generate(30, seed=seed + 1, operation="mixed", digits=4),
        *word_problems.generate(50, seed=seed),
        *edge_cases.generate(12, seed=seed, length=300),
        *high_card_duel.generate(12, seed=seed),
    ]
    return [(t.prompt, [s.content for s in t.steps], t.final_answer) for t in traces]


def _wrong(answer: str, rng: random.Random) -> str:
    """The answer with its last number moved a little (or the other player)."""
    digits = list(re.finditer(r"\d+", answer))
    if not digits:
        return {"player1": "player2", "player2": "tie"}.get(answer, "player1")
    last = digits[-1]
    moved = max(0, int(last.group()) + rng.choice([-10, -2, -1, 1, 2, 10, 100]))
    if moved == int(last.group()):
        moved += 1
    return f"{answer[: last.start()]}{moved}{answer[last.end() :]}"


def generated_pairs(seed: int = 20261128) -> list[Pair]:
    """Rendered predictions: right, wrong and reformatted answers in all four styles."""
    rng = random.Random(seed)
    styles = list(TraceStyle)
    pairs: list[Pair] = []
    for n, (_prompt, steps, answer) in enumerate(_traces(seed)):
        style = styles[n % len(styles)]
        pairs.append(Pair(render_body(steps, answer, style=style), answer, style, "right"))
        if n % 2 == 0:
            wrong = _wrong(answer, rng)
            pairs.append(Pair(render_body(steps, wrong, style=style), answer, style, "wrong"))
        if n % 3 == 0 and answer.isdigit():
            name, fmt = VARIANTS[(n // 3) % len(VARIANTS)]
            body = render_body(steps, fmt(int(answer)), style=style)
            pairs.append(Pair(body, answer, style, f"variant:{name}"))
    for n, (written, expected) in enumerate(NON_INTEGER):
        style = styles[n % len(styles)]
        body = render_body(["work it out"], written, style=style)
        pairs.append(Pair(body, expected, style, "non_integer"))
    for n, text in enumerate(["I am not sure.", "Reasoning:\n1. add them up\n", "<think>\nhmm"]):
        pairs.append(Pair(text, str(100 + n), None, "no_answer"))
    return pairs


def model_output_pairs() -> list[Pair]:
    """Real tiny-model outputs (``{prediction, expected, style}`` per line)."""
    if not MODEL_OUTPUTS.is_file():
        return []
    rows = [json.loads(line) for line in MODEL_OUTPUTS.read_text().splitlines() if line.strip()]
    return [
        Pair(r["prediction"], r["expected"], TraceStyle(r["style"]), "model_output", r["truncated"])
        for r in rows
    ]


def all_pairs() -> list[Pair]:
    """Every pair of the agreement set."""
    return generated_pairs() + model_output_pairs()
