"""Errors raised by the gateway itself, grouped by what the client should do.

Domain errors of the services (``indexer.errors``) are mapped to HTTP next to these, in the one
table of :mod:`gateway.problems`.
"""

from __future__ import annotations

from typing import TypedDict


class ParameterIssue(TypedDict):
    """One invalid request parameter, as reported in a problem's ``errors`` list."""

    name: str
    reason: str


class GatewayError(Exception):
    """Root of every error raised by ``gateway``."""


class ParameterError(GatewayError):
    """The request's query or form parameters do not validate. Raised by :mod:`gateway.params`;
    the client should fix the named parameters (400)."""

    def __init__(self, issues: list[ParameterIssue]) -> None:
        super().__init__("; ".join(f"{i['name']}: {i['reason']}" for i in issues))
        self.issues = issues


class CsrfError(GatewayError):
    """A state-changing form arrived without the session's CSRF token. Raised by
    :mod:`gateway.csrf`; the client should reload the page and submit again (403)."""


class RateLimitedError(GatewayError):
    """The client spent its request budget. Raised by the rate-limit middleware; the client should
    retry after ``retry_after`` seconds (429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests")
        self.retry_after = retry_after


class ResourceNotFoundError(GatewayError):
    """A page or API object named in the URL does not exist (unknown institution slug, entity
    without holdings). Raised by views; the client should not retry (404)."""


class InvalidLinkError(GatewayError):
    """A signed link (email verification, private status page) is forged, damaged or expired.
    Raised by :mod:`gateway.auth`; the requester should use a newer mail or submit again (400)."""


class AuthenticationRequiredError(GatewayError):
    """A staff API route was called without a valid ``Authorization: Bearer`` token. Raised by
    :mod:`gateway.auth`; the client should authenticate (401)."""


class AdminRequiredError(GatewayError):
    """A consortium administrator's page or token is required and the caller is staff of an
    institution. Raised by :mod:`gateway.auth`; the client should not retry (403)."""


class ServiceUnavailableError(GatewayError):
    """Elasticsearch did not answer within the request's time budget. Raised by the time-budget
    middleware; the client should retry after a few seconds (503)."""
