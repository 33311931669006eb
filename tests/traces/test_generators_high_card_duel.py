"""High Card Duel: a real deck, and outcomes checked against an independent rank comparison."""

from __future__ import annotations

import random
import re
from collections import Counter

from tunix_rt.traces.generators import high_card_duel
from tunix_rt.traces.generators.high_card_duel import Card, deal, duel_problem

# Written out independently of the generator's RANKS tuple on purpose.
ORDER = {"2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "10": 10,
         "J": 11, "Q": 12, "K": 13, "A": 14}  # fmt: skip
CARD = re.compile(r"(10|[2-9JQKA])([♠♥♦♣])")


def _hands(prompt: str) -> tuple[list[str], list[str]]:
    match = re.fullmatch(
        r"High Card Duel: player1 holds (.+), player2 holds (.+)\. Who wins\?", prompt
    )
    assert match, prompt
    return match[1].split(" "), match[2].split(" ")


def _expected(hand1: list[str], hand2: list[str]) -> str:
    best1 = max(ORDER[CARD.fullmatch(c)[1]] for c in hand1)  # type: ignore[index]
    best2 = max(ORDER[CARD.fullmatch(c)[1]] for c in hand2)  # type: ignore[index]
    if best1 == best2:
        return "tie"
    return "player1" if best1 > best2 else "player2"


def test_outcomes_match_an_independent_comparison() -> None:
    outcomes: Counter[str] = Counter()
    for hand_size in (1, 2, 5):
        for trace in high_card_duel.generate(400, seed=hand_size, hand_size=hand_size):
            hand1, hand2 = _hands(trace.prompt)
            assert len(hand1) == len(hand2) == hand_size
            assert trace.final_answer == _expected(hand1, hand2)
            outcomes[trace.final_answer] += 1
            steps = [s.content for s in trace.steps]
            assert steps[0] == "rule: higher rank wins, equal ranks tie"
            assert steps[-1].endswith("tie" if trace.final_answer == "tie" else "wins")
    assert set(outcomes) == {"player1", "player2", "tie"}


def test_each_card_is_stated_with_its_rank() -> None:
    trace = high_card_duel.generate(1, seed=4, hand_size=3)[0]
    hand1, _ = _hands(trace.prompt)
    values = " ".join(str(ORDER[CARD.fullmatch(c)[1]]) for c in hand1)  # type: ignore[index]
    assert trace.steps[1].content.startswith(f"player1: {' '.join(hand1)} ranks {values} high")


def test_deals_come_from_one_52_card_deck() -> None:
    assert len(set(high_card_duel.new_deck())) == 52
    rng = random.Random(0)
    for _ in range(200):
        hand1, hand2 = deal(rng, 5)
        assert len(set(hand1 + hand2)) == 10


def test_tie_and_wins_are_worded_uniformly() -> None:
    tie = duel_problem([Card("9", "♠")], [Card("9", "♦")])
    assert (tie.answer, tie.steps[-1][1]) == ("tie", "compare: 9 and 9 are equal, tie")
    win = duel_problem([Card("A", "♣")], [Card("K", "♥")])
    assert win.answer == "player1"
    assert win.steps[1][1] == "player1: A♣ rank 14"
    assert duel_problem([Card("2", "♣")], [Card("10", "♥")]).answer == "player2"
