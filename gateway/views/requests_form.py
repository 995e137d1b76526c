"""The usage-request form: the cart becomes one submission, split into one request per institution.

Protected by the session's CSRF token, a rate limit per client and per email address, a honeypot
field (a filled one is dropped silently: the bot sees the usual "check your email" page) and size
limits on every field. A form that does not validate comes back with the input and a message per field.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from desk.errors import RequestNotFoundError
from gateway.csrf import check_csrf, csrf_token
from gateway.display import N_ as _  # marks a message for the catalogs; translated when shown
from gateway.errors import RateLimitedError
from gateway.keys import REQUESTS, SEARCH, SUBMIT_BUCKETS, SUBMIT_EMAIL_BUCKETS
from gateway.render import institutions, render_page, translator
from gateway.sessions import get_session
from gateway.views.cart import cart_ids
from gateway.views.requests_common import see_other
from indexer.errors import NotFoundError
from schemas.requests import FieldIssue, RequestItem, SubmissionForm, conditional_issues, issues_from

HONEYPOT = "website"
TEXT_FIELDS = ("name", "email", "affiliation", "position", "country", "purpose", "planned_use", "ethics_approval",
               "shipping_address", "message", "language")


ISSUE_MESSAGES = {
    "required": _("This field is required."),
    "too_long": _("This is too long (at most %(limit)s characters)."),
    "invalid_email": _("Enter a valid email address."),
    "invalid": _("This value is not valid."),
    "unexpected_field": _("The form contained an unexpected field."),
    "ethics_required": _("An ethics approval number is required for human specimens."),
    "biosafety_required": _("Please confirm the biosafety requirements (biosafety level 2 or higher)."),
    "agreement_required": _("You must accept this institution's distribution conditions."),
    "withdrawn_items": _("Some resources in your cart are no longer distributed; remove them first."),
    "too_many": _("Too many requests from this email address; please try again later."),
}


async def _cart_items(request: web.Request) -> tuple[dict[str, list[RequestItem]], list[str]]:
    """The cart's resources by institution, and the ids that are withdrawn or gone."""
    async def one(rid: str) -> tuple[str, dict[str, Any] | None, bool]:
        try:
            resource, withdrawn, _others = await request.app[SEARCH].get_resource(rid)
        except NotFoundError:
            return rid, None, True
        return rid, resource, withdrawn

    by_institution: dict[str, list[RequestItem]] = {}
    unavailable: list[str] = []
    for rid, resource, withdrawn in await asyncio.gather(*(one(rid) for rid in cart_ids(request))):
        if resource is None or withdrawn:
            unavailable.append(rid)
            continue
        distribution = resource.get("distribution") or {}
        by_institution.setdefault(resource["institution"], []).append(RequestItem(
            id=resource["id"], catalog_id=resource["catalog_id"], name=resource["name"],
            resource_type=resource["resource_type"], biosafety_level=distribution.get("biosafety_level"),
            mta_type=distribution.get("mta_type")))
    return by_institution, unavailable


def _render(request: web.Request, by_institution: dict[str, list[RequestItem]], unavailable: list[str],
            values: dict[str, Any], issues: list[FieldIssue], *, status: int = 200) -> web.Response:
    t = translator(request)
    errors = {i.field: t(ISSUE_MESSAGES[i.code], limit=i.limit) if i.limit else t(ISSUE_MESSAGES[i.code])
              for i in reversed(issues)}
    items = [i for group in by_institution.values() for i in group]
    response = render_page(request, "request_form.html", {
        "groups": [(institutions(request).get(slug), slug, group, sorted({i.mta_type for i in group if i.mta_type}))
                   for slug, group in sorted(by_institution.items())],
        "unavailable": unavailable, "values": values, "errors": errors, "csrf_token": csrf_token(request),
        "needs_ethics": any(i.resource_type == "human_specimen" for i in items),
        "needs_biosafety": any((i.biosafety_level or 0) >= 2 for i in items),
    }, status=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def new_request_form(request: web.Request) -> web.Response:
    """``GET /requests/new``: the form for everything in the cart."""
    by_institution, unavailable = await _cart_items(request)
    blank = {"language": translator(request).lang, "agreements": [], "biosafety_ack": False}
    return _render(request, by_institution, unavailable, blank, [])


def _values(form: dict[str, str], institutions: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {k: form.get(k, "") for k in TEXT_FIELDS}
    values["biosafety_ack"] = form.get("biosafety_ack") == "on"
    values["agreements"] = [slug for slug in institutions if form.get(f"agree_{slug}") == "on"]
    return values


async def submit_request(request: web.Request) -> web.Response:
    """``POST /requests/new``: validate, split by institution, store, send the verification mail."""
    form = await check_csrf(request)
    if form.get(HONEYPOT):
        return see_other("/requests/sent")  # a bot: looks accepted, nothing is stored or sent
    wait = request.app[SUBMIT_BUCKETS].take(request.remote or "unknown")
    if wait:
        raise RateLimitedError(wait)
    by_institution, unavailable = await _cart_items(request)
    institutions = sorted(by_institution)
    values = _values(form, institutions)
    issues: list[FieldIssue] = [FieldIssue("cart", "withdrawn_items")] if unavailable else []
    submission: SubmissionForm | None = None
    try:
        submission = SubmissionForm.model_validate({k: v for k, v in values.items() if v != "" or k == "email"})
    except ValidationError as exc:
        issues.extend(issues_from(exc))
    items = [i for group in by_institution.values() for i in group]
    # All problems at once: the cart-dependent checks also run on input that failed validation.
    checked = submission or SubmissionForm.model_construct(**{k: v for k, v in values.items() if k in
                                                              ("ethics_approval", "biosafety_ack", "agreements")})
    issues.extend(conditional_issues(checked, items, institutions))
    if not by_institution:
        return see_other("/requests/new")
    if issues or submission is None:
        return _render(request, by_institution, unavailable, values, issues, status=400)
    if request.app[SUBMIT_EMAIL_BUCKETS].take(submission.email.lower()):
        return _render(request, by_institution, unavailable, values, [FieldIssue("email", "too_many")], status=429)
    created = await request.app[REQUESTS].submit(submission, by_institution)
    session = get_session(request)
    session.put("cart", [])
    session.put("submitted_to", submission.email)
    session.put("submitted_id", created[0].submission_id)
    return see_other("/requests/sent")


async def _verify_mail_state(request: web.Request, submission_id: object) -> str | None:
    """``"sent"`` or ``"queued"`` for the submission's confirmation mail (None when unknown)."""
    if not isinstance(submission_id, str):
        return None
    try:
        requests = await request.app[REQUESTS].submission(submission_id)
    except RequestNotFoundError:
        return None
    mails = [m for r in requests for m in r.outbox if m.kind == "verify"]
    if not mails:
        return None
    return "sent" if all(m.sent_at is not None for m in mails) else "queued"


async def request_sent(request: web.Request) -> web.Response:
    """``GET /requests/sent``: "check your email" (shown to bots too). Says what is true of the
    confirmation mail: still queued (the page refreshes itself) or handed to the mail server."""
    session = get_session(request)
    email = session.get("submitted_to")
    state = await _verify_mail_state(request, session.get("submitted_id"))
    response = render_page(request, "request_sent.html",
                           {"email": email if isinstance(email, str) else None, "state": state})
    response.headers["Cache-Control"] = "private, no-store"
    return response
