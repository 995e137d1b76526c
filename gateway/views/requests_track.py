"""The requester's side after submitting: the verification link and the private status page, where
they follow every request of their submission, answer information requests, write to the
institution and withdraw. The signed token in the URL is their only credential."""

from __future__ import annotations

from aiohttp import web

from desk.errors import CommentRequiredError, ConflictError, RequestNotFoundError
from desk.service import Actor
from gateway.csrf import check_csrf, csrf_token
from gateway.display import N_ as _  # marks a message for the catalogs; translated when shown
from gateway.keys import LINKS, REQUESTS
from gateway.render import Labels, institutions, render_page, translator
from gateway.views.requests_common import label_helpers, see_other
from schemas.requests import Action, Role, UsageRequest, allowed_actions

NOTICES = {
    "verified": _("Thank you: your email address is confirmed and your requests were sent to the institutions."),
    "done": _("Saved. The institution is told by email (queued for delivery)."),
    "sent": _("Your message is in the thread; the institution is told by email (queued for delivery)."),
}


async def verify_form(request: web.Request) -> web.Response:
    """``GET /requests/verify/{token}``: a page with a confirm button. Opening the link changes
    nothing, so a mail scanner that follows it cannot confirm the address in the requester's place."""
    request.app[LINKS].read_verify(request.match_info["token"])  # a bad or expired link fails here (400)
    response = render_page(request, "request_verify.html", {"token": request.match_info["token"],
                                                            "csrf_token": csrf_token(request)})
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def verify(request: web.Request) -> web.Response:
    """``POST /requests/verify/{token}``: confirm the email address, then show the status page."""
    await check_csrf(request)
    links = request.app[LINKS]
    submission_id = links.read_verify(request.match_info["token"])
    await request.app[REQUESTS].verify(submission_id)
    return see_other(f"/requests/track/{links.track_token(submission_id)}?notice=verified")


def _actions(r: UsageRequest) -> list[Action]:
    return [a for a in allowed_actions(r.status, Role.REQUESTER) if a is not Action.VERIFY]


async def _page(request: web.Request, *, error: str | None = None, status: int = 200,
                kept: dict[str, str] | None = None) -> web.Response:
    token = request.match_info["token"]
    submission_id = request.app[LINKS].read_track(token)
    requests = await request.app[REQUESTS].submission(submission_id)
    notice = NOTICES.get(request.query.get("notice", ""))
    response = render_page(request, "request_track.html", {
        "token": token, "requests": [(r, _actions(r)) for r in requests], "csrf_token": csrf_token(request),
        "notice": translator(request)(notice) if notice else None, "error": error, "kept": kept or {},
        "submission_id": submission_id, **label_helpers(request)}, status=status)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def track(request: web.Request) -> web.Response:
    """``GET /requests/track/{token}``: every request of the submission, with history and thread."""
    return await _page(request)


async def _act(request: web.Request, form: dict[str, str], run: str) -> web.Response:
    token = request.match_info["token"]
    submission_id = request.app[LINKS].read_track(token)
    service = request.app[REQUESTS]
    request_id = request.match_info["request_id"]
    mine = [r for r in await service.submission(submission_id) if r.id == request_id]
    if not mine:
        raise RequestNotFoundError(f"no request {request_id!r} in this submission")
    actor = Actor(name=mine[0].requester.email, role=Role.REQUESTER, submission_id=submission_id)
    t = translator(request)
    try:
        if run == "message":
            await service.post_message(actor, request_id, form.get("body", "")[:5000])
        else:
            try:
                action = Action(form.get("action", ""))
            except ValueError:
                return await _page(request, error=t(_("Choose an action.")), status=400, kept=form)
            if action is Action.WITHDRAW and form.get("confirm") != "yes":
                return _confirm_withdraw(request, token, mine[0], form)
            await service.transition(actor, request_id, action, form.get("comment", "")[:5000])
    except CommentRequiredError:
        return await _page(request, error=t(_("Please write a comment or message.")), status=400, kept=form)
    except ConflictError:
        return await _page(request, error=t(_(
            "This request changed in the meantime (the institution may have acted first). "
            "Its current state is shown below; please decide again.")), status=409, kept=form)
    return see_other(f"/requests/track/{token}?notice={'sent' if run == 'message' else 'done'}")


def _confirm_withdraw(request: web.Request, token: str, r: UsageRequest, form: dict[str, str]) -> web.Response:
    """The confirm step before withdrawing (it cannot be undone); works without JavaScript."""
    t = translator(request)
    response = render_page(request, "confirm_action.html", {"confirm": {
        "title": t(_("Withdraw this request?")),
        "what": t(_("%(institution)s will stop processing request %(id)s and you cannot reopen it; "
                    "to get these resources later you would send a new request."),
                  institution=Labels(t, institutions(request)).institution(r.institution), id=r.id),
        "action_url": f"/requests/track/{token}/{r.id}/action",
        "hidden": {"csrf_token": csrf_token(request), "action": Action.WITHDRAW.value},
        "comment": form.get("comment", "")[:5000], "comment_required": False,
        "comment_label": t(_("Reason for withdrawing (optional, sent to the institution)")),
        "button": t(_("Yes, withdraw the request")), "cancel_url": f"/requests/track/{token}#req-{r.institution}",
    }})
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def requester_action(request: web.Request) -> web.Response:
    """``POST /requests/track/{token}/{request_id}/action``: answer, withdraw or confirm receipt."""
    return await _act(request, await check_csrf(request), "action")


async def requester_message(request: web.Request) -> web.Response:
    """``POST /requests/track/{token}/{request_id}/messages``: write to the institution."""
    return await _act(request, await check_csrf(request), "message")
