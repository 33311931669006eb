"""How the corpus writers phrase working and answers: ways of writing one answer, steps as prose.

An answer *writing* keeps its meaning: every writing of the expected answer is the expected
answer, every writing of a wrong one is wrong. That is what lets the writer, not a judge,
decide the label.
"""

from __future__ import annotations

import random

from tests.evaluation.corpus.problems import Problem


def _number_writings(answer: str, unit: str) -> list[str]:
    if "/" in answer:
        top, bottom = answer.split("/")
        return [
            answer,
            f"\\frac{{{top}}}{{{bottom}}}",
            f"\\dfrac{{{top}}}{{{bottom}}}",
            f"{answer}.",
        ]
    if answer.endswith("%"):
        value = answer[:-1]
        return [answer, f"{value}\\%", f"{value} percent", f"**{answer}**"]
    if "." in answer:
        return [f"${answer}", f"\\${answer}", f"{answer} dollars", answer, f"**${answer}**"]
    value = int(answer)
    found = [answer, f"**{answer}**", f"{answer}.0"]
    if value >= 1000:
        found.append(f"{value:,}")
    if unit == "dollars":
        found += [f"${answer}", f"\\${answer}", f"{answer} dollars"]
    elif unit:
        found += [f"{answer} {unit}", f"{answer}\\text{{ {unit}}}", f"{answer}\\,\\text{{{unit}}}"]
    return found


def _word_writings(answer: str, kind: str) -> list[str]:
    title = answer[:1].upper() + answer[1:]
    if kind == "place":
        return [title, f"**{title}**", f"{title}, the capital", f"\\text{{{title}}}", title.upper()]
    if kind == "weekday":
        return [title, f"**{title}**", f"a {title}", f"\\text{{{title}}}", answer.lower()]
    return [title, answer, f"**{title}**", answer.upper()]


def writings(problem: Problem, answer: str) -> list[str]:
    """Ways of writing ``answer`` (the expected one or a wrong one) for this problem."""
    if problem.kind == "number":
        return _number_writings(answer, problem.unit)
    return _word_writings(answer, problem.kind)


def pick_writing(problem: Problem, answer: str, rng: random.Random) -> str:
    """One writing of ``answer``."""
    return rng.choice(writings(problem, answer))


_SYMBOLS = {
    "*": (" * ", " \u00d7 ", "*", " x "),
    "/": (" / ", " \u00f7 ", "/"),
    "+": (" + ", "+"),
    "-": (" - ", "-"),
}


def _expr(expr: str, rng: random.Random) -> str:
    out = []
    for char in expr:
        out.append(rng.choice(_SYMBOLS[char]) if char in _SYMBOLS else char)
    return "".join(out)


_STEP_FORMS = (
    "{Label}: {expr} = {result}.",
    "First, the {label} is {expr} = {result}.",
    "Then the {label} is {expr} = {result}.",
    "We get {expr} = {result} for the {label}.",
    "{expr} = {result}.",
    "Next, {expr} = {result}.",
)


def step_sentences(
    problem: Problem, rng: random.Random, last_result: str | None = None
) -> list[str]:
    """The working as sentences; ``last_result`` replaces the last step's result (a mistake)."""
    sentences = []
    for n, (label, expr, result) in enumerate(problem.work):
        if last_result is not None and n == len(problem.work) - 1:
            result = last_result
        form = rng.choice(_STEP_FORMS) if label else "{expr} = {result}."
        name = label or "value"
        sentences.append(
            form.format(Label=name.capitalize(), label=name, expr=_expr(expr, rng), result=result)
        )
    return sentences


def word_reasoning(problem: Problem, answer: str, rng: random.Random) -> list[str]:
    """Working for a word answer that leads to ``answer``."""
    title = answer[:1].upper() + answer[1:]
    if problem.kind == "place":
        country = problem.question.rsplit(" ", 1)[-1].rstrip("?")
        return [
            "The capital of a country is the city where its government sits.",
            rng.choice(
                [f"For {country}, that city is {title}.", f"{country} is governed from {title}."]
            ),
        ]
    if problem.kind == "weekday":
        days = problem.question.split(" in ")[-1].split()[0]
        start = problem.question.split(".")[0].split()[-1]
        rest = int(days) % 7
        return [f"{days} days is {int(days) // 7} weeks and {rest} days.",
                f"Counting {rest} days on from {start} lands on {title}."]  # fmt: skip
    return [f"{_expr(e, rng)} = {r}." for _l, e, r in problem.work] or [
        "It has no divisor but 1 and itself."
    ]


def reasoning(problem: Problem, answer: str, rng: random.Random) -> list[str]:
    """Working that ends at ``answer`` (a wrong answer gets a wrong last step)."""
    if problem.kind != "number":
        return word_reasoning(problem, answer, rng)
    last = None if answer == problem.answer else answer
    if last is not None and ("/" in last or "%" in last):
        last = last.rstrip("%").split("/")[0]
    return step_sentences(problem, rng, last)
