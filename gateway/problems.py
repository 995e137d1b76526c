"""The one table mapping errors to RFC 9457 problem details.

Every error a client can see is listed here with a stable ``type`` URI, its HTTP status and title.
The detail text comes from our own exception messages (written for clients), never from
Elasticsearch or a traceback; anything not in the table is a 500 with a generic detail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from elastic_transport import TransportError
from elasticsearch import ApiError, BadRequestError

from desk.errors import (
    ActionNotPermittedError,
    AuthenticationError,
    CommentRequiredError,
    ConflictError,
    InstitutionExistsError,
    InvitationError,
    SubmissionError,
)
from desk.webhooks import WebhookError
from gateway.errors import (
    AdminRequiredError,
    AuthenticationRequiredError,
    CsrfError,
    InvalidLinkError,
    ParameterError,
    ParameterIssue,
    RateLimitedError,
    ResourceNotFoundError,
    ServiceUnavailableError,
)
from indexer.errors import InvalidSearchError, NotFoundError, SearchUnavailableError

PROBLEM_BASE = "https://biocross.example/problems/"
RETRY_AFTER_UNAVAILABLE = 5


@dataclass(frozen=True)
class ProblemKind:
    """How one family of errors is shown to clients."""

    slug: str
    status: int
    title: str
    #: Whether the exception's message is safe and useful to show as ``detail``.
    show_message: bool = True
    #: Invalid parameters named by the error, for the ``errors`` member.
    issues: Callable[[Exception], list[ParameterIssue]] | None = None
    headers: Callable[[Exception], dict[str, str]] = field(default=lambda exc: {})

    @property
    def type(self) -> str:
        """The stable problem type URI."""
        return PROBLEM_BASE + self.slug


def _parameter_issues(exc: Exception) -> list[ParameterIssue]:
    return exc.issues if isinstance(exc, ParameterError) else []


def _cursor_issue(exc: Exception) -> list[ParameterIssue]:
    return [{"name": exc.parameter if isinstance(exc, InvalidSearchError) else "cursor", "reason": str(exc)}]


def _retry_after(exc: Exception) -> dict[str, str]:
    seconds = exc.retry_after if isinstance(exc, RateLimitedError) else RETRY_AFTER_UNAVAILABLE
    return {"Retry-After": str(seconds)}


def _input_issue(exc: Exception) -> list[ParameterIssue]:
    name = "comment" if isinstance(exc, CommentRequiredError) else "form"
    return [{"name": name, "reason": str(exc)}]


def _allow(exc: Exception) -> dict[str, str]:
    methods = exc.allowed_methods if isinstance(exc, web.HTTPMethodNotAllowed) else set()
    return {"Allow": ", ".join(sorted(methods))} if methods else {}


def _bearer(exc: Exception) -> dict[str, str]:
    return {"WWW-Authenticate": 'Bearer realm="biocross"'}


VALIDATION = ProblemKind("validation", 400, "Invalid request parameters", issues=_parameter_issues)
#: Elasticsearch unreachable, timing out, answering 5xx, or the circuit open: the same answer on
#: every route, public or staff, HTML or API.
UNAVAILABLE = ProblemKind("unavailable", 503, "Service temporarily unavailable", show_message=False,
                          headers=_retry_after)
NOT_FOUND = ProblemKind("not-found", 404, "Not found")
INTERNAL = ProblemKind("internal", 500, "Internal server error", show_message=False)

#: Error class → problem kind. Subclasses match their nearest listed ancestor.
PROBLEM_TABLE: dict[type[Exception], ProblemKind] = {
    ParameterError: VALIDATION,
    InvalidSearchError: ProblemKind("validation", 400, "Invalid request parameters", issues=_cursor_issue),
    NotFoundError: NOT_FOUND,
    ResourceNotFoundError: NOT_FOUND,
    SearchUnavailableError: ProblemKind("unavailable", 503, "Search is temporarily unavailable",
                                        headers=_retry_after),
    ServiceUnavailableError: UNAVAILABLE,
    TransportError: UNAVAILABLE,
    ApiError: UNAVAILABLE,
    # A query Elasticsearch refuses is the request's fault, not an outage.
    BadRequestError: ProblemKind("validation", 400, "Invalid request parameters", show_message=False,
                                 issues=lambda exc: []),
    RateLimitedError: ProblemKind("rate-limited", 429, "Too many requests", headers=_retry_after),
    CsrfError: ProblemKind("csrf", 403, "Form expired or forged", show_message=False),
    # Usage requests and staff accounts.
    ConflictError: ProblemKind("conflict", 409, "The request changed"),
    ActionNotPermittedError: ProblemKind("forbidden", 403, "Not allowed"),
    AdminRequiredError: ProblemKind("forbidden", 403, "Not allowed"),
    CommentRequiredError: ProblemKind("validation", 400, "Invalid request parameters", issues=_input_issue),
    SubmissionError: ProblemKind("validation", 400, "Invalid request parameters", issues=_input_issue),
    AuthenticationError: ProblemKind("unauthorized", 401, "Authentication required", headers=_bearer),
    AuthenticationRequiredError: ProblemKind("unauthorized", 401, "Authentication required", headers=_bearer),
    InvalidLinkError: ProblemKind("invalid-link", 400, "Invalid or expired link"),
    InvitationError: ProblemKind("invalid-link", 400, "Invalid or expired link"),
    InstitutionExistsError: ProblemKind("conflict", 409, "Already exists"),
    WebhookError: NOT_FOUND,
    web.HTTPNotFound: ProblemKind("not-found", 404, "Not found", show_message=False),
    web.HTTPMethodNotAllowed: ProblemKind("method-not-allowed", 405, "Method not allowed", show_message=False,
                                          headers=_allow),
    web.HTTPRequestEntityTooLarge: ProblemKind("too-large", 413, "Request too large", show_message=False),
    web.HTTPUnsupportedMediaType: ProblemKind("unsupported-media-type", 415, "Unsupported media type",
                                              show_message=False),
}

_DETAILS = {
    404: "The requested resource does not exist.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    403: "The form is no longer valid; reload the page and try again.",
    500: "An unexpected error occurred; it has been logged.",
    503: "The service is temporarily unavailable; try again in a few seconds.",
}


@dataclass(frozen=True)
class Problem:
    """A resolved problem, ready to render as JSON or HTML."""

    kind: ProblemKind
    detail: str
    issues: list[ParameterIssue]
    headers: dict[str, str]

    def body(self, instance: str | None = None) -> dict[str, object]:
        """The ``application/problem+json`` document."""
        doc: dict[str, object] = {"type": self.kind.type, "title": self.kind.title,
                                  "status": self.kind.status, "detail": self.detail}
        if instance:
            doc["instance"] = instance
        if self.kind.issues is not None:
            doc["errors"] = self.issues
        return doc


def lookup(exc: Exception) -> ProblemKind | None:
    """The table entry for ``exc`` (by nearest ancestor), or None when it is unexpected."""
    for cls in type(exc).__mro__:
        if cls in PROBLEM_TABLE:
            return PROBLEM_TABLE[cls]
    return None


def problem_for(exc: Exception) -> Problem:
    """Resolve ``exc`` into a problem; unknown errors become a bare 500."""
    kind = lookup(exc) or INTERNAL
    detail = str(exc) if kind.show_message and str(exc) else _DETAILS.get(kind.status, kind.title)
    return Problem(kind=kind, detail=detail, issues=kind.issues(exc) if kind.issues else [],
                   headers=kind.headers(exc))
