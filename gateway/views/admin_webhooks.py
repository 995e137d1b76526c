"""Webhook endpoints and their delivery log, for consortium administrators: ``/admin/webhooks``.

Registering an endpoint shows its signing secret (``whsec_...``) for the receiver's configuration;
every delivery is listed with its attempts, and any of them can be sent again by hand. Every action
goes to the admin audit log.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from desk.webhooks import EVENT_TYPES, WebhookError
from gateway.auth import require_admin
from gateway.csrf import check_csrf, csrf_token
from gateway.keys import ADMIN_AUDIT, WEBHOOKS
from gateway.render import render_page
from schemas.accounts import Account


async def _page(request: web.Request, account: Account, *, status: int = 200, **context: Any) -> web.Response:
    store = request.app[WEBHOOKS]
    response = render_page(request, "admin_webhooks.html", {
        "account": account, "csrf_token": csrf_token(request), "event_types": EVENT_TYPES, "error": None,
        "created": None, "endpoints": await store.endpoints(), "deliveries": await store.deliveries(100), **context},
        status=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def webhooks(request: web.Request) -> web.Response:
    """``GET /admin/webhooks``: endpoints, the form to add one, the delivery log."""
    return await _page(request, await require_admin(request))


async def add_endpoint(request: web.Request) -> web.Response:
    """``POST /admin/webhooks``: register an endpoint; its secret is shown once here."""
    account = await require_admin(request)
    await check_csrf(request)
    form = await request.post()
    events = [str(v) for v in form.getall("events", [])]
    try:
        endpoint = await request.app[WEBHOOKS].add_endpoint(str(form.get("url", "")).strip(), events,
                                                             account.username)
    except WebhookError as exc:
        return await _page(request, account, status=400, error=str(exc))
    await request.app[ADMIN_AUDIT].record(account.username, "webhook.add", endpoint.id,
                                          f"{endpoint.url} {','.join(endpoint.events)}")
    return await _page(request, account, created=endpoint)


async def endpoint_action(request: web.Request) -> web.Response:
    """``POST /admin/webhooks/{endpoint}``: pause or resume an endpoint."""
    account = await require_admin(request)
    form = await check_csrf(request)
    endpoint_id = request.match_info["endpoint"]
    active = form.get("action") == "resume"
    await request.app[WEBHOOKS].set_active(endpoint_id, active)
    await request.app[ADMIN_AUDIT].record(account.username, "webhook.resume" if active else "webhook.pause",
                                          endpoint_id)
    raise web.HTTPSeeOther("/admin/webhooks")


async def redeliver(request: web.Request) -> web.Response:
    """``POST /admin/webhooks/deliveries/{delivery}/redeliver``: send one delivery again (next mailer pass)."""
    account = await require_admin(request)
    await check_csrf(request)
    delivery_id = request.match_info["delivery"]
    await request.app[WEBHOOKS].redeliver(delivery_id)
    await request.app[ADMIN_AUDIT].record(account.username, "webhook.redeliver", delivery_id)
    raise web.HTTPSeeOther("/admin/webhooks")
