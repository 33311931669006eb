"""Writers of messy free-form outputs, each deciding the true label of what it writes.

Labels: ``correct`` (the output states the expected answer as its answer), ``wrong`` (it states
another answer), ``truncated`` (generation was cut before an explicit answer statement was
complete: a marker line, a closed tag or box, or "the answer is X." with its full stop),
``no_answer`` (it states no answer). A conclusion without a marker ("So she has 14 apples.")
counts as an answer in a complete output and as unfinished in a cut one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tests.evaluation.corpus.phrasing import pick_writing, reasoning
from tests.evaluation.corpus.problems import Problem


@dataclass(frozen=True)
class Sample:
    """One corpus output with its expected answer and true label."""

    id: str
    writer: str
    question: str
    text: str
    expected: str
    label: str
    truncated: bool = False

    @property
    def word_answer(self) -> bool:
        """The expected answer is a word (outside math-verify's domain)."""
        return not any(c.isdigit() for c in self.expected)


Writer = Callable[[Problem, random.Random], list[tuple[str, str, bool]]]

MARKED = (
    "The answer is {a}.",
    "So the final answer is {a}.",
    "Therefore, the answer is: {a}",
    "#### {a}",
    "Answer: {a}",
    "**Final Answer:** {a}",
    "### Final Answer\n$\\boxed{{{a}}}$",
    "The final answer is $\\boxed{{{a}}}$.",
    "Final answer: {a}",
    "**Answer:** {a}",
    "ANSWER: {a}",
    "The final answer is:\n\n{a}",
)
UNMARKED = (
    "So the result is {a}.",
    "Therefore, we get {a}.",
    "In total, that makes {a}.",
    "Thus it comes to {a}.",
    "So, overall: {a}.",
)


def _outcome(problem: Problem, rng: random.Random, wrong: bool) -> tuple[str, str]:
    answer = rng.choice(problem.wrong) if wrong else problem.answer
    return answer, ("wrong" if wrong else "correct")


def working(problem: Problem, answer: str, rng: random.Random) -> str:
    sentences = reasoning(problem, answer, rng)
    joiner = rng.choice(["\n", " ", "\n\n"])
    return joiner.join(sentences)


def marked(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """Working, then an explicit marker of one of many kinds (right, and wrong every other)."""
    out = []
    for wrong in (False, True):
        answer, label = _outcome(problem, rng, wrong)
        final = rng.choice(MARKED).format(a=pick_writing(problem, answer, rng))
        out.append((f"{working(problem, answer, rng)}\n{final}", label, False))
    return out


def prose(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """Working, then a conclusion in prose with no marker."""
    out = []
    for wrong in (False, True):
        answer, label = _outcome(problem, rng, wrong)
        final = rng.choice(UNMARKED).format(a=pick_writing(problem, answer, rng))
        out.append((f"{working(problem, answer, rng)} {final}", label, False))
    return out


def heading(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """``Answer:`` as a heading: a blank line, then step headers, then the answer."""
    answer, label = _outcome(problem, rng, rng.random() < 0.4)
    steps = reasoning(problem, answer, rng)
    header = rng.choice(["Step {n}: ", "**Step {n}:** ", "{n}. ", "### Step {n}\n"])
    lines = [header.format(n=n) + s for n, s in enumerate(steps, start=1)]
    top = rng.choice(["Answer:", "**Answer:**", "Final Answer:", "Answer"])
    final = rng.choice(("The answer is {a}.", "So the answer is {a}.", "Therefore, we get {a}."))
    text = (
        f"{top}\n\n"
        + "\n".join(lines)
        + "\n\n"
        + final.format(a=pick_writing(problem, answer, rng))
    )
    return [(text, label, False)]


DISTRACTORS = (
    "The key to finding the answer is to work out each part first.",
    "Getting the answer is easier if we go step by step.",
    "We need to check whether the answer is reasonable at the end.",
    "The hardest part of the answer is keeping track of the numbers.",
    "Whatever the answer is, we should show the working.",
)


def distractor(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """ "answer is" inside an unrelated opening sentence; the answer comes later, unmarked."""
    answer, label = _outcome(problem, rng, rng.random() < 0.4)
    final = rng.choice(UNMARKED).format(a=pick_writing(problem, answer, rng))
    return [(f"{rng.choice(DISTRACTORS)} {working(problem, answer, rng)} {final}", label, False)]


def _checks(problem: Problem, rng: random.Random) -> str:
    checks = []
    for _label, expr, result in problem.work[-2:]:
        if "*" in expr:
            a, b = expr.split("*", 1)
            checks.append(f"{result} / {b} = {a}" if "." not in b else f"{expr} = {result}")
        elif "+" in expr:
            a, b = expr.split("+", 1)
            checks.append(f"{result} - {b} = {a}")
        elif "-" in expr:
            a, b = expr.split("-", 1)
            checks.append(f"{result} + {b} = {a}")
    body = ", and ".join(checks) or f"{problem.answer} is what was asked"
    lead = rng.choice(
        ["Check: ", "Let me verify: ", "Double-check: ", "To check, ", "Verification: "]
    )
    return lead + body + rng.choice([" ✓", ".", ". Correct!", ", so it checks out."])


def restatement(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """A final answer followed by checks and restatements that carry other numbers."""
    if problem.kind != "number" or not problem.work:
        return []
    out = []
    for wrong in (False, True):
        if wrong and rng.random() < 0.5:
            continue
        answer, label = _outcome(problem, rng, wrong)
        writing = pick_writing(problem, answer, rng)
        final = rng.choice(MARKED[:2] + MARKED[4:5] + UNMARKED[:3]).format(a=writing)
        tail = _checks(problem, rng)
        if rng.random() < 0.5:
            first = problem.work[0][2]
            tail += f" That is {rng.choice(['more', 'less'])} than the {first} we started from."
        out.append((f"{working(problem, answer, rng)}\n{final}\n{tail}", label, False))
    return out


def repeated(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """The answer line repeated; or a step repeated until the token limit cut it."""
    answer, label = _outcome(problem, rng, rng.random() < 0.3)
    line = f"Answer: {pick_writing(problem, answer, rng)}"
    out = [
        (f"{working(problem, answer, rng)}\n" + "\n".join([line] * rng.randint(2, 6)), label, False)
    ]
    sentences = reasoning(problem, problem.answer, rng)
    loop = "\n".join([sentences[0]] * rng.randint(4, 9))
    cut = loop[: len(loop) - rng.randint(1, max(1, len(sentences[0]) - 1))]
    out.append((cut, "truncated", True))
    return out


def _cut_inside(text: str, start: int, end: int, rng: random.Random) -> str:
    return text[: rng.randint(start, max(start, end - 1))]


def cutoff(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """Cut by the token limit: inside the working (truncated), or after an explicit answer line
    (the answer stands). Most cuts are flagged by the generator; some are not (another system's
    file that does not record the stop reason)."""
    body = working(problem, problem.answer, rng)
    writing = pick_writing(problem, problem.answer, rng)
    out = []
    flagged = rng.random() < 0.75
    cut = _cut_inside(body, len(body) // 4, len(body), rng)
    out.append((cut, "truncated", flagged))
    final = rng.choice(["Answer: {a}", "#### {a}", "The answer is {a}.", "**Final Answer:** {a}"])
    text = f"{body}\n{final.format(a=writing)}\n{_checks(problem, rng)}" if problem.work else ""
    if text:
        start = text.index("\n", len(body) + 1) + 1
        out.append((_cut_inside(text, start + 1, len(text), rng), "correct", True))
    return out


def latex(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """LaTeX working and answers: math mode, ``\\text{}`` units, ``\\$``, ``\\%``, boxes."""
    answer, label = _outcome(problem, rng, rng.random() < 0.4)
    sentences = reasoning(problem, answer, rng)
    body = " ".join(f"${s.rstrip('.')}$." if "=" in s else s for s in sentences)
    writing = pick_writing(problem, answer, rng)
    final = rng.choice(
        [
            "So the answer is $\\boxed{{{a}}}$.",
            "$$\\boxed{{{a}}}$$",
            "Hence the result is $\\boxed{{{a}}}$",
            "The answer is $ {a} $.",
            "\\[\\boxed{{{a}}}\\]",
        ]
    )
    return [(f"{body}\n{final.format(a=writing)}", label, False)]


def tags(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """``<reasoning>``/``<answer>`` tags, and ``<think>`` followed by a worked solution."""
    out = []
    answer, label = _outcome(problem, rng, rng.random() < 0.4)
    body = working(problem, answer, rng)
    writing = pick_writing(problem, answer, rng)
    out.append((f"<reasoning>\n{body}\n</reasoning>\n<answer>\n{writing}\n</answer>", label, False))
    answer, label = _outcome(problem, rng, rng.random() < 0.4)
    body = working(problem, answer, rng)
    writing = pick_writing(problem, answer, rng)
    steps = "\n".join(
        f"**Step {n}:** {s}" for n, s in enumerate(reasoning(problem, answer, rng), 1)
    )
    after = rng.choice(
        [f"\n\n{steps}\n\n**Answer:** {writing}", f"\n{writing}", f"\n\n$\\boxed{{{writing}}}$"]
    )
    out.append((f"<think>\nOkay, let me think.\n{body}\n</think>{after}", label, False))
    return out


def hedged(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """Several candidate answers: a hedge between two is wrong; a correction names the answer."""
    other = problem.wrong[0]
    right, wrong = pick_writing(problem, problem.answer, rng), pick_writing(problem, other, rng)
    pair = [right, wrong]
    rng.shuffle(pair)
    body = working(problem, problem.answer, rng)
    return [
        (f"{body}\nThe answer is either {pair[0]} or {pair[1]}.", "wrong", False),
        (
            f"{body}\nAt first I got {wrong}, but that was a slip. The answer is {right}.",
            "correct",
            False,
        ),
    ]


NO_ANSWER = (
    "I'm not sure how to solve this.",
    "Let's think step by step.",
    "I cannot work this out from the information given.",
    "Sorry, I can't help with that.",
    "",
)


def no_answer(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """Outputs that give no answer (sometimes restating the question, numbers and all)."""
    text = rng.choice(NO_ANSWER)
    if rng.random() < 0.3:
        text = f"The question says: {problem.question} {text}".strip()
    return [(text, "no_answer", False)]


WRITERS: dict[str, tuple[Writer, int]] = {
    # name: (writer, every how many problems it writes for)
    "marked": (marked, 1),
    "prose": (prose, 1),
    "heading": (heading, 3),
    "distractor": (distractor, 3),
    "restatement": (restatement, 2),
    "repeated": (repeated, 4),
    "cutoff": (cutoff, 2),
    "latex": (latex, 3),
    "tags": (tags, 3),
    "hedged": (hedged, 5),
    "no_answer": (no_answer, 6),
}
