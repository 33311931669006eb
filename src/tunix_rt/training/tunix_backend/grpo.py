"""The tunix GRPO recipe: Tunix's ``GRPOLearner`` on an ``RLCluster`` with the vanilla rollout.

Driven by the same ``TrainConfig`` and ``rl:`` section as the torch recipe (docs/rl.md has the
per-backend table), with the same judges as rewards. Tunix samples, scores, computes the group
advantages and the clipped loss, and checkpoints the actor (policy and optimizer) with Orbax;
on resume it restores the newest checkpoint and skips the prompt batches already trained on
(grpo_setup.prompt_stream). ``final/`` is written as the tunix SFT backend writes it.
"""

from __future__ import annotations

import contextlib
from typing import Any

import jax
import numpy as np
import optax
import orbax.checkpoint as ocp
from flax import nnx
from jax.interpreters import pxla
from tunix.rl import rl_cluster as rl_cluster_lib
from tunix.rl.grpo import grpo_learner
from tunix.rl.rollout import base_rollout

from tunix_rt.training import records
from tunix_rt.training.checkpoint import MetricsLog
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.data import EncodeStats
from tunix_rt.training.records import StopReason, TrainResult
from tunix_rt.training.rl.config import RlConfig
from tunix_rt.training.rl.rewards import build_rewards
from tunix_rt.training.rl.samples import SamplesLog
from tunix_rt.training.tunix_backend import manifest, models, optim
from tunix_rt.training.tunix_backend.grpo_events import EventSettings, StepEvents
from tunix_rt.training.tunix_backend.grpo_learner import Learner, Recorder, RolloutTokenizer
from tunix_rt.training.tunix_backend.grpo_setup import (
    Prepared,
    micro_prompts,
    prepare,
    prompt_stream,
)
from tunix_rt.training.tunix_backend.progress import last_elapsed
from tunix_rt.training.tunix_backend.recipe import NEVER, HostRate, build_model, sigterm_stops

# rl.loss -> Tunix's loss_agg_mode (common.aggregate_loss); rl.scale_rewards -> its estimator.
LOSS_AGG = {
    "grpo": "sequence-mean-token-mean",
    "dapo": "token-mean",
    "dr_grpo": "sequence-mean-token-scale",
}
ADVANTAGE = {"group": "grpo", "none": "drgrpo"}


def _models(config: TrainConfig, prep: Prepared, mesh: Any) -> tuple[Any, Any | None]:
    """The policy (LoRA applied when asked) and, when ``beta > 0``, the frozen reference."""
    base = build_model(prep.source_config.model_copy(update={"lora": None}), prep.source, mesh)
    if config.lora is None:
        reference = nnx.clone(base) if prep.rl.beta > 0 else None
        return base, reference
    policy = models.apply_lora(prep.source.family, base, config.lora, seed=config.seed)
    # Tunix shares the backbone between a LoRA actor and its reference (the base weights).
    return policy, (base if prep.rl.beta > 0 else None)


def cluster_config(
    config: TrainConfig, prep: Prepared, mesh: Any, optimizer: Any
) -> rl_cluster_lib.ClusterConfig:
    """RLCluster's config: one mesh for every role, the vanilla rollout, Orbax checkpoints."""
    rl = prep.rl
    micro = micro_prompts(config, rl)
    training = rl_cluster_lib.RLTrainingConfig(
        actor_optimizer=optimizer,
        eval_every_n_steps=NEVER,
        max_steps=prep.total or NEVER,
        mini_batch_size=rl.prompts_per_step,
        train_micro_batch_size=micro,
        checkpoint_root_directory=str((prep.out / "checkpoints").absolute()),
        checkpointing_options=ocp.CheckpointManagerOptions(
            save_interval_steps=config.save_every_steps or NEVER, max_to_keep=3, step_prefix="step"
        ),
        pbar_description=None,
    )
    shim = RolloutTokenizer(prep.tokenizer)
    rollout = base_rollout.RolloutConfig(
        max_tokens_to_generate=rl.max_new_tokens,
        temperature=rl.temperature,
        top_p=rl.top_p,
        top_k=None,
        max_prompt_length=prep.prompt_len,
        kv_cache_size=prep.prompt_len + rl.max_new_tokens,
        eos_tokens=[shim.eos_id()],
        seed=jax.random.PRNGKey(config.seed),
    )
    roles = (rl_cluster_lib.Role.ACTOR, rl_cluster_lib.Role.REFERENCE, rl_cluster_lib.Role.ROLLOUT)
    return rl_cluster_lib.ClusterConfig(
        role_to_mesh=dict.fromkeys(roles, mesh),
        rollout_engine="vanilla",
        offload_to_cpu=False,
        training_config=training,
        rollout_config=rollout,
    )


def algo_config(rl: RlConfig) -> grpo_learner.GRPOConfig:
    """Tunix's GRPOConfig for ``rl:`` (one update per rollout, symmetric clip)."""
    return grpo_learner.GRPOConfig(
        num_generations=rl.num_generations,
        num_iterations=1,
        beta=rl.beta,
        epsilon=rl.epsilon,
        kl_loss_mode="low_var_kl",  # k3, exp(q - p) - (q - p) - 1: TRL's and the torch loop's
        loss_agg_mode=LOSS_AGG[rl.loss],
        advantage_estimator=ADVANTAGE[rl.scale_rewards],
    )


def _optimizer(config: TrainConfig, total: int | None) -> tuple[Any, bool]:
    timed = optim.time_driven(config, total)
    opt: optax.GradientTransformation = optim.optimizer(
        config, None if timed else optim.schedule(config, total)
    )
    return opt, timed


def _learner(config: TrainConfig, prep: Prepared, mesh: Any) -> tuple[Learner, Recorder, bool]:
    """The RLCluster (actor, reference, vanilla rollout) and Tunix's learner over it."""
    rl = prep.rl
    policy, reference = _models(config, prep, mesh)
    optimizer, timed = _optimizer(config, prep.total)
    # One device: Tunix's own CPU tests run every role on the empty (default) mesh.
    role_mesh = mesh if mesh is not None else pxla.thread_resources.env.physical_mesh
    shim = RolloutTokenizer(prep.tokenizer)
    cluster = rl_cluster_lib.RLCluster(
        actor=policy,
        reference=reference,
        tokenizer=shim,
        cluster_config=cluster_config(config, prep, role_mesh, optimizer),
    )
    rewards = build_rewards(rl.rewards, style=config.style, template=config.template)
    recorder = Recorder(rewards, shim, rl.max_new_tokens)
    learner = Learner(
        rl_cluster=cluster,
        algo_config=algo_config(rl),
        reward_fns=recorder.reward_fns(),
        recorder=recorder,
        filter_zero_std=rl.filter_zero_std,
    )
    trainer = cluster.actor_trainer
    recorder.current_step = lambda: int(trainer.train_steps)
    cluster.global_steps = int(trainer.train_steps)  # close()'s checkpoint has no metadata
    trainer.with_rl_metrics_to_log({"kl": np.mean, "pg_clipfrac": np.mean, "entropy": np.mean})
    return learner, recorder, timed


def _events(
    config: TrainConfig, prep: Prepared, recorder: Recorder, resumed_from: int, timed: bool
) -> StepEvents:
    """The hook writing ``metrics.jsonl`` and ``samples.jsonl`` (resumed: from the step)."""
    rl = prep.rl
    log_path = prep.out / "metrics.jsonl"
    schedule = optim.schedule(config, prep.total)
    events = StepEvents(
        recorder=recorder,
        log=MetricsLog(log_path, keep_until_step=resumed_from),
        samples=SamplesLog(prep.out, max_bytes=rl.samples_max_bytes, keep_until_step=resumed_from),
        settings=EventSettings(
            generations=rl.num_generations,
            max_new_tokens=rl.max_new_tokens,
            log_every=config.log_every_steps,
            samples_every=rl.samples_every_steps,
            samples_prompts=rl.samples_prompts,
            beta=rl.beta,
        ),
        lr_at=lambda n: float(schedule(n)),
        ledger={},
        elapsed_offset=last_elapsed(log_path, resumed_from) if resumed_from else 0.0,
    )
    if timed:  # only time_budget_s bounds a decaying schedule: the host sets the rate
        host = HostRate(config, events.elapsed)
        events.before_step, events.lr_at = host, host.at
    return events


def _fit(config: TrainConfig, prep: Prepared, mesh: Any) -> tuple[Any, int, TrainResult]:
    """Train with Tunix's learner and say how it ended; returns the trained policy too."""
    rl = prep.rl
    learner, recorder, timed = _learner(config, prep, mesh)
    trainer = learner.rl_cluster.actor_trainer
    resumed_from = int(trainer.train_steps)
    events = _events(config, prep, recorder, resumed_from, timed)
    trainer.with_training_hooks(events)
    stop: list[StopReason] = []
    rollout = learner.rl_cluster.cluster_config.rollout_config
    stream = prompt_stream(
        prep, config, rollout=rollout, ledger=events.ledger, clock=events.elapsed, stop=stop
    )
    print(
        f"grpo (tunix) on {models.param_count(trainer.model):,} parameters, "
        f"{len(prep.prompts)} prompts, {rl.prompts_per_step} x G={rl.num_generations} per step, "
        f"loss {rl.loss}, for {prep.total or '?'} steps, from step {resumed_from}",
        flush=True,
    )
    try:
        with sigterm_stops(stop):
            learner.train(stream)
        reason = stop[0] if stop else StopReason.MAX_STEPS
        step = int(trainer.train_steps)
        result = TrainResult(step, reason, events.last_loss, None, events.elapsed())
        events.write("end", step=step, stop_reason=reason, loss=result.last_loss)
    finally:
        events.log.close()
    return trainer.model, resumed_from, result


def train(config: TrainConfig, *, resume: bool) -> TrainResult:
    """GRPO with Tunix's learner as ``config`` says; see docs/rl.md (the tunix backend)."""
    started = records.now()
    prep = prepare(config, resume=resume)
    prep.out.mkdir(parents=True, exist_ok=True)
    mesh = models.make_mesh()
    ctx = jax.set_mesh(mesh) if mesh is not None else contextlib.nullcontext()
    with ctx:
        model, resumed_from, result = _fit(config, prep, mesh)
        final = None
        if result.stop_reason != StopReason.SIGNAL:
            final = manifest.save_final_model(
                prep.out / "final", prep.source_config, prep.source, model, prep.tokenizer,
                result.step,
            )  # fmt: skip
    facts = manifest.run_manifest(
        config,
        source=prep.source,
        model=model,
        stats=EncodeStats(kept=len(prep.prompts), truncated=0, dropped=0),
        n_eval=0,
        length=prep.prompt_len + prep.rl.max_new_tokens,
        resumed_from=resumed_from,
        started=started,
    )
    records.write_manifest(prep.out, facts.finished(result, final))
    return result
