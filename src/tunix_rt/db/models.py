"""Imports every domain's models so Alembic and ``create_all`` see the whole schema."""

# Each domain registers its tables by being imported here (one line per domain).
import tunix_rt.auth.models
import tunix_rt.datasets.models
import tunix_rt.evaluation.models
import tunix_rt.registry.models
import tunix_rt.regression.models
import tunix_rt.runs.models
import tunix_rt.traces.models
import tunix_rt.tuning.models  # noqa: F401
from tunix_rt.db.base import Base

metadata = Base.metadata
