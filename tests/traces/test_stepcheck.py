"""``check_steps``: finds and re-computes arithmetic claims in step text."""

import pytest

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
