"""Runtime settings: one pydantic-settings model, loaded once by the entry point and passed down.

Sources, highest priority first: explicit keyword arguments, ``BIOCROSS_*`` environment variables
(nested with a single underscore after the section name, e.g. ``BIOCROSS_ES_URL``,
``BIOCROSS_ES_API_KEY``, ``BIOCROSS_GATEWAY_PORT``), a ``.env`` file, then a TOML file
(``BIOCROSS_CONFIG`` or ``./biocross.toml``) with one table per section.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class EsSettings(BaseModel):
    """How to reach Elasticsearch. TLS and auth work from configuration alone."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field("http://127.0.0.1:9200", description="Cluster URL; https:// for TLS.")
    api_key: SecretStr | None = Field(None, description="Encoded API key (takes precedence over basic auth).")
    username: str | None = Field(None, description="Basic-auth user name.")
    password: SecretStr | None = Field(None, description="Basic-auth password.")
    ca_certs: Path | None = Field(None, description="PEM CA bundle for a cluster with a private CA.")
    verify_certs: bool = Field(True, description="Verify the server certificate (keep on in production).")
    index_prefix: str = Field("biocross", description="Prefix of every index, alias and template we own.")
    request_timeout: float = Field(30.0, gt=0, description="Per-request timeout in seconds.")

    @model_validator(mode="after")
    def _auth_pairs(self) -> EsSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("es.username and es.password must be set together")
        if not self.index_prefix.replace("-", "").replace("_", "").isalnum() or not self.index_prefix.islower():
            raise ValueError("es.index_prefix must be lower-case letters, digits, '-' or '_'")
        return self


class LocalNodeSettings(BaseModel):
    """The development/test node that ``biocross es start`` manages."""

    model_config = ConfigDict(extra="forbid")

    port: int = Field(9200, ge=1024, le=65535, description="HTTP port of the local node.")
    transport_port: int = Field(9300, ge=1024, le=65535, description="Transport port of the local node.")
    heap: str = Field("1g", description="JVM heap (-Xms and -Xmx).")
    cache_dir: Path | None = Field(None, description="Where the distribution, data and logs live.")
    run_as: str = Field("biocross", description="Unprivileged user the node runs as when started by root.")


class GatewaySettings(BaseModel):
    """The aiohttp gateway."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Bind address.")
    port: int = Field(8080, ge=1, le=65535, description="Bind port.")
    secret_key: SecretStr = Field(
        SecretStr("dev-only-change-me-dev-only-change-me"),
        description="Key for session cookies and signed links; set it in production.",
    )
    public_url: str = Field("http://127.0.0.1:8080", description="Base URL used in emails and links.")
    metrics_loopback: bool = Field(True, description=(
        "Serve /metrics without a token to loopback clients that came through no proxy (no Forwarded or "
        "X-Forwarded-For header); turn off when a proxy on the same host does not add such headers."))


class HarvestSettings(BaseModel):
    """Harvest pipeline knobs."""

    model_config = ConfigDict(extra="forbid")

    adapters_file: Path | None = Field(None, description="TOML file configuring the adapters.")
    concurrency: int = Field(3, ge=1, le=32, description="Adapters harvested at once (in one process).")
    workers: int = Field(2, ge=1, le=32, description="Processes `biocross harvest` and the demo spread sources over "
                         "(1 = everything in one process).")
    bulk_chunk: int = Field(1000, ge=1, description="Documents per bulk request.")
    safety_valve: float = Field(0.3, ge=0, le=1, description="Largest share of live records a full run may drop.")
    held_run_ttl_hours: float = Field(168.0, gt=0, description="How long a run held by the safety valve may still be "
                                      "accepted (`biocross harvest --accept`); after that, harvest anew.")
    stale_run_minutes: float = Field(30.0, gt=0, description="A `running` run with no sign of life for this long is "
                                     "closed as failed (its process died) and its generation dropped.")
    protect_viewed_days: int = Field(30, ge=0, description="Withdrawing a record viewed within this many days (or with "
                                     "an open usage request) is listed for the maintainer in the run report.")


class MailSettings(BaseModel):
    """Outgoing mail."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="SMTP host.")
    port: int = Field(1025, ge=1, le=65535, description="SMTP port.")
    username: str | None = Field(None, description="SMTP user.")
    password: SecretStr | None = Field(None, description="SMTP password.")
    sender: str = Field("biocross <noreply@biocross.example>", description="From address.")
    starttls: bool = Field(False, description="Use STARTTLS.")


class RequestsSettings(BaseModel):
    """Usage requests: links, reminders, submission limits and mail delivery."""

    model_config = ConfigDict(extra="forbid")

    verify_link_hours: int = Field(72, ge=1, description="How long an email verification link stays valid.")
    track_link_days: int = Field(365, ge=1, description="How long a requester's private status link stays valid.")
    reminder_days: list[int] = Field(default_factory=lambda: [7, 14],
                                     description="Days a request may wait before each reminder is sent.")
    submissions_per_client_hour: int = Field(10, ge=1, description="Request forms one client may send per hour.")
    submissions_per_email_hour: int = Field(3, ge=1, description="Submissions one email address may make per hour.")
    staff_session_hours: int = Field(12, ge=1, description="Lifetime of a staff login session.")
    mail_retry_seconds: float = Field(60.0, ge=0, description="First delay before retrying a failed mail (doubles).")
    mail_claim_seconds: float = Field(120.0, gt=0, description="Lease a mailer holds on mails it is sending.")
    mailer_interval_seconds: float = Field(10.0, gt=0, description="Pause between mailer passes.")


def _toml_path() -> Path | None:
    explicit = os.environ.get("BIOCROSS_CONFIG")
    if explicit:
        return Path(explicit)
    local = Path("biocross.toml")
    return local if local.is_file() else None


class Settings(BaseSettings):
    """All of biocross's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="BIOCROSS_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    es: EsSettings = Field(default_factory=EsSettings)
    local_node: LocalNodeSettings = Field(default_factory=LocalNodeSettings)
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    harvest: HarvestSettings = Field(default_factory=HarvestSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    requests: RequestsSettings = Field(default_factory=RequestsSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, dotenv_settings]
        toml = _toml_path()
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict safe to log or print (secrets shown as '**********')."""
        return self.model_dump(mode="json")
