"""The institution portal (HTML): login, inbox, request detail with history and thread, actions,
CSV export. Staff see their own institutions' requests only; an administrator sees all. Another
institution's request answers 404, exactly like one that does not exist."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from datetime import UTC, datetime

from aiohttp import web
from elasticsearch import ApiError, TransportError

from desk.account_mail import account_mail
from desk.errors import AuthenticationError, CommentRequiredError, ConflictError
from gateway import links
from gateway.auth import STAFF_COOKIE, actor_for, require_staff, set_staff_cookie, staff_account
from gateway.csrf import check_csrf, csrf_token, rotate_csrf
from gateway.display import N_ as _  # marks a message for the catalogs; translated when shown
from gateway.errors import ParameterError
from gateway.keys import ACCOUNTS, LOGIN_THROTTLE, MAIL, REQUESTS, SETTINGS
from gateway.render import render_page, translator
from gateway.views.requests_common import label_helpers, see_other
from schemas.requests import Action, RequestStatus, allowed_actions

CSV_COLUMNS = ["id", "submission_id", "institution", "status", "created_at", "updated_at", "requester_name",
               "requester_email", "affiliation", "position", "country", "items", "purpose"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
log = logging.getLogger(__name__)


_WARNINGS: set[asyncio.Task[None]] = set()


async def _warn_holder(app: web.Application, username: str, failures: int) -> None:
    """Mail the holder of ``username`` (if there is such an active account) that its logins now wait."""
    try:
        account = await app[ACCOUNTS].get(username)
        if account is None or account.disabled or account.invited:
            return
        portal = app[SETTINGS].gateway.public_url.rstrip("/") + "/portal/password"
        await app[MAIL].enqueue(account_mail("login_throttled", account, datetime.now(UTC), failures=failures,
                                             portal=portal))
    except (ApiError, TransportError):
        log.warning("could not queue the failed-login warning for an account", exc_info=True)


def _no_store(response: web.Response) -> web.Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def login_form(request: web.Request, *, error: str | None = None, status: int = 200,
                     username: str = "") -> web.Response:
    """``GET /portal/login``."""
    return _no_store(render_page(request, "portal_login.html", {
        "csrf_token": csrf_token(request), "error": error, "next": links.local_target(request.query.get("next"), "/portal/"),
        "username": username}, status=status))


async def login(request: web.Request) -> web.Response:
    """``POST /portal/login``: password check, then a session cookie and a new CSRF token.

    Unknown names and wrong passwords get the same answer in about the same time; failures slow
    further tries down per client address and per account (:mod:`gateway.throttle`), never lock."""
    form = await check_csrf(request)
    username = form.get("username", "").strip().lower()[:64]
    t = translator(request)
    throttle, address = request.app[LOGIN_THROTTLE], request.remote or "unknown"
    wait = throttle.retry_after(address, username)
    if wait:
        response = await login_form(request, status=429, username=username, error=t(_(
            "Too many failed attempts from your address: wait %(seconds)s seconds and try again."), seconds=wait))
        response.headers["Retry-After"] = str(wait)
        return response
    await asyncio.sleep(throttle.account_wait(username))
    throttle.attempt(address, username)
    try:
        account = await request.app[ACCOUNTS].authenticate(username, form.get("password", "")[:1024])
    except AuthenticationError:
        if throttle.delays_began(username):  # told in the background: the answer and its timing stay the same
            task = asyncio.create_task(_warn_holder(request.app, username, throttle.policy.free_per_account + 1))
            _WARNINGS.add(task)
            task.add_done_callback(_WARNINGS.discard)
        return await login_form(request, status=401, username=username, error=t(_("Wrong user name or password.")))
    throttle.succeeded(address, username)
    token = await request.app[ACCOUNTS].create_session(account.username, request.app[SETTINGS].requests.staff_session_hours)
    rotate_csrf(request)
    response = see_other(links.local_target(form.get("next"), "/portal/"))
    set_staff_cookie(request, response, token)
    return response


async def logout(request: web.Request) -> web.Response:
    """``POST /portal/logout``: the server-side session is deleted and the cookie cleared."""
    await check_csrf(request)
    token = request.cookies.get(STAFF_COOKIE)
    if token:
        await request.app[ACCOUNTS].end_session(token)
    response = see_other("/portal/login")
    set_staff_cookie(request, response, None)
    return response


def _status_param(request: web.Request) -> RequestStatus | None:
    """The inbox filter: none without ``status``; an empty or unknown value is a 400."""
    if "status" not in request.query:
        return None
    try:
        return RequestStatus(request.query["status"])
    except ValueError as exc:
        raise ParameterError([{"name": "status", "reason": f"one of {', '.join(s.value for s in RequestStatus)}"}]
                             ) from exc


async def inbox(request: web.Request) -> web.Response:
    """``GET /portal/``: the account's requests by state, with counts."""
    account = await require_staff(request)
    status = _status_param(request)
    found, counts = await request.app[REQUESTS].list_for(actor_for(account), status)
    return _no_store(render_page(request, "portal_inbox.html", {
        "account": account, "requests": found, "counts": counts, "selected": status.value if status else "",
        "statuses": [s.value for s in RequestStatus if s is not RequestStatus.SUBMITTED],
        "total": sum(counts.values()), "csrf_token": csrf_token(request), **label_helpers(request)}))


async def _detail(request: web.Request, *, error: str | None = None, status: int = 200,
                  kept: dict[str, str] | None = None) -> web.Response:
    account = await require_staff(request)
    actor = actor_for(account)
    found = await request.app[REQUESTS].get(actor, request.match_info["id"])
    return _no_store(render_page(request, "portal_detail.html", {
        "account": account, "r": found, "actions": allowed_actions(found.status, actor.role),
        "csrf_token": csrf_token(request), "error": error, "kept": kept or {}, **label_helpers(request)},
        status=status))


async def detail(request: web.Request) -> web.Response:
    """``GET /portal/requests/{id}``: everything about one request."""
    return await _detail(request)


async def _change(request: web.Request, run: str) -> web.Response:
    account = await require_staff(request)
    form = await check_csrf(request)
    service, request_id = request.app[REQUESTS], request.match_info["id"]
    t = translator(request)
    try:
        if run == "message":
            await service.post_message(actor_for(account), request_id, form.get("body", "")[:5000])
        else:
            try:
                action = Action(form.get("action", ""))
                revision = int(form["revision"]) if form.get("revision") else None
            except ValueError:
                return await _detail(request, status=400, kept=form, error=t(_("Choose an action.")))
            if action is Action.REJECT and form.get("confirm") != "yes":
                if not form.get("comment", "").strip():
                    raise CommentRequiredError("'reject' needs a comment")
                return _confirm_reject(request, request_id, form)
            await service.transition(actor_for(account), request_id, action, form.get("comment", "")[:5000],
                                     revision=revision)
    except CommentRequiredError:
        return await _detail(request, status=400, kept=form, error=t(_("Please write a comment or message.")))
    except ConflictError:
        return await _detail(request, status=409, kept=form, error=t(_(
            "Someone else acted on this request first, or the action no longer applies. Its current state "
            "is shown below; please decide again.")))
    return see_other(f"/portal/requests/{request_id}")


def _confirm_reject(request: web.Request, request_id: str, form: dict[str, str]) -> web.Response:
    """The confirm step before rejecting (it cannot be undone); works without JavaScript."""
    t = translator(request)
    return _no_store(render_page(request, "confirm_action.html", {"confirm": {
        "title": t(_("Reject request %(id)s?"), id=request_id),
        "what": t(_("The requester is told by email that the request is rejected, with your comment. "
                    "The request cannot be reopened.")),
        "action_url": f"/portal/requests/{request_id}/transition",
        "hidden": {"csrf_token": csrf_token(request), "action": Action.REJECT.value,
                   "revision": form.get("revision", "")},
        "comment": form.get("comment", "")[:5000], "comment_required": True,
        "comment_label": t(_("Comment (sent to the requester)")),
        "button": t(_("Yes, reject the request")), "cancel_url": f"/portal/requests/{request_id}",
    }}))


async def transition(request: web.Request) -> web.Response:
    """``POST /portal/requests/{id}/transition``: one action with its comment, checked against the
    revision the page showed (409 with the reason when someone else acted first)."""
    return await _change(request, "action")


async def message(request: web.Request) -> web.Response:
    """``POST /portal/requests/{id}/messages``: write to the requester."""
    return await _change(request, "message")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


async def export_csv(request: web.Request) -> web.Response:
    """``GET /portal/export.csv``: every request the account may see, one row each."""
    account = await require_staff(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in await request.app[REQUESTS].export_for(actor_for(account)):
        q = r.requester
        writer.writerow([_cell(v) for v in (
            r.id, r.submission_id, r.institution, r.status.value, r.created_at.isoformat(), r.updated_at.isoformat(),
            q.name, q.email, q.affiliation, q.position, q.country, "; ".join(i.catalog_id for i in r.items), q.purpose)])
    return web.Response(body=buffer.getvalue().encode("utf-8-sig"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="requests.csv"',
                                 "Cache-Control": "private, no-store"})


async def portal_home(request: web.Request) -> web.Response:
    """``GET /portal``: to the inbox (or the login page)."""
    return see_other("/portal/" if await staff_account(request) else "/portal/login")
