"""The list-response envelope shared by every domain: ``{data, pagination}`` (SPEC.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Deeper than this is refused (422 naming ``offset``): SQL OFFSET takes an int64, and paging a
# billion rows deep is a scan no client means; keyset cursors page at any depth.
MAX_OFFSET = 1_000_000_000


class Pagination(BaseModel):
    """Where this page sits; ``next_offset`` is null on the last page."""

    limit: int
    offset: int
    next_offset: int | None
    next_cursor: str | None = None
    # Every row matching the filters, where the list counts them (null where it does not).
    total: int | None = None


class Page(BaseModel, Generic[T]):
    """One page of a list endpoint."""

    data: list[T]
    pagination: Pagination


def page_of(rows: Sequence[T], *, limit: int, offset: int, total: int | None = None) -> Page[T]:
    """A page from ``limit + 1`` fetched rows (the extra row only says whether more exist);
    ``total``: the count of every matching row, when the caller counted them."""
    more = len(rows) > limit
    return Page[T](
        data=list(rows[:limit]),
        pagination=Pagination(
            limit=limit, offset=offset, next_offset=offset + limit if more else None, total=total
        ),
    )
