"""The cart: resource ids kept in the encrypted session cookie, changed only by CSRF-checked POSTs."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import MultiDict

from gateway import links
from gateway.csrf import check_csrf, csrf_token
from gateway.errors import ParameterError
from gateway.keys import SEARCH
from gateway.render import render_page
from gateway.sessions import get_session
from indexer.errors import NotFoundError

MAX_ITEMS = 30
MAX_ID_CHARS = 200


def cart_ids(request: web.Request) -> list[str]:
    """The resource ids in the cart, oldest first."""
    cart = get_session(request).get("cart")
    return [i for i in cart if isinstance(i, str)] if isinstance(cart, list) else []


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _resource_id(form: dict[str, str]) -> str:
    rid = form.get("resource_id", "").strip()
    if not rid or len(rid) > MAX_ID_CHARS:
        raise ParameterError([{"name": "resource_id", "reason": "a resource id is required"}])
    return rid


async def add(request: web.Request) -> web.Response:
    """``POST /cart/add``: put a resource (that exists) in the cart, then go back."""
    form = await check_csrf(request)
    rid = _resource_id(form)
    await request.app[SEARCH].get_resource(rid)  # 404 for an id that does not exist
    ids = cart_ids(request)
    if rid not in ids:
        if len(ids) >= MAX_ITEMS:
            raise ParameterError([{"name": "resource_id", "reason": f"the cart holds at most {MAX_ITEMS} items"}])
        get_session(request).put("cart", [*ids, rid])
    target = links.local_target(form.get("next"), "/cart").split("#", 1)[0]
    if target == "/cart":
        return _see_other(target)
    path, _, query = target.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "added"]
    return _see_other(links.with_params(path, MultiDict(kept), added=rid) + "#cart-status")


async def remove(request: web.Request) -> web.Response:
    """``POST /cart/remove``: take a resource out of the cart."""
    form = await check_csrf(request)
    rid = _resource_id(form)
    get_session(request).put("cart", [i for i in cart_ids(request) if i != rid])
    return _see_other(links.local_target(form.get("next"), "/cart"))


async def _lookup(request: web.Request, rid: str) -> dict[str, Any] | None:
    try:
        resource, withdrawn, _ = await request.app[SEARCH].get_resource(rid)
    except NotFoundError:
        return None
    return {**resource, "withdrawn": withdrawn}


async def show(request: web.Request) -> web.Response:
    """``GET /cart``: the items, grouped by holding institution (one request per institution later)."""
    ids = cart_ids(request)
    found = await asyncio.gather(*(_lookup(request, rid) for rid in ids))
    by_institution: dict[str, list[dict[str, Any]]] = {}
    missing = [rid for rid, item in zip(ids, found, strict=True) if item is None]
    for item in found:
        if item is not None:
            by_institution.setdefault(item["institution"], []).append(item)
    response = render_page(request, "cart.html", {"by_institution": by_institution, "missing": missing,
                                                  "csrf_token": csrf_token(request), "count": len(ids)})
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def clear(request: web.Request) -> web.Response:
    """``POST /cart/clear``: empty the cart."""
    form = await check_csrf(request)
    get_session(request).put("cart", [])
    return _see_other(links.local_target(form.get("next"), "/cart"))
