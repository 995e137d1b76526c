"""Typed application keys: how views reach shared resources."""

from __future__ import annotations

from aiohttp import web
from elasticsearch import AsyncElasticsearch

from gateway.ratelimit import GatewayLimits, TokenBuckets
from indexer.search.service import SearchService
from schemas.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ES = web.AppKey("es", AsyncElasticsearch)
SEARCH = web.AppKey("search", SearchService)
#: Language code → :class:`gateway.i18n.Translator`.
TRANSLATORS = web.AppKey("translators", dict)
LIMITS = web.AppKey("limits", GatewayLimits)
BUCKETS = web.AppKey("buckets", TokenBuckets)
#: The OpenAPI document, built once at startup.
OPENAPI = web.AppKey("openapi", dict)
