"""A broken source ends its run as a typed failure naming the adapter; nothing escapes ``run()``."""

from __future__ import annotations

from typing import Any

import pytest
from institutions.demosources import StartSources

from adapters.errors import AdapterCrashedError, AdapterError, ProtocolError, SourceUnreachableError
from adapters.testing import collect

CASES: list[Any] = [
    # a connection dropped mid-export, every time: the CSV body is re-fetched, then given up
    pytest.param("riken", {"mode": "drop"}, {}, SourceUnreachableError, id="riken-csv-dropped"),
    # a JSON API in maintenance (503 + Retry-After) for longer than the retries
    pytest.param("jcrb", {"mode": "http503", "retry_after": 1}, {}, SourceUnreachableError, id="jcrb-json-503"),
    # a cursor the source no longer accepts (400)
    pytest.param("tsukuba", {"mode": "badtoken", "count": 5}, {"paging": {"page_size": 40}}, ProtocolError,
                 id="tsukuba-cursor-expired"),
    # an OAI-PMH response cut off cleanly halfway: malformed XML
    pytest.param("naro", {"mode": "truncate"}, {}, ProtocolError, id="naro-oai-truncated"),
    # list pages slower than the timeout
    pytest.param("nies", {"mode": "slow", "delay": 1.0}, {"timeout": 0.2}, SourceUnreachableError,
                 id="nies-html-slow"),
]


@pytest.mark.parametrize(("name", "fault", "overrides", "expected"), CASES)
async def test_fault_ends_as_a_typed_failure(name: str, fault: dict[str, Any], overrides: dict[str, Any],
                                             expected: type[AdapterError], start_sources: StartSources) -> None:
    sources = await start_sources()
    config = sources.configs[name]
    if "paging" in overrides:
        overrides = {**overrides, "paging": config.paging.model_copy(update=overrides["paging"])}  # type: ignore[attr-defined]
    sources.state[name].set_fault(**fault)
    out = await collect(sources.adapter(name, **overrides).run())
    error = out.finished.error
    assert isinstance(error, expected) and not isinstance(error, AdapterCrashedError), repr(error)
    assert error.adapter == name and name in str(error)
    assert not out.finished.ok and out.finished.stats.errors >= 1


async def test_a_short_outage_is_ridden_out(start_sources: StartSources) -> None:
    """One 503 is retried by the HTTP layer; the run completes with every record."""
    sources = await start_sources()
    sources.state["jcrb"].set_fault("http503", count=1, retry_after=0)
    out = await collect(sources.adapter("jcrb").run())
    assert out.finished.ok, out.finished.error
    assert out.finished.stats.mapped > 400
