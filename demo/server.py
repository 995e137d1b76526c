"""The aiohttp application serving all five simulated institution sources on one port."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from demo.generator.registry import SourceRegistry
from demo.keys import CONFIG_KEY, REGISTRY_KEY, SourcesConfig
from demo.views import control, jcrb, naro, nies, riken, tsukuba

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
INSTITUTION_PREFIXES = ("riken", "jcrb", "tsukuba", "naro", "nies")


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply the request-level faults of the institution a path belongs to (``http503``, ``slow``)."""
    head = request.path.split("/", 2)[1]
    if head not in INSTITUTION_PREFIXES:
        return await handler(request)
    state = request.app[REGISTRY_KEY][head]
    if state.fault.mode == "http503":
        retry_after = state.fault.retry_after
        if state.consume_fault("http503"):
            return web.Response(status=503, text="Service temporarily unavailable (maintenance)",
                                headers={"Retry-After": str(retry_after)})
    if state.fault.mode == "slow":
        delay = state.fault.delay
        if state.consume_fault("slow"):
            await asyncio.sleep(delay)
    return await handler(request)


def create_sources_app(total: int, seed: int = 42, *, oai_page_size: int = 500, nies_page_size: int = 50,
                       crawl_delay: float = 1.0, registry: SourceRegistry | None = None) -> web.Application:
    """Build the app serving the catalogs of ``total`` records (all institutions) for ``seed``.

    ``registry`` lets a test hold the state it mutates through the Python API; it defaults to a fresh one.
    """
    if oai_page_size < 1 or nies_page_size < 1:
        raise ValueError("page sizes must be positive")
    app = web.Application(middlewares=[fault_middleware])
    app[REGISTRY_KEY] = registry if registry is not None else SourceRegistry(total, seed)
    app[CONFIG_KEY] = SourcesConfig(oai_page_size=oai_page_size, nies_page_size=nies_page_size, crawl_delay=crawl_delay)
    for module in (control, riken, jcrb, tsukuba, naro, nies):
        module.add_routes(app)
    return app
