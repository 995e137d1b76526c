"""The harvest writer: one source's records into Elasticsearch, safely.

A *full* run writes a new generation index and publishes it with an atomic alias swap only when it
completed and passed the safety valve; records missing from it are carried over as withdrawn (kept
for history). An *incremental* run updates the live generation in place, skipping unchanged records
(content hash). Bulk writes are bounded (one chunk buffered, one in flight: back-pressure on the
harvest; a record is analysed into its document as it arrives, so that work overlaps the chunk in
flight), 429s are retried by the bulk helper, and every checkpoint is written only after the records
before it are, so a killed run resumes without loss and the published catalog never changes under it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from indexer import writer_io as io
from indexer.documents import resource_to_doc, withdraw_doc
from indexer.protection import protected_withdrawals
from indexer.publish import add_mapping_fields, create_generation, live_generation, publish_generation
from indexer.runs import accept_run, cleanup_generations, close_stale_runs, supersede_held
from indexer.sources import SourceStateError, held_by_other_sources, is_retired
from indexer.store import HarvestStore, ensure_system_indices
from indexer.writer_io import QueuedDoc
from schemas.harvest import Checkpoint, Deletion, HarvestMode, Rejection, RunRecord
from schemas.resource import Resource, resource_id
from schemas.settings import HarvestSettings

__all__ = ["HarvestWriter", "WriterCounts", "accept_run"]

log = logging.getLogger(__name__)


@dataclass
class WriterCounts:
    """What the writer did (as opposed to what the adapter saw)."""

    indexed: int = 0
    unchanged: int = 0
    rejected: int = 0
    withdrawn: int = 0
    bulk_errors: int = 0
    errors: list[str] = field(default_factory=list)
    #: Every record this run withdrew: ``{id, catalog_id, name, reason}`` (the count alone hides which).
    withdrawals: list[dict[str, Any]] = field(default_factory=list)


class HarvestWriter:
    """Write one run of one source. Use ``await begin()``, the ``add``/``reject``/``delete``/
    ``checkpoint`` methods, then ``await finish(...)``."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, source: str, institution: str, mode: HarvestMode,
                 run_id: str, *, chunk_size: int = 1000, safety_valve: float = 0.3,
                 policy: HarvestSettings | None = None) -> None:
        self.es, self.prefix, self.source, self.institution = es, prefix, source, institution
        self.mode, self.run_id = mode, run_id
        self.chunk_size, self.safety_valve = chunk_size, safety_valve
        self.policy = policy or HarvestSettings()
        self.stale_after = timedelta(minutes=self.policy.stale_run_minutes)
        self.live_index: str | None = None
        self.protected: list[dict[str, Any]] = []
        self._heartbeat = datetime.now(UTC)
        #: Records of this run Elasticsearch refused (id → reason): their withdrawal says so.
        self._unwritten: dict[str, str] = {}
        #: What ended a failed run: ``unreachable``, ``protocol``, ``truncated``... (an ``AdapterError.kind``).
        self.error_kind: str | None = None
        self.store = HarvestStore(es, prefix)
        self.counts = WriterCounts()
        self.index: str = ""
        #: The source's published generation when this run began (where unchanged records keep their datestamp).
        self.live: str | None = None
        self.resume_from: Checkpoint | None = None
        self.previous_checkpoint: Checkpoint | None = None
        self._docs: list[QueuedDoc] = []
        self._actions: list[dict[str, Any]] = []
        self._deleted: list[str] = []
        self._inflight: asyncio.Task[None] | None = None
        self.started_at = datetime.now(UTC)

    async def begin(self) -> None:
        """Pick the target index (new generation, resumed generation, or the live one)."""
        await ensure_system_indices(self.es, self.prefix)
        if await is_retired(self.store, self.source):
            raise SourceStateError(f"{self.source} was retired or renamed: remove it from adapters.toml (or "
                                   f"`biocross sources reinstate {self.source}`)")
        done, in_flight = await self.store.checkpoint(self.source)
        self.previous_checkpoint = done
        live = self.live = await live_generation(self.es, self.prefix, self.source)
        if in_flight and in_flight.get("mode") == str(self.mode) and in_flight.get("checkpoint") \
                and await self.es.indices.exists(index=in_flight["index"]):
            # A killed run left a resume point: continue it (same run id, same index).
            self.index, self.run_id = in_flight["index"], in_flight["run_id"]
            self.resume_from = Checkpoint.model_validate(in_flight["checkpoint"])
            log.info("[%s] resuming run %s from its last checkpoint", self.source, self.run_id)
        elif self.mode is HarvestMode.INCREMENTAL and live is not None:
            self.index = live
        else:
            if self.mode is HarvestMode.INCREMENTAL:
                log.info("[%s] no live generation yet: incremental run becomes full", self.source)
                self.mode = HarvestMode.FULL
            self.index = await create_generation(self.es, self.prefix, self.source)
        if self.index == live or self.resume_from is not None:
            await add_mapping_fields(self.es, self.index)  # an index made before a field was added
        await close_stale_runs(self.store, self.source, stale_after=self.stale_after, keep={self.run_id})
        await self.store.save_run(self.run_doc("running"))

    # -- records --------------------------------------------------------------------------
    async def add(self, resource: Resource) -> None:
        """Queue a mapped resource (as its document); blocks while the previous chunk is still being written."""
        self._docs.append((resource.id, resource.provenance.content_hash,
                           resource_to_doc(resource, harvest_run=self.run_id)))
        if len(self._docs) + len(self._actions) >= self.chunk_size:
            await self.flush()

    async def reject(self, rejection: Rejection) -> None:
        """Quarantine a rejected record with its payload and reason."""
        self.counts.rejected += 1
        doc = rejection.model_dump(mode="json")
        doc["harvest_run"] = self.run_id
        self._actions.append({"_index": self.store.quarantine, "_source": doc})
        if len(self._docs) + len(self._actions) >= self.chunk_size:
            await self.flush()

    async def delete(self, deletion: Deletion) -> None:
        """Withdraw a record the source reports deleted (full runs withdraw by absence at the end)."""
        if self.mode is HarvestMode.FULL:
            return
        self._deleted.append(resource_id(deletion.institution, deletion.catalog_id))

    async def checkpoint(self, checkpoint: Checkpoint) -> None:
        """Persist a resume point after everything before it is written."""
        await self.flush(wait=True)
        await self.beat()
        await self.store.save_in_flight(self.source, {"run_id": self.run_id, "index": self.index, "mode": str(self.mode),
                                                      "checkpoint": checkpoint.model_dump(mode="json")})

    async def beat(self, every: float = 15.0) -> None:
        """Show the run is alive (at most every ``every`` seconds): a run without beats is abandoned."""
        now = datetime.now(UTC)
        if (now - self._heartbeat).total_seconds() >= every:
            self._heartbeat = now
            await self.store.save_run(self.run_doc("running"), wait=False)

    async def flush(self, *, wait: bool = False) -> None:
        """Start writing the buffered chunk (waiting for the previous one first)."""
        if self._inflight is not None:
            await self._inflight
            self._inflight = None
            await self.beat()
        docs, actions, deleted = self._docs, self._actions, self._deleted
        self._docs, self._actions, self._deleted = [], [], []
        if docs or actions or deleted:
            self._inflight = asyncio.create_task(self._write(docs, actions, deleted))
        if wait and self._inflight is not None:
            await self._inflight
            self._inflight = None

    async def _write(self, docs: list[QueuedDoc], actions: list[dict[str, Any]], deleted: list[str]) -> None:
        if docs and self.mode is HarvestMode.INCREMENTAL:
            docs, unchanged = await io.changed_only(self.es, self.index, docs)
            self.counts.unchanged += unchanged
        if deleted:
            # Read-modify-write (no scripts on a core-only cluster): the whole document changes, its
            # autocomplete context included.
            found = await self.es.mget(index=self.index, ids=list(dict.fromkeys(deleted)))
            now = datetime.now(UTC).isoformat()
            withdrawals = [{"_index": self.index, "_id": d["_id"], "_source": withdraw_doc(d["_source"], now)}
                           for d in found["docs"] if d.get("found") and not d["_source"].get("withdrawn")]
            self.counts.withdrawn += len(withdrawals)
            self.counts.withdrawals += [io.withdrawal(w["_source"], "deleted at the source") for w in withdrawals]
            actions = actions + withdrawals
        if docs and self.mode is HarvestMode.FULL and self.live is not None and self.live != self.index:
            since = await io.unchanged_since(self.es, self.live, docs)
            for rid, _, doc in docs:
                doc["changed_at"] = since.get(rid) or doc["changed_at"]
        batch = [{"_index": self.index, "_id": rid, "_source": doc} for rid, _, doc in docs] + actions
        if not batch:
            return
        errors = await io.bulk_write(self.es, batch)
        self.counts.indexed += len(docs)
        self.counts.indexed -= sum(1 for e in errors if "index" in e)
        for error in errors:
            item: dict[str, Any] = next(iter(error.values()), {})
            if "index" in error and item.get("_id"):
                self._unwritten[str(item["_id"])] = io.error_reason(error)
        if errors:
            self.counts.bulk_errors += len(errors)
            self.counts.errors.append(f"{len(errors)} bulk item errors, first: {io.error_reason(errors[0])}")

    # -- finishing ------------------------------------------------------------------------
    async def finish(self, *, ok: bool, checkpoint: Checkpoint | None, stats: dict[str, Any],
                     error: str | None = None, error_kind: str | None = None) -> RunRecord:
        """Drain writes, then publish (full) or refresh (incremental); record the run. Returns the run."""
        await self.flush(wait=True)
        await self.es.indices.refresh(index=self.store.quarantine)
        live_before = live_after = None
        outcome = "failed"
        if error:
            self.counts.errors.append(error)
            self.error_kind = error_kind
        if ok and self.mode is HarvestMode.FULL:
            old = await live_generation(self.es, self.prefix, self.source)
            await self.es.indices.refresh(index=self.index)
            self.live_index = old if old != self.index else None
            if old and old != self.index:
                await io.carry_over_withdrawn(self.es, old, self.index, self.counts, self._unwritten)
                await self.es.indices.refresh(index=self.index)
                live_before = await self._live_count(old)
            live_after = await self._live_count(self.index)
            await self._protect()
            others = {} if old else await held_by_other_sources(self.es, self.prefix, self.source, self.institution,
                                                                 self.index)
            if others:
                outcome = "held"
                names = ", ".join(f"{name} ({count})" for name, count in sorted(others.items()))
                self.counts.errors.append(
                    f"duplicate holdings: records of this first harvest of {self.source} are already published by "
                    f"{names}; not published. If {self.source} is a new name for that source, run "
                    f"`biocross sources rename {min(others)} {self.source}`; otherwise `biocross harvest --accept "
                    f"{self.run_id}` publishes both holdings")
            elif live_before and (live_before - live_after) / live_before > self.safety_valve:
                outcome = "held"
                self.counts.errors.append(
                    f"safety valve: {live_before - live_after} of {live_before} live records would be withdrawn "
                    f"(> {self.safety_valve:.0%}); not published. Review the withdrawn ids in this run, then "
                    f"`biocross harvest --accept {self.run_id}` (only while it is the newest run of {self.source}, "
                    f"within {self.policy.held_run_ttl_hours:g} h)")
            else:
                await publish_generation(self.es, self.prefix, self.source, self.index)
                outcome = "published"
        elif ok:
            await self.es.indices.refresh(index=self.index)
            live_after = await self._live_count(self.index)
            await self._protect()
            outcome = "updated"
        if ok:
            await self.store.save_checkpoint(self.source, checkpoint if outcome != "held" else self.previous_checkpoint)
        run = self.run_doc(outcome, stats=stats, live_before=live_before, live_after=live_after)
        await self.store.save_run(run)
        await self.tidy()
        return run

    async def tidy(self) -> None:
        """After a run: older held runs are superseded, and generations nothing needs are dropped.
        Never raises (Elasticsearch may be what failed the run); leftovers go at the next run."""
        try:
            await supersede_held(self.store, self.source, self.run_id)
            await cleanup_generations(self.es, self.prefix, self.source, stale_after=self.stale_after)
        except Exception as exc:  # noqa: BLE001 - tidying up must not turn a finished run into a failure
            log.warning("[%s] could not tidy up generations: %s: %s", self.source, type(exc).__name__, exc)

    async def _protect(self) -> None:
        """List withdrawals of records someone is using (open request, recent views) for the maintainer."""
        if not self.counts.withdrawals:
            return
        self.protected = await protected_withdrawals(
            self.es, self.prefix, self.institution, [w["id"] for w in self.counts.withdrawals],
            days=self.policy.protect_viewed_days)
        if self.protected:
            self.counts.errors.append(
                f"{len(self.protected)} withdrawn record(s) are in use (open usage requests or recent views): "
                + ", ".join(p["id"] for p in self.protected[:10]) + (" ..." if len(self.protected) > 10 else ""))

    async def _live_count(self, index: str) -> int:
        resp = await self.es.count(index=index, query={"term": {"withdrawn": False}})
        return int(resp["count"])

    def run_doc(self, outcome: str, *, stats: dict[str, Any] | None = None, live_before: int | None = None,
                 live_after: int | None = None) -> RunRecord:
        stats = stats or {}
        return {
            "run_id": self.run_id, "source": self.source, "institution": self.institution, "mode": str(self.mode),
            "outcome": outcome, "index": self.index, "started_at": self.started_at.isoformat(),
            "finished_at": None if outcome == "running" else datetime.now(UTC).isoformat(),
            "seen": stats.get("seen", 0), "indexed": self.counts.indexed, "unchanged": self.counts.unchanged,
            "rejected": self.counts.rejected, "withdrawn": self.counts.withdrawn, "deleted": stats.get("deleted", 0),
            "errors": "\n".join(self.counts.errors) or None, "live_before": live_before, "live_after": live_after,
            "reasons": stats.get("reasons", {}), "stats": stats,
            "withdrawn_ids": [w["id"] for w in self.counts.withdrawals], "withdrawals": self.counts.withdrawals,
            "error_kind": self.error_kind, "protected": self.protected, "notices": stats.get("notices", []), "live_index": self.live_index,
            "heartbeat_at": datetime.now(UTC).isoformat(),
            "expires_at": (datetime.now(UTC) + timedelta(hours=self.policy.held_run_ttl_hours)).isoformat()
            if outcome == "held" else None,
        }

