"""The context every log line carries: the request, adapter and harvest run it belongs to.

Whoever starts a unit of work binds its part (the gateway a request id per request, the harvest an
adapter and run id per source); ``biocross.logs`` puts the three on every line. Each aiohttp request
and each harvest task runs in its own copy of the context, so bindings never leak between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
adapter: ContextVar[str | None] = ContextVar("adapter", default=None)
run_id: ContextVar[str | None] = ContextVar("run_id", default=None)

#: Log record attribute → the variable it is read from.
FIELDS: dict[str, ContextVar[str | None]] = {"request_id": request_id, "adapter": adapter, "run_id": run_id}


@contextmanager
def bound(**values: str | None) -> Iterator[None]:
    """Bind ``request_id``/``adapter``/``run_id`` for the code inside, then restore what was there."""
    tokens = [(FIELDS[name], FIELDS[name].set(value)) for name, value in values.items()]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
