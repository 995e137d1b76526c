"""The benchmark's own indices: names and clean-up (never anything outside the ``bench-`` prefixes)."""

from __future__ import annotations

from elasticsearch import AsyncElasticsearch

#: Harvested catalog (harvest benchmark writes it, search benchmark reads it).
HARVEST_PREFIX = "bench-h"
#: Baseline bulk load of the harvest benchmark.
BASELINE_PREFIX = "bench-b"
#: The demo timing's catalog.
DEMO_PREFIX = "bench-d"


def baseline_index() -> str:
    """The index the baseline bulk load writes (same settings and mapping as a generation)."""
    return f"{BASELINE_PREFIX}-resources-baseline"


async def drop_prefix(es: AsyncElasticsearch, prefix: str) -> list[str]:
    """Delete every index named ``{prefix}-*`` (by explicit name: wildcard deletes may be refused)."""
    if not prefix.startswith("bench-"):
        raise ValueError(f"refusing to drop indices outside the bench prefixes: {prefix!r}")
    resp = await es.options(ignore_status=404).indices.get(index=f"{prefix}-*", expand_wildcards="all")
    names = sorted(resp.body) if resp.meta.status == 200 else []
    for name in names:
        await es.options(ignore_status=404).indices.delete(index=name)
    return names
