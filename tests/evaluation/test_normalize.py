"""Every normalisation rule of ``answer_correctness``, one table row each."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tunix_rt.evaluation.judges.normalize import answers_match, normalize_answer
from tunix_rt.evaluation.judges.words import words_match

MATCHES = [
    # (predicted span, expected answer, rule)
    ("843", "843", "plain integer"),
    ("0843", "843", "leading zeros"),
    ("  843 ", "843", "surrounding whitespace"),
    ("15.0", "15", "15.0 equals 15"),
    ("15.000", "15.0", "trailing zeros"),
    ("1,234", "1234", "thousands separator"),
    ("1,234,567.5", "1234567.5", "thousands separator with decimals"),
    ("-5", "-5", "negative"),
    ("\u22125", "-5", "unicode minus"),
    ("+5", "5", "explicit plus"),
    ("3/4", "0.75", "fraction vs decimal"),
    ("0.75", "3/4", "decimal vs fraction"),
    ("6/8", "3/4", "unreduced fraction"),
    ("1 1/2", "3/2", "mixed number"),
    ("\\frac{3}{4}", "3/4", "latex frac"),
    ("\\dfrac{3}{4}", "0.75", "latex dfrac"),
    ("\\boxed{42}", "42", "latex boxed"),
    ("\\boxed{\\frac{1}{2}}", "0.5", "boxed frac"),
    ("$42$", "42", "math mode dollars"),
    ("\\(42\\)", "42", "inline math"),
    ("\\text{42 apples}", "42", "latex text"),
    ("50%", "50", "percent sign dropped"),
    ("50%", "0.5", "percent as fraction"),
    ("0.5", "50%", "fraction vs expected percent"),
    ("50\\%", "50%", "latex percent"),
    ("50 percent", "50%", "percent word"),
    ("$12", "12", "currency before"),
    ("$1,200.00", "1200", "currency with separators and cents"),
    ("€5", "5", "euro"),
    ("-$5", "-5", "negative currency"),
    ("12 cm", "12", "unit after"),
    ("12 apples", "12", "unit word after"),
    ("60 km/h", "60", "compound unit"),
    ("90°", "90", "degree mark"),
    ("90^\\circ", "90", "latex degree"),
    ("12 dollars", "$12", "currency word vs mark"),
    ("x = 7", "7", "right-hand side of an equation"),
    ("3 + 4 = 7", "7", "last right-hand side"),
    ("7.", "7", "trailing full stop"),
    ("The answer is 7", "7", "leading phrase"),
    ("final answer: 7", "7", "leading final answer"),
    ("**7**", "7", "markdown bold"),
    ("1e3", "1000", "exponent"),
    ("0.3333333", "1/3", "decimal within tolerance"),
    ("Player 1", "player 1", "text: case"),
    ("player   1", "Player 1", "text: whitespace runs"),
    ("Yes", "yes", "text: case"),
    ("3, 5", "3,5", "text: comma spacing"),
    ("$12$ cm", "12", "math mode around the number only"),
    ("\\frac12", "0.5", "latex frac without braces"),
    ("12 \\mathrm{~cm}", "12", "latex tilde space"),
    ("13 720", "13720", "thousands separated by spaces"),
    ("approximately 74", "74", "approximately"),
    ("about $5", "5", "about"),
    ("fifteen", "15", "number in words"),
    ("twenty-one apples", "21", "number in words with a unit"),
    ("116 - 5", "111", "arithmetic expression"),
    ("3 * 7.12", "21.36", "arithmetic expression, exact"),
    ("(2 + 3) * 4", "20", "arithmetic expression with parentheses"),
]

MISMATCHES = [
    ("842", "843", "different integer"),
    ("1000001", "1000000", "large integers compare exactly"),
    ("0.333", "1/3", "decimal outside tolerance"),
    ("1,23", "123", "not a thousands separator"),
    ("12 or 13", "12", "two candidates"),
    ("-5", "5", "sign matters"),
    ("player 2", "player 1", "text differs"),
    ("", "5", "empty"),
    ("5/0", "5", "division by zero is not a number"),
    ("12 345", "12", "spaced thousands are one number"),
    ("10 - 12", "10", "a range is not its first number"),
    ("one hundred", "100", "numbers from 100 in words are not read"),
]


@pytest.mark.parametrize(("predicted", "expected", "rule"), MATCHES)
def test_normalisation_rule_matches(predicted: str, expected: str, rule: str) -> None:
    got, want = normalize_answer(predicted), normalize_answer(expected)
    assert answers_match(got, want), f"{rule}: {got} vs {want}"


@pytest.mark.parametrize(("predicted", "expected", "rule"), MISMATCHES)
def test_normalisation_rule_rejects(predicted: str, expected: str, rule: str) -> None:
    got, want = normalize_answer(predicted), normalize_answer(expected)
    assert not answers_match(got, want), f"{rule}: {got} vs {want}"


@pytest.mark.parametrize(
    ("span", "value", "percent"),
    [
        ("15.0", 15, False),
        ("1,234", 1234, False),
        ("3/4", Fraction(3, 4), False),
        ("12.5%", Fraction(25, 2), True),
        ("-0.25", Fraction(-1, 4), False),
        ("hello", None, False),
    ],
)
def test_normalised_value(span: str, value: object, percent: bool) -> None:
    answer = normalize_answer(span)
    assert answer.value == value
    assert answer.percent is percent


def test_integers_stay_ints_for_the_fast_path() -> None:
    assert type(normalize_answer("15.0").value) is int


WORDS = [
    # (span, expected, prompt, match)
    ("Yes, 17 is prime", "yes", "", True),
    ("true", "yes", "", True),
    ("17 has no divisors but 1 and 17, so yes", "yes", "", True),
    ("not true", "yes", "", False),
    ("yes or no", "yes", "", False),
    ("No, but it is close", "no", "", True),
    ("34 is not a prime number", "no", "Is 34 a prime number?", True),
    ("34 is a prime number", "no", "Is 34 a prime number?", False),
    ("It will be a Thursday", "thursday", "", True),
    ("thu", "thursday", "", True),
    ("It is not Wednesday; it is Tuesday", "tuesday", "", True),
    ("Starting from Monday, we land on Thursday", "thursday", "Today is Monday.", True),
    ("Thursday or Friday", "thursday", "", False),
    ("Paris, France", "paris", "", True),
    ("The capital of France is Paris", "paris", "", True),
    ("Lyon, not Paris", "paris", "", False),
    ("Paris is wrong", "paris", "", False),
    ("Paris or Lyon", "paris", "", False),
    ("Paris is the biggest city, but the capital is Lyon", "paris", "", False),
    ("Lyon is the biggest city, but the capital is Paris", "paris", "", True),
]


@pytest.mark.parametrize(("span", "expected", "prompt", "match"), WORDS)
def test_word_answers(span: str, expected: str, prompt: str, match: bool) -> None:
    got = normalize_answer(span).text
    assert words_match(got, normalize_answer(expected).text, prompt) is match
