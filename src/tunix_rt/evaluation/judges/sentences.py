"""Sentence-level answer finders for free-form outputs: the answer phrase, a concluding
sentence, the last number, the last sentence naming a word answer (pure; see ``freeform``).

All of them read plain text (``normalize.latex_to_plain``) and stop at a verification section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tunix_rt.evaluation.judges import words
from tunix_rt.evaluation.judges.normalize import normalize_answer
from tunix_rt.evaluation.judges.types import Extraction, Method


@dataclass(frozen=True, slots=True)
class _Sentence:
    start: int
    end: int  # just past the sentence, before its boundary
    closed: bool  # a boundary (. ! ? or a newline) follows

    def text(self, source: str) -> str:
        return source[self.start : self.end]


_HEADER = re.compile(
    r"(?:step|stage|part)\s*\d+\b|\d+[.)]\s+\S|(?:reasoning|solution|explanation|working|work|"
    r"approach|analysis|calculation|thinking)\b|first(?:ly)?\b|to (?:solve|find)\b|let'?s\b|"
    r"let me\b|we (?:need|start|first|have|can|know)\b|given\b",
    re.IGNORECASE,
)


def is_step_header(line: str) -> bool:
    """``Step 1: ...``, ``1. ...``, ``### Solution``, ``First, ...``: the start of working."""
    return _HEADER.match(line.strip(_DECOR + ":")) is not None


_BOUNDARY = re.compile(r"[.!?](?=\s|$|\*)|\n")
_DECOR = " \t*_#>-`"


def _sentences(text: str) -> list[_Sentence]:
    found: list[_Sentence] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if match.group() == "." and text[line_start : match.start()].strip(_DECOR).isdigit():
            continue  # "2. Then ...": an enumerator, not a full stop
        if text[start : match.start()].strip(_DECOR):
            found.append(_Sentence(start, match.start(), True))
        start = match.end()
    if text[start:].strip(_DECOR):
        found.append(_Sentence(start, len(text), False))
    return found


_VERIFY = re.compile(
    r"(?:check(?:ing)?|verif(?:y|ying|ication)|double[- ]check(?:ing)?|sanity check|"
    r"confirm(?:ing|ation)?|proof|plugging|substitut\w*|"
    r"(?:let me|let's|let us|to|we can|i can|i'll|i will|now,? let's) "
    r"(?:check|verify|double[- ]check|confirm|make sure))\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?:(?<![\w)])-)?(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+(?!\.?\d))?%?")
_STEP_LABEL = re.compile(r"(?:step|part|case|stage|day|week|no\.?|#)\s*$", re.IGNORECASE)


def _until_verification(text: str, sentences: list[_Sentence]) -> list[_Sentence]:
    """The sentences before a verification section that follows some number."""
    for n, sentence in enumerate(sentences):
        verifies = n and _VERIFY.match(sentence.text(text).strip(_DECOR + ":"))
        if verifies and any(_NUMBER.search(s.text(text)) for s in sentences[:n]):
            return sentences[:n]
    return sentences


def _numbers(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Numbers in ``text[start:end]``, less step enumerators (``2. ``) and labels (``Step 2``)."""
    found = []
    for match in _NUMBER.finditer(text, start, end):
        at, stop = match.span()
        line_start = at == 0 or text[at - 1] == "\n"
        if line_start and text.startswith((". ", ") "), stop):
            continue
        if _STEP_LABEL.search(text, max(0, at - 8), at) and text.startswith(":", stop):
            continue
        found.append(match)
    return found


_CLAUSE_END = re.compile(
    r",?\s+(?:which|because|since|compared|whereas|while|than|so that|leaving|not|instead of|"
    r"rather than)\b|\s*[(;]|\s+—|,\s+and\b"
)


def _main_clause_end(text: str, sentence: _Sentence) -> int:
    match = _CLAUSE_END.search(text, sentence.start, sentence.end)
    return sentence.end if match is None else match.start()


def _last_in(text: str, sentence: _Sentence) -> re.Match[str] | None:
    numbers = _numbers(text, sentence.start, _main_clause_end(text, sentence))
    numbers = numbers or _numbers(text, sentence.start, sentence.end)
    return numbers[-1] if numbers else None


def _number_extraction(text: str, match: re.Match[str], method: str, truncated: bool) -> Extraction:
    span = match.group().rstrip(",")
    return Extraction(span, method, match.end() < len(text.rstrip()) or not truncated)


_CUE = re.compile(
    r"(?:so|thus|therefore|hence|in total|altogether|in all|overall|finally|that means|"
    r"this means|which means|consequently|as a result|in the end)\b",
    re.IGNORECASE,
)
_COMPUTATION = re.compile(
    r"\d\s*[-+*/\u00d7x\u00f7]\s*\(?\d[^=\n]*=|=\s*\d[^.\n]*[-+*/\u00d7\u00f7]\s*\d"
)


def conclusion(text: str, truncated: bool) -> Extraction | None:
    """The last number of the last concluding sentence, when no computation follows it."""
    sentences = _until_verification(text, _sentences(text))
    for n in range(len(sentences) - 1, -1, -1):
        sentence = sentences[n]
        if not _CUE.match(sentence.text(text).strip(_DECOR + ",")):
            continue
        match = _last_in(text, sentence)
        if match is None:
            continue
        if any(_COMPUTATION.search(s.text(text)) for s in sentences[n + 1 :]):
            return None
        return _number_extraction(text, match, Method.CONCLUSION, truncated)
    return None


_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|greater|smaller|larger|bigger|older|younger|longer|shorter)\s+"
    r"than\b|\btimes\s+as\b",
    re.IGNORECASE,
)


def last_number(text: str, truncated: bool) -> Extraction | None:
    """The last number, skipping a verification section and comparison restatements."""
    sentences = _until_verification(text, _sentences(text))
    found: re.Match[str] | None = None
    for n in range(len(sentences) - 1, -1, -1):
        sentence = sentences[n]
        match = _last_in(text, sentence)
        if match is None:
            continue
        body = sentence.text(text)
        if "=" not in body and _COMPARISON.search(body):
            found = found or match
            continue
        found = match
        break
    return None if found is None else _number_extraction(text, found, Method.LAST_NUMBER, truncated)


def word_sentence(text: str, how: str, prompt: str = "") -> str | None:
    """The last sentence naming a word of the answer's kind (any last sentence for a phrase),
    less one that only restates the prompt ("Today is Friday.")."""
    sentences = _until_verification(text, _sentences(text))
    asked = prompt.lower()
    for sentence in reversed(sentences):
        body = sentence.text(text).strip(_DECOR + ":")
        if not (how == "phrase" or words.names_kind(body, how, prompt)):
            continue
        clause = body.rsplit(":", 1)[-1].strip().lower()
        if len(clause.split()) >= 3 and clause in asked:
            continue
        return body
    return None


_PHRASE = re.compile(
    r"\b(?:(?:the|my|our|your)\s+)?(?:final\s+|correct\s+)?answer\s*(?:\*\*|__)?"
    r"(?:\s+(?:is|would\s+be|should\s+be|will\s+be|must\s+be)\b|\s*[:=])\s*:?",
    re.IGNORECASE,
)
_CONNECTIVE = re.compile(
    r"(?:(?:and|so|thus|therefore|hence|then|finally|overall|yes|ok|okay|clearly|consequently|"
    r"in (?:conclusion|summary|short|total|the end)|which means|this means|that means|"
    r"so,? (?:i think|we get)|i (?:think|believe|know|get|found|guess)|we (?:get|find|have)|"
    r"after all that|putting it (?:all )?together|to sum up|altogether|as a result)[ ,]*)*",
    re.IGNORECASE,
)
_ADVERB = re.compile(
    r"(?:(?:therefore|thus|then|indeed|clearly|simply|just|actually|definitely|probably|now|"
    r"still|exactly|:)\s*)+",
    re.IGNORECASE,
)
_NOT_ANSWER = frozenset(
    {"to", "that", "this", "not", "whether", "because", "if", "when", "how", "what", "why", "in"}
    | {"at", "on", "of", "for", "simple", "easy", "clear", "obvious", "correct", "right", "wrong"}
    | {"incorrect", "reasonable", "given", "found", "shown", "below", "above", "as", "the", "a"}
    | {"an", "calculated", "computed", "obtained", "derived", "determined", "based"}
    | {"straightforward", "unclear", "there", "it", "we", "you", "i"}
)
_LEADING_NUMBER = re.compile(r"[$€£]?\s*-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?\s*%?")
_MAX_WORDS = 5
_HEDGE = re.compile(r"^either\b|\w\s+or\s+\S", re.IGNORECASE)
_NUMERIC_START = re.compile(r"[$€£]?\s*-?\.?\d")


def _answer_like(span: str) -> str | None:
    """The answer in the text after "the answer is", or None when it is not one."""
    span = _ADVERB.sub("", span.strip(_DECOR), count=1).strip(_DECOR + ":")
    if not span:
        return None
    if _HEDGE.search(span):
        return span  # "either 12 or 14": an answer, and not one value
    if _NUMERIC_START.match(span):
        clause = _CLAUSE_END.split(span, maxsplit=1)[0].strip(" ,")
        if normalize_answer(clause).value is not None:
            return clause
        leading = _LEADING_NUMBER.match(span)
        return leading.group().strip() if leading else None
    head = re.split(r"[,;(]|\s+(?:because|since|as|so|which)\b", span, maxsplit=1)[0].strip()
    tokens = head.split()
    if not tokens or len(tokens) > _MAX_WORDS or tokens[0].lower().strip("'\"") in _NOT_ANSWER:
        return None
    return head


def leading_clause(span: str) -> str | None:
    """A span that opens with a number, cut before its trailing prose (or the number alone)."""
    span = span.strip(_DECOR)
    if not _NUMERIC_START.match(span):
        return None
    return _answer_like(span)


def phrase(text: str, truncated: bool) -> Extraction | None:
    """The span after the last "the answer is" that opens a sentence and gives an answer."""
    sentences = _sentences(text)
    for match in reversed(list(_PHRASE.finditer(text))):
        owner = next((s for s in sentences if s.start <= match.start() < s.end), None)
        if owner is None:
            continue
        prefix = text[owner.start : match.start()].strip(_DECOR + ",")
        clause = re.split(r",\s+|\s+and\s+", prefix)[-1] if prefix else ""
        if not (_CONNECTIVE.fullmatch(prefix) or (clause and _CONNECTIVE.fullmatch(clause))):
            continue
        rest, closed = text[match.end() : owner.end], owner.closed
        if not rest.strip(_DECOR + ":"):
            later = [s for s in sentences if s.start >= owner.end]
            if not later:
                continue
            rest, closed = later[0].text(text), later[0].closed
            if is_step_header(rest):
                continue
        span = _answer_like(rest)
        if span is not None:
            complete = closed or not truncated
            return Extraction(span, Method.PHRASE, complete, marked=closed)
    return None
