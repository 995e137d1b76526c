"""Helpers shared by the requester pages and the institution portal."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.render import translator
from schemas.requests import ACTION_LABELS, STATUS_LABELS, Action, RequestStatus, UsageRequest

#: Fields never shown to staff or the API: the outbox holds the requester's private links.
HIDDEN_FIELDS = {"outbox", "reminders_sent", "has_pending_mail", "lead"}


def see_other(location: str) -> web.Response:
    """A 303 response (returned, not raised, so the session cookie is still written)."""
    return web.Response(status=303, headers={"Location": location})


def label_helpers(request: web.Request) -> dict[str, Any]:
    """Template helpers naming states and actions in the page language."""
    t = translator(request)

    def status_label(status: str) -> str:
        try:
            return t.pick(*STATUS_LABELS[RequestStatus(status)])
        except ValueError:
            return status

    def action_label(action: str) -> str:
        try:
            return t.pick(*ACTION_LABELS[Action(action)])
        except ValueError:
            return action

    return {"status_label": status_label, "action_label": action_label}


def request_json(request: UsageRequest, actions: list[Action]) -> dict[str, Any]:
    """A request as the portal API shows it (no outbox: it holds the requester's private links)."""
    data = request.model_dump(mode="json", exclude=HIDDEN_FIELDS)
    data["allowed_actions"] = [a.value for a in actions]
    return data


def summary_json(request: UsageRequest) -> dict[str, Any]:
    """One line of the portal inbox."""
    return {"id": request.id, "submission_id": request.submission_id, "institution": request.institution,
            "status": request.status.value, "revision": request.revision,
            "created_at": request.created_at.isoformat(), "updated_at": request.updated_at.isoformat(),
            "requester": {"name": request.requester.name, "affiliation": request.requester.affiliation,
                          "country": request.requester.country},
            "items": [i.catalog_id for i in request.items]}
