"""Adapter configuration: the common config model and the ``adapters.toml`` loader.

``adapters.toml`` has one table per configured adapter; ``type`` names a registered adapter type
(a toolkit such as ``oaipmh``/``csv``/``jsonapi``/``html``/``dwca``, or an institution's own adapter)
whose ``config_model`` validates the rest. An optional ``[defaults]`` table is merged under every
adapter. Every error of every adapter is reported at once (``AdapterConfigError.problems``).
"""

from __future__ import annotations

import base64
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from adapters.errors import AdapterConfigError
from adapters.http import RequestPolicy
from adapters.mapping import FieldMapping, IdRule
from schemas.resource import Slug

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class Credentials(BaseModel):
    """How to authenticate at the source. Secrets never appear in logs or reprs."""

    model_config = ConfigDict(extra="forbid")

    username: str | None = Field(None, description="HTTP basic-auth user.")
    password: SecretStr | None = Field(None, description="HTTP basic-auth password.")
    token: SecretStr | None = Field(None, description="Bearer token (Authorization: Bearer ...).")
    api_key: SecretStr | None = Field(None, description="API key sent in `api_key_header`.")
    api_key_header: str = Field("X-API-Key", description="Header carrying the API key.")

    def headers(self) -> dict[str, str]:
        """Request headers carrying basic auth, the token or the API key."""
        out = {}
        if self.username is not None:
            secret = self.password.get_secret_value() if self.password else ""
            pair = base64.b64encode(f"{self.username}:{secret}".encode()).decode("ascii")
            out["Authorization"] = f"Basic {pair}"
        if self.token is not None:
            out["Authorization"] = f"Bearer {self.token.get_secret_value()}"
        if self.api_key is not None:
            out[self.api_key_header] = self.api_key.get_secret_value()
        return out


class AdapterConfig(BaseModel):
    """What every adapter is configured with; toolkits and institutions extend it."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="Registered adapter type (toolkit or institution adapter name).")
    institution: Slug = Field(description="Holding institution's slug (schemas.institution).")
    endpoint: str = Field(description="Base URL of the source.")
    endpoints: dict[str, str] = Field(default_factory=dict, description="Further named endpoints.")
    enabled: bool = Field(True, description="Disabled adapters are listed but not harvested.")
    credentials: Credentials | None = Field(None, description="Authentication, if the source needs it.")
    schedule: timedelta = Field(timedelta(days=1), description="Harvest interval: '6h', '30m', '1d' or seconds.")
    rate_limit: float = Field(2.0, gt=0, le=1000, description="Requests per second to the source's host.")
    concurrency: int = Field(2, ge=1, le=32, description="Concurrent requests to the source's host.")
    timeout: float = Field(30.0, gt=0, description="Connect and idle-read timeout in seconds.")
    max_duration: float | None = Field(None, gt=0, description="Longest one response may take (None: no cap).")
    retries: int = Field(3, ge=0, le=10, description="Retries of a failed request (backoff with jitter).")
    backoff: float = Field(0.5, gt=0, description="First backoff in seconds; doubles per retry.")
    max_retry_after: float = Field(60.0, ge=0, description="Cap on a source's Retry-After, in seconds.")
    mapping: FieldMapping = Field(default_factory=lambda: FieldMapping({}), description="Field mapping.")
    ids: IdRule | None = Field(None, description="What a valid catalog id looks like.")

    @field_validator("schedule", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str) and (m := _DURATION.match(value)):
            return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])
        return value

    @field_validator("endpoint")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("endpoint must be an http(s) URL")
        return value

    def request_policy(self, adapter: str) -> RequestPolicy:
        """The HTTP layer's view of this config."""
        creds = self.credentials
        return RequestPolicy(
            adapter=adapter, timeout=self.timeout, max_duration=self.max_duration, retries=self.retries,
            backoff=self.backoff, max_retry_after=self.max_retry_after, rate_limit=self.rate_limit,
            concurrency=self.concurrency, headers=creds.headers() if creds else {},
        )


def _problems(prefix: str, exc: ValidationError) -> list[str]:
    return [f"{prefix}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]


class AdapterTypes(Protocol):
    """What the loader needs of the registry (``adapters.registry.Registry``): type names and config models."""

    def __contains__(self, name: object) -> bool: ...

    def names(self) -> list[str]:
        """Registered type names, sorted."""
        ...

    def config_model(self, name: str) -> type[AdapterConfig]:
        """The config model of the type called ``name``."""
        ...


def parse_adapters_toml(text: str, registry: AdapterTypes, *, origin: str = "adapters.toml") -> dict[str, AdapterConfig]:
    """Validate every adapter table of an ``adapters.toml`` text; all errors at once."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AdapterConfigError(f"{origin} is not valid TOML: {exc}") from exc
    problems: list[str] = []
    unknown = set(doc) - {"adapters", "defaults"}
    problems += [f"{key}: unknown top-level table (expected [adapters.<name>] or [defaults])" for key in sorted(unknown)]
    defaults: dict[str, Any] = doc.get("defaults", {})
    configs: dict[str, AdapterConfig] = {}
    for name, table in doc.get("adapters", {}).items():
        where = f"adapters.{name}"
        if not re.fullmatch(r"[a-z][a-z0-9_-]{1,62}", name):
            problems.append(f"{where}: adapter names are lower-case slugs")
        if not isinstance(table, dict):
            problems.append(f"{where}: must be a table")
            continue
        kind = table.get("type")
        if kind is None:
            problems.append(f"{where}.type: Field required (one of: {', '.join(registry.names())})")
            continue
        if kind not in registry:
            problems.append(f"{where}.type: unknown adapter type {kind!r} (known: {', '.join(registry.names())})")
            continue
        model = registry.config_model(kind)
        merged = {k: v for k, v in defaults.items() if k in model.model_fields} | table
        try:
            configs[name] = model.model_validate(merged)
        except ValidationError as exc:
            problems += _problems(where, exc)
    if problems:
        raise AdapterConfigError(f"{origin}: {len(problems)} problem(s)", problems=problems)
    return configs


def load_adapters_file(path: Path, registry: AdapterTypes) -> dict[str, AdapterConfig]:
    """Read and validate ``adapters.toml``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AdapterConfigError(f"cannot read {path}: {exc}") from exc
    return parse_adapters_toml(text, registry, origin=str(path))
