"""The writer's Elasticsearch round trips: bulk writes sized by bytes, the unchanged-record lookups,
and the carry-over of records a full harvest no longer has (kept as withdrawn history)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk

from indexer.documents import withdraw_doc

if TYPE_CHECKING:
    from indexer.writer import WriterCounts

#: Upper bound of one bulk request body: a chunk of large documents is split before it reaches it
#: (Elasticsearch's default ``http.max_content_length`` is 100 MB; smaller requests keep its heap calm).
BULK_MAX_BYTES = 8 * 2**20

#: A queued document: (id, content hash the adapter computed, document).
QueuedDoc = tuple[str, str | None, dict[str, Any]]


async def bulk_write(es: AsyncElasticsearch, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write ``actions`` (one request per ``BULK_MAX_BYTES``); returns the failed items. 429s are retried."""
    _ok, failed = await async_bulk(es, actions, chunk_size=max(1, len(actions)), max_chunk_bytes=BULK_MAX_BYTES,
                                   max_retries=5, initial_backoff=1, max_backoff=30, raise_on_error=False,
                                   raise_on_exception=True)
    return failed if isinstance(failed, list) else []


async def unchanged_since(es: AsyncElasticsearch, live: str, docs: list[QueuedDoc]) -> dict[str, str]:
    """For a full run: when each record unchanged since the published generation ``live`` last changed
    (so a re-harvest does not make every OAI-PMH datestamp new)."""
    resp = await es.mget(index=live, ids=[i for i, _, _ in docs],
                         source=["content_hash", "withdrawn", "changed_at", "harvested_at"])
    hashes = {i: doc["content_hash"] for i, _, doc in docs}
    since: dict[str, str] = {}
    for found in resp["docs"]:
        old = found.get("_source") if found.get("found") else None
        if old and not old.get("withdrawn") and old.get("content_hash") == hashes.get(found["_id"]):
            when = old.get("changed_at") or old.get("harvested_at")
            if when:
                since[found["_id"]] = when
    return since


async def changed_only(es: AsyncElasticsearch, index: str, docs: list[QueuedDoc]) -> tuple[list[QueuedDoc], int]:
    """For an incremental run: the documents whose content differs from ``index``'s copy, and how many do not."""
    resp = await es.mget(index=index, ids=[i for i, _, _ in docs], source=["content_hash", "withdrawn"])
    current = {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")}
    changed: list[QueuedDoc] = []
    for queued in docs:
        old = current.get(queued[0])
        if not (old and not old.get("withdrawn") and old.get("content_hash") == queued[1]):
            changed.append(queued)
    return changed, len(docs) - len(changed)


async def carry_over_withdrawn(es: AsyncElasticsearch, old: str, index: str, counts: WriterCounts,
                               unwritten: dict[str, str]) -> None:
    """Copy records of the old generation that the new one lacks, marked withdrawn (history)."""
    after: list[Any] | None = None
    now = datetime.now(UTC).isoformat()
    while True:
        body: dict[str, Any] = {"size": 1000, "sort": [{"id": "asc"}], "query": {"match_all": {}}}
        if after:
            body["search_after"] = after
        page = (await es.search(index=old, **body))["hits"]["hits"]
        if not page:
            return
        after = page[-1]["sort"]
        present = await es.mget(index=index, ids=[h["_id"] for h in page], source=False)
        found = {d["_id"] for d in present["docs"] if d.get("found")}
        actions = []
        for hit in (h for h in page if h["_id"] not in found):
            doc = hit["_source"]
            if not doc.get("withdrawn"):
                counts.withdrawn += 1
                doc = withdraw_doc(doc, now)
                why = unwritten.get(hit["_id"])
                counts.withdrawals.append(withdrawal(
                    doc, f"harvested but not indexed ({why})" if why else "absent from the full harvest"))
            actions.append({"_index": index, "_id": hit["_id"], "_source": doc})
        if actions:
            await async_bulk(es, actions, max_retries=5)


def withdrawal(doc: dict[str, Any], reason: str) -> dict[str, Any]:
    """The run record's entry for one withdrawn document."""
    resource = doc.get("resource") or {}
    return {"id": doc.get("id"), "catalog_id": resource.get("catalog_id"), "name": resource.get("name"), "reason": reason}


def error_reason(error: dict[str, Any]) -> str:
    """One failed bulk item's reason, short."""
    item: dict[str, Any] = next(iter(error.values()), {})
    reason = item.get("error", {})
    return f"{reason.get('type', 'error')}: {str(reason.get('reason', ''))[:200]}" if isinstance(reason, dict) else str(reason)[:200]
