"""What a harvest run yields to its consumer (the indexer), and its running counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from adapters.errors import AdapterError
from schemas.harvest import Checkpoint, Deletion, HarvestMode, Rejection
from schemas.resource import Resource


@dataclass(slots=True)
class RawRecord:
    """One source record as harvested, before mapping (kept as the payload of a Rejection).

    ``data`` is what the mapping reads: flat (``{"dc:title": [...]}``, CSV columns) or nested (JSON).
    """

    data: dict[str, Any]
    source_id: str | None = None
    datestamp: datetime | None = None
    #: Where the record starts in the payload (CSV line), for reports.
    line: int | None = None


#: What ``Adapter.harvest()`` yields: raw records, deletions the source reports, resume points, and
#: rejections of payload parts that are no record at all (a broken CSV row, with its line).
HarvestItem = RawRecord | Deletion | Checkpoint | Rejection

#: Notices kept per run (the counts in ``warnings`` are complete; the samples are bounded).
MAX_NOTICES = 1000


@dataclass(frozen=True, slots=True)
class ResourceMapped:
    """A record mapped to a Resource, provenance filled (source, content hash, harvested_at)."""

    resource: Resource


@dataclass(frozen=True, slots=True)
class RecordRejected:
    """A record that could not be mapped: quarantine it with its reason and payload."""

    rejection: Rejection


@dataclass(frozen=True, slots=True)
class RecordDeleted:
    """The source says a record is gone: withdraw it."""

    deletion: Deletion


@dataclass(frozen=True, slots=True)
class CheckpointAdvanced:
    """Everything before this event was yielded: a crashed run can resume from ``checkpoint``.

    Mid-run checkpoints carry in-flight state (OAI-PMH resumption token, next page); the last one of a
    completed run is where the next incremental harvest starts (``datestamp``, ``etag``).
    """

    checkpoint: Checkpoint


@dataclass(slots=True)
class HarvestStats:
    """Running counters of one run; read them on ``HarvestRun.stats`` or ``Adapter.stats`` any time."""

    mode: HarvestMode = HarvestMode.FULL
    seen: int = 0
    mapped: int = 0
    rejected: int = 0
    deleted: int = 0
    duplicates: int = 0
    errors: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    #: Per-record problems tolerated (the record was kept): ``{kind, record, line, detail}``.
    notices: list[dict[str, Any]] = field(default_factory=list)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view (harvest-run records, the CLI report)."""
        return {
            "mode": str(self.mode), "seen": self.seen, "mapped": self.mapped, "rejected": self.rejected,
            "deleted": self.deleted, "duplicates": self.duplicates, "errors": self.errors,
            "reasons": dict(self.reasons), "warnings": dict(self.warnings), "notices": list(self.notices),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


@dataclass(frozen=True, slots=True)
class HarvestFinished:
    """Always the last event. ``error`` is the typed failure that ended the run early, if any."""

    source: str
    stats: HarvestStats
    checkpoint: Checkpoint | None
    error: AdapterError | None = None
    truncated: bool = False

    @property
    def ok(self) -> bool:
        """Whether the run completed (a sampled run stopped by ``limit`` is ok but ``truncated``)."""
        return self.error is None


HarvestEvent = ResourceMapped | RecordRejected | RecordDeleted | CheckpointAdvanced | HarvestFinished
