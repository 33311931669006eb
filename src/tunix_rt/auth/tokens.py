"""Pure token handling: scopes, and generating, parsing and hashing ``trt_<prefix>_<secret>``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

TOKEN_TAG = "trt_"
PREFIX_LENGTH = 8
# token_urlsafe(32) gives 43 characters; anything shorter was not made here.
MIN_SECRET_LENGTH = 32
MAX_TOKEN_LENGTH = 200
_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class Scope(StrEnum):
    """What a token may do; each scope includes the ones below it (admin ⊃ write ⊃ read)."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


_RANK = {Scope.READ: 1, Scope.WRITE: 2, Scope.ADMIN: 3}
ALL_SCOPES = frozenset(Scope)


def grants(scopes: Iterable[Scope | str], needed: Scope) -> bool:
    """Whether holding ``scopes`` allows an action that needs ``needed``."""
    return any(_RANK.get(Scope(s), 0) >= _RANK[needed] for s in scopes if s in _RANK)


def implied(scopes: Iterable[Scope | str]) -> frozenset[Scope]:
    """Every scope that ``scopes`` grant (``[write]`` → ``{read, write}``)."""
    held = list(scopes)
    return frozenset(s for s in Scope if grants(held, s))


@dataclass(frozen=True)
class ParsedToken:
    """A token split into the public prefix (the lookup key) and the secret."""

    prefix: str
    secret: str


def generate_prefix() -> str:
    """A fresh 8-character url-safe prefix."""
    return secrets.token_urlsafe(6)[:PREFIX_LENGTH]


def format_token(prefix: str) -> str:
    """A full token with a fresh random secret for ``prefix``."""
    return f"{TOKEN_TAG}{prefix}_{secrets.token_urlsafe(32)}"


def parse_token(token: str) -> ParsedToken | None:
    """The prefix and secret of a well-formed token, else None.

    Positions are fixed because url-safe text may itself contain ``_``.
    """
    if len(token) > MAX_TOKEN_LENGTH or not token.startswith(TOKEN_TAG):
        return None
    body = token[len(TOKEN_TAG) :]
    prefix, sep, secret = body[:PREFIX_LENGTH], body[PREFIX_LENGTH:][:1], body[PREFIX_LENGTH + 1 :]
    if sep != "_" or len(secret) < MIN_SECRET_LENGTH:
        return None
    if not set(prefix) <= _URLSAFE or not set(secret) <= _URLSAFE:
        return None
    return ParsedToken(prefix=prefix, secret=secret)


def new_salt() -> str:
    """A per-token random salt (hex)."""
    return secrets.token_hex(16)


def hash_token(token: str, salt: str) -> str:
    """The stored form of a token: salted sha256, hex."""
    return hashlib.sha256(f"{salt}:{token}".encode()).hexdigest()


def verify_token(token: str, *, salt: str, secret_hash: str) -> bool:
    """Whether ``token`` is the one whose hash is stored (constant-time comparison)."""
    return hmac.compare_digest(hash_token(token, salt), secret_hash)
