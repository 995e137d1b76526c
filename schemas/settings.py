"""Runtime settings: one pydantic-settings model, loaded once by the entry point and passed down.

Sources, highest priority first: explicit keyword arguments, ``BIOCROSS_*`` environment variables
(nested with a single underscore after the section name, e.g. ``BIOCROSS_ES_URL``,
``BIOCROSS_ES_API_KEY``, ``BIOCROSS_GATEWAY_PORT``), a ``.env`` file, then a TOML file
(``BIOCROSS_CONFIG`` or ``./biocross.toml``) with one table per section.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from typing_extensions import override

from schemas.errors import SchemaError


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


#: Keys that were ever published (old defaults, examples in docs and compose files): never accepted.
KNOWN_SECRET_KEYS = frozenset({
    "dev-only-change-me-dev-only-change-me",
    "change-me-change-me-change-me-change-me",
})
MIN_SECRET_KEY_CHARS = 32
_MIN_DISTINCT_CHARS = 12


class InsecureSecretKeyError(SchemaError, ValueError):
    """The gateway's signing key is missing, too short, too simple or a published one. Raised by
    :meth:`GatewaySettings.signing_keys` when the gateway, mailer or scheduler starts; the operator
    must set ``BIOCROSS_GATEWAY_SECRET_KEY`` to a random value (e.g. ``openssl rand -base64 48``)."""


def _check_key(name: str, key: SecretStr | None) -> str:
    if key is None or not key.get_secret_value():
        raise InsecureSecretKeyError(f"{name} is not set: set BIOCROSS_GATEWAY_SECRET_KEY to a random value of at "
                                     f"least {MIN_SECRET_KEY_CHARS} characters (e.g. `openssl rand -base64 48`)")
    value = key.get_secret_value()
    if value in KNOWN_SECRET_KEYS:
        raise InsecureSecretKeyError(f"{name} is a published example key; anyone could forge cookies and links "
                                     "with it: set a random one")
    if len(value) < MIN_SECRET_KEY_CHARS:
        raise InsecureSecretKeyError(f"{name} is too short ({len(value)} characters; at least "
                                     f"{MIN_SECRET_KEY_CHARS} are needed)")
    if len(set(value)) < _MIN_DISTINCT_CHARS:
        raise InsecureSecretKeyError(f"{name} is too simple (fewer than {_MIN_DISTINCT_CHARS} distinct characters)")
    return value


class GatewaySettings(BaseModel):
    """The aiohttp gateway."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Bind address.")
    port: int = Field(8080, ge=1, le=65535, description="Bind port.")
    secret_key: SecretStr | None = Field(None, description=(
        "Key for session cookies, signed links and search cursors: required, random, at least 32 characters. "
        "The gateway, mailer and scheduler refuse to start without it."))
    previous_secret_keys: list[SecretStr] = Field(default_factory=list, description=(
        "Keys being rotated out: still accepted to verify cookies, links and cursors (never used to sign). "
        "Keep an old key here for the longest link lifetime (requests.track_link_days), then remove it."))
    public_url: str = Field("http://127.0.0.1:8080", description="Base URL used in emails and links.")
    metrics_loopback: bool = Field(True, description=(
        "Serve /metrics without a token to loopback clients that came through no proxy (no Forwarded or "
        "X-Forwarded-For header); turn off when a proxy on the same host does not add such headers."))
    search_budget_seconds: float = Field(2.0, gt=0, description=(
        "Longest a public page or API call may wait for Elasticsearch before it answers 503."))
    staff_budget_seconds: float = Field(5.0, gt=0, description=(
        "Longest a staff page, portal API call or form submission may take before it answers 503."))
    breaker_failures: int = Field(3, ge=1, description=(
        "Elasticsearch failures in a row after which calls fail fast (circuit open)."))
    breaker_open_seconds: float = Field(5.0, gt=0, description=(
        "How long an open circuit fails calls before one probe call is let through."))

    def signing_keys(self) -> list[str]:
        """The current key first, then the previous ones; :class:`InsecureSecretKeyError` if any of
        them is missing, short, simple or published."""
        keys = [_check_key("gateway.secret_key", self.secret_key)]
        keys += [_check_key(f"gateway.previous_secret_keys[{i}]", k) for i, k in enumerate(self.previous_secret_keys)]
        return keys

    def derived_keys(self, purpose: str) -> list[bytes]:
        """One 32-byte key per signing key (current first) for ``purpose``: each use of the secret
        (cookies, cursors, ...) gets its own key, so none can stand in for another."""
        return [hmac.new(key.encode(), b"biocross\0" + purpose.encode(), hashlib.sha256).digest()
                for key in self.signing_keys()]


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
    outbox_stall_seconds: float = Field(600.0, gt=0, description=(
        "The dashboard warns when the oldest unsent mail is older than this (no mailer, or SMTP refusing)."))
    data_key: SecretStr | None = Field(None, description=(
        "Key encrypting requesters' personal data in Elasticsearch (any random string of 32+ characters). "
        "Unset: derived from gateway.secret_key, so rotating that key then needs the old one kept in "
        "gateway.previous_secret_keys for as long as requests sealed with it exist."))
    previous_data_keys: list[SecretStr] = Field(default_factory=list, description=(
        "Old data keys: still decrypt, never encrypt."))
    retention_days: int = Field(730, ge=1, description=(
        "Days after which a closed request (completed, rejected, withdrawn) is anonymised by the mailer."))


def _toml_path() -> Path | None:
    explicit = os.environ.get("BIOCROSS_CONFIG")
    if explicit:
        return Path(explicit)
    local = Path("biocross.toml")
    return local if local.is_file() else None


class LogSettings(BaseModel):
    """How the processes log (configured once by each entry point, see ``biocross.logs``)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["text", "json"] = Field("text", description="`text`: one readable line per event; `json`: one "
                                            "JSON object per line, for a log collector in production.")
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Lowest level written.")


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
    log: LogSettings = Field(default_factory=LogSettings)

    @override
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

    def personal_data_keys(self) -> list[bytes]:
        """Keys of the personal-data cipher, the encrypting one first (see ``requests.data_key``)."""
        if self.requests.data_key is None:
            return self.gateway.derived_keys("personal-data")
        named = [("requests.data_key", self.requests.data_key)]
        named += [(f"requests.previous_data_keys[{i}]", k) for i, k in enumerate(self.requests.previous_data_keys)]
        return [hmac.new(_check_key(name, key).encode(), b"biocross\0personal-data", hashlib.sha256).digest()
                for name, key in named]

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict safe to log or print (secrets shown as '**********')."""
        return self.model_dump(mode="json")
