"""Creating an index that a service owns (requests, accounts, audit log, usage events)."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError


async def ensure_index(es: AsyncElasticsearch, index: str, mapping: dict[str, Any]) -> None:
    """Create ``index`` with ``mapping`` unless it exists (safe when several processes race)."""
    if await es.indices.exists(index=index):
        return
    try:
        await es.indices.create(index=index, mappings=mapping, settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"})
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise

