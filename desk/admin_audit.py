"""Every administrator action on accounts and institutions (who, when, what), in ``{prefix}-admin-audit``.

Personal-data exports and erasures have their own trail (:class:`desk.privacy.AuditLog`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from indexer.indices import ensure_index
from indexer.names import admin_audit_index

_KW = {"type": "keyword"}
ADMIN_AUDIT_MAPPING: dict[str, Any] = {
    "dynamic": False, "properties": {"at": {"type": "date"}, "actor": _KW, "action": _KW, "target": _KW}}


class AdminAuditLog:
    """Append-only log of administrators' actions. ``detail`` never holds a password or a link."""

    def __init__(self, es: AsyncElasticsearch, prefix: str) -> None:
        self.es = es
        self.index = admin_audit_index(prefix)

    async def record(self, actor: str, action: str, target: str, detail: str = "",
                     now: datetime | None = None) -> None:
        """One entry (no refresh wait: :meth:`entries` refreshes before it reads)."""
        await ensure_index(self.es, self.index, ADMIN_AUDIT_MAPPING)
        await self.es.index(index=self.index, document={
            "at": (now or datetime.now(UTC)).isoformat(), "actor": actor, "action": action, "target": target,
            "detail": detail})

    async def entries(self, size: int = 50) -> list[dict[str, Any]]:
        """The newest entries first."""
        await ensure_index(self.es, self.index, ADMIN_AUDIT_MAPPING)
        await self.es.indices.refresh(index=self.index)
        resp = await self.es.search(index=self.index, size=size, sort=[{"at": "desc"}])
        return [dict(h["_source"]) for h in resp["hits"]["hits"]]
