"""The portal's JSON API for an institution's own systems (``Authorization: Bearer <token>``).

The token acts with its account's role and scope: staff tokens reach their institutions' requests
only (another institution's request is a 404), admin tokens reach all.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import ValidationError

from gateway.auth import actor_for, require_token
from gateway.errors import ParameterError
from gateway.keys import REQUESTS
from gateway.render import json_body
from gateway.views.requests_common import request_json, summary_json
from schemas.requests import RequestStatus, TransitionInput, allowed_actions


async def list_requests(request: web.Request) -> web.Response:
    """``GET /api/portal/requests[?status=]``: the token's requests (newest first) and counts per state."""
    actor = actor_for(await require_token(request))
    raw = request.query.get("status")
    try:
        status = RequestStatus(raw) if raw is not None else None
    except ValueError as exc:
        raise ParameterError([{"name": "status", "reason": f"one of {', '.join(s.value for s in RequestStatus)}"}]
                             ) from exc
    found, counts = await request.app[REQUESTS].list_for(actor, status)
    return json_body({"requests": [summary_json(r) for r in found], "counts": counts})


async def get_request(request: web.Request) -> web.Response:
    """``GET /api/portal/requests/{id}``: one request with history, thread and the allowed actions."""
    actor = actor_for(await require_token(request))
    found = await request.app[REQUESTS].get(actor, request.match_info["id"])
    return json_body(request_json(found, allowed_actions(found.status, actor.role)))


async def transition(request: web.Request) -> web.Response:
    """``POST /api/portal/requests/{id}/transition`` with ``{"action", "comment", "revision"?}``."""
    actor = actor_for(await require_token(request))
    try:
        body = TransitionInput.model_validate_json(await request.read())
    except ValidationError as exc:
        raise ParameterError([{"name": ".".join(str(p) for p in e["loc"]) or "body", "reason": e["msg"]}
                              for e in exc.errors()]) from exc
    updated = await request.app[REQUESTS].transition(actor, request.match_info["id"], body.action, body.comment,
                                                     revision=body.revision)
    return json_body(request_json(updated, allowed_actions(updated.status, actor.role)))
