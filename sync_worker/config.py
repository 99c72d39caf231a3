"""Settings: environment variables prefixed IMAGEPRO_, an optional TOML file, then command-line flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from .errors import ConfigError

ENV_PREFIX = "IMAGEPRO_"
# A call sized to the budget may still run long (Odoo busy, its workers all taken): the client waits at least
# this many budgets before it gives up, so a timeout means something went wrong, not that the call was big.
TIMEOUT_OVER_BUDGET = 2.0


class Settings(BaseSettings):
    """Every setting of the worker. The environment variable of each is IMAGEPRO_ + its name in capitals."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_default=True)

    erp_url: str = Field("", description="Odoo base URL, e.g. https://erp.example.com")
    erp_db: str = Field("", description="Odoo database name")
    erp_user: str = Field("", description="login of the integration user")
    erp_password: SecretStr = Field(SecretStr(""), description="password or API key of the integration user")
    erp_transport: Literal["xmlrpc", "jsonrpc"] = Field(
        "xmlrpc", description="xmlrpc (standard library) or jsonrpc (odoorpc)"
    )
    erp_timeout_seconds: float = Field(
        30.0, gt=0, description=f"timeout of one call to Odoo (at least {TIMEOUT_OVER_BUDGET:g} x the call budget)"
    )
    call_budget_seconds: float = Field(
        5.0, gt=0, le=60, description="seconds one call to Odoo should take: documents per call are sized to it"
    )
    erp_verify_tls: bool = Field(True, description="verify the certificate of an https Odoo")
    outbox_url: str = Field("sqlite:///./imagepro-outbox.db", description="sqlite:///FILE or postgresql://...")
    poll_seconds: float = Field(10.0, gt=0, description="seconds between rounds of `run`")
    batch_size: int = Field(100, ge=1, le=1000, description="most documents per call to Odoo (upper bound)")
    lease_seconds: float = Field(300.0, gt=0, description="how long a claimed document is reserved for one worker")
    max_attempts: int = Field(12, ge=1, description="tries of a document before it becomes a dead letter")
    call_attempts: int = Field(4, ge=1, description="tries of one call to Odoo within a round")
    call_max_seconds: float = Field(60.0, gt=0, description="total seconds one call may spend retrying")
    retry_base_seconds: float = Field(30.0, gt=0, description="first wait before a failed document is tried again")
    retry_max_seconds: float = Field(3600.0, gt=0, description="longest wait between tries of a document")
    inbox: Path | None = Field(None, description="folder to take document files from (done/ and rejected/ beside them)")
    policy_file: Path | None = Field(None, description="policy (TOML/JSON) used when no ERP policy is at hand")
    heartbeat_file: Path = Field(
        Path("imagepro-heartbeat.json"), description="file `run` rewrites as rounds start, progress and end"
    )
    liveness_seconds: float = Field(
        300.0, gt=0, description="`check --live` fails when the worker has not beaten for this long"
    )
    metrics_port: int = Field(0, ge=0, le=65535, description="serve Prometheus metrics on this port (0: off)")
    log_format: Literal["auto", "json", "text"] = Field("auto", description="json when not on a terminal (auto)")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="log level")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file named by load_settings(config_file=...) ranks below flags and the environment.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @model_validator(mode="after")
    def _timeout_exceeds_budget(self) -> Settings:
        if self.erp_timeout_seconds < TIMEOUT_OVER_BUDGET * self.call_budget_seconds:
            raise ValueError(
                f"IMAGEPRO_ERP_TIMEOUT_SECONDS ({self.erp_timeout_seconds:g}) must be at least "
                f"{TIMEOUT_OVER_BUDGET:g} x IMAGEPRO_CALL_BUDGET_SECONDS ({self.call_budget_seconds:g}): a call sized "
                "to the budget must finish well before the client gives up on it"
            )
        return self

    def require_erp(self) -> None:
        missing = [name for name in ("erp_url", "erp_db", "erp_user") if not getattr(self, name)]
        if not self.erp_password.get_secret_value():
            missing.append("erp_password")
        if missing:
            names = ", ".join(env_name(name) for name in missing)
            raise ConfigError(f"Odoo is not configured: set {names} (or the matching flags)")


def env_name(field_name: str) -> str:
    return ENV_PREFIX + field_name.upper()


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Flags (overrides) win over the environment, which wins over the TOML file."""
    given = {key: value for key, value in overrides.items() if value is not None}
    settings_class = Settings
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"--config {config_file}: no such file")

        class FileSettings(Settings):
            model_config = SettingsConfigDict(toml_file=config_file)

        settings_class = FileSettings
    try:
        return settings_class(**given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{env_name(str(err['loc'][0])) if err['loc'] else 'settings'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise ConfigError(f"invalid settings: {problems}") from None
