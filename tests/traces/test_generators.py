"""Generators: deterministic, correct (every step re-computed), and the right shape."""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction

import orjson
import pytest

from tunix_rt.errors import InvalidInput
from tunix_rt.traces.generators import GENERATORS, KnobValue, run_generator
from tunix_rt.traces.generators.arithmetic import (
    addition_steps,
    arithmetic_problem,
    multiplication_steps,
    subtraction_steps,
)
from tunix_rt.traces.generators.reasoning_mix import generate as reasoning_mix_generate
from tunix_rt.traces.generators.reasoning_mix import kind_of
from tunix_rt.traces.generators.word_problems import column_work
from tunix_rt.traces.schemas import TraceCreate
from tunix_rt.traces.stepcheck import check_steps

CASES: list[tuple[str, dict[str, KnobValue]]] = [
    ("arithmetic", {"operation": "add", "digits": 5, "min_digits": 1}),
    ("arithmetic", {"operation": "sub", "digits": 5, "min_digits": 1}),
    ("arithmetic", {"operation": "mul", "digits": 2}),
    ("arithmetic", {"operation": "mul", "digits": 4, "digits_b": 3}),
    ("arithmetic", {"operation": "mixed", "digits": 1}),
    ("arithmetic", {"operation": "add", "digits": 4, "notation": "short"}),
    ("arithmetic", {"operation": "sub", "digits": 4, "notation": "short"}),
    ("arithmetic", {"operation": "mixed", "digits": 5, "min_digits": 1, "notation": "reversed"}),
    ("word_problems", {"steps": 2}),
    ("word_problems", {"steps": 3, "difficulty": "hard"}),
    ("word_problems", {"kind": "bulk_discount"}),
    ("high_card_duel", {}),
    ("high_card_duel", {"hand_size": 5}),
    ("edge_cases", {"kind": "long_prompt", "length": 5000}),
    ("edge_cases", {"kind": "unicode"}),
    ("edge_cases", {"kind": "punctuation"}),
    ("reasoning_mix", {}),
    ("reasoning_mix", {"digits": 3, "mul_digits": 3, "word_difficulty": "easy"}),
    ("reasoning_mix", {"notation": "short", "detail": "columns"}),
    ("reasoning_mix", {"notation": "reversed", "detail": "columns"}),
    ("arithmetic", {"operation": "mul", "digits": 3, "digits_b": 3, "detail": "columns"}),
]


def _jsonl(traces: list[TraceCreate]) -> bytes:
    return b"\n".join(orjson.dumps(t.model_dump(mode="json")) for t in traces)


def assert_correct(trace: TraceCreate) -> None:
    """Zero wrong claims, and every ``compute`` step holds a claim that was checked."""
    result = check_steps([s.content for s in trace.steps])
    assert result.wrong == [], (trace.prompt, result.wrong)
    computes = {i for i, s in enumerate(trace.steps) if s.type == "compute"}
    assert computes <= {v.index for v in result.verdicts}, trace.steps
    assert TraceCreate.model_validate(trace.model_dump(mode="json")) == trace


@pytest.mark.parametrize(("name", "knobs"), CASES)
def test_generator_is_deterministic_correct_and_valid(
    name: str, knobs: dict[str, KnobValue]
) -> None:
    traces = run_generator(name, 60, seed=11, knobs=knobs)
    assert _jsonl(traces) == _jsonl(run_generator(name, 60, seed=11, knobs=knobs))
    assert _jsonl(traces) != _jsonl(run_generator(name, 60, seed=12, knobs=knobs))
    assert len({t.prompt for t in traces}) == 60
    for index, trace in enumerate(traces):
        assert_correct(trace)
        meta = trace.meta or {}
        assert meta["source"] == "generator"
        assert meta["generator"] == name
        assert (meta["seed"], meta["index"]) == (11, index)
        assert meta["difficulty"] in {"easy", "medium", "hard"}
        assert meta["category"] in meta["tags"]
        assert meta["task_type"]


def test_a_longer_run_starts_with_the_shorter_one() -> None:
    short = run_generator("word_problems", 10, seed=3)
    assert _jsonl(run_generator("word_problems", 25, seed=3)[:10]) == _jsonl(short)


def _evaluate(prompt: str) -> int:
    match = re.fullmatch(r"What is (\d+) ([-+*]) (\d+)\?", prompt)
    assert match, prompt
    a, op, b = int(match[1]), match[2], int(match[3])
    return a + b if op == "+" else a - b if op == "-" else a * b


def test_arithmetic_answers_match_the_prompt() -> None:
    for trace in run_generator("arithmetic", 300, seed=5, knobs={"digits": 5, "min_digits": 1}):
        assert int(trace.final_answer) == _evaluate(trace.prompt) >= 0
        assert trace.final_answer == str(int(trace.final_answer))


def test_word_problem_answer_is_the_last_result() -> None:
    for trace in run_generator("word_problems", 200, seed=8):
        last = check_steps([trace.steps[-1].content]).verdicts[-1]
        assert Fraction(last.claimed) == Fraction(trace.final_answer)
        assert trace.final_answer.isdigit()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (487, 356, ["7+6+0=13, write 3 carry 1", "8+5+1=14, write 4 carry 1",
                    "4+3+1=8, write 8 carry 0"]),
        (95, 7, ["5+7+0=12, write 2 carry 1", "9+0+1=10, write 0 carry 1"]),
    ],
)  # fmt: skip
def test_addition_shows_every_carry(a: int, b: int, expected: list[str]) -> None:
    assert addition_steps(a, b) == expected


def test_short_notation_says_the_same_in_fewer_characters() -> None:
    assert addition_steps(487, 356, "short") == [
        "7+6+0=13 w3 c1",
        "8+5+1=14 w4 c1",
        "4+3+1=8 w8 c0",
    ]
    assert subtraction_steps(503, 178, "short") == [
        "13-8-0=5 w5 b1",
        "10-7-1=2 w2 b1",
        "5-1-1=3 w3 b0",
    ]


def test_subtraction_shows_every_borrow() -> None:
    assert subtraction_steps(503, 178) == [
        "13-8-0=5, write 5 borrow 1",
        "10-7-1=2, write 2 borrow 1",
        "5-1-1=3, write 3 borrow 0",
    ]
    with pytest.raises(ValueError, match="a >= b"):
        subtraction_steps(3, 5)


def test_multiplication_uses_partial_products() -> None:
    assert multiplication_steps(47, 23) == ["47*3=141", "47*20=940", "141+940=1081"]
    assert multiplication_steps(47, 3) == ["47*3=141"]
    assert multiplication_steps(47, 23, "columns", "short") == [
        "7*3+0=21 w1 c2",
        "4*3+2=14 w4 c1",
        "47*3=141",
        "7*2+0=14 w4 c1",
        "4*2+1=9 w9 c0",
        "47*20=940",
        "1+0+0=1 w1 c0",
        "4+4+0=8 w8 c0",
        "1+9+0=10 w0 c1",
    ]
    assert multiplication_steps(12, 305) == ["12*5=60", "12*0=0", "12*300=3600", "60+0+3600=3660"]


def test_a_planted_wrong_step_is_found() -> None:
    trace = run_generator("arithmetic", 1, seed=1, knobs={"operation": "mul", "digits": 2})[0]
    steps = [s.content for s in trace.steps]
    left, right = steps[1].split("=")
    steps[1] = f"{left}={int(right) + 10}"
    result = check_steps(steps)
    assert result.first_wrong is not None
    assert result.first_wrong.index == 1
    assert len(result.wrong) == 1


@pytest.mark.parametrize(
    ("name", "knobs", "message"),
    [
        ("nope", {}, "unknown generator 'nope'"),
        ("arithmetic", {"colour": "red"}, "unknown knob 'colour'"),
        ("arithmetic", {"digits": 6}, "digits must be an integer in 1..5"),
        ("arithmetic", {"digits": "many"}, "knob digits must be an integer"),
        ("arithmetic", {"operation": "div"}, "operation must be one of"),
        ("arithmetic", {"digits": 2, "min_digits": 3}, "min_digits must be"),
        ("arithmetic", {"notation": "tiny"}, "notation must be one of words, short, reversed"),
        ("arithmetic", {"detail": "all"}, "detail must be one of partial, columns"),
        ("word_problems", {"steps": 4}, "steps must be one of 2, 3"),
        ("word_problems", {"difficulty": "extreme"}, "difficulty must be one of"),
        ("high_card_duel", {"hand_size": 0}, "hand_size must be"),
        ("high_card_duel", {"unique": "maybe"}, "knob unique must be true or false"),
        ("edge_cases", {"length": 10}, "length must be"),
        ("edge_cases", {"kind": "emoji"}, "kind must be one of"),
        ("reasoning_mix", {"mul_digits": 4}, "mul_digits must be"),
        ("reasoning_mix", {"word_difficulty": "x"}, "word_difficulty must be one of"),
    ],
)
def test_bad_knobs_are_refused_by_name(
    name: str, knobs: dict[str, KnobValue], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        run_generator(name, 1, seed=0, knobs=knobs)


def test_knob_strings_are_coerced_for_the_cli() -> None:
    traces = run_generator("arithmetic", 3, seed=0, knobs={"digits": "2", "unique": "false"})
    assert all(len(t.prompt) <= len("What is 99 * 99?") for t in traces)


def test_exhausted_unique_space_fails_loudly() -> None:
    with pytest.raises(InvalidInput, match="only 100 distinct problems"):
        run_generator("arithmetic", 101, seed=0, knobs={"operation": "add", "digits": 1})
    assert (
        len(run_generator("arithmetic", 101, seed=0, knobs={"digits": 1, "unique": False})) == 101
    )


def test_every_generator_is_listed_with_its_knobs() -> None:
    assert set(GENERATORS) == {
        "arithmetic",
        "word_problems",
        "high_card_duel",
        "edge_cases",
        "reasoning_mix",
    }
    for spec in GENERATORS.values():
        assert "unique" in spec.knobs
        assert spec.description


def test_reasoning_mix_keeps_each_category() -> None:
    traces = run_generator("reasoning_mix", 1000, seed=2)
    counts = Counter(t.meta["category"] for t in traces if t.meta)
    assert set(counts) == {"addition", "subtraction", "multiplication", "word_problem"}
    assert 250 <= counts["addition"] <= 350
    assert 150 <= counts["word_problem"] <= 250
    assert {
        len(str(_evaluate(t.prompt))) for t in traces if t.meta and t.meta["category"] == "addition"
    } >= {2, 6}


def test_reversed_notation_restates_the_operands_before_the_columns() -> None:
    add_short = arithmetic_problem("add", 487, 56, "short")
    add_rev = arithmetic_problem("add", 487, 56, "reversed")
    assert add_rev.steps[0] == ("restate", "r 784 650")
    assert list(add_rev.steps[1:]) == list(add_short.steps)
    rev = arithmetic_problem("sub", 60, 1, "reversed")
    # The borrowed 10 follows the digits that decide it.
    assert [text for _, text in rev.steps] == ["r 06 10", "0-1-0+10=9 w9 b1", "6-0-1=5 w5 b0"]
    assert rev.tags == arithmetic_problem("sub", 60, 1, "short").tags
    mul = arithmetic_problem("mul", 56, 74, "reversed", "columns")
    assert mul.steps[0] == ("restate", "r 65 47")
    # A partial product's column writes the one-digit product, then adds the carry.
    assert ("compute", "5*7+4=35+4=39 w9 c3") in mul.steps
    # The partial products 224 and 3920 are restated reversed before their column sum.
    assert ("restate", "r 4220 0293") in mul.steps
    assert [kind for kind, _ in mul.steps].count("restate") == 2
    assert mul.answer == "4144"
    for problem in (add_rev, rev, mul):
        assert not check_steps([text for _, text in problem.steps]).wrong


def test_word_columns_work_multi_digit_word_steps_by_column() -> None:
    assert column_work("change: 50-21=29") == [
        ("restate", "r 05 12"),
        ("compute", "0-1-0+10=9 w9 b1"),
        ("compute", "5-2-1=2 w2 b0"),
        ("compute", "change: 50-21=29"),
    ]
    # One-digit products, table facts with trailing zeros and divisions stay whole.
    for whole in ("cost: 7*3=21", "first: 30*4=120", "time: 60/20=3"):
        assert column_work(whole) == [("compute", whole)]
    # The longer factor goes on top: one partial product, summed up by the labelled step.
    assert column_work("total: 7*35=245") == [
        ("restate", "r 53 70"),
        ("compute", "5*7+0=35+0=35 w5 c3"),
        ("compute", "3*7+3=21+3=24 w4 c2"),
        ("compute", "total: 7*35=245"),
    ]
    # A chain is worked one operation at a time; the inner result gets its own claim.
    chain = column_work("change: 100-35-27=38")
    assert ("compute", "100-35=65") in chain
    assert ("restate", "r 56 72") in chain
    assert chain[-1] == ("compute", "change: 100-35-27=38")
    # The percent step's product is worked too; its division by 100 stays whole.
    percent = column_work("discount: 84*25=2100, 2100/100=21")
    assert ("compute", "84*20=1680") in percent
    # A multiplier's trailing zeros are appended after the product: 245*20 is worked as 245*2.
    assert column_work("discount: 245*20=4900, 4900/100=49")[-2:] == [
        ("compute", "245*2=490"),
        ("compute", "discount: 245*20=4900, 4900/100=49"),
    ]
    traces = reasoning_mix_generate(
        400, seed=3, notation="reversed", detail="columns", word_columns=True
    )
    words = [t for t in traces if t.meta and t.meta["category"] == "word_problem"]
    assert any(s.type == "restate" for t in words for s in t.steps)
    # The prompt's numbers are restated first, in order.
    first = words[0]
    assert first.steps[0].content == "n " + " ".join(re.findall(r"\d+", first.prompt))
    for trace in words:
        assert not check_steps([s.content for s in trace.steps]).wrong
    plain = reasoning_mix_generate(400, seed=3, notation="reversed", detail="columns")
    assert all(
        s.type == "compute"
        for t in plain
        if t.meta and t.meta["category"] == "word_problem"
        for s in t.steps
    )


@pytest.mark.parametrize("share", [0, 20, 35, 100])
def test_reasoning_mix_word_share_moves_the_word_problems_only(share: int) -> None:
    traces = reasoning_mix_generate(2000, seed=5, word_share=share, unique=False)
    cats = [t.meta["category"] for t in traces if t.meta]
    words = cats.count("word_problem") / len(cats)
    assert abs(words - share / 100) < 0.03
    rest = [c for c in cats if c != "word_problem"]
    if rest:  # addition : subtraction : multiplication stay 30 : 30 : 20
        assert abs(rest.count("multiplication") / len(rest) - 0.25) < 0.04
        assert abs(rest.count("addition") / len(rest) - 0.375) < 0.04


def test_reasoning_mix_default_share_draws_the_same_problems_as_before() -> None:
    assert [kind_of(r, 20) for r in range(100)] == (
        ["add"] * 30 + ["sub"] * 30 + ["mul"] * 20 + ["word"] * 20
    )
