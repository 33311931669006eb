"""``tunix-rt audit``: the log of writes through the API, newest first."""

from __future__ import annotations

import orjson
import typer

from tunix_rt.cli.common import cli_session, run


def audit(
    actor: str | None = typer.Option(None, "--actor", help="Only this token name."),
    action: str | None = typer.Option(None, "--action", help="Only this operation id."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="One JSON record per line."),
) -> None:
    """Audited writes: when, who, what, on which target, and the HTTP status."""
    from tunix_rt.auth import service
    from tunix_rt.auth.schemas import AuditEventPublic

    async def _go() -> list[AuditEventPublic]:
        async with cli_session() as session:
            rows = await service.list_events(
                session=session, actor=actor, action=action, limit=limit, offset=0
            )
            return [AuditEventPublic.model_validate(r) for r in rows[:limit]]

    for event in run(_go):
        if as_json:
            typer.echo(orjson.dumps(event.model_dump(mode="json")).decode())
            continue
        status = event.status if event.status is not None else "-"
        when = event.at.isoformat(timespec="seconds")
        typer.echo(
            f"{when}  {event.actor}  {event.method} {event.target}  {event.action}  {status}"
        )
