"""The tunix SFT recipe: setup -> PeftTrainer.train -> final Orbax export -> manifest.

Shaped like the torch recipe and driven by the same ``TrainConfig``; Tunix's trainer does the
stepping, gradient accumulation (``optax.MultiSteps``), Orbax checkpointing and auto-restore.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import orbax.checkpoint as ocp
from flax import nnx
from tunix.sft import peft_trainer
from tunix.sft import utils as sft_utils

from tunix_rt.training import records
from tunix_rt.training.batching import batches_per_epoch
from tunix_rt.training.checkpoint import MetricsLog
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.data import EncodedExample
from tunix_rt.training.records import StopReason, TrainResult
from tunix_rt.training.tunix_backend import batches, export, manifest, models, optim, setup
from tunix_rt.training.tunix_backend.progress import MetricsWriter, last_elapsed

NEVER = 10**12  # a save interval / eval interval that is never reached


def model_inputs(pad_id: int) -> Callable[[Any], dict[str, Any]]:
    """``gen_model_input_fn``: positions and causal attention from the non-pad tokens."""

    def build(x: Any) -> dict[str, Any]:
        real = x.input_tokens != pad_id
        return {
            "input_tokens": x.input_tokens,
            "input_mask": x.input_mask,
            "positions": sft_utils.build_positions_from_mask(real),
            "attention_mask": sft_utils.make_causal_attn_mask(real),
        }

    return build


def train_stream(
    examples: list[EncodedExample],
    config: TrainConfig,
    *,
    length: int,
    pad_id: int,
    ledger: list[int],
    clock: Callable[[], float],
    stop: list[StopReason],
) -> Iterator[Any]:
    """TrainingInput micro-batches; ends at an update boundary on SIGTERM or when time is up.

    The stream itself is endless, as the torch recipe's batch order is: the trainer stops at
    ``batching.total_steps``, whose last update may reach into the next epoch.
    """
    stream = batches.iterate(
        examples,
        batch_size=config.batch_size,
        length=length,
        pad_id=pad_id,
        seed=config.seed,
        epochs=None,
    )
    budget = config.time_budget_s
    for index, (tokens, mask, real) in enumerate(stream):
        if index % config.gradient_accumulation_steps == 0:
            if budget is not None and clock() >= budget:
                stop.append(StopReason.TIME_BUDGET)
            if stop:
                return
        if len(ledger) <= index:
            ledger.append(real)
        yield peft_trainer.TrainingInput(input_tokens=tokens, input_mask=mask)


def eval_batches(
    examples: list[EncodedExample], config: TrainConfig, *, length: int, pad_id: int
) -> list[Any] | None:
    """The held-out set as fixed-shape batches (None when there is none or no eval interval)."""
    if not examples or config.eval_every_steps is None:
        return None
    stream = batches.iterate(
        examples,
        batch_size=config.batch_size,
        length=length,
        pad_id=pad_id,
        seed=config.seed,
        epochs=1,
        shuffle=False,
    )
    return [peft_trainer.TrainingInput(input_tokens=t, input_mask=m) for t, m, _ in stream]


def build_model(config: TrainConfig, source: setup.Source, mesh: Any) -> Any:
    """The initial model: random preset, HF safetensors, or an earlier tunix final dir."""
    dtype = jnp.bfloat16 if config.precision == "bf16" else jnp.float32
    if source.kind == "tunix":
        assert source.path is not None
        model, _ = export.load_final(source.path, mesh=mesh)
    else:
        cfg = models.tunix_config(source.family, source.hf_config, dtype=dtype)
        if source.kind == "preset":
            model = models.create_random(
                source.family, cfg, seed=config.seed, dtype=dtype, mesh=mesh
            )
        else:
            assert source.path is not None
            model = models.load_safetensors(
                source.family, str(source.path), cfg, dtype=dtype, mesh=mesh
            )
    if config.lora is not None:
        model = models.apply_lora(source.family, model, config.lora, seed=config.seed)
        if mesh is not None:
            # qwix creates the adapters unsharded; place them like their base weights.
            state = nnx.state(model)
            specs = nnx.get_partition_spec(state)
            constrain: Any = jax.lax.with_sharding_constraint
            nnx.update(model, constrain(state, specs))
    return model


def trainer_config(config: TrainConfig, total: int | None, ckpt_dir: Path) -> Any:
    """Tunix's TrainingConfig for the run (quiet: our hook reports progress)."""
    options = ocp.CheckpointManagerOptions(
        save_interval_steps=config.save_every_steps or NEVER, max_to_keep=3, step_prefix="step"
    )
    accumulation = config.gradient_accumulation_steps
    return peft_trainer.TrainingConfig(
        eval_every_n_steps=config.eval_every_steps or NEVER,
        max_steps=total,
        gradient_accumulation_steps=accumulation if accumulation > 1 else None,
        checkpoint_root_directory=str(ckpt_dir.absolute()),
        checkpointing_options=options,
        pbar_description=None,
    )


class HostRate:
    """Sets the injected learning rate before each update from the elapsed share of the budget.

    Used when only ``time_budget_s`` bounds the run, as the torch recipe does: the horizon is
    time, which a jitted step-count schedule cannot see.
    """

    def __init__(self, config: TrainConfig, clock: Callable[[], float]) -> None:
        self.config = config
        self.clock = clock
        self.applied: dict[int, float] = {}

    def __call__(self, trainer: Any) -> None:
        step = int(trainer.train_steps)
        if step in self.applied:
            return  # set already for this update's earlier micro-batches
        budget = self.config.time_budget_s or 1.0
        factor = optim.host_factor(self.config, step, self.clock() / budget)
        self.applied[step] = self.config.learning_rate * factor
        optim.set_learning_rate(trainer.optimizer.opt_state, self.applied[step])

    def at(self, step: int) -> float:
        return self.applied.get(step, float("nan"))


def _writer(
    config: TrainConfig, prep: setup.Prepared, ledger: list[int], log: MetricsLog, step: int
) -> MetricsWriter:
    lr = optim.schedule(config, prep.total)
    writer = MetricsWriter(
        log,
        log_every=config.log_every_steps,
        accumulation=config.gradient_accumulation_steps,
        micro_per_epoch=batches_per_epoch(len(prep.train), config.batch_size),
        lr_at=lambda n: float(lr(n)),
        ledger=ledger,
        elapsed_offset=last_elapsed(log.path, step) if step else 0.0,
    )
    if optim.time_driven(config, prep.total):
        host = HostRate(config, writer.elapsed)
        writer.before_step, writer.lr_at = host, host.at
    return writer


def final_eval(trainer: Any, writer: MetricsWriter, eval_ds: list[Any] | None) -> None:
    """Evaluate the last step too, unless the periodic evaluation just did."""
    step = int(trainer.train_steps)
    if not eval_ds or writer.last_eval_step == step:
        return
    _, eval_step = trainer.jit_train_and_eval_step()
    losses = [float(eval_step(batch)[0]) for batch in eval_ds]
    writer.record_eval(step, sum(losses) / len(losses))


def _fit(
    config: TrainConfig, prep: setup.Prepared, model: Any, log_path: Path
) -> tuple[int, TrainResult]:
    """Train ``model`` in place; returns the step it resumed from and how it ended."""
    timed = optim.time_driven(config, prep.total)
    trainer = peft_trainer.PeftTrainer(
        model,
        optim.optimizer(config, None if timed else optim.schedule(config, prep.total)),
        trainer_config(config, prep.total, prep.out / "checkpoints"),
    )
    pad_id = int(prep.tokenizer.pad_token_id)
    trainer = trainer.with_gen_model_input_fn(model_inputs(pad_id))
    resumed_from = int(trainer.train_steps)
    ledger: list[int] = []
    stop: list[StopReason] = []
    log = MetricsLog(log_path, keep_until_step=resumed_from)
    writer = _writer(config, prep, ledger, log, resumed_from)
    trainer.with_training_hooks(writer)
    stream = train_stream(
        prep.train,
        config,
        length=prep.length,
        pad_id=pad_id,
        ledger=ledger,
        clock=writer.elapsed,
        stop=stop,
    )
    eval_ds = eval_batches(prep.eval, config, length=prep.length, pad_id=pad_id)
    try:
        with sigterm_stops(stop):
            trainer.train(stream, eval_ds)
        reason = stop[0] if stop else StopReason.MAX_STEPS
        if reason != StopReason.SIGNAL:
            final_eval(trainer, writer, eval_ds)
        step = int(trainer.train_steps)
        result = TrainResult(step, reason, writer.last_loss, writer.last_eval, writer.elapsed())
        writer.write(
            "end", step=step, stop_reason=reason, loss=result.last_loss, eval_loss=result.eval_loss
        )
    finally:
        log.close()
    return resumed_from, result


@contextlib.contextmanager
def sigterm_stops(stop: list[StopReason]) -> Iterator[None]:
    """SIGTERM (a cancelled job) ends the update (SFT) or step (GRPO) in progress; Tunix then
    checkpoints it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGTERM, lambda *_: stop.append(StopReason.SIGNAL))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def train(config: TrainConfig, *, resume: bool) -> TrainResult:
    """Run SFT with Tunix's PeftTrainer as ``config`` says; see docs/tunix.md."""
    started = records.now()
    prep = setup.prepare(config, resume=resume)
    prep.out.mkdir(parents=True, exist_ok=True)
    mesh = models.make_mesh()
    with jax.set_mesh(mesh) if mesh is not None else contextlib.nullcontext():
        model = build_model(config, prep.source, mesh)
        resumed_from, result = _fit(config, prep, model, prep.out / "metrics.jsonl")
        final = None
        if result.stop_reason != StopReason.SIGNAL:
            final = manifest.save_final_model(
                prep.out / "final", config, prep.source, model, prep.tokenizer, result.step
            )
    facts = manifest.run_manifest(
        config,
        source=prep.source,
        model=model,
        stats=prep.stats,
        n_eval=len(prep.eval),
        length=prep.length,
        resumed_from=resumed_from,
        started=started,
    )
    records.write_manifest(prep.out, facts.finished(result, final))
    return result
