"""A circuit breaker in front of Elasticsearch: a hung or dead cluster costs callers milliseconds.

After :attr:`CircuitBreaker.failures_to_open` failures in a row (connection refused, timeouts, 5xx
answers, calls abandoned because the caller's time budget ran out) the circuit *opens*: every call
fails at once with :class:`CircuitOpenError` for :attr:`CircuitBreaker.open_seconds`. Then one call
is let through as a probe (*half-open*); its success closes the circuit, its failure opens it again.
So the gateway recovers by itself, without a restart, as soon as the cluster answers.

The breaker sits in the client's transport (:class:`BreakerTransport`), so every call of every
service built on that client is covered. :class:`CircuitOpenError` is an
``elastic_transport.ConnectionError``: code that handles an unreachable cluster handles it too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Literal

from elastic_transport import AsyncTransport, ConnectionError, TransportApiResponse, TransportError
from typing_extensions import override

from indexer.errors import IndexerError

log = logging.getLogger(__name__)

State = Literal["closed", "open", "half-open"]


class CircuitOpenError(IndexerError, ConnectionError):
    """Raised by :class:`BreakerTransport` instead of calling a cluster that failed just before;
    retriable after :attr:`CircuitBreaker.open_seconds`."""


class CircuitBreaker:
    """Failure counting and state of one cluster. One per process (per application in tests)."""

    def __init__(self, failures_to_open: int = 3, open_seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures_to_open = failures_to_open
        self.open_seconds = open_seconds
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False
        self.opened_total = 0

    @property
    def state(self) -> State:
        """``closed`` (calls go through), ``open`` (calls fail fast) or ``half-open`` (one probe)."""
        if self.opened_at is None:
            return "closed"
        return "open" if self.clock() - self.opened_at < self.open_seconds or self.probing else "half-open"

    def retry_after(self) -> int:
        """Whole seconds until the next probe may run (at least 1)."""
        if self.opened_at is None:
            return 1
        return max(1, int(self.open_seconds - (self.clock() - self.opened_at)) + 1)

    def before_call(self) -> bool:
        """Whether a call may go to the cluster now; True for the one probe of a half-open circuit
        too (the caller must then report its outcome)."""
        state = self.state
        if state == "closed":
            return True
        if state == "half-open":
            self.probing = True
            return True
        return False

    def succeeded(self) -> None:
        """The cluster answered: close the circuit."""
        if self.opened_at is not None:
            log.info("Elasticsearch answers again: circuit closed")
        self.failures, self.opened_at, self.probing = 0, None, False

    def failed(self) -> None:
        """The cluster did not answer (in time): count, and open the circuit past the threshold."""
        self.failures += 1
        if self.probing or self.failures >= self.failures_to_open:
            if self.opened_at is None or self.probing:
                log.warning("Elasticsearch failed %d time(s) in a row: circuit open for %.0f s", self.failures,
                            self.open_seconds)
            if self.opened_at is None:
                self.opened_total += 1
            self.opened_at, self.probing = self.clock(), False


class BreakerTransport(AsyncTransport):
    """The client's transport, with :attr:`breaker` consulted before and told after each call."""

    breaker: CircuitBreaker | None = None

    @override
    async def perform_request(self, method: str, target: str, **kwargs: Any) -> TransportApiResponse:  # type: ignore[override]
        breaker = self.breaker
        if breaker is None:
            return await super().perform_request(method, target, **kwargs)
        if not breaker.before_call():
            raise CircuitOpenError("Elasticsearch failed just before; not called (circuit open)")
        try:
            response = await super().perform_request(method, target, **kwargs)
        except TransportError:
            breaker.failed()
            raise
        except asyncio.CancelledError:
            # The caller gave up (its time budget ran out): for the cluster's health, a timeout.
            breaker.failed()
            raise
        except Exception:
            breaker.probing = False  # says nothing about the cluster; let the next call probe
            raise
        if response.meta.status >= 500:
            breaker.failed()
        else:
            breaker.succeeded()
        return response
