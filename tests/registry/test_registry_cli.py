"""``tunix-rt models`` on the embedded database."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from tests.factories import make_run
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.runs.models import Run
from tunix_rt.settings import Settings


def test_create_promote_download(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNIX_RT_HOME", str(home))
    runner = CliRunner()
    created = runner.invoke(app, ["models", "create", "tutor"])
    assert created.exit_code == 0, created.output
    run = asyncio.run(_succeeded_run(home))

    promoted = runner.invoke(
        app, ["models", "promote", "tutor", str(run.id), "--alias", "champion"]
    )
    assert promoted.exit_code == 0, promoted.output
    assert "tutor/v1 registered" in promoted.output
    again = runner.invoke(app, ["models", "promote", "tutor", str(run.id)])
    assert "already registered" in again.output

    out = tmp_path / "dl"
    downloaded = runner.invoke(
        app, ["models", "download", "registry://tutor/champion", "-o", str(out)]
    )
    assert downloaded.exit_code == 0, downloaded.output
    digest = hashlib.sha256((out / "v1.tar").read_bytes()).hexdigest()
    assert digest in downloaded.output

    listed = runner.invoke(app, ["models", "list"])
    assert "champion" in listed.output


async def _succeeded_run(home: Path) -> Run:
    engine = create_engine(Settings(home=home).resolved_database_url)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            return await make_run(session, home)
    finally:
        await engine.dispose()


def test_errors_are_one_line_with_exit_codes(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNIX_RT_HOME", str(home))
    runner = CliRunner()
    missing = runner.invoke(app, ["models", "download", "registry://nope"])
    assert missing.exit_code == 3
    assert missing.output.strip().startswith("error:")
    bad = runner.invoke(app, ["models", "promote", "tutor", "not-a-uuid"])
    assert bad.exit_code == 2
    bad_name = runner.invoke(app, ["models", "create", "has space"])
    assert bad_name.exit_code == 2
