"""Sources leaving or changing name: retire one (its records withdrawn, history kept) or rename one
(its generation moves to the new name, one holding per record).

Renaming an adapter in adapters.toml alone would make its next harvest a *new* source: a first
generation with the same record ids as the old source's live one, so every entity would show each
holding twice. ``rename_source`` moves the old source's records to the new name instead (or, if the
new name already published, keeps the new name's records and adds the old-only ones as withdrawn,
listed in the run), and drops the old name's generations from the read alias in the same atomic
alias update. The writer also holds a first generation whose ids another source of the same
institution already publishes, pointing at this migration.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk

from indexer.documents import withdraw_doc
from indexer.errors import IndexerError
from indexer.names import resources_alias, resources_index_pattern, source_alias
from indexer.protection import protected_withdrawals
from indexer.publish import create_generation, live_generation
from indexer.store import HarvestStore, ensure_system_indices


class SourceStateError(IndexerError, ValueError):
    """A source cannot be retired or renamed as asked (unknown, retired, or the new name is taken)."""


async def _docs(es: AsyncElasticsearch, index: str, query: dict[str, Any] | None = None, *,
                source: bool = True) -> AsyncIterator[list[dict[str, Any]]]:
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"size": 1000, "sort": [{"id": "asc"}], "query": query or {"match_all": {}}}
        if not source:
            body["source"] = False
        if after:
            body["search_after"] = after
        page = (await es.search(index=index, **body))["hits"]["hits"]
        if not page:
            return
        after = page[-1]["sort"]
        yield page


def _run(source: str, institution: str, outcome: str, index: str | None, withdrawals: list[dict[str, Any]],
         **extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {"run_id": f"{source}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}", "source": source,
            "institution": institution, "mode": outcome, "outcome": outcome, "index": index, "started_at": now,
            "finished_at": now, "seen": 0, "indexed": 0, "unchanged": 0, "rejected": 0,
            "withdrawn": len(withdrawals), "deleted": 0, "errors": None, "withdrawn_ids": [w["id"] for w in withdrawals],
            "withdrawals": withdrawals, "heartbeat_at": now, **extra}


def _withdrawal(doc: dict[str, Any], reason: str) -> dict[str, Any]:
    return {"id": doc.get("id"), "catalog_id": doc.get("catalog_id"),
            "name": (doc.get("resource") or {}).get("name"), "reason": reason}


async def _institution(es: AsyncElasticsearch, index: str) -> str:
    hits = (await es.search(index=index, size=1, source_includes=["institution"]))["hits"]["hits"]
    return str(hits[0]["_source"]["institution"]) if hits else ""


async def retire_source(es: AsyncElasticsearch, prefix: str, source: str, *, protect_days: int = 30) -> dict[str, Any]:
    """Withdraw every live record of ``source`` (kept, marked withdrawn) and stop its harvests."""
    await ensure_system_indices(es, prefix)
    store = HarvestStore(es, prefix)
    live = await live_generation(es, prefix, source)
    if live is None:
        raise SourceStateError(f"{source} has no published catalog to retire")
    institution = await _institution(es, live)
    now = datetime.now(UTC).isoformat()
    withdrawals: list[dict[str, Any]] = []
    async for page in _docs(es, live, {"term": {"withdrawn": False}}):
        actions = []
        for hit in page:
            doc = withdraw_doc(hit["_source"], now)
            withdrawals.append(_withdrawal(doc, f"source {source} retired"))
            actions.append({"_index": live, "_id": hit["_id"], "_source": doc})
        await async_bulk(es, actions, max_retries=5)
    await es.indices.refresh(index=live)
    protected = await protected_withdrawals(es, prefix, institution, [w["id"] for w in withdrawals], days=protect_days)
    run = _run(source, institution, "retired", live, withdrawals, protected=protected, live_index=live,
               live_before=len(withdrawals), live_after=0)
    await store.save_run(run)
    await es.update(index=store.state, id=source, doc={"source": source, "in_flight": None, "retired_at": now,
                                                       "updated_at": now}, doc_as_upsert=True, refresh="wait_for")
    return run


async def is_retired(store: HarvestStore, source: str) -> bool:
    """Whether ``source`` was retired (its harvests are refused until it is renamed or re-enabled)."""
    resp = await store.es.options(ignore_status=404).get(index=store.state, id=source)
    return resp.meta.status == 200 and bool(resp.body["_source"].get("retired_at"))


def _renamed(doc: dict[str, Any], new: str) -> dict[str, Any]:
    doc["source"] = new
    provenance = (doc.get("resource") or {}).get("provenance")
    if isinstance(provenance, dict):
        provenance["source"] = new
    return doc


async def rename_source(es: AsyncElasticsearch, prefix: str, old: str, new: str) -> dict[str, Any]:
    """Move ``old``'s published records to the name ``new``: afterwards one holding per record."""
    await ensure_system_indices(es, prefix)
    if old == new:
        raise SourceStateError("the new name is the old one")
    store = HarvestStore(es, prefix)
    old_live = await live_generation(es, prefix, old)
    if old_live is None:
        raise SourceStateError(f"{old} has no published catalog to rename")
    institution = await _institution(es, old_live)
    new_live = await live_generation(es, prefix, new)
    target = new_live or await create_generation(es, prefix, new, bulk_mode=False)
    now = datetime.now(UTC).isoformat()
    moved = 0
    withdrawals: list[dict[str, Any]] = []
    async for page in _docs(es, old_live):
        present: set[str] = set()
        if new_live is not None:
            found = await es.mget(index=target, ids=[h["_id"] for h in page], source=False)
            present = {d["_id"] for d in found["docs"] if d.get("found")}
        actions = []
        for hit in page:
            if hit["_id"] in present:
                continue  # the new name already holds it: that copy wins, the old one goes
            doc = _renamed(hit["_source"], new)
            if new_live is not None and not doc.get("withdrawn"):
                doc = withdraw_doc(doc, now)
                withdrawals.append(_withdrawal(doc, f"held under {old} only; the harvest of {new} lacks it"))
            actions.append({"_index": target, "_id": hit["_id"], "_source": doc})
        moved += len(actions)
        if actions:
            await async_bulk(es, actions, max_retries=5)
    await es.indices.refresh(index=target)
    read = resources_alias(prefix)
    swap: list[dict[str, Any]] = [{"remove": {"index": old_live, "alias": read}},
                                  {"remove": {"index": old_live, "alias": source_alias(prefix, old)}}]
    if new_live is None:
        swap += [{"add": {"index": target, "alias": read}},
                 {"add": {"index": target, "alias": source_alias(prefix, new), "is_write_index": True}}]
    await es.indices.update_aliases(actions=swap)
    dropped = await es.options(ignore_status=404).indices.get(index=resources_index_pattern(prefix, old))
    for name in dropped.body if dropped.meta.status == 200 else {}:
        await es.options(ignore_status=404).indices.delete(index=name)
    old_checkpoint, _ = await store.checkpoint(old)
    new_checkpoint, _ = await store.checkpoint(new)
    if new_live is None and old_checkpoint is not None and new_checkpoint is None:
        await store.save_checkpoint(new, old_checkpoint)
    await es.update(index=store.state, id=old, doc={"source": old, "in_flight": None, "renamed_to": new,
                                                    "retired_at": now, "updated_at": now},
                    doc_as_upsert=True, refresh="wait_for")
    await store.save_run(_run(old, institution, "renamed", old_live, [], renamed_to=new,
                              errors=f"renamed to {new}: {moved} record(s) moved"))
    run = _run(new, institution, "renamed", target, withdrawals, renamed_from=old, live_index=new_live,
               indexed=moved, errors=f"renamed from {old}: {moved} record(s) moved")
    await store.save_run(run)
    return run


async def reinstate_source(es: AsyncElasticsearch, prefix: str, source: str) -> None:
    """Allow harvests of a retired source again (its next full harvest republishes what it still holds)."""
    store = HarvestStore(es, prefix)
    if not await is_retired(store, source):
        raise SourceStateError(f"{source} is not retired")
    await es.update(index=store.state, id=source, doc={"retired_at": None, "renamed_to": None,
                                                       "updated_at": datetime.now(UTC).isoformat()}, refresh="wait_for")


async def held_by_other_sources(es: AsyncElasticsearch, prefix: str, source: str, institution: str,
                                index: str) -> dict[str, int]:
    """Sources of the same institution already publishing (live) ids that ``index`` holds: name → count."""
    counts: dict[str, int] = {}
    async for page in _docs(es, index, {"term": {"withdrawn": False}}, source=False):  # ids only
        resp = await es.search(index=resources_alias(prefix), ignore_unavailable=True, allow_no_indices=True,
                               size=0, query={"bool": {
            "filter": [{"terms": {"id": [h["_id"] for h in page]}}, {"term": {"institution": institution}},
                       {"term": {"withdrawn": False}}],
            "must_not": [{"term": {"source": source}}]}}, aggs={"s": {"terms": {"field": "source", "size": 20}}})
        for bucket in resp.body.get("aggregations", {}).get("s", {}).get("buckets", []):
            counts[bucket["key"]] = counts.get(bucket["key"], 0) + bucket["doc_count"]
    return counts
