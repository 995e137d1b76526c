"""The adapter contract: subclass, set ``name`` and ``config_model``, write ``harvest()``.

``harvest(checkpoint)`` yields raw records, ``Deletion``s the source reports and ``Checkpoint``s
(resume points), streaming however large the source. ``map(raw)`` turns one raw record into a
``Resource`` or a ``Rejection`` (the declarative field mapping by default). ``run(mode, checkpoint)``
is the final template method the indexer consumes: it maps, fills provenance, rejects duplicates,
counts, and turns every failure into a typed ``HarvestFinished.error``: nothing escapes it.

Duplicates: the second copy of an id within one run is rejected as ``duplicate`` (the first copy
wins); the detail says whether the copy was identical or conflicting. Detecting them keeps two
64-bit hashes per mapped record (16 bytes, ``adapters.seen``), the only per-record state of a run.
"""

from __future__ import annotations

import logging
import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar, final

from pydantic import ValidationError

from adapters.config import AdapterConfig
from adapters.errors import AdapterCrashedError, AdapterError, MappingError
from adapters.events import (
    MAX_NOTICES,
    CheckpointAdvanced,
    HarvestEvent,
    HarvestFinished,
    HarvestItem,
    HarvestStats,
    RawRecord,
    RecordDeleted,
    RecordRejected,
    ResourceMapped,
)
from adapters.http import HttpClient
from adapters.mapping import FieldMapping, resource_from_fields
from adapters.seen import SeenIds
from adapters.transforms import MappingContext
from schemas.harvest import Checkpoint, Deletion, HarvestMode, Rejection, RejectionReason
from schemas.resource import Resource

log = logging.getLogger(__name__)
C = TypeVar("C", bound=AdapterConfig)


class Adapter(ABC, Generic[C]):
    """Base of every adapter. One instance harvests one configured source, one run at a time."""

    #: Registry key: a slug, e.g. ``oaipmh`` (toolkit) or ``riken-brc`` (institution adapter).
    name: ClassVar[str]
    #: Pydantic model (``extra="forbid"``) validating this adapter's table in adapters.toml.
    config_model: ClassVar[type[AdapterConfig]] = AdapterConfig
    #: Whether ``harvest()`` honours a checkpoint's datestamp/ETag (else incremental = full).
    supports_incremental: ClassVar[bool] = False
    #: Mapping rules built into a Python adapter; the config's ``mapping`` overrides them per target.
    default_mapping: ClassVar[dict[str, Any]] = {}

    def __init__(self, config: C, *, http: HttpClient, source: str | None = None) -> None:
        self.config = config
        self.http = http
        self.source = source or self.name
        self.policy = config.request_policy(self.source)
        self.mapping = FieldMapping.model_validate({**self.default_mapping, **config.mapping.root})
        self.stats = HarvestStats()
        self._unmapped_notices: dict[str, list[dict[str, Any]]] = {}

    @property
    def institution(self) -> str:
        """The holding institution's slug."""
        return self.config.institution

    @abstractmethod
    def harvest(self, checkpoint: Checkpoint | None) -> AsyncGenerator[HarvestItem, None]:
        """Yield raw records, deletions and checkpoints. ``checkpoint`` None means a full harvest.

        A checkpoint with ``resumption_token``/``extra`` resumes a crashed run; one with
        ``datestamp``/``etag`` asks for changes since then (where ``supports_incremental``).
        """

    def map(self, raw: RawRecord) -> Resource | Rejection:
        """Map one raw record (declarative mapping); raise ``MappingError`` or return a Rejection."""
        ctx = MappingContext()
        fields = self.mapping.build(raw.data, ctx)
        self.stats.warnings.update(ctx.warnings)
        return resource_from_fields(fields, institution=self.institution, source=self.source, ids=self.config.ids)

    async def probe(self) -> dict[str, str]:
        """Facts about the live endpoint for ``biocross adapters check`` (e.g. OAI-PMH Identify)."""
        return {}

    def deletion(self, catalog_id: str, deleted_at: datetime | None = None) -> Deletion:
        """A Deletion of ``catalog_id`` attributed to this adapter."""
        return Deletion(source=self.source, institution=self.institution, catalog_id=catalog_id, deleted_at=deleted_at)

    def warn(self, kind: str, count: int = 1) -> None:
        """Count a tolerated problem of the current run (shown in reports)."""
        self.stats.warnings[kind] += count

    def notice(self, kind: str, detail: str, *, record: str | None = None, line: int | None = None) -> None:
        """Report a tolerated problem of one record (kept, but damaged): counted, and listed in the run."""
        self.warn(kind)
        if len(self.stats.notices) < MAX_NOTICES:
            entry: dict[str, Any] = {"kind": kind, "record": record, "line": line, "detail": detail}
            self.stats.notices.append(entry)
            if record is not None:  # run() adds the resource id once the record is mapped
                self._unmapped_notices.setdefault(record, []).append(entry)

    def quarantine(self, reason: RejectionReason, detail: str, payload: dict[str, Any], *,
                   record: str | None = None) -> Rejection:
        """A Rejection of a payload part that is not a record (``harvest()`` yields it)."""
        return Rejection(source=self.source, reason=reason, detail=detail, source_record_id=record, payload=payload,
                         rejected_at=datetime.now(UTC))

    @final
    def run(
        self, mode: HarvestMode = HarvestMode.FULL, checkpoint: Checkpoint | None = None, *,
        limit: int | None = None, run_id: str | None = None,
    ) -> HarvestRun:
        """Harvest and map: an async iterator of typed events ending with ``HarvestFinished``."""
        return HarvestRun(self, mode, checkpoint, limit=limit, run_id=run_id)


def _effective_checkpoint(mode: HarvestMode, checkpoint: Checkpoint | None, incremental: bool) -> Checkpoint | None:
    if checkpoint is None:
        return None
    in_flight = bool(checkpoint.resumption_token or checkpoint.extra)
    if mode is HarvestMode.INCREMENTAL and incremental:
        return checkpoint
    if in_flight:  # resume a crashed full run; its own change markers do not apply, its progress does
        parts = {name: part for name, part in checkpoint.parts.items() if part.resumption_token or part.extra}
        return checkpoint.model_copy(update={"datestamp": None, "etag": None, "last_modified": None, "parts": parts})
    return None


class HarvestRun:
    """One run of one adapter: iterate it for events; ``stats``/``checkpoint``/``error`` live."""

    def __init__(
        self, adapter: Adapter[Any], mode: HarvestMode, checkpoint: Checkpoint | None, *,
        limit: int | None = None, run_id: str | None = None,
    ) -> None:
        self.adapter = adapter
        self.mode = mode
        self.start = checkpoint
        self.limit = limit
        self.run_id = run_id or f"{adapter.source}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        self.stats = adapter.stats = HarvestStats(mode=mode)
        self.checkpoint: Checkpoint | None = checkpoint
        self.error: AdapterError | None = None
        self._hashes = SeenIds()

    def __aiter__(self) -> AsyncIterator[HarvestEvent]:
        return self._events()

    def _reject(self, raw: RawRecord, reason: RejectionReason, detail: str) -> RecordRejected:
        self.stats.rejected += 1
        self.stats.reasons[str(reason)] += 1
        return RecordRejected(Rejection(
            source=self.adapter.source, reason=reason, detail=detail, source_record_id=raw.source_id,
            payload=raw.data, harvest_run=self.run_id, rejected_at=datetime.now(UTC),
        ))

    def _map(self, raw: RawRecord) -> ResourceMapped | RecordRejected:
        try:
            result = self.adapter.map(raw)
        except MappingError as exc:
            field = f"{exc.field}: " if exc.field else ""
            return self._reject(raw, exc.reason, f"{field}{exc.message}")
        except ValidationError as exc:
            where = ".".join(str(p) for p in exc.errors()[0]["loc"])
            return self._reject(raw, RejectionReason.INVALID_FIELD, f"{where}: {exc.errors()[0]['msg']}")
        except Exception as exc:  # noqa: BLE001 - a bug on one record must not end the run; counted, logged once
            self.stats.errors += 1
            log.warning("[%s] map() crashed on %s: %r", self.adapter.source, raw.source_id, exc)
            return self._reject(raw, RejectionReason.MALFORMED, f"map() raised {type(exc).__name__}: {exc}")
        if isinstance(result, Rejection):
            self.stats.rejected += 1
            self.stats.reasons[str(result.reason)] += 1
            return RecordRejected(result.model_copy(update={"harvest_run": self.run_id}))
        content = result.content_hash()
        key, digest = hash(result.id), hash(content)
        first = self._hashes.get(key)
        if first is not None:
            self.stats.duplicates += 1
            same = "identical copy" if first == digest else "conflicting copy, first copy kept"
            return self._reject(raw, RejectionReason.DUPLICATE, f"catalog_id: {result.id} seen twice ({same})")
        self._hashes.add(key, digest)
        for entry in self.adapter._unmapped_notices.pop(raw.source_id or "", []):
            entry["id"] = result.id
        result.provenance = result.provenance.model_copy(update={
            "source_record_id": result.provenance.source_record_id or raw.source_id,
            "harvest_run": self.run_id, "harvested_at": datetime.now(UTC),
            "source_datestamp": result.provenance.source_datestamp or raw.datestamp, "content_hash": content,
        })
        self.stats.mapped += 1
        return ResourceMapped(result)

    async def _events(self) -> AsyncIterator[HarvestEvent]:
        adapter, stats = self.adapter, self.stats
        start = _effective_checkpoint(self.mode, self.start, adapter.supports_incremental)
        truncated = False
        stream = adapter.harvest(start)
        try:
            async for item in stream:
                if isinstance(item, Checkpoint):
                    self.checkpoint = item
                    yield CheckpointAdvanced(item)
                elif isinstance(item, Deletion):
                    stats.deleted += 1
                    yield RecordDeleted(item)
                elif isinstance(item, Rejection):
                    stats.seen += 1
                    stats.rejected += 1
                    stats.reasons[str(item.reason)] += 1
                    yield RecordRejected(item.model_copy(update={"harvest_run": self.run_id}))
                else:
                    stats.seen += 1
                    yield self._map(item)
                    if self.limit is not None and stats.seen >= self.limit:
                        truncated = True
                        break
        except AdapterError as exc:
            self.error = exc.attributed(adapter.source)
            stats.errors += 1
            log.error("harvest of %s failed: %s", adapter.source, self.error)
        except Exception as exc:
            self.error = AdapterCrashedError(f"adapter crashed: {type(exc).__name__}: {exc}", adapter=adapter.source)
            self.error.__cause__ = exc
            stats.errors += 1
            log.exception("adapter %s crashed", adapter.source)
        finally:
            await stream.aclose()
        stats.finished_at = datetime.now(UTC)
        yield HarvestFinished(adapter.source, stats, self.checkpoint, self.error, truncated)
