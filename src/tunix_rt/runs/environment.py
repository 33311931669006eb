"""The environment a job's processes get: an allowlist of the worker's, plus what is passed.

A worker's environment holds its secrets (``TUNIX_RT_DATABASE_URL``, ``TUNIX_RT_JUDGE_API_KEY``,
cloud keys, tokens); a job's command, a training recipe or a sweep driver must not inherit
them. Only the names below pass through; a caller that means a subprocess to have something
else passes it explicitly (and is then responsible for it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from tunix_rt.runs.groups import JOB_ID_VAR

# Where programs, libraries and temporary files are, who and where the user is.
NAMES = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TERM",
        "TMPDIR",
        "TEMP",
        "TMP",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "LD_LIBRARY_PATH",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "XDG_CACHE_HOME",
        # Hugging Face: caches and offline switches only (never HF_TOKEN).
        "HF_HOME",
        "HF_HUB_CACHE",
        "HF_DATASETS_CACHE",
        "HF_HUB_OFFLINE",
        "HF_DATASETS_OFFLINE",
        "HF_HUB_DISABLE_TELEMETRY",
        "TRANSFORMERS_OFFLINE",
        "TRANSFORMERS_CACHE",
        "TOKENIZERS_PARALLELISM",
    }
)
# Locale, the interpreter, thread pools, accelerators and the frameworks' own switches.
PREFIXES = (
    "LC_",
    "PYTHON",
    "OMP_",
    "MKL_",
    "OPENBLAS_",
    "TORCH",
    "PYTORCH_",
    "CUDA_",
    "NVIDIA_",
    "NCCL_",
    "GLOO_",
    "JAX_",
    "XLA_",
    "TPU_",
    "LIBTPU_",
    "TF_CPP_",
)
ATTEMPT_VAR = "TUNIX_RT_JOB_ATTEMPT"


def allowed(name: str) -> bool:
    """Whether a worker's variable ``name`` may pass to a job's processes."""
    return name in NAMES or name.startswith(PREFIXES)


def scrubbed_env(
    explicit: Mapping[str, str] | None = None, *, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The allowed part of ``base`` (the worker's environment), unbuffered Python output,
    then ``explicit`` over it."""
    source = os.environ if base is None else base
    env = {name: value for name, value in source.items() if allowed(name)}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(explicit or {})
    return env


def job_env(job_id: str, attempt: int, explicit: Mapping[str, str] | None) -> dict[str, str]:
    """What a job's process gets beyond the allowlist: the caller's variables, then the job's
    id (which marks its processes for a later attempt, ``runs/groups.py``) and attempt."""
    return {**(explicit or {}), JOB_ID_VAR: job_id, ATTEMPT_VAR: str(attempt)}
