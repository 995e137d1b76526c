"""Errors of the indexer package, grouped by what the caller should do."""

from __future__ import annotations


class IndexerError(Exception):
    """Root of every error raised by ``indexer``."""


class InvalidSearchError(IndexerError):
    """The caller's search is unusable (bad, forged or foreign cursor; a query Elasticsearch
    refuses). Raised by the search service; the gateway answers 400 naming :attr:`parameter`."""

    def __init__(self, message: str, parameter: str = "cursor") -> None:
        super().__init__(message)
        self.parameter = parameter


class SearchUnavailableError(IndexerError):
    """Elasticsearch cannot answer now (down, timing out, index missing). Retriable; the gateway
    answers 503 with Retry-After."""


class NotFoundError(IndexerError):
    """The requested resource or entity does not exist. The gateway answers 404."""


class RunNotFoundError(NotFoundError):
    """No harvest run with that id, or its generation index no longer exists. Raised by
    :func:`indexer.runs.accept_run`; the operator checks the run id (exit code CONFIG)."""


class SourceNotFoundError(NotFoundError):
    """A harvest source does not exist or belongs to an institution the caller may not see (the
    two are told apart by nobody). Raised by the harvest health service; the gateway answers 404."""
