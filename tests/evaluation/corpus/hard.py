"""The ``hard`` writer: forms that are hard for any rule (see ``writers`` for the labels)."""

from __future__ import annotations

import random

from tests.evaluation.corpus.phrasing import reasoning
from tests.evaluation.corpus.problems import Problem
from tests.evaluation.corpus.writers import working

_NUMBER_WORDS = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen", "twenty"),
)


def _hard_number(problem: Problem, rng: random.Random) -> tuple[str, str, bool]:
    body = working(problem, problem.answer, rng)
    answer, wrong = problem.answer, problem.wrong[0]
    _label, expr, _result = problem.work[-1]
    forms: list[tuple[str, str, bool]] = [
        (f"{body}\nAnswer: {wrong}\nWait, that is not right: {expr} = {answer}.\nAnswer: {answer}",
         "correct", False),
        (f"{body}\nAnswer: {expr.replace('*', ' * ')}", "correct", False),
        (f"{answer}. Here is why: {body}", "correct", False),
        (f"{body}\nAnswer: approximately {answer}", "correct", False),
        (f"{body} So that is {answer}, not {wrong}.", "correct", False),
        (f"{body}\nThe answer is {wrong}. Hmm, let me redo it: {expr} = {answer}. "
         f"So the answer is {answer}.", "correct", False),
        (body.rstrip("."), "truncated", False),  # cut right after the last result, unflagged
    ]  # fmt: skip
    if answer.isdigit() and int(answer) <= 20:
        forms.append((f"{body} So the answer is {_NUMBER_WORDS[int(answer)]}.", "correct", False))
    if answer.isdigit() and int(answer) >= 1000:
        spaced = f"{int(answer):,}".replace(",", " ")
        forms.append((f"{body} The answer is {spaced}.", "correct", False))
    return rng.choice(forms)


def _hard_word(problem: Problem, rng: random.Random) -> tuple[str, str, bool]:
    answer, wrong = problem.answer, problem.wrong[0]
    title, other = answer[:1].upper() + answer[1:], wrong[:1].upper() + wrong[1:]
    body = " ".join(reasoning(problem, answer, rng))
    forms = [
        (f"Answer: {wrong}\nWait, I misread the question.\nAnswer: {answer}", "correct", False)
    ]
    if problem.kind != "boolean":
        forms += [
            (f"{body} It is not {other}; it is {title}.", "correct", False),
            (f"{body} {other}? No, {title}.", "correct", False),
            (f"{title}? No, {other}.", "wrong", False),
        ]
    if problem.kind == "boolean" and "prime" in problem.question:
        n = problem.question.split()[1]
        claim = f"{n} is a prime number." if answer == "yes" else f"{n} is not a prime number."
        forms.append((f"{body} {claim}", "correct", False))
    if problem.kind == "weekday":
        start = problem.question.split(".")[0].split()[-1]
        forms.append((f"{body} So: {title[:3]}.", "correct", False))
        forms.append((f"Starting from {start}, the day we land on is {title}.", "correct", False))
        forms.append((f"Starting from {start}, the day we land on is {other}.", "wrong", False))
    if problem.kind == "place":
        forms.append(
            (f"{other} is the biggest city, but the capital is {title}.", "correct", False)
        )
        forms.append((f"{title} is the biggest city, but the capital is {other}.", "wrong", False))
    return rng.choice(forms)


def hard(problem: Problem, rng: random.Random) -> list[tuple[str, str, bool]]:
    """Forms that are hard for any rule: self-corrections, number words, expressions as
    answers, answer-first outputs, an unflagged cut right after a result, "not X; Y"."""
    if problem.kind == "number":
        return [_hard_number(problem, rng)] if problem.work else []
    return [_hard_word(problem, rng)]
