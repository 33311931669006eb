"""The tunix SFT recipe: setup -> PeftTrainer.train -> final Orbax export -> manifest.

Shaped like the torch recipe and driven by the same ``TrainConfig``; Tunix's trainer does the
stepping, gradient accumulation (``optax.MultiSteps``), Orbax checkpointing and auto-restore.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import optax
import orbax.checkpoint as ocp
from flax import nnx
from tunix.sft import peft_trainer
from tunix.sft import utils as sft_utils

from tunix_rt.errors import InvalidInput, InvalidState
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.data import EncodedExample, EncodeStats
from tunix_rt.training.tunix_backend import batches, export, manifest, models, setup
from tunix_rt.training.tunix_backend.progress import MetricsWriter, last_elapsed

NEVER = 10**12  # a save interval / eval interval that is never reached


def schedule(config: TrainConfig, total: int | None) -> Callable[[int], Any]:
    """Learning rate per update: linear warmup from 0, then cosine/linear decay to 0 or flat."""
    lr, warm = config.learning_rate, config.warmup_steps
    if config.lr_schedule == "constant" or total is None:
        after: Any = optax.constant_schedule(lr)
    elif config.lr_schedule == "cosine":
        after = optax.cosine_decay_schedule(lr, max(total - warm, 1))
    else:
        after = optax.linear_schedule(lr, 0.0, max(total - warm, 1))
    if warm == 0:
        return after  # type: ignore[no-any-return]
    return optax.join_schedules([optax.linear_schedule(0.0, lr, warm), after], [warm])  # type: ignore[no-any-return]


def optimizer(config: TrainConfig, lr: Callable[[int], Any]) -> Any:
    """The optax transformation the config asks for (clipping first, as in torch)."""
    parts: list[Any] = []
    if config.max_grad_norm is not None:
        parts.append(optax.clip_by_global_norm(config.max_grad_norm))
    if config.optimizer == "adamw":
        parts.append(optax.adamw(lr, weight_decay=config.weight_decay))
    else:
        if config.weight_decay:
            parts.append(optax.add_decayed_weights(config.weight_decay))
        parts.append(optax.sgd(lr))
    return optax.chain(*parts)


def total_updates(config: TrainConfig, n_train: int) -> int | None:
    """Optimizer updates the run will make (None: until the time budget runs out)."""
    limits: list[int] = []
    if config.max_steps is not None:
        limits.append(config.max_steps)
    if config.epochs is not None:
        micro = config.epochs * batches.micro_batches_per_epoch(n_train, config.batch_size)
        limits.append(micro // config.gradient_accumulation_steps)
    if not limits:
        return None
    if min(limits) < 1:
        raise InvalidInput(
            "gradient_accumulation_steps: more micro-batches per update than the epochs hold"
        )
    return min(limits)


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
) -> Iterator[Any]:
    """TrainingInput micro-batches; stops at an update boundary once the time budget is spent."""
    start = time.monotonic()
    stream = batches.iterate(
        examples,
        batch_size=config.batch_size,
        length=length,
        pad_id=pad_id,
        seed=config.seed,
        epochs=config.epochs,
    )
    for index, (tokens, mask, real) in enumerate(stream):
        at_boundary = index % config.gradient_accumulation_steps == 0
        budget = config.time_budget_s
        if budget is not None and at_boundary and time.monotonic() - start >= budget:
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


def check_resume(ckpt_dir: Path, resume: bool) -> None:
    """A fresh run must not silently continue (or clobber) someone else's checkpoints."""
    if not resume and ckpt_dir.exists() and any(ckpt_dir.iterdir()):
        raise InvalidInput(
            f"output_dir: {ckpt_dir} already holds checkpoints; pass --resume or use a new dir"
        )


@dataclass(frozen=True)
class Prepared:
    """Everything resolved before JAX builds anything."""

    out: Path
    tokenizer: Any
    source: setup.Source
    train: list[EncodedExample]
    eval: list[EncodedExample]
    stats: EncodeStats
    length: int
    total: int | None


def prepare(config: TrainConfig, *, resume: bool) -> Prepared:
    """Validate, load and encode the data, train the tokenizer, and resolve the model source."""
    setup.validate(config)
    setup.apply_num_threads(config.num_threads)
    assert config.output_dir is not None
    out = Path(config.output_dir)
    check_resume(out / "checkpoints", resume)
    train_rows, eval_rows = setup.split_rows(config)
    tokenizer = setup.load_tokenizer(config, train_rows + eval_rows)
    source = setup.resolve_source(config, tokenizer)
    models.tunix_config(source.family, source.hf_config, dtype=jnp.float32)  # refuse early
    train_ex, stats = setup.encode(config, train_rows, tokenizer)
    eval_ex, _ = setup.encode(config, eval_rows, tokenizer)
    if not train_ex:
        raise InvalidInput("max_seq_length: every training example was cut to nothing")
    length = batches.batch_length(train_ex + eval_ex, config.max_seq_length)
    total = total_updates(config, len(train_ex))
    return Prepared(out, tokenizer, source, train_ex, eval_ex, stats, length, total)


def _writer(config: TrainConfig, prep: Prepared, lr: Any, ledger: list[int], resume: bool) -> Any:
    path = prep.out / "metrics.jsonl"
    return MetricsWriter(
        path,
        log_every=config.log_every_steps,
        last_step=prep.total,
        accumulation=config.gradient_accumulation_steps,
        lr_at=lambda step: float(lr(step)),
        ledger=ledger,
        elapsed_offset=last_elapsed(path) if resume else 0.0,
    )


def _fit(config: TrainConfig, prep: Prepared, model: Any, *, resume: bool) -> tuple[int, int]:
    """Train ``model`` in place; returns (step resumed from, final step)."""
    lr = schedule(config, prep.total)
    trainer = peft_trainer.PeftTrainer(
        model, optimizer(config, lr), trainer_config(config, prep.total, prep.out / "checkpoints")
    )
    pad_id = int(prep.tokenizer.pad_token_id)
    trainer = trainer.with_gen_model_input_fn(model_inputs(pad_id))
    resumed_from = int(trainer.train_steps)
    ledger: list[int] = []
    writer = _writer(config, prep, lr, ledger, resume)
    trainer.with_training_hooks(writer)
    stream = train_stream(prep.train, config, length=prep.length, pad_id=pad_id, ledger=ledger)
    trainer.train(stream, eval_batches(prep.eval, config, length=prep.length, pad_id=pad_id))
    if writer.losses and not math.isfinite(writer.losses[-1]):
        raise InvalidState("learning_rate: the training loss is not finite; lower it")
    return resumed_from, int(trainer.train_steps)


def train(config: TrainConfig, *, resume: bool) -> None:
    """Run SFT with Tunix's PeftTrainer as ``config`` says; see docs/tunix.md."""
    started = time.time()
    prep = prepare(config, resume=resume)
    prep.out.mkdir(parents=True, exist_ok=True)
    mesh = models.make_mesh()
    with jax.set_mesh(mesh) if mesh is not None else contextlib.nullcontext():
        model = build_model(config, prep.source, mesh)
        resumed_from, steps = _fit(config, prep, model, resume=resume)
        final = manifest.save_final_model(
            prep.out / "final", config, prep.source, model, prep.tokenizer, steps
        )
    manifest.write_run_manifest(
        prep.out,
        config,
        source=prep.source,
        model=model,
        stats=prep.stats,
        n_eval=len(prep.eval),
        length=prep.length,
        steps=steps,
        resumed_from=resumed_from,
        started=started,
        final=final,
    )
