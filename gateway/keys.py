"""Typed application keys: how views reach shared resources."""

from __future__ import annotations

from elasticsearch import AsyncElasticsearch
from aiohttp import web

from schemas.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ES = web.AppKey("es", AsyncElasticsearch)
