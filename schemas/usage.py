"""Usage events, harvest health and dashboard tables: what the portals read and show."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UsageEventKind(StrEnum):
    """What a usage event records. Requests are counted from the request documents themselves."""

    SEARCH = "search"
    VIEW = "view"


class UsageEvent(_Model):
    """One anonymous usage event (no IP address, no account, no cookie: query text only)."""

    kind: UsageEventKind = Field(description="search or view.")
    at: datetime = Field(description="When it happened (UTC).")
    channel: str = Field(description="page (HTML) or api (JSON API).")
    lang: str = Field("", description="UI language of the request (ja or en).")
    query: str = Field("", description="Search text as typed (normalised spaces); empty for browsing.")
    query_norm: str = Field("", description="Lower-cased query text, for grouping.")
    query_script: str = Field("", description="ja when the query holds Japanese characters, else latin (or empty).")
    filters: list[str] = Field(default_factory=list, description="Facet filters as name:value.")
    result_count: int | None = Field(None, description="Matching holdings (searches).")
    zero_result: bool | None = Field(None, description="Whether a search found nothing.")
    resource_id: str | None = Field(None, description="Viewed resource id (views).")
    institution: str | None = Field(None, description="Holding institution of the viewed resource.")


class WithdrawnRecord(_Model):
    """A record a harvest run withdrew (or, held, would withdraw), with the reason."""

    id: str | None = Field(None, description="Resource id.")
    catalog_id: str | None = Field(None, description="Catalog id at the institution.")
    name: str | None = Field(None, description="Resource name.")
    reason: str = Field(description="Why: absent from the full harvest, deleted at the source, source retired...")


class ProtectedWithdrawal(_Model):
    """A withdrawn record someone is using: an open usage request or recent views."""

    id: str = Field(description="Resource id.")
    open_requests: list[str] = Field(default_factory=list, description="Open usage requests naming it.")
    recent_views: int = Field(0, description="Detail views in the protection window.")
    reason: str = Field(description="The evidence, in words.")


class RunSummary(_Model):
    """One harvest run as the portals show it."""

    run_id: str = Field(description="Run id (give it to `biocross harvest --accept`).")
    source: str = Field(description="Adapter name.")
    institution: str = Field(description="Institution slug.")
    mode: str = Field(description="full or incremental.")
    outcome: str = Field(description="running, published, updated, held, superseded, failed, retired or renamed.")
    started_at: datetime = Field(description="Start time.")
    finished_at: datetime | None = Field(None, description="End time (null while running).")
    seen: int = Field(0, description="Source records read.")
    indexed: int = Field(0, description="Records written.")
    unchanged: int = Field(0, description="Records skipped as unchanged.")
    rejected: int = Field(0, description="Records quarantined.")
    withdrawn: int = Field(0, description="Records marked withdrawn.")
    deleted: int = Field(0, description="Records deleted.")
    errors: str | None = Field(None, description="Errors of the run, one per line.")
    live_before: int | None = Field(None, description="Live records before the run.")
    live_after: int | None = Field(None, description="Live records after the run.")
    error_kind: str | None = Field(None, description="What ended a failed run: unreachable, protocol, truncated...")
    withdrawals: list[WithdrawnRecord] = Field(default_factory=list, description="Every record the run withdrew "
                                               "(held: would withdraw), with its reason.")
    protected: list[ProtectedWithdrawal] = Field(default_factory=list, description="Withdrawn records in use.")


class SourceHealth(_Model):
    """Harvest health of one source: its latest run, a short history, rejections by reason."""

    source: str = Field(description="Adapter name.")
    institution: str = Field(description="Institution slug.")
    latest: RunSummary = Field(description="The newest run.")
    history: list[RunSummary] = Field(description="Recent runs, newest first (the latest included).")
    rejections: dict[str, int] = Field(description="Quarantined records of the source by reason.")
    accept_hint: str | None = Field(None, description="Command publishing the held latest run, if it is held.")

    @property
    def healthy(self) -> bool:
        """Whether the latest run published or updated the catalog."""
        return self.latest.outcome in ("published", "updated")


class QuarantinedRecord(_Model):
    """A rejected source record with its raw payload."""

    source: str = Field(description="Adapter name.")
    reason: str = Field(description="Rejection reason.")
    detail: str = Field("", description="What was wrong, naming the field.")
    source_record_id: str | None = Field(None, description="The record's id in the source.")
    harvest_run: str | None = Field(None, description="Run that rejected it.")
    rejected_at: datetime | None = Field(None, description="When it was rejected.")
    payload: dict[str, object] = Field(default_factory=dict, description="The raw record as harvested.")


class RejectionPage(_Model):
    """Quarantined records of one source (optionally one reason), newest first."""

    source: str = Field(description="Adapter name.")
    reason: str | None = Field(None, description="The reason filtered on, if any.")
    total: int = Field(description="All matching records.")
    records: list[QuarantinedRecord] = Field(description="The newest matching records.")


class Table(_Model):
    """One dashboard table: the numbers behind a chart, exportable as CSV."""

    name: str = Field(description="Slug, used in /admin/export/{name}.csv.")
    columns: list[str] = Field(description="Column headings.")
    rows: list[list[str | int | float | None]] = Field(description="Rows of cells.")


class HarvestOverview(_Model):
    """Health of every source a caller may see."""

    sources: list[SourceHealth] = Field(description="One entry per source, by name.")
