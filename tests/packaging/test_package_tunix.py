"""``tunix-rt package`` on a Tunix run: the Orbax checkpoint loads through Tunix's Gemma 3 code,
repackaging is byte-identical, and the packaged notebook retrains, loads and scores on CPU.

One module-scoped tiny Gemma 3 run (4 steps) backs every test: JAX compiles cost seconds here.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.packaging.helpers import embedded_run, names, read, write_traces
from typer.testing import CliRunner

pytest.importorskip("tunix")

# Flax/Orbax/Tunix 0.1.x and the Jupyter client emit deprecation warnings from library code.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from tunix_rt.cli.main import app  # noqa: E402
from tunix_rt.packaging import reproduce  # noqa: E402
from tunix_rt.training import tunix_backend  # noqa: E402
from tunix_rt.training.config import TrainConfig  # noqa: E402

# The tunix backend tests' tiny Gemma 3 (tests/training/test_tunix_backend.py).
TINY = {
    "num_hidden_layers": 2,
    "hidden_size": 64,
    "intermediate_size": 128,
    "head_dim": 16,
    "query_pre_attn_scalar": 16,
}


@pytest.fixture(scope="module")
def tunix_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A finished 4-step tiny Gemma 3 run in the hackathon's tagged format."""
    import jax

    tmp = tmp_path_factory.mktemp("tunix-package")
    # The notebook's training process compiles the same programs: it reuses them from disk.
    cache = str(tmp / "xla-cache")
    jax.config.update("jax_compilation_cache_dir", cache)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    env = pytest.MonkeyPatch()
    env.setenv("JAX_COMPILATION_CACHE_DIR", cache)
    env.setenv("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    cfg = TrainConfig.model_validate(
        {
            "backend": "tunix",
            "model": "tiny-gemma3",
            "model_overrides": TINY,
            "data_path": str(write_traces(tmp / "traces.jsonl", 64)),
            "template": "gemma",
            "style": "tagged",
            "max_steps": 4,
            "batch_size": 8,
            "learning_rate": 1e-2,
            "warmup_steps": 1,
            "log_every_steps": 1,
            "output_dir": str(tmp / "run"),
        }
    )
    tunix_backend.train(cfg, resume=False)
    yield tmp / "run"
    env.undo()


@pytest.fixture(scope="module")
def packaged(tunix_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run packaged twice through the CLI (asserted identical): the zip."""
    home = tmp_path_factory.mktemp("home")
    run_id = str(embedded_run(home, tunix_run))
    outs = [home.parent / "first.zip", home.parent / "second.zip"]
    for out in outs:
        result = CliRunner().invoke(
            app, ["package", run_id, "--out", str(out)], env={"TUNIX_RT_HOME": str(home)}
        )
        assert result.exit_code == 0, result.output
        assert str(out) in result.stdout
    assert outs[0].read_bytes() == outs[1].read_bytes()
    return outs[0]


def unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as fh:
        fh.extractall(into)
    return into


def test_the_package_holds_an_orbax_checkpoint(packaged: Path) -> None:
    listed = set(names(packaged))
    assert "model/tunix_rt.json" in listed
    assert "model/tokenizer.json" in listed
    assert any(n.startswith("model/checkpoint/") for n in listed)
    assert not any(n.endswith(".safetensors") for n in listed)
    index = json.loads(read(packaged, "tunix_rt_package.json"))
    assert index["checkpoint"] == {"dir": "model", "format": "orbax"}
    assert index["run"]["backend"] == "tunix"
    assert index["run"]["steps"] == 4
    assert "create_model_from_checkpoint" in read(packaged, "README.md").decode()


def test_the_packaged_checkpoint_loads_through_tunix_gemma3(
    packaged: Path, tunix_run: Path, tmp_path: Path
) -> None:
    import jax.numpy as jnp
    import numpy as np
    from tunix.models.gemma3 import model as gemma3_model
    from tunix.models.gemma3 import params as gemma3_params

    from tunix_rt.training.tunix_backend import export, models

    root = unzip(packaged, tmp_path / "pkg")
    meta = json.loads((root / "model" / "tunix_rt.json").read_text())
    cfg = models.tunix_config(models.FAMILIES["gemma3"], meta["model_config"], dtype=jnp.float32)
    model = gemma3_params.create_model_from_checkpoint(
        str(root / "model" / "checkpoint"), cfg, dtype=jnp.float32
    )
    assert isinstance(model, gemma3_model.Gemma3)
    original, _ = export.load_final(tunix_run / "final")
    np.testing.assert_array_equal(
        np.asarray(model.embedder.input_embedding[...]),
        np.asarray(original.embedder.input_embedding[...]),
    )


def _kernel(tmp: Path) -> str:
    """A kernelspec for this interpreter, so the notebook runs on this venv (nothing installed)."""
    spec = tmp / "kernels" / "tunix-rt-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    doc = {"argv": argv, "display_name": "tunix-rt test", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(doc))
    return "tunix-rt-test"


def test_the_notebook_trains_loads_and_scores_on_cpu(
    packaged: Path, tunix_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbclient
    import nbformat

    root = unzip(packaged, tmp_path / "pkg")
    nb = nbformat.reads((root / "notebook.ipynb").read_text(), as_version=4)
    params = nb.cells[1]
    assert params.metadata["tags"] == ["parameters"]
    assert 'INSTALL = "pip install' in params.source
    assert "/kaggle" in str(nb.cells)
    out = tmp_path / "repro"
    # Offline and on CPU: install nothing, point at the unzipped package, score a few items.
    params.source += (
        f'\nINSTALL = ""\nJAX_EXTRA = ""\nPACKAGE_DIR = {str(root)!r}\n'
        f"OUTPUT_DIR = {str(out)!r}\nMAX_NEW_TOKENS = 8\nEVAL_LIMIT = 4\n"
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    client = nbclient.NotebookClient(
        nb, kernel_name=_kernel(tmp_path), timeout=300, resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Gemma3 loaded from" in text
    assert (out / "final" / "checkpoint").is_dir()
    # Same config, data and seed: the reproduction trains the run's losses again.
    assert reproduce.losses(out / "metrics.jsonl") == pytest.approx(
        reproduce.losses(tunix_run / "metrics.jsonl"), rel=1e-3
    )
    card = json.loads((out / "scorecard.json").read_text())
    assert card["primary_judge"] == "answer_correctness"
    assert card["n_items"] == 4
    assert set(card["judges"]) == {"answer_correctness", "format", "step_check"}
    assert "answer_correctness:" in text
