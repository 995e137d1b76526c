"""The OpenAPI document and a server-rendered page that lists it (no scripts, no CDN)."""

from __future__ import annotations

from aiohttp import web

from gateway.keys import OPENAPI
from gateway.render import json_body, render_page


async def openapi_json(request: web.Request) -> web.Response:
    """``GET /api/openapi.json``."""
    response = json_body(request.app[OPENAPI])
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


async def api_docs(request: web.Request) -> web.Response:
    """``GET /api/docs``: paths, parameters, responses and schemas as plain HTML."""
    return render_page(request, "api_docs.html", {"spec": request.app[OPENAPI]})
