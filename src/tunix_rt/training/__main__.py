"""``python -m tunix_rt.training --config FILE [--resume]``: one training run, no database."""

from __future__ import annotations

import argparse
import os
import sys

from tunix_rt.errors import TunixRtError, Unavailable
from tunix_rt.training.config import TrainConfig, load_config
from tunix_rt.training.records import StopReason

# Exit codes: 2 bad input, 5 backend unavailable, 143 stopped by SIGTERM (checkpoint saved).
EXIT_INVALID, EXIT_UNAVAILABLE, EXIT_SIGNAL = 2, 5, 143


def run_training(cfg: TrainConfig, *, resume: bool) -> StopReason:
    """Dispatch to the configured backend; returns why the run stopped."""
    if cfg.algorithm == "grpo" and cfg.backend == "torch":
        from tunix_rt.training.rl import recipe as grpo

        return grpo.train(cfg, resume=resume).stop_reason
    if cfg.backend == "tunix":
        try:
            from tunix_rt.training import tunix_backend
        except ImportError as exc:
            raise Unavailable(
                f"backend: tunix needs the google-tunix extra (pip install -e .[tunix]): {exc}"
            ) from None
        if cfg.algorithm == "grpo":
            from tunix_rt.training.tunix_backend import grpo as tunix_grpo

            return tunix_grpo.train(cfg, resume=resume).stop_reason
        return tunix_backend.train(cfg, resume=resume).stop_reason
    from tunix_rt.training.torch_recipe import train

    return train(cfg, resume=resume).stop_reason


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, train, and map errors to one line and an exit code."""
    parser = argparse.ArgumentParser(prog="python -m tunix_rt.training", description=__doc__)
    parser.add_argument("--config", required=True, help="YAML or JSON TrainConfig file")
    parser.add_argument("--resume", action="store_true", help="continue from the latest checkpoint")
    args = parser.parse_args(argv)
    # Spinning OpenMP threads collapse throughput when another process holds a core.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        reason = run_training(load_config(args.config), resume=args.resume)
    except TunixRtError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE if isinstance(exc, Unavailable) else EXIT_INVALID
    return EXIT_SIGNAL if reason == StopReason.SIGNAL else 0


if __name__ == "__main__":
    sys.exit(main())
