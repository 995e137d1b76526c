"""Harvest health in the institution portal (HTML, staff session) and its JSON twins (bearer token).

Staff see the sources of their own institutions; an administrator sees every source. Another
institution's source answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import json

from aiohttp import web

from gateway.auth import require_staff, require_token, scope_of
from gateway.csrf import csrf_token
from gateway.errors import ParameterError
from gateway.keys import HEALTH
from gateway.render import json_model, render_page
from schemas.harvest import RejectionReason
from schemas.usage import HarvestOverview, QuarantinedRecord


def _no_store(response: web.Response) -> web.Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _reason(request: web.Request) -> str | None:
    """The ``reason`` filter, checked against the stable rejection reasons."""
    raw = request.query.get("reason") or None
    if raw is not None and raw not in RejectionReason.__members__.values():
        raise ParameterError([{"name": "reason", "reason": f"one of {', '.join(r.value for r in RejectionReason)}"}])
    return raw


def pretty_payload(record: QuarantinedRecord) -> str:
    """The raw payload as indented JSON (the template escapes it like any other text)."""
    return json.dumps(record.payload, indent=2, ensure_ascii=False, sort_keys=True, default=str)


async def harvests(request: web.Request) -> web.Response:
    """``GET /portal/harvests``: per visible source its latest run, history and rejections by reason."""
    account = await require_staff(request)
    sources = await request.app[HEALTH].overview(scope_of(account))
    return _no_store(render_page(request, "portal_harvests.html", {
        "account": account, "sources": sources, "csrf_token": csrf_token(request)}))


async def rejections(request: web.Request) -> web.Response:
    """``GET /portal/harvests/{source}/rejections[?reason=]``: quarantined records, payloads escaped."""
    account = await require_staff(request)
    reason = _reason(request)
    service, source = request.app[HEALTH], request.match_info["source"]
    page = await service.rejections(scope_of(account), source, reason)
    return _no_store(render_page(request, "portal_rejections.html", {
        "account": account, "page": page, "counts": await service.rejection_counts(source),
        "records": [(r, pretty_payload(r)) for r in page.records], "csrf_token": csrf_token(request)}))


async def api_harvests(request: web.Request) -> web.Response:
    """``GET /api/portal/harvests``: the health of every source the token may see."""
    account = await require_token(request)
    return _no_store(json_model(HarvestOverview(sources=await request.app[HEALTH].overview(scope_of(account)))))


async def api_source(request: web.Request) -> web.Response:
    """``GET /api/portal/harvests/{source}``: one source's health."""
    account = await require_token(request)
    return _no_store(json_model(await request.app[HEALTH].source_health(scope_of(account),
                                                                        request.match_info["source"])))


async def api_rejections(request: web.Request) -> web.Response:
    """``GET /api/portal/harvests/{source}/rejections[?reason=]``: quarantined records with payloads."""
    account = await require_token(request)
    reason = _reason(request)
    return _no_store(json_model(await request.app[HEALTH].rejections(scope_of(account), request.match_info["source"],
                                                                     reason)))
