"""Replay the earlier client's requests (seed_requests.json) against a live app.

The app runs with its real lifespan (migrations done, one in-process worker) over httpx's ASGI
transport, on its own committed database and home. Placeholders (``{trace_id}``, ``{run_id}``…)
are filled from earlier responses or from the seeded rows. ``check_fields`` reads the
``response_fields_read`` specs (``name:type``) and reports what is missing or mistyped.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

REQUESTS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "seed_requests.json").read_text()
)
_PLACEHOLDER = re.compile(
    r"\{(trace_id|trace_id_2|dataset_key|run_id|job_id|artifact_id|version_id|filename)\}"
)


@dataclass
class Outcome:
    """One replayed request: its status, body and the problems the checks found."""

    id: str
    status: int
    text: str
    media: str = ""

    def json(self) -> Any:
        """The body as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None


def fill(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with every placeholder replaced by the id it names."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: ids[m.group(1)], value)
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


async def send(http: httpx.AsyncClient, req: dict[str, Any], ids: dict[str, str]) -> Outcome:
    """Send one request as the earlier client did (JSON bodies, query strings as given)."""
    path, query = fill(req["path"], ids), fill(req["query"], ids)
    kwargs: dict[str, Any] = {"params": query}
    if req["body"] is not None:
        kwargs["json"] = fill(req["body"], ids)
    response = await http.request(req["method"], path, **kwargs)
    media = response.headers.get("content-type", "")
    return Outcome(req["id"], response.status_code, response.text, media)


# request id -> (placeholder, how to read it from that request's answer)
CAPTURES: dict[str, tuple[str, Callable[[Any], str]]] = {
    "trace_create": ("trace_id", lambda doc: doc["id"]),
    "trace_create_e2e": ("trace_id_2", lambda doc: doc["id"]),
    "dataset_build": ("dataset_key", lambda doc: doc.get("dataset_key") or doc["key"]),
    "run_artifacts": ("filename", lambda doc: doc["data"][0]["name"]),
    "tuning_create": ("job_id", lambda doc: doc["id"]),
    "model_create": ("artifact_id", lambda doc: doc["id"]),
    "model_promote": ("version_id", lambda doc: doc["id"]),
}
# What a placeholder holds when the request that makes it was refused (adapter off).
FALLBACK_IDS = {
    "trace_id": "00000000-0000-0000-0000-000000000001",
    "trace_id_2": "00000000-0000-0000-0000-000000000002",
    "dataset_key": "compat_ds-v1",
    "filename": "final/config.json",
    "job_id": "00000000-0000-0000-0000-000000000003",
    "artifact_id": "compat-model",
    "version_id": "00000000-0000-0000-0000-000000000005",
}
EARLIER_INGEST_DIR = "/tmp/ceo/compat"


def localise(req: dict[str, Any], ingest_dir: Path) -> dict[str, Any]:
    """The ingest request with its server path moved into this test's allowed root."""
    body = req["body"]
    if isinstance(body, dict) and str(body.get("path", "")).startswith(EARLIER_INGEST_DIR):
        moved = str(body["path"]).replace(EARLIER_INGEST_DIR, str(ingest_dir))
        return {**req, "body": {**body, "path": moved}}
    return req


async def replay_all(
    http: httpx.AsyncClient, ids: dict[str, str], ingest_dir: Path
) -> list[tuple[dict[str, Any], Outcome]]:
    """Every request in order, placeholders filled from earlier answers as they come."""
    ids = {**FALLBACK_IDS, **ids}
    done = []
    for req in REQUESTS:
        out = await send(http, localise(req, ingest_dir), ids)
        capture = CAPTURES.get(req["id"])
        if capture and 200 <= out.status < 300:
            ids[capture[0]] = capture[1](out.json())
        if req["id"] == "trace_create":
            ids["trace_prompt"] = req["body"]["prompt"]
        done.append((req, out))
    return done


def status_class(old: Any) -> int:
    """The leading digit of the earlier status (``"201 (or 501 …)"`` → 2)."""
    return int(str(old).strip()[0])


_TYPES = {"str", "int", "float", "bool", "uuid", "datetime", "dict", "obj", "null"}
_CHECKS: dict[str, Callable[[Any], bool]] = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "obj": lambda v: isinstance(v, dict),
    "dict": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def split_top(text: str, sep: str) -> list[str]:
    """``text`` split on ``sep`` outside brackets and parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char in "{[(") - (char in "}])")
        if char == sep and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _entry(doc: dict[str, Any], entry: str) -> bool:
    """``name``, ``name:type``, ``name{…}`` or ``name?:type`` (optional) of an object."""
    if entry.startswith("..."):
        return True
    brace = entry.find("{")
    colon = entry.find(":")
    if brace != -1 and (colon == -1 or brace < colon):
        name, kind = entry[:brace], entry[brace:]
    elif colon != -1:
        name, kind = entry[:colon], entry[colon + 1 :]
    else:
        name, kind = entry, ""
    optional = name.endswith("?")
    name = name.rstrip("?")
    if name not in doc:
        return optional
    return not kind or _is(doc[name], kind)


def _is(value: Any, kind: str) -> bool:
    """Whether ``value`` has the spec's type (``list[{a,b:int}]``, ``str|null``, ``pass|fail``,
    ``str(a|b)``, ``float 0-100``, ``'running'``)."""
    kind = re.sub(r"\s+\(.*\)$", "", kind.strip())
    options = split_top(kind, "|")
    if len(options) > 1:
        if all(re.split(r"[ (]", o, maxsplit=1)[0] in _TYPES for o in options):
            return any(_is(value, o) for o in options)
        return value in options
    if kind.startswith("list["):
        return isinstance(value, list) and all(_is(v, kind[5:-1]) for v in value)
    if kind.startswith("{"):
        entries = split_top(kind[1:-1], ",")
        return isinstance(value, dict) and all(_entry(value, e) for e in entries)
    if kind.startswith("'"):
        return bool(value == kind.strip("'"))
    enum = re.fullmatch(r"str\((.+)\)", kind)
    if enum:
        return value in enum.group(1).split("|")
    base = re.split(r"[ ([]", kind, maxsplit=1)[0]
    if base == "uuid":
        return _is_uuid(value)
    if base == "datetime":
        return _is_datetime(value)
    check = _CHECKS.get(base)
    return True if check is None else check(value)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _is_datetime(value: Any) -> bool:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _lookup(doc: Any, name: str) -> tuple[bool, Any]:
    for part in name.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return False, None
        doc = doc[part]
    return True, doc


_FIELD = re.compile(r"^([a-z_][a-z_0-9.]*)(?::(.+))?$")


def check_fields(doc: Any, specs: list[str]) -> list[str]:
    """The problems of ``doc`` against ``name:type`` specs; other specs are the caller's."""
    problems = []
    for spec in specs:
        optional = "(optional)" in spec
        match = _FIELD.match(spec.replace(" (optional)", ""))
        if match is None:
            continue
        name, kind = match.group(1), match.group(2)
        found, value = _lookup(doc, name)
        if not found:
            if not optional:
                problems.append(f"{name}: missing")
            continue
        if kind and not _is(value, kind):
            problems.append(f"{name}: {value!r} is not {kind}")
    return problems
