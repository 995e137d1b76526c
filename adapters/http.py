"""The one HTTP layer of every toolkit: polite, resilient, streaming, typed failures.

* one shared ``aiohttp.ClientSession`` (``HttpClient``), a clear User-Agent;
* per host: a concurrency limit and a request rate (aiolimiter), plus robots.txt ``Crawl-delay``;
* retries with exponential backoff and jitter (tenacity) on connection errors, timeouts, 429 and 5xx,
  honouring ``Retry-After`` up to a cap; never on other 4xx. Retries live here and nowhere else;
* bodies are read chunk by chunk; a body cut off mid-stream is a ``BodyInterruptedError``, and
  ``replay()`` re-fetches it, skipping the items already delivered, where the caller says that is safe.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

import aiohttp
from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from adapters.errors import BodyInterruptedError, ProtocolError, SourceUnreachableError

log = logging.getLogger(__name__)

USER_AGENT = "biocross/0.1 (+https://biocross.tsukuba-consortium.example/harvester; consortium harvester)"
CHUNK = 64 * 1024
T = TypeVar("T")


@dataclass(frozen=True)
class RequestPolicy:
    """How one adapter talks to its source (built from its config; see ``AdapterConfig.request_policy``)."""

    adapter: str
    timeout: float = 30.0
    max_duration: float | None = None
    retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 60.0
    rate_limit: float = 2.0
    concurrency: int = 2
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)  # may carry credentials


class _HostGate:
    """Per-host concurrency slots, request rate and minimum spacing (robots.txt Crawl-delay)."""

    def __init__(self, rate: float, concurrency: int) -> None:
        self.rate = rate
        self.slots = asyncio.Semaphore(concurrency)
        self.limiter = AsyncLimiter(rate, 1.0) if rate >= 1 else AsyncLimiter(1, 1.0 / rate)
        self.min_interval = 0.0
        self._last = 0.0

    async def pace(self) -> None:
        await self.limiter.acquire()
        if self.min_interval:
            wait = self._last + self.min_interval - time.monotonic()
            self._last = time.monotonic() + max(wait, 0.0)
            if wait > 0:
                await asyncio.sleep(wait)


@dataclass
class StreamResponse:
    """An open response whose body is read chunk by chunk; errors mid-body are typed."""

    status: int
    headers: Mapping[str, str]
    url: str
    links: Mapping[str, str]
    _resp: aiohttp.ClientResponse
    _adapter: str

    async def chunks(self, size: int = CHUNK) -> AsyncIterator[bytes]:
        """The body, chunk by chunk. Raises ``BodyInterruptedError`` if it ends early, including a body
        shorter than its ``Content-Length`` (checked here too, whatever the client library lets through)."""
        received = 0
        try:
            async for chunk in self._resp.content.iter_chunked(size):
                received += len(chunk)
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise BodyInterruptedError(
                f"body interrupted: {type(exc).__name__}: {exc}", adapter=self._adapter, url=self.url
            ) from exc
        declared = self.headers.get("Content-Length", "")
        identity = self.headers.get("Content-Encoding", "identity").strip().lower() in ("", "identity")
        if identity and declared.isdigit() and received < int(declared):
            raise BodyInterruptedError(f"body interrupted: {received} of {declared} bytes (Content-Length) received",
                                       adapter=self._adapter, url=self.url)

    async def read(self, max_bytes: int = 50 * 1024 * 1024) -> bytes:
        """The whole body (for pages of bounded size); ``ProtocolError`` beyond ``max_bytes``."""
        parts: list[bytes] = []
        total = 0
        async for chunk in self.chunks():
            total += len(chunk)
            if total > max_bytes:
                raise ProtocolError(f"response larger than {max_bytes} bytes", adapter=self._adapter, url=self.url)
            parts.append(chunk)
        return b"".join(parts)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _wait(policy: RequestPolicy) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return min(float(retry_after), policy.max_retry_after)
        ceiling = min(policy.max_backoff, policy.backoff * 2 ** (state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)  # "equal jitter": spreads retries of many clients

    return wait


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.warning("retrying after %s (attempt %d)", exc, state.attempt_number)


class HttpClient:
    """The shared HTTP client. Open once per process (``async with HttpClient() as http``)."""

    def __init__(self, *, user_agent: str = USER_AGENT, session: aiohttp.ClientSession | None = None) -> None:
        self.user_agent = user_agent
        self._session = session
        self._own_session = session is None
        self._gates: dict[str, _HostGate] = {}

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={"User-Agent": self.user_agent},
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
                auto_decompress=True,
            )
        return self._session

    async def close(self) -> None:
        """Close the session (if this client created it)."""
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()

    def gate(self, url: str, policy: RequestPolicy) -> _HostGate:
        """The host's gate; two adapters on one host share it, the stricter settings win."""
        host = urlsplit(url).netloc.lower()
        gate = self._gates.get(host)
        if gate is None or policy.rate_limit < gate.rate:
            self._gates[host] = gate = _HostGate(policy.rate_limit, policy.concurrency)
        return gate

    def set_crawl_delay(self, url: str, policy: RequestPolicy, delay: float) -> None:
        """Space requests to ``url``'s host at least ``delay`` seconds apart (robots.txt)."""
        gate = self.gate(url, policy)
        gate.min_interval = max(gate.min_interval, delay)

    async def _open_once(
        self, url: str, policy: RequestPolicy, params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None, ok: frozenset[int],
    ) -> aiohttp.ClientResponse:
        await self.gate(url, policy).pace()
        timeout = aiohttp.ClientTimeout(
            total=policy.max_duration, connect=policy.timeout, sock_connect=policy.timeout, sock_read=policy.timeout
        )
        try:
            resp = await self.session.get(
                url, params=params, headers={**policy.headers, **(headers or {})},
                timeout=timeout, allow_redirects=True,
            )
        except aiohttp.InvalidURL as exc:
            raise ProtocolError(f"invalid URL: {exc}", adapter=policy.adapter, url=url) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SourceUnreachableError(f"{type(exc).__name__}: {exc}", adapter=policy.adapter, url=url) from exc
        if resp.status in ok:
            return resp
        status, reason, retry_after = resp.status, resp.reason, resp.headers.get("Retry-After")
        resp.release()
        if status == 429 or status >= 500:
            raise SourceUnreachableError(
                f"HTTP {status} {reason}", adapter=policy.adapter, url=url, status=status,
                retry_after=parse_retry_after(retry_after),
            )
        raise ProtocolError(f"HTTP {status} {reason}", adapter=policy.adapter, url=url, status=status)

    @asynccontextmanager
    async def open(
        self, url: str, policy: RequestPolicy, *, params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None, ok: frozenset[int] = frozenset({200}),
    ) -> AsyncIterator[StreamResponse]:
        """An open response with a status in ``ok``; retried until then. Holds a host slot while open."""
        gate = self.gate(url, policy)
        async with gate.slots:
            retrying = AsyncRetrying(
                stop=stop_after_attempt(policy.retries + 1), wait=_wait(policy), reraise=True,
                retry=retry_if_exception_type(SourceUnreachableError), before_sleep=_log_retry,
            )
            resp: aiohttp.ClientResponse = await retrying(self._open_once, url, policy, params, headers, ok)
            try:
                yield StreamResponse(
                    status=resp.status, headers=resp.headers, url=str(resp.url),
                    links={str(k): str(v.get("url", "")) for k, v in resp.links.items()},
                    _resp=resp, _adapter=policy.adapter,
                )
            finally:
                resp.release()

    async def fetch(
        self, url: str, policy: RequestPolicy, *, params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None, ok: frozenset[int] = frozenset({200}),
        max_bytes: int = 50 * 1024 * 1024,
    ) -> tuple[StreamResponse, bytes]:
        """A whole (bounded) body, re-fetched if it is cut off mid-stream."""

        async def read(resp: StreamResponse) -> AsyncIterator[tuple[StreamResponse, bytes]]:
            yield resp, await resp.read(max_bytes)

        async for item in self.replay(url, policy, read, params=params, headers=headers, ok=ok):
            return item
        raise AssertionError("unreachable")  # pragma: no cover - replay yields exactly once

    async def replay(
        self, url: str, policy: RequestPolicy, parse: Callable[[StreamResponse], AsyncIterator[T]], *,
        params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
        ok: frozenset[int] = frozenset({200}), sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> AsyncGenerator[T, None]:
        """Stream ``parse(response)``; if the body is cut off, re-fetch and skip what was delivered.

        Only for deterministic responses (an OAI page for one token, one export file): a re-fetch
        whose ``ETag``/``Last-Modified`` differs from the first is a ``ProtocolError``.
        """
        delivered = 0
        validator: tuple[str | None, str | None] | None = None
        for attempt in range(policy.retries + 1):
            try:
                async with self.open(url, policy, params=params, headers=headers, ok=ok) as resp:
                    seen = (resp.headers.get("ETag"), resp.headers.get("Last-Modified"))
                    if validator is not None and any(seen) and seen != validator:
                        raise ProtocolError("source changed while being re-read", adapter=policy.adapter, url=url)
                    validator = seen
                    index = 0
                    async for item in parse(resp):
                        index += 1
                        if index > delivered:
                            delivered = index
                            yield item
                    return
            except BodyInterruptedError as exc:
                if attempt >= policy.retries:
                    raise
                log.warning("%s; re-fetching and skipping %d delivered items", exc, delivered)
                await sleep(min(policy.max_backoff, policy.backoff * 2**attempt) * random.uniform(0.5, 1.0))
