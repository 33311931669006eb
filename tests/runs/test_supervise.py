"""A job's process tree dies with the process that started it; its environment is scrubbed."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

import pytest

from tunix_rt.runs import supervise
from tunix_rt.runs.environment import scrubbed_env
from tunix_rt.runs.process import run_process_group

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")

# A command that starts a grandchild, writes both pids and waits.
TREE = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[1], "w").write(f"{os.getpid()} {child.pid}")
time.sleep(600)
"""
# A stand-in worker: runs TREE with run_process_group, writes the group id, waits forever.
PARENT = """
import asyncio, sys
from pathlib import Path
from tunix_rt.runs.process import run_process_group

async def main():
    async def on_line(line, stream):
        print(stream, line, flush=True)
    async def on_start(pgid):
        Path(sys.argv[2]).write_text(str(pgid))
    await run_process_group([sys.executable, "-c", sys.argv[3], sys.argv[1]], env=None, cwd=None,
        on_line=on_line, cancelled=asyncio.Event(), kill_grace_s=1.0, on_start=on_start)

asyncio.run(main())
"""


def _dead(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state in ("Z", "X")  # a zombie waiting for its reaper no longer runs


def _pids_in(path: Path, count: int) -> list[int] | None:
    words = path.read_text().split() if path.exists() else []
    return [int(p) for p in words] if len(words) >= count else None


async def _read_pids(path: Path, count: int, timeout_s: float = 30.0) -> list[int]:
    async with asyncio.timeout(timeout_s):
        while (pids := _pids_in(path, count)) is None:  # noqa: ASYNC110 (a file, no event)
            await asyncio.sleep(0.02)
    return pids


async def _collect(lines: list[str], line: str, _stream: str) -> None:
    lines.append(line)


async def test_tree_dies_within_a_second_of_its_parent_sigkill(tmp_path: Path) -> None:
    pids_file, pgid_file = tmp_path / "pids", tmp_path / "pgid"
    parent = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PARENT, str(pids_file), str(pgid_file), TREE
    )
    try:
        command, grandchild = await _read_pids(pids_file, 2)
        (supervisor,) = await _read_pids(pgid_file, 1)
        assert not any(_dead(p) for p in (supervisor, command, grandchild))
    finally:
        parent.send_signal(signal.SIGKILL)
        await parent.wait()
    killed = time.monotonic()
    while not all(_dead(p) for p in (supervisor, command, grandchild)):
        assert time.monotonic() - killed < 1.0, "the tree outlived its parent by a second"
        await asyncio.sleep(0.01)


async def test_subprocess_gets_no_secret_but_what_is_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TUNIX_RT_DATABASE_URL", "postgresql://u:secret@db/x")
    monkeypatch.setenv("TUNIX_RT_JUDGE_API_KEY", "sk-secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
    monkeypatch.setenv("HF_TOKEN", "hf-secret")
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    lines: list[str] = []
    script = "import os; [print(k, v) for k, v in sorted(os.environ.items())]"
    code = await run_process_group(
        [sys.executable, "-c", script],
        env={"PASSED_ON_PURPOSE": "yes"},
        cwd=None,
        on_line=lambda line, stream: _collect(lines, line, stream),
        cancelled=asyncio.Event(),
        kill_grace_s=1.0,
    )
    assert code == 0
    seen = dict(line.split(" ", 1) for line in lines)
    assert "secret" not in "\n".join(lines)
    assert not {k for k in seen if k.startswith("TUNIX_RT_")}
    assert seen["PASSED_ON_PURPOSE"] == "yes"
    assert seen["OMP_NUM_THREADS"] == "3"
    assert seen["PYTHONUNBUFFERED"] == "1"
    assert "PATH" in seen


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-c", "import sys; sys.exit(7)"], 7),
        (["-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"], -signal.SIGTERM),
    ],
)
async def test_exit_status_is_the_commands(argv: list[str], expected: int) -> None:
    code = await run_process_group(
        [sys.executable, *argv],
        env=None,
        cwd=None,
        on_line=lambda line, stream: _collect([], line, stream),
        cancelled=asyncio.Event(),
        kill_grace_s=1.0,
    )
    assert code == expected


async def test_missing_program_exits_127_with_a_line() -> None:
    lines: list[str] = []
    code = await run_process_group(
        ["/nonexistent/program"],
        env=None,
        cwd=None,
        on_line=lambda line, stream: _collect(lines, line, stream),
        cancelled=asyncio.Event(),
        kill_grace_s=1.0,
    )
    assert code == supervise.EXIT_CANNOT_RUN
    assert any("/nonexistent/program" in line for line in lines)


async def test_what_a_finished_command_left_in_its_group_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    # A background child that holds no pipe and ignores SIGTERM, left behind on exit.
    script = (
        "import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', "
        "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)'], "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "open(sys.argv[1], 'w').write(str(p.pid))"
    )
    started = time.monotonic()
    code = await run_process_group(
        [sys.executable, "-c", script, str(pid_file)],
        env=None,
        cwd=None,
        on_line=lambda line, stream: _collect([], line, stream),
        cancelled=asyncio.Event(),
        kill_grace_s=1.0,
    )
    assert code == 0
    assert _dead(int(pid_file.read_text()))
    assert time.monotonic() - started < supervise.LEFTOVER_GRACE_S + 3


def test_scrubbed_env_keeps_only_the_allowlist() -> None:
    base = {
        "PATH": "/bin",
        "LC_ALL": "C",
        "PYTHONPATH": "/src",
        "XLA_FLAGS": "--x",
        "HF_HUB_OFFLINE": "1",
        "HF_TOKEN": "t",
        "TUNIX_RT_DATABASE_URL": "u",
        "RAY_ADDRESS": "r",
        "GITHUB_TOKEN": "g",
    }
    env = scrubbed_env({"TUNIX_RT_HOME": "/h"}, base=base)
    assert env == {
        "PATH": "/bin",
        "LC_ALL": "C",
        "PYTHONPATH": "/src",
        "XLA_FLAGS": "--x",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        "TUNIX_RT_HOME": "/h",
    }
