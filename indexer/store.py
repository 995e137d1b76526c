"""Harvest bookkeeping in Elasticsearch: runs, quarantine, checkpoints (no other database)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from indexer.mappings.system import SYSTEM_INDICES
from indexer.names import harvest_runs_index, harvest_state_index, quarantine_index, system_index
from schemas.harvest import Checkpoint


async def ensure_system_indices(es: AsyncElasticsearch, prefix: str) -> None:
    """Create any missing system index (idempotent; safe with concurrent callers)."""
    for name, mappings in SYSTEM_INDICES.items():
        index = system_index(prefix, name)
        if not await es.indices.exists(index=index):
            # Several writers may race to create it: the losers get 400 (already exists) and then
            # wait, like the winner, until its shard is active.
            await es.options(ignore_status=400).indices.create(
                index=index, mappings={"dynamic": "strict", **mappings},
                settings={"number_of_shards": 1, "number_of_replicas": 0})
        else:  # an index made by an older version: fields are only ever added
            await es.indices.put_mapping(index=index, properties=mappings["properties"])
        await es.cluster.health(index=index, wait_for_status="yellow", timeout="30s")


class HarvestStore:
    """Runs, quarantine and checkpoints of every source."""

    def __init__(self, es: AsyncElasticsearch, prefix: str) -> None:
        self.es = es
        self.prefix = prefix
        self.runs = harvest_runs_index(prefix)
        self.quarantine = quarantine_index(prefix)
        self.state = harvest_state_index(prefix)

    async def save_run(self, run: Mapping[str, Any], *, wait: bool = True) -> None:
        """Insert or replace a run record (``wait``: visible to searches when this returns)."""
        await self.es.index(index=self.runs, id=run["run_id"], document=run, refresh="wait_for" if wait else False)

    async def get_run(self, run_id: str) -> dict[str, Any] | None:
        """A run record by id."""
        resp = await self.es.options(ignore_status=404).get(index=self.runs, id=run_id)
        return resp.body.get("_source") if resp.meta.status == 200 else None

    async def recent_runs(self, source: str | None = None, size: int = 20) -> list[dict[str, Any]]:
        """Most recent runs, newest first."""
        query = {"term": {"source": source}} if source else {"match_all": {}}
        resp = await self.es.search(index=self.runs, query=query, size=size, sort=[{"started_at": "desc"}])
        return [h["_source"] for h in resp["hits"]["hits"]]

    async def checkpoint(self, source: str) -> tuple[Checkpoint | None, dict[str, Any] | None]:
        """The last completed checkpoint of ``source`` and its in-flight run (crash resume), if any."""
        resp = await self.es.options(ignore_status=404).get(index=self.state, id=source)
        if resp.meta.status != 200:
            return None, None
        src = resp.body["_source"]
        done = Checkpoint.model_validate(src["checkpoint"]) if src.get("checkpoint") else None
        return done, src.get("in_flight")

    async def save_in_flight(self, source: str, in_flight: dict[str, Any] | None) -> None:
        """Record (or clear) the resume point of the running harvest of ``source``."""
        await self.es.update(index=self.state, id=source, doc={"source": source, "in_flight": in_flight,
                                                                 "updated_at": datetime.now(UTC).isoformat()},
                             doc_as_upsert=True)

    async def save_checkpoint(self, source: str, checkpoint: Checkpoint | None) -> None:
        """Record where the next incremental harvest of ``source`` starts; clears the in-flight run."""
        await self.es.update(index=self.state, id=source, doc={
            "source": source, "checkpoint": checkpoint.model_dump(mode="json") if checkpoint else None,
            "in_flight": None, "updated_at": datetime.now(UTC).isoformat()}, doc_as_upsert=True, refresh="wait_for")

    async def rejections(self, source: str, reason: str | None = None, size: int = 50) -> tuple[int, list[dict[str, Any]]]:
        """Quarantined records of ``source`` (optionally one reason): total and the newest ``size``."""
        filters: list[dict[str, Any]] = [{"term": {"source": source}}]
        if reason:
            filters.append({"term": {"reason": reason}})
        resp = await self.es.search(index=self.quarantine, query={"bool": {"filter": filters}}, size=size,
                                    sort=[{"rejected_at": "desc"}], track_total_hits=True)
        return resp["hits"]["total"]["value"], [h["_source"] for h in resp["hits"]["hits"]]

    async def rejection_reasons(self, source: str, run_id: str | None = None) -> dict[str, int]:
        """Rejections of ``source`` (optionally of one run) counted by reason."""
        filters: list[dict[str, Any]] = [{"term": {"source": source}}]
        if run_id:
            filters.append({"term": {"harvest_run": run_id}})
        resp = await self.es.search(index=self.quarantine, size=0, query={"bool": {"filter": filters}},
                                    aggs={"r": {"terms": {"field": "reason", "size": 50}}})
        return {b["key"]: b["doc_count"] for b in resp["aggregations"]["r"]["buckets"]}
