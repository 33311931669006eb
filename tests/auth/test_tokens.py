"""The pure token core: format, parsing, hashing and the scope hierarchy."""

from __future__ import annotations

import pytest

from tunix_rt.auth import tokens
from tunix_rt.auth.tokens import Scope


def test_generated_token_parses_back_to_its_prefix() -> None:
    prefix = tokens.generate_prefix()
    token = tokens.format_token(prefix)
    parsed = tokens.parse_token(token)
    assert len(prefix) == tokens.PREFIX_LENGTH
    assert parsed is not None
    assert parsed.prefix == prefix
    assert len(parsed.secret) >= tokens.MIN_SECRET_LENGTH
    assert token == f"trt_{prefix}_{parsed.secret}"


def test_prefix_with_underscores_still_parses_by_position() -> None:
    token = "trt_a_b_c_d__" + "s_" * 20
    parsed = tokens.parse_token(token)
    assert parsed is not None
    assert parsed.prefix == "a_b_c_d_"
    assert parsed.secret == "s_" * 20


@pytest.mark.parametrize(
    "token",
    [
        "",
        "Bearer trt_abcdefgh_" + "x" * 40,
        "trt_abcdefgh_short",
        "trt_abcdefghX" + "x" * 40,
        "trt_abcd/fgh_" + "x" * 40,
        "trt_abcdefgh_" + "x" * 39 + "\x00",
        "trt_abcdefgh_" + "x" * 300,
    ],
)
def test_malformed_tokens_do_not_parse(token: str) -> None:
    assert tokens.parse_token(token) is None


def test_hash_is_salted_and_verifies_only_the_same_token() -> None:
    token = tokens.format_token("abcdefgh")
    salt_a, salt_b = tokens.new_salt(), tokens.new_salt()
    stored = tokens.hash_token(token, salt_a)
    assert stored != tokens.hash_token(token, salt_b)
    assert token not in stored
    assert tokens.verify_token(token, salt=salt_a, secret_hash=stored)
    assert not tokens.verify_token(token + "x", salt=salt_a, secret_hash=stored)
    assert not tokens.verify_token(token, salt=salt_b, secret_hash=stored)


@pytest.mark.parametrize(
    ("held", "needed", "granted"),
    [
        ([Scope.READ], Scope.READ, True),
        ([Scope.READ], Scope.WRITE, False),
        ([Scope.READ], Scope.ADMIN, False),
        ([Scope.WRITE], Scope.READ, True),
        ([Scope.WRITE], Scope.WRITE, True),
        ([Scope.WRITE], Scope.ADMIN, False),
        ([Scope.ADMIN], Scope.WRITE, True),
        (["admin"], Scope.READ, True),
        ([], Scope.READ, False),
        (["root"], Scope.READ, False),
    ],
)
def test_scopes_are_hierarchical(held: list[str], needed: Scope, granted: bool) -> None:
    assert tokens.grants(held, needed) is granted


def test_implied_lists_everything_a_scope_includes() -> None:
    assert tokens.implied([Scope.WRITE]) == {Scope.READ, Scope.WRITE}
    assert tokens.implied([Scope.ADMIN]) == set(Scope)
