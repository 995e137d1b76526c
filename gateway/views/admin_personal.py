"""One requester's personal data, for consortium administrators: find it by email address, export
it (JSON download) or erase it. Both actions are audited (who, when, which requests, the address's
keyed hash, never the address). The address travels in POST bodies only, never in a URL or a log."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aiohttp import web

from desk.saved_store import describe
from gateway.auth import require_admin
from gateway.csrf import check_csrf, csrf_token
from gateway.errors import ParameterError
from gateway.keys import PRIVACY
from gateway.render import render_page
from gateway.views.requests_common import label_helpers
from schemas.accounts import Account


def _email(form: dict[str, str]) -> str:
    email = form.get("email", "").strip()
    if not email or "@" not in email or len(email) > 254:
        raise ParameterError([{"name": "email", "reason": "the requester's email address"}])
    return email


def _page(request: web.Request, account: Account, **context: object) -> web.Response:
    response = render_page(request, "admin_personal.html", {
        "account": account, "csrf_token": csrf_token(request), "email": "", "found": None, "saved": [], "erased": None,
        "audit": [], "describe": describe, **label_helpers(request), **context})
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def personal_data(request: web.Request) -> web.Response:
    """``GET /admin/personal-data``: the search form and the audit trail."""
    account = await require_admin(request)
    return _page(request, account, audit=await request.app[PRIVACY].audit.entries(20))


async def find(request: web.Request) -> web.Response:
    """``POST /admin/personal-data``: the requests of one address (listed; opening them is not audited
    beyond the portal's own access)."""
    account = await require_admin(request)
    email = _email(await check_csrf(request))
    found = await request.app[PRIVACY].find(email)
    return _page(request, account, email=email, found=found.requests, saved=found.saved_searches,
                 audit=await request.app[PRIVACY].audit.entries(20))


async def export(request: web.Request) -> web.Response:
    """``POST /admin/personal-data/export``: everything stored about one requester, as JSON (audited)."""
    account = await require_admin(request)
    email = _email(await check_csrf(request))
    found = await request.app[PRIVACY].export(email, account.username, datetime.now(UTC))
    body = {"email": email, "exported_at": datetime.now(UTC).isoformat(),
            "requests": [r.model_dump(mode="json") for r in found.requests],
            "saved_searches": [s.model_dump(mode="json") for s in found.saved_searches]}
    return web.Response(body=json.dumps(body, ensure_ascii=False, indent=2).encode(), content_type="application/json",
                        charset="utf-8", headers={"Content-Disposition": 'attachment; filename="requester-data.json"',
                                                  "Cache-Control": "private, no-store"})


async def erase(request: web.Request) -> web.Response:
    """``POST /admin/personal-data/erase``: erase one requester's personal data (audited)."""
    account = await require_admin(request)
    form = await check_csrf(request)
    email = _email(form)
    if form.get("confirm") != "erase":
        raise ParameterError([{"name": "confirm", "reason": "tick the box to confirm the erasure"}])
    erased = await request.app[PRIVACY].erase(email, account.username, datetime.now(UTC))
    return _page(request, account, erased=erased, audit=await request.app[PRIVACY].audit.entries(20))
