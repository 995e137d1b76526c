"""Errors of the adapter package, grouped by what the caller should do.

=========================  =======================================  =====================================
error                      raised by / when                         the caller should
=========================  =======================================  =====================================
``SourceUnreachableError``  the HTTP layer: connection refused,      retry later (the HTTP layer already
                           timeout, 429/5xx after its retries,      retried with backoff); the run ends
                           body cut off mid-stream                  as a typed failure
``ProtocolError``           toolkits: the source answered, but not   stop this run (fatal for this run);
                           in its protocol (bad XML, OAI error,     a maintainer must look at the source
                           4xx, robots.txt forbids); its subclass
                           ``TruncatedPayloadError``: the payload
                           is cut off (fewer records than declared,
                           open quote or element at the end)
``MappingError``            ``map()`` / the mapping language: one    skip this record: ``run()`` turns it
                           record cannot become a Resource          into a ``Rejection`` (quarantine)
``AdapterConfigError``      the config loader and the registry:      fix the configuration; nothing runs
                           invalid adapters.toml, unknown or
                           duplicate adapter type
=========================  =======================================  =====================================

Every error names the adapter (``adapter``) it happened in, so one failing source is reported as
that source's failure and never as the harvester's.
"""

from __future__ import annotations

from typing_extensions import override

from schemas.harvest import RejectionReason


class AdapterError(Exception):
    """Root of every error the adapter package raises on purpose."""

    #: Short category shown in reports and harvest-run records.
    kind: str = "adapter_error"

    def __init__(self, message: str, *, adapter: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.adapter = adapter
        self.url = url

    @override
    def __str__(self) -> str:
        where = f"[{self.adapter}] " if self.adapter else ""
        at = f" ({self.url})" if self.url else ""
        return f"{where}{self.message}{at}"

    def attributed(self, adapter: str) -> AdapterError:
        """Name the adapter this error belongs to, unless it already does; returns ``self``."""
        if self.adapter is None:
            self.adapter = adapter
        return self


class SourceUnreachableError(AdapterError):
    """The source could not be reached or stopped answering (retriable: try the run again later).

    Raised by ``adapters.http`` once its own retries are exhausted, and for a body cut off mid-stream.
    """

    kind = "unreachable"

    def __init__(
        self,
        message: str,
        *,
        adapter: str | None = None,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, adapter=adapter, url=url)
        self.status = status
        self.retry_after = retry_after


class BodyInterruptedError(SourceUnreachableError):
    """A response body ended early (connection dropped, truncated transfer, idle timeout mid-body).

    Raised by ``adapters.http`` while streaming; it re-fetches where that is safe (``replay``).
    """

    kind = "interrupted"


class ProtocolError(AdapterError):
    """The source answered, but not as its protocol says (fatal for this run).

    Raised by the toolkits for malformed XML/JSON/CSV structure, OAI-PMH error codes other than
    ``noRecordsMatch``, HTTP 4xx, pages forbidden by robots.txt, an export that changed mid-read.
    """

    kind = "protocol"

    def __init__(
        self, message: str, *, adapter: str | None = None, url: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, adapter=adapter, url=url)
        self.status = status


class TruncatedPayloadError(ProtocolError):
    """What arrived is not the whole catalog: a body shorter than its ``Content-Length``, a file that
    ends inside a quoted field or element, fewer records than the source declares (``completeListSize``,
    an export's row count). Raised by the HTTP layer and the toolkits; the run fails, nothing is published.
    """

    kind = "truncated"


class AdapterCrashedError(ProtocolError):
    """An adapter raised something that is not an ``AdapterError`` (a bug); ``run()`` wraps it."""

    kind = "crashed"


class MappingError(AdapterError):
    """One record cannot become a Resource: skip it with a reason (it is quarantined, not lost).

    Raised by ``map()`` implementations and the mapping language; ``run()`` turns it into a
    ``schemas.harvest.Rejection`` carrying ``reason``, ``field`` and the raw payload.
    """

    kind = "mapping"

    def __init__(
        self,
        message: str,
        *,
        reason: RejectionReason = RejectionReason.INVALID_FIELD,
        field: str | None = None,
        adapter: str | None = None,
    ) -> None:
        super().__init__(message, adapter=adapter)
        self.reason = reason
        self.field = field


class AdapterConfigError(AdapterError):
    """Configuration is invalid: fix it, nothing runs. ``problems`` lists every error at once."""

    kind = "config"

    def __init__(self, message: str, *, problems: list[str] | None = None, adapter: str | None = None) -> None:
        self.problems = problems or []
        full = message if not self.problems else message + ":\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(full, adapter=adapter)
