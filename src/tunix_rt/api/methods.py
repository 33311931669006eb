"""Which resource a request path names, and the methods it has (``Allow`` on a 405).

Starlette answers a wrong method with the methods of the first route whose path matched, so
``OPTIONS /api/traces`` said ``Allow: POST`` although the path also has ``GET``; and
``DELETE /api/traces/compare`` reached ``DELETE /api/traces/{trace_id}`` (a 422 about the id)
although ``/api/traces/compare`` has no DELETE. Here a path's resource is its most specific
template (literal segments win over parameters), and its methods are those of every route with
that template.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import routing
from starlette.applications import Starlette
from starlette.routing import BaseRoute

_PARAM = re.compile(r"{[^}]*}")


@dataclass(frozen=True)
class Resource:
    """A path template, the methods its routes answer, and the parameters a path gave it."""

    template: str
    methods: frozenset[str]
    params: dict[str, str] = field(default_factory=dict)

    @property
    def allow(self) -> str:
        """The ``Allow`` header value."""
        return ", ".join(sorted(self.methods))


@dataclass(frozen=True)
class _Template:
    path: str
    regex: re.Pattern[str]
    methods: frozenset[str]

    @property
    def specificity(self) -> tuple[int, int]:
        literal = _PARAM.sub("", self.path)
        return literal.count("/") - self.path.count("{"), len(literal)


class RouteTable:
    """The app's routes grouped by path template, most specific first."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.size = len(routes)
        methods: dict[str, set[str]] = {}
        regexes: dict[str, re.Pattern[str]] = {}
        for context in routing.iter_route_contexts(routes):
            path, regex = context.path, getattr(context, "path_regex", None)
            if path is None or regex is None or context.methods is None:
                continue  # a mount (the UI's static files) names no resource
            methods.setdefault(path, set()).update(context.methods)
            regexes.setdefault(path, regex)
        templates = [_Template(p, regexes[p], frozenset(m)) for p, m in methods.items()]
        self._templates = sorted(templates, key=lambda t: t.specificity, reverse=True)
        self._literal = {t.path: t for t in templates if "{" not in t.path}

    def resolve(self, path: str) -> Resource | None:
        """The resource ``path`` names, or None when no route's template matches it."""
        literal = self._literal.get(path)
        if literal is not None:
            return Resource(literal.path, literal.methods)
        for template in self._templates:
            match = template.regex.match(path)
            if match is not None:
                return Resource(template.path, template.methods, match.groupdict())
        return None


def route_table(app: Starlette) -> RouteTable:
    """The table of ``app``'s routes, kept on ``app.state`` (rebuilt when routes are added)."""
    routes = app.routes
    cached = getattr(app.state, "route_table", None)
    if isinstance(cached, RouteTable) and cached.size == len(routes):
        return cached
    table = RouteTable(routes)
    app.state.route_table = table
    return table
