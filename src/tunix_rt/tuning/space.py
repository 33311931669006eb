"""Search spaces (pure): validation against the training config, and Ray Tune translation.

A space maps a ``TrainConfig`` key to a distribution: ``{"type": "choice", "values": [...]}``,
``{"type": "uniform" | "loguniform", "min": a, "max": b}`` or ``{"type": "randint", "min": a,
"max": b}`` (``max`` exclusive, as in Ray). Every key must be a training config key; a key that
is not is refused when the sweep is created, never dropped.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tunix_rt.errors import Problem
from tunix_rt.training.config import TrainConfig, config_problems

# Keys a sweep sets itself or that would make trials incomparable.
FIXED_KEYS = frozenset({"dataset", "data_path", "output_dir", "eval_set", "backend", "model"})


class Distribution(BaseModel):
    """One dimension of a search space."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["choice", "uniform", "loguniform", "randint"]
    values: list[Any] | None = Field(default=None, min_length=1)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _shape(self) -> Distribution:
        if self.type == "choice":
            if self.values is None:
                raise ValueError("choice needs 'values'")
            return self
        if self.min is None or self.max is None:
            raise ValueError(f"{self.type} needs 'min' and 'max'")
        if self.min >= self.max:
            raise ValueError("'min' must be < 'max'")
        if self.type == "loguniform" and self.min <= 0:
            raise ValueError("loguniform needs 'min' > 0")
        if self.type == "randint" and (self.min != int(self.min) or self.max != int(self.max)):
            raise ValueError("randint bounds must be integers")
        return self

    def corners(self) -> list[Any]:
        """The extreme values a sample can take (used to validate against the config)."""
        if self.type == "choice":
            return list(self.values or [])
        low, high = self.min or 0.0, self.max or 0.0  # both set: checked in _shape
        if self.type == "randint":
            return [int(low), int(high) - 1]
        return [low, high]


def space_problems(base_config: dict[str, Any], space: dict[str, Distribution]) -> list[Problem]:
    """Every key that is unknown, fixed, or gives an invalid config at one of its extremes."""
    problems: list[Problem] = []
    if not space:
        problems.append(Problem("search_space", "needs at least one key"))
    for key, dist in space.items():
        loc = f"search_space.{key}"
        if key not in TrainConfig.model_fields:
            problems.append(Problem(loc, "not a training config key"))
            continue
        if key in FIXED_KEYS:
            problems.append(Problem(loc, "is set by the sweep itself and cannot be searched"))
            continue
        for value in dist.corners():
            found = config_problems({**base_config, key: value})
            if found:
                problems.append(Problem(loc, f"value {value!r} is invalid: {found[0].msg}"))
                break
    return problems


def to_ray(space: dict[str, Distribution]) -> dict[str, Any]:
    """The Ray Tune ``param_space`` for a validated space (imports Ray lazily)."""
    from ray import tune

    out: dict[str, Any] = {}
    for key, dist in space.items():
        if dist.type == "choice":
            out[key] = tune.choice(list(dist.values or []))
        elif dist.type == "uniform":
            out[key] = tune.uniform(dist.min or 0.0, dist.max or 0.0)
        elif dist.type == "loguniform":
            out[key] = tune.loguniform(dist.min or 0.0, dist.max or 0.0)
        else:
            out[key] = tune.randint(int(dist.min or 0), int(dist.max or 0))
    return out
