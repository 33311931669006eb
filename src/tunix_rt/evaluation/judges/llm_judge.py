"""``llm_judge``: a rubric judge on any OpenAI-compatible ``/v1/chat/completions`` endpoint.

Score range 0..1 as returned by the judge model (1 = the final answer matches the reference).
The judge model must answer with a JSON object ``{"score", "label", "reason"}``. Transport
errors, timeouts, 429 and 5xx responses are retried with exponential back-off; when the
endpoint stays unreachable (or refuses the request) ``JudgeUnavailable`` is raised and the
evaluation fails: no score is ever invented. A reply that is not the asked-for JSON (after one
retry) skips the item with the label ``judge_unparseable``.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx

from tunix_rt.errors import Unavailable
from tunix_rt.evaluation.judges.types import JudgeItem, Prediction, Verdict

NAME = "llm_judge"
VERSION = "1.0"
SCORE_RANGE = (0.0, 1.0)
RUBRIC = (
    "You grade a model's answer to a question against the reference answer. Judge only the "
    "final answer, ignoring formatting, units and number formatting. Reply with one JSON "
    'object and nothing else: {"score": <number from 0 to 1>, "label": "correct" | "wrong", '
    '"reason": "<one sentence>"}. Score 1 when the final answer equals the reference, 0 when '
    "it does not or when there is no final answer."
)
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class JudgeUnavailable(Unavailable):
    """The judge endpoint could not be reached or refused the request."""


@dataclass(frozen=True)
class LlmJudgeConfig:
    """Where the judge model is served, and how patiently to call it."""

    base_url: str
    model: str
    api_key: str = ""
    timeout_s: float = 30.0
    max_attempts: int = 3
    # Seconds before the first retry; doubled for each further one.
    backoff_s: float = 0.5


def endpoint_url(base_url: str, path: str) -> str:
    """``{base}/v1/{path}``, accepting a base URL with or without the ``/v1`` suffix."""
    base = base_url.rstrip("/")
    if not base.endswith("/v1"):
        base += "/v1"
    return f"{base}/{path}"


def _headers(config: LlmJudgeConfig) -> dict[str, str]:
    return {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}


def parse_reply(content: str) -> tuple[float, str, str] | None:
    """(score, label, reason) from the judge model's reply, or None when it is not valid."""
    match = _JSON_OBJECT.search(content)
    if match is None:
        return None
    try:
        doc = json.loads(match.group())
    except json.JSONDecodeError:
        return None
    score = doc.get("score") if isinstance(doc, dict) else None
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        return None
    label = doc.get("label")
    label = label if isinstance(label, str) and label else ("correct" if score >= 0.5 else "wrong")
    reason = doc.get("reason")
    return float(score), label, reason if isinstance(reason, str) else ""


class LlmJudge:
    """A callable judge holding one HTTP client; ``close()`` it when done."""

    def __init__(self, config: LlmJudgeConfig, *, transport: httpx.BaseTransport | None = None):
        if not config.base_url or not config.model:
            raise JudgeUnavailable(
                "llm_judge is not configured: set TUNIX_RT_JUDGE_BASE_URL and TUNIX_RT_JUDGE_MODEL"
            )
        self.config = config
        self.url = endpoint_url(config.base_url, "chat/completions")
        self._client = httpx.Client(
            timeout=config.timeout_s, headers=_headers(config), transport=transport
        )

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def _post(self, body: dict[str, Any]) -> str:
        last = ""
        for attempt in range(self.config.max_attempts):
            if attempt:
                time.sleep(self.config.backoff_s * 2 ** (attempt - 1))
            try:
                response = self._client.post(self.url, json=body)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise JudgeUnavailable(
                    f"llm_judge endpoint {self.url} refused the request: "
                    f"HTTP {response.status_code} {response.text[:200]}"
                )
            try:
                return str(response.json()["choices"][0]["message"]["content"])
            except (ValueError, KeyError, IndexError, TypeError):
                raise JudgeUnavailable(
                    f"llm_judge endpoint {self.url} did not answer in the chat-completions format"
                ) from None
        raise JudgeUnavailable(
            f"llm_judge endpoint {self.url} unreachable after "
            f"{self.config.max_attempts} attempts: {last}"
        )

    def __call__(self, item: JudgeItem, prediction: Prediction) -> Verdict:
        """Ask the judge model; raises ``JudgeUnavailable`` when the endpoint cannot answer."""
        question = (
            f"Question:\n{item.prompt}\n\nReference answer:\n{item.expected_answer}\n\n"
            f"Model output:\n{prediction.text}"
        )
        body = {
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": RUBRIC},
                {"role": "user", "content": question},
            ],
            "temperature": 0,
            "response_format": {"type": "json_object"},
        }
        content = ""
        for _ in range(2):
            content = self._post(body)
            parsed = parse_reply(content)
            if parsed is not None:
                score, label, reason = parsed
                return Verdict(score, label, None, reason, {"model": self.config.model})
        return Verdict(
            None,
            "judge_unparseable",
            None,
            "the judge model's reply was not the requested JSON",
            {"reply": content[:500]},
        )


async def probe(config: LlmJudgeConfig) -> tuple[bool, str, float]:
    """(reachable, detail, latency ms) from ``GET {base}/v1/models``."""
    url = endpoint_url(config.base_url, "models")
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=config.timeout_s, headers=_headers(config)) as http:
            response = await http.get(url)
    except httpx.HTTPError as exc:
        return False, f"{type(exc).__name__}: {exc}", (time.perf_counter() - started) * 1000
    latency = (time.perf_counter() - started) * 1000
    if response.status_code >= 400:
        return False, f"HTTP {response.status_code} from {url}", latency
    return True, f"HTTP {response.status_code} from {url}", latency
