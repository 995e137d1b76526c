"""Leases in Elasticsearch: at most one holder of a named lock at a time, across processes and hosts.

A lease is a document ``{name, owner, lease_until}`` in ``{prefix}-locks``. Taking it is a create (when
absent) or an optimistic-concurrency update (``if_seq_no``/``if_primary_term``) of an expired lease;
two contenders racing for the same lease cannot both win. A crashed holder's lease simply expires.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from elasticsearch import AsyncElasticsearch, ConflictError

from indexer.names import locks_index
from indexer.store import ensure_system_indices


class LeaseLock:
    """A named lease held by ``owner`` for ``ttl``; renew it while working, release it when done."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, name: str, owner: str, ttl: timedelta) -> None:
        self.es, self.index, self.name, self.owner, self.ttl = es, locks_index(prefix), name, owner, ttl
        self.prefix = prefix

    def _doc(self) -> dict[str, str]:
        return {"name": self.name, "owner": self.owner, "lease_until": (datetime.now(UTC) + self.ttl).isoformat()}

    async def acquire(self) -> bool:
        """Take the lease if it is free or expired (or already ours); False when someone else holds it."""
        await ensure_system_indices(self.es, self.prefix)
        try:
            await self.es.create(index=self.index, id=self.name, document=self._doc(), refresh="wait_for")
            return True
        except ConflictError:
            pass
        current = await self.es.options(ignore_status=404).get(index=self.index, id=self.name)
        if current.meta.status == 404:
            return await self.acquire()
        src = current.body["_source"]
        expired = datetime.fromisoformat(src["lease_until"]) <= datetime.now(UTC)
        if src["owner"] != self.owner and not expired:
            return False
        try:
            await self.es.index(index=self.index, id=self.name, document=self._doc(), refresh="wait_for",
                                if_seq_no=current.body["_seq_no"], if_primary_term=current.body["_primary_term"])
            return True
        except ConflictError:
            return False

    async def release(self) -> None:
        """Give the lease up (only if we still hold it)."""
        current = await self.es.options(ignore_status=404).get(index=self.index, id=self.name)
        if current.meta.status == 200 and current.body["_source"]["owner"] == self.owner:
            await self.es.options(ignore_status=[404, 409]).delete(
                index=self.index, id=self.name, if_seq_no=current.body["_seq_no"],
                if_primary_term=current.body["_primary_term"], refresh="wait_for")
