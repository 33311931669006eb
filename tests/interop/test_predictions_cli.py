"""``tunix-rt eval --predictions`` for every external format on an embedded home: leaderboard,
``tunix-rt compare`` against a run of ours, and ``tunix-rt eval-export`` as OTel events."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from tests.evaluation.conftest import eval_items, register, run_with_style, write_predictions
from tests.interop import prediction_files as files
from typer.testing import CliRunner

from tunix_rt.cli.common import sessionmaker_for
from tunix_rt.cli.main import app
from tunix_rt.db.session import session_scope
from tunix_rt.evaluation.leaderboard import LeaderboardQuery, leaderboard
from tunix_rt.settings import Settings, get_settings

UUID = r"[0-9a-f-]{36}"


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``TUNIX_RT_HOME`` for CLI invocations (embedded SQLite)."""
    home = tmp_path / "cli-home"
    home.mkdir()
    monkeypatch.setenv("TUNIX_RT_HOME", str(home))
    get_settings.cache_clear()
    return home


def _seed(home: Path) -> str:
    """The ``adds`` eval set and a run of ours with predictions (items 1, 2, 3 wrong)."""

    async def go() -> str:
        async with sessionmaker_for(Settings(home=home)) as maker, session_scope(maker) as session:
            items = await register(session)
            run = await run_with_style(session, home, learning_rate=0.001)
            write_predictions(run, "adds", items, wrong={1, 2, 3})
            return str(run.id)

    return asyncio.run(go())


def _board(home: Path) -> dict[str, tuple[str | None, float | None]]:
    async def go() -> dict[str, tuple[str | None, float | None]]:
        async with sessionmaker_for(Settings(home=home)) as maker, maker() as session:
            rows = await leaderboard(session=session, query=LeaderboardQuery(eval_set="adds"))
            return {str(r.run_id): (r.model, r.score) for r in rows}

    return asyncio.run(go())


def test_each_format_is_evaluated_ranked_and_compared(cli_home: Path, tmp_path: Path) -> None:
    ours = _seed(cli_home)
    cli = CliRunner()
    assert cli.invoke(app, ["eval", ours, "--eval-set", "adds"]).exit_code == 0
    items = eval_items(20)
    logs = files.inspect_logs(items, tmp_path / "inspect")
    made = {
        "predictions": files.ours(items), "legacy": files.legacy(items),
        "lm_eval": files.lm_eval(items), "inspect.json": logs["json"], "inspect.eval": logs["eval"],
    }  # fmt: skip
    external: dict[str, str] = {}
    for name, data in made.items():
        path = tmp_path / f"{name}.out"
        path.write_bytes(data)
        args = ["eval", "--predictions", str(path), "--eval-set", "adds"]
        done = cli.invoke(app, [*args, "--model-name", f"m-{name}"])
        assert done.exit_code == 0, done.output
        run_id = re.search(rf"external run ({UUID}): model m-{re.escape(name)}, ", done.output)
        assert run_id is not None, done.output
        assert "rows 20, matched 20" in done.output
        assert "answer_correctness = 0.9000 (95% CI [" in done.output
        external[name] = run_id.group(1)
        diff = cli.invoke(app, ["compare", ours, external[name]])
        assert diff.exit_code == 0, diff.output
        assert "fixed 2, broken 1, both right 16, both wrong 1" in diff.output
    board = _board(cli_home)
    assert board[ours] == (None, 0.85)  # the test run names no model column
    for name, run_id in external.items():
        assert board[run_id] == (f"m-{name}", 0.9)


def test_refusals_are_one_line(cli_home: Path, tmp_path: Path) -> None:
    _seed(cli_home)
    cli = CliRunner()
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(files.ours(eval_items(20)).replace(b'"id": "q6"', b'"id": "q6",,', 1))
    broken = cli.invoke(app, ["eval", "--predictions", str(bad), "--eval-set", "adds"])
    assert broken.exit_code == 2
    assert broken.output == "error: invalid predictions file: line 7: not JSON\n"
    both = cli.invoke(app, ["eval", "x", "--predictions", str(bad), "--eval-set", "adds"])
    assert both.exit_code == 2
    gone = cli.invoke(app, ["eval", "--predictions", str(tmp_path / "nope"), "--eval-set", "adds"])
    assert gone.exit_code == 2
    assert gone.output.startswith("error: cannot read ")
    fmt = cli.invoke(
        app, ["eval", "--predictions", str(bad), "--eval-set", "adds", "--format", "x"]
    )
    assert fmt.exit_code == 2
    assert fmt.output.startswith("error: format: ")


def test_eval_export_writes_otel_evaluation_events(cli_home: Path, tmp_path: Path) -> None:
    _seed(cli_home)
    cli = CliRunner()
    path = tmp_path / "legacy.jsonl"
    path.write_bytes(files.legacy(eval_items(20)))
    done = cli.invoke(app, ["eval", "--predictions", str(path), "--eval-set", "adds"])
    assert done.exit_code == 0, done.output
    found = re.search(rf"evaluation ({UUID}) on adds", done.output)
    assert found is not None
    twice = cli.invoke(app, ["eval", "--predictions", str(path), "--eval-set", "adds",
                             "--check-determinism"])  # fmt: skip
    assert twice.exit_code == 0, twice.output
    assert "deterministic: every verdict matched" in twice.output
    out = tmp_path / "events.json"
    exported = cli.invoke(app, ["eval-export", found.group(1), "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    request = json_format.Parse(out.read_text(), ExportLogsServiceRequest())
    records = request.resource_logs[0].scope_logs[0].log_records
    assert len(records) == 20 * 3  # items x default judges
    assert {r.event_name for r in records} == {"gen_ai.evaluation.result"}
    first = {a.key: a.value for a in records[0].attributes}
    assert first[gen_ai.GEN_AI_EVALUATION_NAME].string_value == "answer_correctness"
    assert first[gen_ai.GEN_AI_EVALUATION_SCORE_VALUE].double_value == 0.0  # q0 is wrong
    assert first[gen_ai.GEN_AI_EVALUATION_SCORE_LABEL].string_value == "wrong"
    assert first["gen_ai.response.id"].string_value == f"{found.group(1)}/q0"
    assert first["gen_ai.request.model"].string_value == "legacy"  # the file's name
    scores = [
        {a.key: a.value for a in r.attributes}[gen_ai.GEN_AI_EVALUATION_SCORE_VALUE].double_value
        for r in records
        if {a.key: a.value for a in r.attributes}[gen_ai.GEN_AI_EVALUATION_NAME].string_value
        == "answer_correctness"
    ]
    assert sum(scores) == 18
    missing = cli.invoke(
        app, ["eval-export", "0" * 8 + "-0000-0000-0000-" + "0" * 12, "-o", str(out)]
    )
    assert missing.exit_code == 3


def test_style_makes_step_check_judge_a_prediction_file(cli_home: Path, tmp_path: Path) -> None:
    ours = _seed(cli_home)
    cli = CliRunner()
    items = eval_items(20)
    path = tmp_path / "stepped.jsonl"
    path.write_bytes(files.ours(items, files.stepped(items, "numbered"), truncated={7}))
    args = ["eval", "--predictions", str(path), "--eval-set", "adds", "--judge", "step_check"]
    plain = cli.invoke(app, args)
    assert plain.exit_code == 0, plain.output
    assert "step_check = n/a" in plain.output  # unknown_style: every item skipped
    styled = cli.invoke(app, [*args, "--style", "numbered", "--json"])
    assert styled.exit_code == 0, styled.output
    assert "missing 0, truncated 1" in styled.stderr
    card = json.loads(styled.stdout)
    assert card["judges"]["step_check"]["labels"] == {"all_correct": 19, "wrong_step": 1}
    unknown = cli.invoke(app, [*args, "--style", "fancy"])
    assert unknown.exit_code == 2
    assert unknown.output.startswith("error: style: ")
    assert "numbered" in unknown.output
    on_a_run = cli.invoke(app, ["eval", ours, "--eval-set", "adds", "--style", "think"])
    assert on_a_run.exit_code == 2
    assert on_a_run.output == (
        "error: --style is for --predictions; a run's style is the one it trained with\n"
    )
