"""The harvest writer: one source's records into Elasticsearch, safely.

A *full* run writes a new generation index and publishes it with an atomic alias swap only when it
completed and passed the safety valve; records missing from it are carried over as withdrawn (kept
for history). An *incremental* run updates the live generation in place, skipping unchanged records
(content hash). Bulk writes are bounded (one chunk buffered, one in flight: back-pressure on the
harvest), 429s are retried by the bulk helper, and every checkpoint is written only after the records
before it are, so a killed run resumes without loss and the published catalog never changes under it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk

from indexer.documents import resource_to_doc, withdraw_doc
from indexer.names import resources_index_pattern
from indexer.publish import add_mapping_fields, create_generation, live_generation, publish_generation
from indexer.store import HarvestStore, ensure_system_indices
from schemas.harvest import Checkpoint, Deletion, HarvestMode, Rejection
from schemas.resource import Resource, resource_id

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


class SafetyValveError(Exception):
    """A full harvest would withdraw too much of a source; it was kept unpublished for review."""


class HarvestWriter:
    """Write one run of one source. Use ``await begin()``, the ``add``/``reject``/``delete``/
    ``checkpoint`` methods, then ``await finish(...)``."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, source: str, institution: str, mode: HarvestMode,
                 run_id: str, *, chunk_size: int = 1000, safety_valve: float = 0.3) -> None:
        self.es, self.prefix, self.source, self.institution = es, prefix, source, institution
        self.mode, self.run_id = mode, run_id
        self.chunk_size, self.safety_valve = chunk_size, safety_valve
        self.store = HarvestStore(es, prefix)
        self.counts = WriterCounts()
        self.index: str = ""
        #: The source's published generation when this run began (where unchanged records keep their datestamp).
        self.live: str | None = None
        self.resume_from: Checkpoint | None = None
        self.previous_checkpoint: Checkpoint | None = None
        self._resources: list[Resource] = []
        self._actions: list[dict[str, Any]] = []
        self._deleted: list[str] = []
        self._inflight: asyncio.Task[None] | None = None
        self.started_at = datetime.now(UTC)

    async def begin(self) -> None:
        """Pick the target index (new generation, resumed generation, or the live one)."""
        await ensure_system_indices(self.es, self.prefix)
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
        await self.store.save_run(self.run_doc("running"))

    # -- records --------------------------------------------------------------------------
    async def add(self, resource: Resource) -> None:
        """Queue a mapped resource; blocks while the previous chunk is still being written."""
        self._resources.append(resource)
        if len(self._resources) + len(self._actions) >= self.chunk_size:
            await self.flush()

    async def reject(self, rejection: Rejection) -> None:
        """Quarantine a rejected record with its payload and reason."""
        self.counts.rejected += 1
        doc = rejection.model_dump(mode="json")
        doc["harvest_run"] = self.run_id
        self._actions.append({"_index": self.store.quarantine, "_source": doc})
        if len(self._resources) + len(self._actions) >= self.chunk_size:
            await self.flush()

    async def delete(self, deletion: Deletion) -> None:
        """Withdraw a record the source reports deleted (full runs withdraw by absence at the end)."""
        if self.mode is HarvestMode.FULL:
            return
        self._deleted.append(resource_id(deletion.institution, deletion.catalog_id))

    async def checkpoint(self, checkpoint: Checkpoint) -> None:
        """Persist a resume point after everything before it is written."""
        await self.flush(wait=True)
        await self.store.save_in_flight(self.source, {"run_id": self.run_id, "index": self.index, "mode": str(self.mode),
                                                      "checkpoint": checkpoint.model_dump(mode="json")})

    async def flush(self, *, wait: bool = False) -> None:
        """Start writing the buffered chunk (waiting for the previous one first)."""
        if self._inflight is not None:
            await self._inflight
            self._inflight = None
        resources, actions, deleted = self._resources, self._actions, self._deleted
        self._resources, self._actions, self._deleted = [], [], []
        if resources or actions or deleted:
            self._inflight = asyncio.create_task(self._write(resources, actions, deleted))
        if wait and self._inflight is not None:
            await self._inflight
            self._inflight = None

    async def _write(self, resources: list[Resource], actions: list[dict[str, Any]], deleted: list[str]) -> None:
        if resources and self.mode is HarvestMode.INCREMENTAL:
            resources = await self._changed_only(resources)
        if deleted:
            # Read-modify-write (no scripts on a core-only cluster): the whole document changes, its
            # autocomplete context included.
            found = await self.es.mget(index=self.index, ids=list(dict.fromkeys(deleted)))
            now = datetime.now(UTC).isoformat()
            withdrawals = [{"_index": self.index, "_id": d["_id"], "_source": withdraw_doc(d["_source"], now)}
                           for d in found["docs"] if d.get("found") and not d["_source"].get("withdrawn")]
            self.counts.withdrawn += len(withdrawals)
            actions = actions + withdrawals
        since = await self._unchanged_since(resources) if resources and self.mode is HarvestMode.FULL else {}
        batch = [{"_index": self.index, "_id": r.id,
                  "_source": resource_to_doc(r, harvest_run=self.run_id, changed_at=since.get(r.id))}
                 for r in resources] + actions
        if not batch:
            return
        _ok, failed = await async_bulk(self.es, batch, max_retries=5, initial_backoff=1, max_backoff=30,
                                       raise_on_error=False, raise_on_exception=True)
        errors: list[dict[str, Any]] = failed if isinstance(failed, list) else []
        self.counts.indexed += len(resources)
        self.counts.indexed -= sum(1 for e in errors if "index" in e)
        if errors:
            self.counts.bulk_errors += len(errors)
            self.counts.errors.append(f"{len(errors)} bulk item errors, first: {_error_reason(errors[0])}")

    async def _unchanged_since(self, resources: list[Resource]) -> dict[str, str]:
        """For a full run: when each record unchanged since the published generation last changed
        (so a re-harvest does not make every OAI-PMH datestamp new)."""
        if self.live is None or self.live == self.index:
            return {}
        resp = await self.es.mget(index=self.live, ids=[r.id for r in resources],
                                  source=["content_hash", "withdrawn", "changed_at", "harvested_at"])
        hashes = {r.id: r.provenance.content_hash or r.content_hash() for r in resources}
        since: dict[str, str] = {}
        for doc in resp["docs"]:
            old = doc.get("_source") if doc.get("found") else None
            if old and not old.get("withdrawn") and old.get("content_hash") == hashes.get(doc["_id"]):
                when = old.get("changed_at") or old.get("harvested_at")
                if when:
                    since[doc["_id"]] = when
        return since

    async def _changed_only(self, resources: list[Resource]) -> list[Resource]:
        resp = await self.es.mget(index=self.index, ids=[r.id for r in resources], source=["content_hash", "withdrawn"])
        current = {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")}
        changed = []
        for r in resources:
            old = current.get(r.id)
            if old and not old.get("withdrawn") and old.get("content_hash") == r.provenance.content_hash:
                self.counts.unchanged += 1
            else:
                changed.append(r)
        return changed

    # -- finishing ------------------------------------------------------------------------
    async def finish(self, *, ok: bool, checkpoint: Checkpoint | None, stats: dict[str, Any],
                     error: str | None = None) -> dict[str, Any]:
        """Drain writes, then publish (full) or refresh (incremental); record the run. Returns the run."""
        await self.flush(wait=True)
        await self.es.indices.refresh(index=self.store.quarantine)
        live_before = live_after = None
        outcome = "failed"
        if error:
            self.counts.errors.append(error)
        if ok and self.mode is HarvestMode.FULL:
            old = await live_generation(self.es, self.prefix, self.source)
            await self.es.indices.refresh(index=self.index)
            if old and old != self.index:
                await self._carry_over_withdrawn(old)
                await self.es.indices.refresh(index=self.index)
                live_before = await self._live_count(old)
            live_after = await self._live_count(self.index)
            if live_before and (live_before - live_after) / live_before > self.safety_valve:
                outcome = "held"
                self.counts.errors.append(
                    f"safety valve: {live_before - live_after} of {live_before} live records would be withdrawn "
                    f"(> {self.safety_valve:.0%}); not published. Review, then `biocross harvest --accept {self.run_id}`")
            else:
                await publish_generation(self.es, self.prefix, self.source, self.index)
                await self._cleanup_generations(keep={self.index, old} if old else {self.index})
                outcome = "published"
        elif ok:
            await self.es.indices.refresh(index=self.index)
            live_after = await self._live_count(self.index)
            outcome = "updated"
        if ok:
            await self.store.save_checkpoint(self.source, checkpoint if outcome != "held" else self.previous_checkpoint)
        run = self.run_doc(outcome, stats=stats, live_before=live_before, live_after=live_after)
        await self.store.save_run(run)
        return run

    async def _live_count(self, index: str) -> int:
        resp = await self.es.count(index=index, query={"term": {"withdrawn": False}})
        return int(resp["count"])

    async def _carry_over_withdrawn(self, old: str) -> None:
        """Copy records of the old generation that the new one lacks, marked withdrawn (history)."""
        after: list[Any] | None = None
        now = datetime.now(UTC).isoformat()
        while True:
            body: dict[str, Any] = {"size": 1000, "sort": [{"id": "asc"}], "query": {"match_all": {}}}
            if after:
                body["search_after"] = after
            page = (await self.es.search(index=old, **body))["hits"]["hits"]
            if not page:
                return
            after = page[-1]["sort"]
            present = await self.es.mget(index=self.index, ids=[h["_id"] for h in page], source=False)
            found = {d["_id"] for d in present["docs"] if d.get("found")}
            missing = [h for h in page if h["_id"] not in found]
            actions = []
            for hit in missing:
                doc = hit["_source"]
                if not doc.get("withdrawn"):
                    self.counts.withdrawn += 1
                    doc = withdraw_doc(doc, now)
                actions.append({"_index": self.index, "_id": hit["_id"], "_source": doc})
            if actions:
                await async_bulk(self.es, actions, max_retries=5)

    async def _cleanup_generations(self, keep: set[str]) -> None:
        """Drop older generations of this source (the previous one stays for a grace period)."""
        resp = await self.es.options(ignore_status=404).indices.get(index=resources_index_pattern(self.prefix, self.source),
                                                                   expand_wildcards="open")
        if resp.meta.status != 200:
            return
        stale = sorted(name for name in resp.body if name not in keep)
        held = {r["index"] for r in await self.store.recent_runs(self.source, size=50) if r.get("outcome") in ("held", "running")}
        for name in stale:
            if name not in held:
                await self.es.options(ignore_status=404).indices.delete(index=name)

    def run_doc(self, outcome: str, *, stats: dict[str, Any] | None = None, live_before: int | None = None,
                 live_after: int | None = None) -> dict[str, Any]:
        stats = stats or {}
        return {
            "run_id": self.run_id, "source": self.source, "institution": self.institution, "mode": str(self.mode),
            "outcome": outcome, "index": self.index, "started_at": self.started_at.isoformat(),
            "finished_at": None if outcome == "running" else datetime.now(UTC).isoformat(),
            "seen": stats.get("seen", 0), "indexed": self.counts.indexed, "unchanged": self.counts.unchanged,
            "rejected": self.counts.rejected, "withdrawn": self.counts.withdrawn, "deleted": stats.get("deleted", 0),
            "errors": "\n".join(self.counts.errors) or None, "live_before": live_before, "live_after": live_after,
            "reasons": stats.get("reasons", {}), "stats": stats,
        }


async def accept_run(es: AsyncElasticsearch, prefix: str, run_id: str) -> dict[str, Any]:
    """Publish a generation the safety valve held back (``biocross harvest --accept RUN_ID``)."""
    store = HarvestStore(es, prefix)
    run = await store.get_run(run_id)
    if run is None:
        raise LookupError(f"no harvest run {run_id!r}")
    if run["outcome"] != "held":
        raise ValueError(f"run {run_id} is {run['outcome']}, not held; nothing to accept")
    if not await es.indices.exists(index=run["index"]):
        raise LookupError(f"the generation of run {run_id} ({run['index']}) no longer exists")
    await publish_generation(es, prefix, run["source"], run["index"])
    run.update(outcome="published", errors=(run.get("errors") or "") + "\naccepted by an operator")
    await store.save_run(run)
    return run


def _error_reason(error: dict[str, Any]) -> str:
    item: dict[str, Any] = next(iter(error.values()), {})
    reason = item.get("error", {})
    return f"{reason.get('type', 'error')}: {str(reason.get('reason', ''))[:200]}" if isinstance(reason, dict) else str(reason)[:200]
