"""``check_steps``: finds and re-computes arithmetic claims in step text."""

import re

import pytest

from tunix_rt.traces import seeds
from tunix_rt.traces.generators import arithmetic
from tunix_rt.traces.stepcheck import check_steps

# (step text, [(expression, claimed, actual, ok), ...])
CASES = [
    ("12 + 30 = 42", [("12 + 30", "42", "42", True)]),
    ("12 + 30 = 43", [("12 + 30", "43", "42", False)]),
    ("7+6+1=14, write 4 carry 1", [("7+6+1", "14", "14", True)]),
    ("13 - 5 = 8, borrow 1", [("13 - 5", "8", "8", True)]),
    ("3 \u00d7 4 = 12", [("3 \u00d7 4", "12", "12", True)]),
    ("9 \u2212 4 \u00f7 2 = 7", [("9 \u2212 4 \u00f7 2", "7", "7", True)]),
    ("3 x 4 = 12", [("3 x 4", "12", "12", True)]),
    ("3 * 4 = 13", [("3 * 4", "13", "12", False)]),
    ("84 \u00f7 7 = 12", [("84 \u00f7 7", "12", "12", True)]),
    ("7 / 2 = 3.5", [("7 / 2", "3.5", "3.5", True)]),
    ("0.1 + 0.2 = 0.3", [("0.1 + 0.2", "0.3", "0.3", True)]),
    ("1,234 + 766 = 2,000", [("1,234 + 766", "2,000", "2000", True)]),
    ("2 + 3 * 4 = 14", [("2 + 3 * 4", "14", "14", True)]),
    ("(2 + 3) * 4 = 20", [("(2 + 3) * 4", "20", "20", True)]),
    ("(2 + 3) * 4 = 14", [("(2 + 3) * 4", "14", "20", False)]),
    ("-3 + 5 = 2", [("-3 + 5", "2", "2", True)]),
    ("5 - -3 = 8", [("5 - -3", "8", "8", True)]),
    ("Price: $12 + $3 = $15.", [("12 + $3", "15", "15", True)]),
    ("1 - 1.25 = -0.25", [("1 - 1.25", "-0.25", "-0.25", True)]),
    ("2 + 3 = 5 and 5 * 2 = 10", [("2 + 3", "5", "5", True), ("5 * 2", "10", "10", True)]),
    ("3 * 4 = 12 = 2 * 6", [("3 * 4", "12", "12", True), ("12", "2 * 6", "12", True)]),
    ("1 / 3 = 0.33", [("1 / 3", "0.33", "1/3", True)]),
    # Rounding to the stated precision: cents (two decimals), or a step that says it rounds.
    ("19.99 * 0.15 = 3.00", [("19.99 * 0.15", "3.00", "2.9985", True)]),
    ("tip: 23.45 * 0.18 = 4.22", [("23.45 * 0.18", "4.22", "4.221", True)]),
    ("23.45 * 0.18 = 4.23", [("23.45 * 0.18", "4.23", "4.221", False)]),
    ("3.14 * 2 = 6.29", [("3.14 * 2", "6.29", "6.28", False)]),
    ("7 / 4 = 1.8, rounded to one decimal", [("7 / 4", "1.8", "1.75", True)]),
    ("2.5 * 1.3 = 3 to the nearest whole number", [("2.5 * 1.3", "3", "3.25", True)]),
    ("2.5 * 1.3 = 3", [("2.5 * 1.3", "3", "3.25", False)]),
    # Operations and results in words.
    ("13 minus 8 is 5", [("13 - 8", "5", "5", True)]),
    ("13 minus 8 is 6", [("13 - 8", "6", "5", False)]),
    ("subtract 8 from 13 to get 5", [("13 - 8", "5", "5", True)]),
    ("take 8 from 13, leaving 5", [("13 - 8", "5", "5", True)]),
    ("13 - 8 gives 5", [("13 - 8", "5", "5", True)]),
    ("13 - 8 -> 5", [("13 - 8", "5", "5", True)]),
    ("13 \u2212 8 \u2192 4", [("13 \u2212 8", "4", "5", False)]),
    ("the difference between 13 and 8 is 5", [("13 - 8", "5", "5", True)]),
    ("6 times 7 makes 42", [("6 * 7", "42", "42", True)]),
    ("x is 5", []),
    # Column tails without "=": the digit and carry (borrow) are the claim.
    ("7+6+1 w4 c1", [("7+6+1", "w4 c1", "write 4 carry 1", True)]),
    ("7+6+1: write 3 carry 1", [("7+6+1", "write 3 carry 1", "write 4 carry 1", False)]),
    ("13-8-1 w4 b1", [("13-8-1", "w4 b1", "write 4 borrow 1", True)]),
    ("3-8-1+10 w4 b1", [("3-8-1+10", "w4 b1", "write 4 borrow 1", True)]),
    ("3-8-1+10 w4 b0", [("3-8-1+10", "w4 b0", "write 4 borrow 1", False)]),
    ("3-1-1 w1 b0", [("3-1-1", "w1 b0", "write 1 borrow 0", True)]),
    ("3-8-1 w4 b0", [("3-8-1", "w4 b0", "-6 fits no column", False)]),
    ("3-8-1+10=4 w4 b1", [("3-8-1+10", "4", "4", True)]),
    (
        "8+5+1=14 w3 c1",
        [("8+5+1", "14", "14", True), ("8+5+1", "w3 c1", "write 4 carry 1", False)],
    ),
    ("1 / 3 = 0.34", [("1 / 3", "0.34", "1/3", False)]),
    ("7 / 4 ≈ 1.8", [("7 / 4", "1.8", "1.75", True)]),
    ("7 / 4 = 1.8", [("7 / 4", "1.8", "1.75", False)]),
    ("5 / 0 = 0", [("5 / 0", "0", "undefined (division by zero)", False)]),
    ("(10 - 4 = 6)", [("10 - 4", "6", "6", True)]),
    ("Add them - 3 + 4 = 7", [("3 + 4", "7", "7", True)]),
    ("distance = 60 * 2.5 = 150 km", [("60 * 2.5", "150", "150", True)]),
    # Not claims: no arithmetic, algebra, units glued on, percentages, lists.
    ("Read the problem carefully.", []),
    ("x = 5", []),
    ("answer = 42", []),
    ("x^2 + 3 = 7", []),
    ("3 + 4 = 7th", []),
    ("20% of 50 = 10", []),
    ("the numbers 1, 2, 3", []),
    ("2x = 10", []),
    ("3 + 4 => 7", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_claims_in_one_step(text: str, expected: list[tuple[str, str, str, bool]]) -> None:
    result = check_steps([text])
    got = [(v.expression, v.claimed, v.actual, v.ok) for v in result.verdicts]
    assert got == expected
    assert result.checked == (1 if expected else 0)


def test_planted_wrong_step_is_reported_by_position() -> None:
    steps = [
        "Parse: add 478 and 256.",
        "8+6=14, write 4 carry 1",
        "7+5+1=13, write 3 carry 1",
        "4+2+1=8, write 8",  # planted: 4 + 2 + 1 = 7
        "So 478 + 256 = 734",
    ]
    result = check_steps(steps)
    assert result.checked == 4
    assert [v.index for v in result.wrong] == [3]
    first = result.first_wrong
    assert first is not None
    assert (first.expression, first.claimed, first.actual) == ("4+2+1", "8", "7")


def test_all_correct_steps_have_no_first_wrong() -> None:
    result = check_steps(["2 * 21 = 42", "no arithmetic here", "42 - 2 = 40"])
    assert result.checked == 2
    assert result.wrong == []
    assert result.first_wrong is None
    assert len(result.verdicts) == 2


def test_carry_passed_on_is_the_carry_taken_in() -> None:
    result = check_steps(["7+6+0=13 w3 c1", "8+5+0=13 w3 c1", "4+3+1=8 w8 c0"])
    wrong = [(v.index, v.expression, v.claimed, v.actual) for v in result.wrong]
    assert wrong == [(1, "carry into 8+5+0", "0", "1")]
    borrow = check_steps(["3-8-0+10=5 w5 b1", "0-7-0+10=3 w3 b1"])
    assert [(v.index, v.claimed, v.actual) for v in borrow.wrong] == [(1, "0", "1")]
    # A partial product in between starts a new chain.
    assert check_steps(["7*3+0=21 w1 c2", "47*3=141", "7*2+0=14 w4 c1"]).wrong == []


@pytest.mark.parametrize("notation", ["words", "short", "reversed"])
@pytest.mark.parametrize("detail", ["partial", "columns"])
def test_every_generated_column_step_is_checked_and_right(notation: str, detail: str) -> None:
    for op in ("add", "sub", "mul"):
        for trace in arithmetic.generate(40, seed=11, operation=op, digits=4, min_digits=1,
                                         notation=notation, detail=detail):  # fmt: skip
            steps = [s.content for s in trace.steps]
            result = check_steps(steps)
            assert result.wrong == [], (trace.prompt, result.wrong)
            claimed = {v.index for v in result.verdicts}
            unchecked = [s for i, s in enumerate(steps) if i not in claimed and s[:2] != "r "]
            assert unchecked == [], trace.prompt


def _plant(step: str) -> str:
    """The step with its written digit moved by one (``w4`` -> ``w5``)."""
    return re.sub(r"(write |w)(\d)", lambda m: f"{m[1]}{(int(m[2]) + 1) % 10}", step, count=1)


def test_a_wrong_digit_or_borrow_in_column_work_is_caught() -> None:
    for notation in ("words", "short", "reversed"):
        for trace in arithmetic.generate(30, seed=5, operation="sub", digits=3, notation=notation):
            steps = [s.content for s in trace.steps]
            k = next(i for i, s in enumerate(steps) if not s.startswith("r "))
            planted = [*steps[:k], _plant(steps[k]), *steps[k + 1 :]]
            assert check_steps(planted).first_wrong is not None, planted[k]


def test_columns_take_their_digits_from_the_reversed_restatement() -> None:
    steps = ["r 305 871", "3-8-0+10=5 w5 b1", "0-7-1+10=2 w2 b1", "5-1-1=3 w3 b0"]
    assert check_steps(steps).wrong == []
    copied_wrong = [*steps[:2], "0-6-1+10=3 w3 b1", steps[3]]
    wrong = [(v.index, v.expression, v.claimed, v.actual) for v in check_steps(copied_wrong).wrong]
    assert wrong == [(2, "digits of 0-6-1+10", "0 6", "0 7")]
    # A column before any restatement is fine.
    assert check_steps(["7+6+0=13 w3 c1", "r 78 65"]).wrong == []


def test_published_seed_collections_have_no_false_flags_and_subtraction_is_checked() -> None:
    for name, build in seeds.COLLECTIONS.items():
        for trace in build():
            steps = [s.content for s in trace.steps]
            result = check_steps(steps)
            assert result.wrong == [], (name, trace.prompt, result.wrong)
            if trace.meta and trace.meta.get("category") == "subtraction":
                assert result.checked == len(steps), (name, trace.prompt)
