"""Domain errors. Each class's docstring is its default message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (a field path or line) and what."""

    loc: str
    msg: str

    def __str__(self) -> str:
        return f"{self.loc}: {self.msg}" if self.loc else self.msg


class TunixRtError(Exception):
    """Something went wrong in Tunix RT."""

    def __init__(self, message: str | None = None, *, problems: list[Problem] | None = None):
        self.message = message or (self.__doc__ or "error").strip()
        self.problems = problems or []
        super().__init__(self.message)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        return f"{self.message}: {shown}{more}"


class NotFound(TunixRtError):
    """The requested object does not exist."""


class Conflict(TunixRtError):
    """The request conflicts with the current state of an object."""


class InvalidInput(TunixRtError):
    """The input is invalid."""


class InvalidState(TunixRtError):
    """The object is not in a state that allows this operation."""


class PayloadTooLarge(TunixRtError):
    """The request body is larger than the configured limit."""


class Unavailable(TunixRtError):
    """An optional component is not installed or not reachable."""
