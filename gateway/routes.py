"""Named routes of the gateway: the table is data (``routes.toml``), each row a view of ``gateway.views``."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).parent / "static"
ROUTES_FILE = Path(__file__).parent / "routes.toml"


def _handler(target: str) -> web.Handler:
    module, _, name = target.partition(":")
    handler: web.Handler = getattr(importlib.import_module(f"gateway.views.{module}"), name)
    return handler


def setup_routes(app: web.Application) -> None:
    """Register every route of ``routes.toml`` (in its order) and the static files on ``app``."""
    router = app.router
    for name, (method, path, target) in tomllib.loads(ROUTES_FILE.read_text(encoding="utf-8")).items():
        router.add_route(method, path, _handler(target), name=name)
    router.add_static("/static/", STATIC_DIR, name="static", append_version=True)
