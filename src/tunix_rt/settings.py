"""Deployment settings: the only BaseSettings in the project (prefix ``TUNIX_RT_``)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class Environment(StrEnum):
    """Where the service runs; ``prod`` refuses insecure defaults."""

    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class AuthMode(StrEnum):
    """``required``: every API route but the health check needs a bearer token or session.
    ``off``: allowed only on a loopback bind outside ``prod`` (the laptop default of ``make run``
    may choose it); ``serve`` says so at start."""

    REQUIRED = "required"
    OFF = "off"


# A list setting reads as comma-separated text from the environment (``a,b,c``).
CommaList = Annotated[tuple[str, ...], NoDecode]


class Settings(BaseSettings):
    """Everything that differs between a laptop and a deployment."""

    model_config = SettingsConfigDict(env_prefix="TUNIX_RT_", extra="ignore", frozen=True)

    environment: Environment = Environment.DEV
    # Root of the embedded database, artifacts, run directories and the model registry.
    home: Path = Path(".tunix-rt")
    # Empty means the embedded SQLite file under ``home``.
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # In-process job slots started by ``tunix-rt serve`` (0 = none: external workers only, the
    # service shape). 3 lets a default sweep run: its driver plus 2 concurrent trials.
    workers: int = Field(default=3, ge=0, le=64)
    # Hard cap on any request body, counted on the bytes actually read.
    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # Cap on the number of traces in one batch request.
    max_batch_traces: int = Field(default=10_000, ge=1)
    log_level: str = "INFO"
    # OpenAI-compatible endpoint used by the llm_judge (vLLM, Ollama, a hosted API).
    judge_base_url: str = ""
    judge_model: str = ""
    judge_api_key: SecretStr = SecretStr("")
    judge_timeout_s: float = Field(default=30.0, gt=0)

    # --- exposure (docs/security.md) ---
    auth: AuthMode = AuthMode.REQUIRED
    # Seconds a server process trusts a token it verified without reading its row again; a
    # revocation made elsewhere (the CLI, another host) takes effect within this. 0: off.
    auth_cache_s: float = Field(default=10.0, ge=0, le=300)
    # Host header names the server answers to (TrustedHostMiddleware); "*" allows any.
    allowed_hosts: CommaList = LOOPBACK_HOSTS
    # Origins allowed to call the API from another site's pages (CORS); none by default.
    cors_origins: CommaList = ()
    # Directories besides ``home`` that a client may name as a model or tokenizer path.
    model_roots: CommaList = ()
    # The Ray cluster sweeps run on (empty: a local Ray in the sweep's process). Never per request.
    ray_address: str = ""
    # Whether /metrics answers without a token (for a scraper inside a private network).
    metrics_public: bool = False
    # Serve the earlier system's request and response shapes on its paths (docs/compat.md).
    seed_compat: bool = False
    # Caps on what one request may ask for; a request beyond them is refused by field name.
    max_batch_size: int = Field(default=1024, ge=1)
    max_seq_length: int = Field(default=32_768, ge=8)
    max_processes: int = Field(default=16, ge=1)
    max_model_dim: int = Field(default=16_384, ge=1)
    max_sweep_samples: int = Field(default=256, ge=1)

    @field_validator("allowed_hosts", "cors_origins", "model_roots", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("log_level")
    @classmethod
    def _upper_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        """Accept the URLs people paste and turn them into async-driver URLs."""
        url = value.strip()
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+asyncpg://" + url[len("postgresql://") :]
        if url.startswith("sqlite:///"):
            url = "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
        if url and not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("must be a postgresql:// or sqlite:/// URL")
        return url

    @model_validator(mode="after")
    def _refuse_insecure_prod(self) -> Settings:
        if self.environment is Environment.PROD:
            if not self.database_url:
                raise ValueError("TUNIX_RT_DATABASE_URL must be set when environment=prod")
            if self.judge_api_key.get_secret_value() == "changethis":
                raise ValueError("TUNIX_RT_JUDGE_API_KEY must not be 'changethis' in prod")
            if self.auth is AuthMode.OFF:
                raise ValueError("TUNIX_RT_AUTH=off is refused when environment=prod")
        return self

    @property
    def is_loopback_bind(self) -> bool:
        """Whether ``host`` only listens on this machine."""
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")

    @property
    def model_root_paths(self) -> tuple[Path, ...]:
        """``home`` and the configured model roots, resolved: where client-named paths may lie."""
        return (
            self.home.resolve(),
            *(Path(root).expanduser().resolve() for root in self.model_roots),
        )

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the embedded SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.home / 'tunix-rt.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
