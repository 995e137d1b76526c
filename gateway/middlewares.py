"""Cross-cutting request handling: request ids and access log, errors as problems, time budgets,
the API rate limit, ETags/compression, and the headers every response carries."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

from aiohttp import web

from gateway.errors import RateLimitedError, ServiceUnavailableError
from gateway.i18n import LANG_COOKIE, LANGUAGES
from gateway.keys import BUCKETS, METRICS, SETTINGS
from gateway.problems import INTERNAL, Problem, ProblemKind, lookup, problem_for
from gateway.render import render_page
from schemas import logcontext

log = logging.getLogger(__name__)
access_log = logging.getLogger("gateway.access")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REQUEST_ID = web.RequestKey("request_id", str)
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
COMPRESS_MIN_BYTES = 1024

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def is_api(request: web.Request) -> bool:
    """Whether ``request`` is for the JSON API (problems as JSON, rate limited)."""
    return request.path == "/api" or request.path.startswith("/api/")


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give each request an id (``X-Request-Id`` in or a new one) and log one line per request."""
    incoming = request.headers.get("X-Request-Id", "")
    request[REQUEST_ID] = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
    logcontext.request_id.set(request[REQUEST_ID])  # this request's task has its own context
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        seconds = time.perf_counter() - started
        metrics = request.app.get(METRICS)
        if metrics is not None:
            metrics.observe(request, status, seconds)
        access_log.info(json.dumps({
            "event": "request", "request_id": request[REQUEST_ID], "method": request.method,
            "path": request.path, "status": status, "duration_ms": round(seconds * 1000, 1),
            "remote": request.remote,
        }), extra={"request_id": request[REQUEST_ID]})


def _kind_of(exc: Exception) -> ProblemKind:
    kind = lookup(exc)
    if kind is None and isinstance(exc, web.HTTPException):
        slug = re.sub(r"[^a-z]+", "-", exc.reason.lower()).strip("-") or "error"
        return ProblemKind(slug, exc.status, exc.reason, show_message=False)
    return kind or INTERNAL


def _wants_html(request: web.Request) -> bool:
    return not is_api(request) and "text/html" in request.headers.get("Accept", "")


async def _render(request: web.Request, problem: Problem) -> web.StreamResponse:
    if _wants_html(request):
        response = render_page(request, "error.html", {"problem": problem}, status=problem.kind.status)
    else:
        response = web.Response(status=problem.kind.status, content_type="application/problem+json",
                                text=json.dumps(problem.body(request.path), ensure_ascii=False))
    response.headers.update(problem.headers)
    response.headers["Cache-Control"] = "no-store"
    return response


@web.middleware
async def error_problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every error into a problem (JSON for the API and non-browsers, a page for browsers)."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kind = _kind_of(exc)
        problem = problem_for(exc) if lookup(exc) else Problem(kind, kind.title, [], {})
        return await _render(request, problem)
    except Exception as exc:
        problem = problem_for(exc)
        if problem.kind is INTERNAL:
            log.exception("unhandled error", extra={"request_id": request.get(REQUEST_ID)})
        elif problem.kind.status >= 500:
            log.warning("%s: %s", type(exc).__name__, problem.detail, extra={"request_id": request.get(REQUEST_ID)})
        return await _render(request, problem)


_STAFF_PREFIXES = ("/portal", "/admin", "/api/portal", "/metrics")
#: The running budget of a request, until its response is prepared (then streams may go on).
BUDGET = web.RequestKey("time_budget", asyncio.Timeout)


def time_budget_of(request: web.Request) -> float | None:
    """Seconds ``request`` may take to start its answer: the search budget for public reads, the
    staff budget for staff pages and every form submission; None for static files."""
    if request.path.startswith("/static/"):
        return None
    gateway = request.app[SETTINGS].gateway
    if request.method not in ("GET", "HEAD") or request.path.startswith(_STAFF_PREFIXES):
        return gateway.staff_budget_seconds
    return gateway.search_budget_seconds


@web.middleware
async def time_budget(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 503 when a request has not started its answer within its time budget (a hung cluster
    costs seconds, not the client's 30 s timeout); the abandoned Elasticsearch call counts as a
    failure for the circuit breaker. Once a stream (an export) has sent its headers it may go on."""
    budget = time_budget_of(request)
    if budget is None:
        return await handler(request)
    try:
        async with asyncio.timeout(budget) as timeout:
            request[BUDGET] = timeout
            try:
                return await handler(request)
            finally:
                del request[BUDGET]
    except TimeoutError as exc:
        raise ServiceUnavailableError(f"no answer within {budget:g} s; try again in a few seconds") from exc


@web.middleware
async def rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A token bucket per client address on ``/api/`` (health probes excepted)."""
    if is_api(request) and not request.path.startswith("/api/health"):
        wait = request.app[BUCKETS].take(request.remote or "unknown")
        if wait:
            raise RateLimitedError(wait)
    return await handler(request)


@web.middleware
async def conditional_get(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Weak ETags and 304s for complete GET responses; compression for large ones."""
    response = await handler(request)
    if request.method not in ("GET", "HEAD") or type(response) is not web.Response or response.status != 200:
        return response
    body = response.body
    if not isinstance(body, bytes):
        return response
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "public, max-age=60" if is_api(request) else "private, no-cache"
    etag = f'W/"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    response.headers["ETag"] = etag
    if etag in request.headers.get("If-None-Match", ""):
        not_modified = web.Response(status=304)
        for name in ("ETag", "Cache-Control", "Vary"):
            if name in response.headers:
                not_modified.headers[name] = response.headers[name]
        return not_modified
    if len(body) >= COMPRESS_MIN_BYTES:
        response.enable_compression()
    return response


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Headers on every response, errors and static files included."""
    budget = request.get(BUDGET)
    if budget is not None:
        budget.reschedule(None)  # a stream started in time: its body may take as long as it needs
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = "biocross"  # no Python/aiohttp version banner
    if request.app[SETTINGS].gateway.public_url.startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if REQUEST_ID in request:
        response.headers["X-Request-Id"] = request[REQUEST_ID]
    if request.path.startswith("/static/") and response.status == 200:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    lang = request.query.get("lang")
    if lang in LANGUAGES and request.cookies.get(LANG_COOKIE) != lang and not is_api(request):
        # Headers are already serialised from response.cookies when this signal runs: add the line.
        cookie = SimpleCookie()
        cookie[LANG_COOKIE] = lang
        cookie[LANG_COOKIE].update({"max-age": str(365 * 86400), "path": "/", "httponly": "1", "samesite": "Lax"})
        response.headers.add("Set-Cookie", cookie[LANG_COOKIE].OutputString())
