"""Test fixtures shared by the whole suite: a real Elasticsearch and a per-run index prefix.

``BIOCROSS_ES_URL`` (with the other ``BIOCROSS_ES_*`` settings) points the suite at any cluster;
without it the local node managed by ``biocross es start`` is used, and started if needed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest
from elasticsearch import AsyncElasticsearch
from pydantic import SecretStr

from biocross.localnode import LocalNode
from indexer.client import make_client
from schemas.settings import EsSettings, Settings


@pytest.fixture(scope="session")
def run_prefix() -> str:
    """An index prefix unique to this test run, so runs never see each other's data."""
    return f"bxtest-{secrets.token_hex(4)}"


@pytest.fixture(scope="session")
def settings(run_prefix: str) -> Iterator[Settings]:
    """Settings pointing at the test cluster, with this run's index prefix and a random signing key."""
    base = Settings()
    started: LocalNode | None = None
    if not os.environ.get("BIOCROSS_ES_URL"):
        node = LocalNode(base.local_node)
        if not node.status().running:
            node.start()
            started = node
        es = base.es.model_copy(update={"url": node.url})
    else:
        es = base.es
    gateway = base.gateway.model_copy(update={"secret_key": SecretStr(secrets.token_urlsafe(48))})
    yield base.model_copy(update={"es": EsSettings.model_validate({**es.model_dump(), "index_prefix": run_prefix}),
                                  "gateway": gateway})
    if started is not None and os.environ.get("BIOCROSS_TEST_KEEP_ES") != "1":
        started.stop()


@pytest.fixture(scope="session")
async def es(settings: Settings) -> AsyncIterator[AsyncElasticsearch]:
    """A session-wide async client; every index, alias and template of this run is dropped at the end."""
    client = make_client(settings.es)
    await client.cluster.health(wait_for_status="yellow", timeout="30s")
    try:
        yield client
    finally:
        prefix = settings.es.index_prefix
        await client.options(ignore_status=404).indices.delete(
            index=f"{prefix}*", expand_wildcards="all", allow_no_indices=True
        )
        await client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}*")
        await client.close()
