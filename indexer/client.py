"""The one place an Elasticsearch client is built from settings."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch
from elasticsearch.serializer import OrjsonSerializer

from indexer.breaker import BreakerTransport, CircuitBreaker
from schemas.settings import EsSettings


def client_kwargs(es: EsSettings) -> dict[str, Any]:
    """Keyword arguments for the official client: URL, auth, TLS and timeouts from settings alone."""
    kwargs: dict[str, Any] = {
        "hosts": [es.url],
        "request_timeout": es.request_timeout,
        "retry_on_timeout": True,
        "max_retries": 3,
        # orjson parses and writes JSON several times faster than the stdlib: search responses and
        # bulk bodies are the gateway's and the harvester's biggest serialisation costs.
        "serializer": OrjsonSerializer(),
        "connections_per_node": 32,
    }
    if es.api_key is not None:
        kwargs["api_key"] = es.api_key.get_secret_value()
    elif es.username is not None and es.password is not None:
        kwargs["basic_auth"] = (es.username, es.password.get_secret_value())
    if es.url.startswith("https"):
        kwargs["verify_certs"] = es.verify_certs
        if es.ca_certs is not None:
            kwargs["ca_certs"] = str(es.ca_certs)
    return kwargs


def make_client(es: EsSettings, breaker: CircuitBreaker | None = None) -> AsyncElasticsearch:
    """An async client; the caller owns it and must ``await client.close()``. With ``breaker``,
    every call goes through that circuit breaker (see :mod:`indexer.breaker`)."""
    if breaker is None:
        return AsyncElasticsearch(**client_kwargs(es))
    client = AsyncElasticsearch(**client_kwargs(es), transport_class=BreakerTransport)
    transport = client.transport
    assert isinstance(transport, BreakerTransport)
    transport.breaker = breaker
    return client
