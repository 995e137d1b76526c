"""Named routes of the gateway."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from gateway.views import api, cart, docs, health, pages

STATIC_DIR = Path(__file__).parent / "static"


def setup_routes(app: web.Application) -> None:
    """Register every route on ``app``."""
    router = app.router
    router.add_get("/api/health", health.health, name="health")
    router.add_get("/api/health/{probe:ready|live}", health.health, name="health-probe")
    router.add_get("/api/search", api.search, name="api-search")
    router.add_get("/api/facets", api.facets, name="api-facets")
    router.add_get("/api/suggest", api.suggest, name="api-suggest")
    router.add_get("/api/export", api.export, name="api-export")
    router.add_get("/api/resources/{id}", api.resource, name="api-resource")
    router.add_get("/api/entities/{key}", api.entity, name="api-entity")
    router.add_get("/api/institutions", api.institutions, name="api-institutions")
    router.add_get("/api/openapi.json", docs.openapi_json, name="openapi")
    router.add_get("/api/docs", docs.api_docs, name="api-docs")
    router.add_get("/", pages.search_page, name="search")
    router.add_get("/resources/{id}", pages.resource_page, name="resource")
    router.add_get("/institutions", pages.institutions_page, name="institutions")
    router.add_get("/institutions/{slug}", pages.institution_page, name="institution")
    router.add_get("/cart", cart.show, name="cart")
    router.add_post("/cart/add", cart.add, name="cart-add")
    router.add_post("/cart/remove", cart.remove, name="cart-remove")
    router.add_static("/static/", STATIC_DIR, name="static", append_version=True)
