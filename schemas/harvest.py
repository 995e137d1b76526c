"""Records of harvesting: rejections (quarantine), deletions, checkpoints, runs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Required, TypedDict

from pydantic import BaseModel, ConfigDict, Field


class RejectionReason(StrEnum):
    """Why a source record could not become a Resource. Stable values: portals group by them."""

    MISSING_ID = "missing_id"
    INVALID_ID = "invalid_id"
    MISSING_NAME = "missing_name"
    INVALID_FIELD = "invalid_field"
    UNKNOWN_TYPE = "unknown_type"
    DUPLICATE = "duplicate"
    MALFORMED = "malformed"


class Rejection(BaseModel):
    """A source record that was not mapped, kept with its payload and reason (quarantine)."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="Adapter name.")
    reason: RejectionReason = Field(description="Reason category.")
    detail: str = Field(description="Human-readable explanation, naming the field.")
    source_record_id: str | None = Field(None, description="The record's id in the source, if any.")
    payload: dict[str, Any] = Field(default_factory=dict, description="The raw record as harvested.")
    harvest_run: str | None = Field(None, description="Harvest run id.")
    rejected_at: datetime | None = Field(None, description="When it was rejected.")


class Deletion(BaseModel):
    """A source's statement that a record no longer exists (e.g. an OAI-PMH deleted header)."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="Adapter name.")
    institution: str = Field(description="Holding institution slug.")
    catalog_id: str = Field(description="Catalog id of the deleted record.")
    deleted_at: datetime | None = Field(None, description="When the source deleted it.")


class Checkpoint(BaseModel):
    """Where an incremental harvest resumes: protocol-specific, opaque to the indexer."""

    model_config = ConfigDict(extra="forbid")

    datestamp: datetime | None = Field(None, description="OAI-PMH `from` / updated-since.")
    etag: str | None = Field(None, description="HTTP ETag of the last full export.")
    last_modified: str | None = Field(None, description="HTTP Last-Modified of the last full export.")
    resumption_token: str | None = Field(None, description="In-flight resumption token (crash resume).")
    extra: dict[str, str] = Field(default_factory=dict, description="Anything else the adapter needs.")
    parts: dict[str, Checkpoint] = Field(
        default_factory=dict, description="One checkpoint per part of a source harvested part by part (e.g. one "
        "per export file); a part with `extra` belongs to the run in flight, one without is a change marker.",
    )


class HarvestMode(StrEnum):
    """Full harvests rebuild a generation; incremental ones update the live one."""

    FULL = "full"
    INCREMENTAL = "incremental"


class RunRecord(TypedDict, total=False):
    """What one harvest run of one source did, as the writer records it and the CLI, the scheduler and
    the health pages read it (stored in ``{prefix}-harvest-runs``). The first keys are always there."""

    run_id: Required[str | None]
    source: Required[str]
    outcome: Required[str]  # running, published, updated, held, failed, superseded, retired, renamed
    mode: Required[str | None]
    started_at: Required[str]
    finished_at: Required[str | None]
    seen: Required[int]
    indexed: Required[int]
    unchanged: Required[int]
    rejected: Required[int]
    withdrawn: Required[int]
    deleted: Required[int]
    errors: Required[str | None]
    institution: str
    index: str | None
    live_before: int | None
    live_after: int | None
    reasons: dict[str, int]
    stats: dict[str, Any]
    withdrawn_ids: list[str]
    withdrawals: list[dict[str, Any]]
    error_kind: str | None
    protected: list[dict[str, Any]]
    notices: list[dict[str, Any]]
    live_index: str | None
    heartbeat_at: str
    expires_at: str | None
