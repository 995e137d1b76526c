"""Wiring of what makes the catalog a source for others: the OAI-PMH provider, complete exports,
sitemaps and ``robots.txt`` (routes, shared state, the feed service)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gateway import sitemap
from gateway.exports import EXPORT_FEED, EXPORT_SLOTS, ExportSlots
from gateway.keys import ES, LIMITS, SETTINGS
from gateway.oai.tokens import ResumptionTokens
from gateway.oai.views import FEED, OAI_OPTIONS, OAI_TOKENS, OaiOptions, oai_endpoint
from indexer.search.catalog import CatalogFeed


async def _feed(app: web.Application) -> AsyncIterator[None]:
    # Runs after the app's Elasticsearch context (appended later), so the client exists.
    feed = CatalogFeed(app[ES], app[SETTINGS].es.index_prefix)
    app[FEED] = app[EXPORT_FEED] = app[sitemap.SITEMAP_FEED] = feed
    yield


def setup_feeds(app: web.Application, options: OaiOptions | None = None) -> None:
    """Register ``/oai``, ``/sitemap.xml``, ``/sitemaps/...`` and ``/robots.txt`` on ``app``."""
    app[OAI_OPTIONS] = options or OaiOptions()
    app[OAI_TOKENS] = ResumptionTokens(app[SETTINGS].gateway.signing_keys(),
                                       app[OAI_OPTIONS].token_lifetime)
    app[EXPORT_SLOTS] = ExportSlots(app[LIMITS].export_slots)
    app[sitemap.SITEMAP_CHUNK] = sitemap.CHUNK
    app.cleanup_ctx.append(_feed)
    router = app.router
    router.add_get("/oai", oai_endpoint, name="oai")
    router.add_post("/oai", oai_endpoint, name="oai-post")
    router.add_get("/robots.txt", sitemap.robots_txt, name="robots")
    router.add_get("/sitemap.xml", sitemap.sitemap_index, name="sitemap")
    router.add_get("/sitemaps/pages.xml", sitemap.sitemap_pages, name="sitemap-pages")
    router.add_get("/sitemaps/resources.xml", sitemap.sitemap_chunk, name="sitemap-resources")
