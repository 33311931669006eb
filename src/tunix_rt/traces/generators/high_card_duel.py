"""High Card Duel, the seed's UNGAR game: two players are dealt from one shuffled 52-card deck.

Rule: each player's highest rank counts (2..10, J=11, Q=12, K=13, A=14; suits do not matter);
the higher rank wins and equal ranks are a tie. The trace states the rule, each player's cards
and ranks, the comparison, and the outcome: ``player1``, ``player2`` or ``tie``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tunix_rt.traces.generators.build import Problem, check_range, draw
from tunix_rt.traces.schemas import TraceCreate

NAME = "high_card_duel"
VERSION = "1.0"
RANKS = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K", "A")
SUITS = ("♠", "♥", "♦", "♣")
RULE = "rule: higher rank wins, equal ranks tie"


@dataclass(frozen=True)
class Card:
    """A playing card; ``rank`` is its face (``"10"``, ``"K"``), ``value`` its order 2..14."""

    rank: str
    suit: str

    @property
    def value(self) -> int:
        """2 for a two up to 14 for an ace."""
        return RANKS.index(self.rank) + 2

    def __str__(self) -> str:
        return f"{self.rank}{self.suit}"


DECK = tuple(Card(rank, suit) for suit in SUITS for rank in RANKS)


def new_deck() -> list[Card]:
    """The 52 cards in a fixed order."""
    return list(DECK)


def deal(rng: random.Random, hand_size: int) -> tuple[list[Card], list[Card]]:
    """Deal ``hand_size`` cards to each player, alternately, off a freshly shuffled deck.

    Only the dealt cards of the shuffle are drawn (``sample`` is a partial shuffle: the same
    distribution as shuffling all 52 cards, at a fraction of the cost).
    """
    dealt = rng.sample(DECK, 2 * hand_size)
    return dealt[0::2], dealt[1::2]


def outcome(hand1: list[Card], hand2: list[Card]) -> str:
    """``player1``, ``player2`` or ``tie`` by the highest rank in each hand."""
    high1, high2 = max(c.value for c in hand1), max(c.value for c in hand2)
    return "player1" if high1 > high2 else "player2" if high2 > high1 else "tie"


def _hand_step(player: str, hand: list[Card]) -> str:
    cards = " ".join(str(c) for c in hand)
    values = " ".join(str(c.value) for c in hand)
    if len(hand) == 1:
        return f"{player}: {cards} rank {values}"
    return f"{player}: {cards} ranks {values} high {max(c.value for c in hand)}"


def duel_problem(hand1: list[Card], hand2: list[Card]) -> Problem:
    """The worked duel for two dealt hands."""
    high1, high2 = max(c.value for c in hand1), max(c.value for c in hand2)
    result = outcome(hand1, hand2)
    if result == "player1":
        compare = f"compare: {high1}>{high2}, player1 wins"
    elif result == "player2":
        compare = f"compare: {high1}<{high2}, player2 wins"
    else:
        compare = f"compare: {high1} and {high2} are equal, tie"
    shown1, shown2 = " ".join(map(str, hand1)), " ".join(map(str, hand2))
    return Problem(
        prompt=(f"High Card Duel: player1 holds {shown1}, player2 holds {shown2}. Who wins?"),
        steps=[
            ("rule", RULE),
            ("parse", _hand_step("player1", hand1)),
            ("parse", _hand_step("player2", hand2)),
            ("compare", compare),
        ],
        answer=result,
        category="high_card_duel",
        difficulty="easy" if len(hand1) == 1 else "medium" if len(hand1) <= 3 else "hard",
        task_type="game",
        tags=["ungar", "game", f"hand-{len(hand1)}", *(["tie"] if result == "tie" else [])],
    )


def generate(n: int, *, seed: int, hand_size: int = 1, unique: bool = True) -> list[TraceCreate]:
    """``n`` duels, each dealt from a freshly shuffled deck.

    Args:
        hand_size: cards per player (1..5); a hand is worth its highest rank.
    """
    check_range("hand_size", hand_size, 1, 5)
    return draw(
        n,
        seed=seed,
        generator=NAME,
        make=lambda rng: duel_problem(*deal(rng, hand_size)),
        unique=unique,
    )
