"""``tunix-rt tokens create|list|revoke``, and the auth rules ``tunix-rt serve`` starts under."""

from __future__ import annotations

import getpass

import orjson
import typer

from tunix_rt.cli.common import cli_session, fail, run
from tunix_rt.settings import AuthMode, Environment, Settings

app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)

SCOPE_HELP = "read, write or admin (repeatable; admin ⊃ write ⊃ read)."


def _creator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        return "cli:unknown"


@app.command("create")
def create(
    name: str = typer.Argument(..., help="A unique name; the audit log shows it as the actor."),
    scope: list[str] = typer.Option(["read"], "--scope", help=SCOPE_HELP),
    expires_in_days: int | None = typer.Option(None, min=1, help="Lifetime (default: none)."),
    as_json: bool = typer.Option(False, "--json", help="Print the record, with the token."),
) -> None:
    """Create a token and print it once (on stdout; store it now, it cannot be shown again)."""
    from pydantic import ValidationError

    from tunix_rt.auth import service
    from tunix_rt.auth.schemas import TokenCreate, TokenCreated

    try:
        body = TokenCreate.model_validate(
            {"name": name, "scopes": scope, "expires_in_days": expires_in_days}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"invalid {'.'.join(map(str, first['loc']))}: {first['msg']}", 2) from None

    async def _go() -> TokenCreated:
        async with cli_session() as session:
            return await service.create_token(session=session, body=body, created_by=_creator())

    made = run(_go)
    if as_json:
        typer.echo(orjson.dumps(made.model_dump(mode="json")).decode())
        return
    typer.echo(made.token)
    scopes = ",".join(made.scopes)
    typer.echo(f"token {made.name} ({scopes}), prefix {made.prefix}: shown once", err=True)


@app.command("list")
def list_tokens(
    as_json: bool = typer.Option(False, "--json", help="One JSON record per line."),
) -> None:
    """Every token, newest first (never their secrets)."""
    from tunix_rt.auth import service
    from tunix_rt.auth.schemas import TokenPublic

    async def _go() -> list[TokenPublic]:
        async with cli_session() as session:
            rows = await service.list_tokens(session=session, limit=10_000, offset=0)
            return [TokenPublic.model_validate(r) for r in rows]

    for token in run(_go):
        if as_json:
            typer.echo(orjson.dumps(token.model_dump(mode="json")).decode())
            continue
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
        typer.echo(
            f"{token.prefix}  {token.name}  {','.join(token.scopes)}  {token.state}  used {used}"
        )


@app.command("revoke")
def revoke(name_or_prefix: str = typer.Argument(..., help="The token's name or prefix.")) -> None:
    """Revoke a token: it stops authenticating at once."""
    from tunix_rt.auth import service
    from tunix_rt.auth.schemas import TokenPublic

    async def _go() -> TokenPublic:
        async with cli_session() as session:
            token = await service.find_token(session=session, name_or_prefix=name_or_prefix)
            return TokenPublic.model_validate(
                await service.revoke_token(session=session, token=token)
            )

    revoked = run(_go)
    typer.echo(f"revoked {revoked.name} ({revoked.prefix})")


def _sign_in_url(settings: Settings, token: str) -> str:
    host = settings.host
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}/#/signin?token={token}"


def serve_auth_notice(settings: Settings) -> str:
    """Check the auth rules ``serve`` starts under, and return the line to print at start.

    Exits 2 with one line for auth off on a non-loopback bind or in prod; creates the
    ``bootstrap`` admin token when auth is required and no usable admin token exists.
    """
    from tunix_rt.auth import service

    if settings.auth is AuthMode.OFF:
        if settings.environment is Environment.PROD or not settings.is_loopback_bind:
            where = "in prod" if settings.environment is Environment.PROD else f"on {settings.host}"
            raise fail(
                f"refusing to serve with TUNIX_RT_AUTH=off {where}: set TUNIX_RT_AUTH=required", 2
            )
        return (
            f"warning: TUNIX_RT_AUTH=off: anyone on this machine can call the API "
            f"at http://{settings.host}:{settings.port}"
        )

    async def _go() -> str | None:
        async with cli_session(settings) as session:
            if await service.has_usable_admin(session=session):
                return None
            return (await service.create_bootstrap_token(session=session)).token

    token = run(_go)
    if token is None:
        return "auth required: sign in with a token (tunix-rt tokens create NAME --scope admin)"
    return f"Sign in at {_sign_in_url(settings, token)}"
