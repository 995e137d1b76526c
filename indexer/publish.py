"""Index generations and atomic alias swaps.

Each source has its own generation indices behind two aliases: the shared read alias (every source's
live generation) and the source alias (that source's live generation, for incremental writes).
Publishing a generation is one ``update_aliases`` call: readers switch from the old generation to the
new one atomically and never see a half-built catalog.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_streaming_bulk

from indexer.documents import resource_to_doc
from indexer.mappings.resources import RESOURCES_MAPPING_VERSION, resources_index_body
from indexer.names import (
    resources_alias,
    resources_index,
    resources_template,
    resources_template_pattern,
    source_alias,
)
from schemas.resource import Resource


def new_generation() -> str:
    """A sortable generation id (UTC timestamp, microseconds)."""
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")


async def ensure_resources_template(es: AsyncElasticsearch, prefix: str) -> str:
    """Install (idempotently) the versioned index template every resources generation is created from."""
    name = resources_template(prefix)
    body = resources_index_body()
    await es.indices.put_index_template(
        name=name, index_patterns=[resources_template_pattern(prefix)], version=RESOURCES_MAPPING_VERSION,
        priority=100, template={"settings": body["settings"], "mappings": body["mappings"]},
        meta={"managed_by": "biocross", "mapping_version": RESOURCES_MAPPING_VERSION},
    )
    return name


async def create_generation(es: AsyncElasticsearch, prefix: str, source: str, *, bulk_mode: bool = True) -> str:
    """Create an empty generation index for ``source`` from the template (refresh off while bulk loading)."""
    await ensure_resources_template(es, prefix)
    index = resources_index(prefix, source, new_generation())
    settings: dict[str, Any] = {"refresh_interval": "-1"} if bulk_mode else {}
    await es.indices.create(index=index, settings=settings)
    return index


async def add_mapping_fields(es: AsyncElasticsearch, index: str) -> None:
    """Add to ``index`` the fields the current mapping has and it lacks (additions only: a change to an
    existing field would be refused, and needs a new mapping version instead)."""
    await es.indices.put_mapping(index=index, properties=resources_index_body()["mappings"]["properties"])


async def live_generation(es: AsyncElasticsearch, prefix: str, source: str) -> str | None:
    """The index currently published for ``source``, if any."""
    resp = await es.options(ignore_status=404).indices.get_alias(name=source_alias(prefix, source))
    if resp.meta.status == 404:
        return None
    names = sorted(resp.body)
    return names[-1] if names else None


async def publish_generation(es: AsyncElasticsearch, prefix: str, source: str, index: str) -> str | None:
    """Make ``index`` the live generation of ``source`` in one atomic alias update; returns the old one."""
    await es.indices.put_settings(index=index, settings={"refresh_interval": "1s"})
    await es.indices.refresh(index=index)
    old = await live_generation(es, prefix, source)
    actions: list[dict[str, Any]] = [
        {"add": {"index": index, "alias": resources_alias(prefix)}},
        {"add": {"index": index, "alias": source_alias(prefix, source), "is_write_index": True}},
    ]
    if old and old != index:
        actions += [
            {"remove": {"index": old, "alias": resources_alias(prefix)}},
            {"remove": {"index": old, "alias": source_alias(prefix, source)}},
        ]
    await es.indices.update_aliases(actions=actions)
    return old if old != index else None


async def bulk_index_resources(
    es: AsyncElasticsearch, index: str, resources: Iterable[Resource] | AsyncIterable[Resource], *, chunk_size: int = 1000
) -> int:
    """Index resources into ``index`` (id = resource id); returns how many were written."""

    async def actions() -> Any:
        if isinstance(resources, AsyncIterable):
            async for r in resources:
                yield {"_index": index, "_id": r.id, "_source": resource_to_doc(r)}
        else:
            for r in resources:
                yield {"_index": index, "_id": r.id, "_source": resource_to_doc(r)}

    written = 0
    async for ok, _item in async_streaming_bulk(es, actions(), chunk_size=chunk_size, max_retries=5,
                                                raise_on_error=True):
        written += int(ok)
    return written
