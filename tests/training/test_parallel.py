"""Data-parallel ranks on CPU: the same updates as one process, one writer, a shared stop."""

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.training.rank_bodies import one_rank_fails, sums
from tests.training.test_torch_recipe import _config, _events

from tunix_rt.errors import InvalidInput
from tunix_rt.training.__main__ import EXIT_SIGNAL, main
from tunix_rt.training.config import load_config
from tunix_rt.training.parallel import launch
from tunix_rt.training.torch_recipe import train


def test_two_processes_make_the_updates_of_one_process_at_twice_the_batch(tmp_path: Path) -> None:
    losses = {}
    for name, processes, batch in (("one", 1, 8), ("two", 2, 4)):
        (tmp_path / name).mkdir()
        cfg = _config(tmp_path / name, max_steps=6, batch_size=batch, processes=processes)
        result = train(load_config(cfg))
        assert result.stop_reason == "max_steps"
        losses[name] = [e["loss"] for e in _events(tmp_path / name / "run", "train")]
    assert len(losses["two"]) == 6  # rank 0 alone writes the metrics
    assert losses["two"] == pytest.approx(losses["one"], rel=1e-4)
    run = tmp_path / "two" / "run"
    assert json.loads((run / "run_manifest.json").read_text())["processes"] == 2
    assert (run / "final" / "config.json").exists()
    assert not list(run.glob(".rendezvous-*"))

    # Resuming continues the ranks where the checkpoint left them.
    more = _config(tmp_path / "two", max_steps=10, batch_size=4, processes=2)
    (tmp_path / "more.json").write_text(json.dumps(more))
    assert main(["--config", str(tmp_path / "more.json"), "--resume"]) == 0
    assert [e["step"] for e in _events(run, "train")] == [*range(1, 11)]


def test_sigterm_to_the_group_stops_every_rank_with_a_checkpoint(tmp_path: Path) -> None:
    cfg = _config(tmp_path, max_steps=None, time_budget_s=300, processes=2, save_every_steps=None)
    (tmp_path / "c.json").write_text(json.dumps(cfg))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tunix_rt.training", "--config", str(tmp_path / "c.json")],
        start_new_session=True,  # the worker cancels a job by signalling its process group
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    metrics = tmp_path / "run" / "metrics.jsonl"
    deadline = time.monotonic() + 120
    while not (metrics.exists() and '"step": 3' in metrics.read_text()):
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_SIGNAL, out
    assert "(signal)" in out
    (end,) = _events(tmp_path / "run", "end")
    assert end["stop_reason"] == "signal"
    assert (tmp_path / "run" / "checkpoints" / f"step-{end['step']}").is_dir()


def test_processes_on_the_tunix_backend_are_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        load_config(
            {
                "model": "tiny-gemma3",
                "backend": "tunix",
                "data_path": "d",
                "max_steps": 2,
                "processes": 2,
            }
        )
    assert [p.loc for p in err.value.problems] == ["processes"]


def test_bad_input_with_two_processes_is_one_line_and_no_rank_left_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path, processes=2, data_path=str(tmp_path / "missing.jsonl"))
    (tmp_path / "c.json").write_text(json.dumps(cfg))
    assert main(["--config", str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    assert "missing.jsonl" in err
    assert len(err.splitlines()) == 1
    assert not multiprocessing.active_children()


def test_shared_memory_sums_match_on_every_rank(tmp_path: Path) -> None:
    cfg = load_config(_config(tmp_path, processes=2))
    assert launch(cfg, False, sums) == [3.0, 20.0, 3.0, 3.0, 3.0, 1.0, 4.0, 1.0]
    assert not multiprocessing.active_children()


def test_a_rank_that_fails_releases_the_others_at_once(tmp_path: Path) -> None:
    cfg = load_config(_config(tmp_path, processes=2))
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="rank stopped answering; rank-1 exit code 1"):
        launch(cfg, False, one_rank_fails)
    assert time.monotonic() - started < 60  # not the 5-minute collective timeout
    assert not multiprocessing.active_children()
