"""Built-in job kinds: ``sleep``, ``echo`` and ``command`` (tests, smoke checks, scripts)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tunix_rt.runs.handlers import Handler, JobContext, JobFailed

T = TypeVar("T", bound=BaseModel)


class SleepPayload(BaseModel):
    """Sleep, optionally logging a line per tick; ``fail`` makes it fail at the end."""

    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(default=1.0, ge=0, le=86_400)
    ticks: int = Field(default=0, ge=0, le=100_000)
    fail: bool = False


class EchoPayload(BaseModel):
    """Log each line and finish."""

    model_config = ConfigDict(extra="forbid")

    lines: list[str] = Field(default_factory=list, max_length=100_000)


class CommandPayload(BaseModel):
    """Run a command in the run directory; a non-zero exit fails the job."""

    model_config = ConfigDict(extra="forbid")

    argv: list[str] = Field(min_length=1)
    env: dict[str, str] = Field(default_factory=dict)


def parse_payload(model: type[T], payload: dict[str, Any]) -> T:
    """Validate a payload, failing the job with the first problem named."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "payload"
        raise JobFailed(f"invalid payload: {loc}: {first['msg']}") from None


async def sleep_job(ctx: JobContext) -> dict[str, Any]:
    """Wait ``seconds`` (ends early when cancelled)."""
    args = parse_payload(SleepPayload, ctx.payload)
    interval = args.seconds / args.ticks if args.ticks else args.seconds
    for tick in range(max(args.ticks, 1)):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.cancelled.wait(), timeout=interval)
        if ctx.cancelled.is_set():
            return {"slept_ticks": tick}
        if args.ticks:
            await ctx.log(f"tick {tick}")
    if args.fail:
        raise JobFailed("asked to fail")
    return {"slept_s": args.seconds}


async def echo_job(ctx: JobContext) -> dict[str, Any]:
    """Log the given lines."""
    args = parse_payload(EchoPayload, ctx.payload)
    for line in args.lines:
        await ctx.log(line)
    return {"lines": len(args.lines)}


async def command_job(ctx: JobContext) -> dict[str, Any]:
    """Run ``argv`` as a subprocess group in the run directory."""
    args = parse_payload(CommandPayload, ctx.payload)
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    code = await ctx.run_subprocess(args.argv, env=args.env)
    if code != 0 and not ctx.cancelled.is_set():
        raise JobFailed(f"command exited with {code}", exit_code=code)
    return {"exit_code": code}


# They import no domain, so they live here; ``jobs.HANDLERS`` adds them to the table.
BUILTIN_HANDLERS: dict[str, Handler] = {
    "sleep": sleep_job,
    "echo": echo_job,
    "command": command_job,
}
