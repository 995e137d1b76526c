"""A mutable paged-JSON catalog and the declarative adapter that harvests it (harvest tests)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.config import parse_adapters_toml


@dataclass
class Catalog:
    """The source's records (id → record) and a switch to break it."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    broken_after_page: int | None = None
    pages_served: int = 0
    delay: float = 0.0

    def fill(self, n: int, start: int = 1) -> None:
        for i in range(start, start + n):
            self.records[f"JCRB{i:04d}"] = {"id": f"JCRB{i:04d}", "name": f"Cell line {i}", "kind": "cell_line",
                                            "species": "Homo sapiens", "note": f"細胞株 {i}"}


async def serve_catalog(catalog: Catalog) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        offset, limit = int(request.query.get("offset", 0)), int(request.query.get("limit", 100))
        catalog.pages_served += 1
        if catalog.delay:
            await asyncio.sleep(catalog.delay)
        if catalog.broken_after_page is not None and catalog.pages_served > catalog.broken_after_page:
            raise web.HTTPNotFound(text="gone")
        items = sorted(catalog.records.values(), key=lambda r: r["id"])
        return web.json_response({"items": items[offset: offset + limit], "total": len(items)})

    app = web.Application()
    app.router.add_get("/api/resources", page)
    return app


def adapter_toml(endpoint: str, name: str = "jcrbtest") -> str:
    return f"""
[adapters.{name}]
type = "jsonapi"
institution = "jcrb"
endpoint = "{endpoint}"
records_path = "items"
retries = 0
paging = {{ style = "offset", page_size = 50, size_param = "limit", total_path = "total" }}
[adapters.{name}.mapping]
catalog_id = ["id"]
name = ["name"]
resource_type = ["kind"]
"species.scientific_name" = ["species"]
"description.ja" = ["note"]
"""


def specs_for(endpoint: str, registry: Any, name: str = "jcrbtest") -> list[Any]:
    from biocross.harvest import SourceSpec

    configs = parse_adapters_toml(adapter_toml(endpoint, name), registry)
    return [SourceSpec(n, c) for n, c in configs.items()]
