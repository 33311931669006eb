"""Answer normalisation: an answer span becomes a canonical number or a canonical text (pure).

Rules (each has a row in ``tests/evaluation/test_normalize.py``):
- case, surrounding whitespace and runs of whitespace are ignored;
- LaTeX wrappers are removed: ``\\boxed{}`` (the last one), ``$…$``, ``\\(…\\)``, ``\\text{}``,
  ``\\frac{a}{b}`` becomes ``a/b``, ``\\%`` and ``\\$`` become ``%`` and ``$``;
- markdown emphasis, a leading "the (final) answer is", and a trailing full stop are dropped;
- in ``x = 7`` only the right-hand side counts;
- numbers: signs (also the Unicode minus), thousands separators (``1,234``), decimals
  (``15.0`` equals ``15``), fractions (``3/4``), mixed numbers (``1 1/2``), exponents (``1e3``),
  a percent sign, currency marks before and unit words after the number are all understood;
  so are thousands separated by spaces (``13 720``), "approximately"/"about" before a number,
  numbers up to 99 in words (``fifteen``), and one arithmetic expression (``116 - 5``, exact).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from tunix_rt.traces.stepcheck import evaluate_expression

Number = int | Fraction

# Decimal answers are compared to within this absolute distance (``0.3333333`` vs ``1/3``);
# integers are always compared exactly.
TOLERANCE = Fraction(1, 1_000_000)

_UNICODE = str.maketrans(
    {
        "\u2212": "-",
        "\u2013": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\uff0c": ",",
        "\u00d7": "*",
    }
)
_TEXT_CMD = re.compile(r"\\(?:text|textbf|textrm|mathrm|mathbf|operatorname|mbox)\s*\{([^{}]*)\}")
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_LATEX_DROP = re.compile(r"\\(?:left|right|displaystyle|[,;:!]|\s)")
_LATEX_SUB = (("\\%", "%"), ("\\$", "$"), ("{,}", ","), ("\\cdot", "*"), ("\\times", "*"))
_DEGREE = re.compile(r"\^\s*\{?\\circ\}?|\\circ")
_LEAD = re.compile(r"^(?:the\s+)?(?:final\s+)?answer\s*(?:is\s*:?|:)\s*")
_APPROX = re.compile(r"^(?:approximately|approx\.?|about|around|roughly|exactly|nearly|≈|~)\s*")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(
    r"""^(?:(?P<cur1>[$€£¥₹]|usd|eur|gbp)\s*)?
    (?P<sign>[-+])?\s*
    (?:[$€£¥₹]\s*)?
    (?:
        (?P<whole>\d+)\s+(?P<mn>\d+)\s*/\s*(?P<md>\d+)
      | (?P<fn>\d+(?:\.\d+)?)\s*/\s*(?P<fd>\d+(?:\.\d+)?)
      | (?P<th>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\ \d{3})+(?![\d/]))
      | (?P<dec>\d+(?:\.\d*)?|\.\d+)(?:e(?P<exp>[-+]?\d+))?
    )
    \s*(?P<pct>%|percent|per\s+cent)?
    (?P<unit>(?:\s*[a-z°µ'][a-z°µ²³/^'.]*\d?){0,3})
    \s*\.?$""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Answer:
    """A normalised answer: canonical text, and its value when it is one number."""

    text: str
    value: Number | None = None
    percent: bool = False


def boxed_span(text: str) -> tuple[str, bool] | None:
    """The content of the last ``\\boxed{…}`` (or ``\\fbox{…}``), and whether it was closed."""
    start = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if start < 0:
        return None
    brace = text.find("{", start)
    if brace < 0:
        return None
    depth = 0
    for pos in range(brace, len(text)):
        char = text[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[brace + 1 : pos], True
    return text[brace + 1 :], False


def last_boxed(text: str) -> str | None:
    """The content of the last ``\\boxed{…}`` (or ``\\fbox{…}``), braces balanced."""
    found = boxed_span(text)
    return None if found is None else found[0]


_FRAC_DIGITS = re.compile(r"\\[dt]?frac\s*(\d)\s*(\d)")
_INLINE_MATH = re.compile(r"\$([^$]*\d[^$]*)\$")
_PLAIN_SUB = (
    ("\\%", "%"),
    ("\\$", "$"),
    ("{,}", ","),
    ("\\cdot", "*"),
    ("\\times", "*"),
    ("\\div", "/"),
    ("\\(", " "),
    ("\\)", " "),
    ("\\[", " "),
    ("\\]", " "),
    ("**", ""),
)


def latex_to_plain(text: str) -> str:
    """Text with LaTeX numbers made plain (``\\frac{3}{4}`` -> ``3/4``, ``\\$12`` -> ``$12``).

    For scanning a whole output for numbers; positions are not kept.
    """
    if "\\" not in text and "{" not in text and "**" not in text:
        return text
    for old, new in _PLAIN_SUB:
        text = text.replace(old, new)
    text = _FRAC_DIGITS.sub(r"\1/\2", text)
    text = _FRAC.sub(r"\1/\2", text)
    text = _TEXT_CMD.sub(r"\1", text)
    text = _DEGREE.sub("°", text)
    return _LATEX_DROP.sub(" ", text).replace("~", " ")


def _strip_latex(text: str) -> str:
    boxed = last_boxed(text)
    if boxed is not None:
        text = boxed
    if len(text) > 1 and text[0] == "$" and text[-1] == "$":
        text = text.strip("$")
    if text.startswith(("\\(", "\\[")) and text.endswith(("\\)", "\\]")):
        text = text[2:-2]
    if text.count("$") == 2:
        # "$12$ cm": math mode around the number only.
        text = _INLINE_MATH.sub(r"\1", text)
    if "\\" not in text and "{" not in text:
        return text
    text = _FRAC_DIGITS.sub(r"(\1)/(\2)", text)
    for old, new in _LATEX_SUB:
        text = text.replace(old, new)
    text = _DEGREE.sub("°", text)
    text = _TEXT_CMD.sub(r"\1", text)
    text = _FRAC.sub(r"(\1)/(\2)", text)
    text = _LATEX_DROP.sub("", text).replace("~", " ")
    return text.replace("{", "").replace("}", "")


def _clean(span: str) -> str:
    text = _strip_latex(span.translate(_UNICODE).strip())
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = _SPACES.sub(" ", text.lower()).strip()
    text = _APPROX.sub("", _LEAD.sub("", text))
    if "=" in text:
        left, _, right = text.rpartition("=")
        text = right.strip() or left.strip()
    text = text.strip("\"'")
    # Simple fractions written by the \frac rewrite: "(3)/(4)" -> "3/4".
    if text.startswith("(") and ")/(" in text and text.endswith(")"):
        num, _, den = text[1:-1].partition(")/(")
        text = f"{num}/{den}"
    return text.rstrip(".!;:, ").strip()


def _decimal(text: str) -> Fraction:
    return Fraction(text.replace(",", "").replace(" ", ""))


def _value(match: re.Match[str]) -> Number | None:
    groups = match.groupdict()
    if groups["whole"] is not None:
        den = int(groups["md"])
        if den == 0:
            return None
        value: Fraction = int(groups["whole"]) + Fraction(int(groups["mn"]), den)
    elif groups["fn"] is not None:
        den_value = _decimal(groups["fd"])
        if den_value == 0:
            return None
        value = _decimal(groups["fn"]) / den_value
    else:
        value = _decimal(groups["th"] or groups["dec"])
        if groups["exp"] is not None:
            value *= Fraction(10) ** int(groups["exp"])
    if groups["sign"] == "-":
        value = -value
    return int(value) if value.denominator == 1 else value


# The common shapes (``843``, ``-1,234``, ``$12.50``, ``15.0``) skip the general rules.
_SIMPLE = re.compile(r"\s*\$?\s*(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*")


def normalize_answer(span: str) -> Answer:
    """Canonical form of an answer span."""
    if span.isdigit() and span.isascii():
        return Answer(span.lstrip("0") or "0", int(span))
    simple = _SIMPLE.fullmatch(span)
    if simple is None:
        return _normalize_general(span)
    sign, whole, decimals = simple.groups()
    value: Number = int(whole.replace(",", "")) if "," in whole else int(whole)
    if decimals and decimals.strip("0"):
        value = Fraction(f"{value}.{decimals}")
    if sign:
        value = -value
    return Answer(str(value), value)


@lru_cache(maxsize=65_536)
def _normalize_general(span: str) -> Answer:
    """Every rule (cached: expected answers repeat across items and runs)."""
    text = _clean(span)
    if text.isascii() and text.isdigit():
        return Answer(text.lstrip("0") or "0", int(text))
    match = _NUMBER.match(text)
    if match is None:
        return _not_one_number(text)
    value = _value(match)
    if value is None:
        return Answer(text)
    return Answer(str(value), value, match.group("pct") is not None)


_UNITS_WORDS = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_NUMBER = re.compile(
    rf"^(?:(?P<tens>{'|'.join(_TENS_WORDS)})(?:[- ](?P<unit>{'|'.join(_UNITS_WORDS[1:10])}))?"
    rf"|(?P<small>{'|'.join(_UNITS_WORDS)}))(?P<rest>(?:\s+[a-z]+){{0,3}})$"
)


def _word_number(text: str) -> Fraction | None:
    """``fifteen``, ``twenty-one apples``: numbers up to 99 written in words (units allowed)."""
    match = _WORD_NUMBER.match(text)
    if match is None:
        return None
    if match["small"] is not None:
        return Fraction(_UNITS_WORDS.index(match["small"]))
    unit = _UNITS_WORDS.index(match["unit"]) if match["unit"] else 0
    return Fraction(20 + 10 * _TENS_WORDS.index(match["tens"]) + unit)


def _not_one_number(text: str) -> Answer:
    """An arithmetic expression or a number in words by value, anything else as text."""
    found = evaluate_expression(text) if text[:1].isdigit() or text[:1] in "(-" else None
    found = _word_number(text) if found is None else found
    if found is None:
        return Answer(_SPACES.sub(" ", text.replace(", ", ",")))
    value: Number = int(found) if found.denominator == 1 else found
    return Answer(str(value), value)


def _close(a: Number, b: Number) -> bool:
    if a == b:
        return True
    if isinstance(a, int) and isinstance(b, int):
        return False
    return abs(Fraction(a) - Fraction(b)) <= TOLERANCE


def answers_match(predicted: Answer, expected: Answer) -> bool:
    """Numbers compare by value (a percent also matches its fraction); texts compare exactly."""
    pv, ev = predicted.value, expected.value
    if pv is not None and ev is not None:
        if _close(pv, ev):
            return True
        if predicted.percent and _close(Fraction(pv) / 100, ev):
            return True
        return expected.percent and _close(pv, Fraction(ev) / 100)
    return predicted.text == expected.text


def clear_cache() -> None:
    """Forget cached normalisations (benchmarks measure cold)."""
    _normalize_general.cache_clear()
