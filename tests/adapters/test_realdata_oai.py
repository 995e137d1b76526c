"""Real OAI-PMH responses (sickle samples, pyoai DSpace captures, Zenodo cassettes) served over loopback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml
from aiohttp import web

from adapters.errors import ProtocolError, TruncatedPayloadError
from adapters.testing import build_adapter, collect
from adapters.toolkits.oaipmh import OaiPmhAdapter
from schemas.harvest import Checkpoint, HarvestMode

REAL = Path(__file__).resolve().parents[1] / "data" / "realdata"
MAPPING = {"catalog_id": "header.local_id", "name": "dc:title", "resource_type": {"const": "other"},
           "description.en": {"from": "dc:description", "transforms": ["html_text"]},
           "created": {"from": "dc:date", "transforms": ["date"]}}


def files_app(folder: Path, route: dict[str, str], default: str) -> web.Application:
    """Serve a folder of OAI responses: query value → file (sickle's token *is* the file name)."""

    async def handle(request: web.Request) -> web.Response:
        q = request.query
        name = route.get(q.get("verb", ""), default)
        if "resumptionToken" in q:
            name = q["resumptionToken"]
        return web.Response(body=(folder / name).read_bytes(), content_type="text/xml")

    app = web.Application()
    app.router.add_get("/oai", handle)
    return app


async def test_sickle_resumption_chain_with_deleted_records(http, server) -> None:
    url = await server(files_app(REAL / "sickle", {"Identify": "Identify.xml"}, "ListRecords.xml"))
    adapter = build_adapter(OaiPmhAdapter, http, "sickle", institution="naro", endpoint=f"{url}/oai", mapping=MAPPING)
    out = await collect(adapter.run())
    assert out.finished.ok, out.finished.error
    # every page repeats the same two records: the copies are quarantined as identical duplicates
    assert len(out.resources) == 1 and len(out.deletions) == 3
    assert [r.reason for r in out.rejections] == ["duplicate"] * 3 and "identical" in out.rejections[0].detail
    assert out.finished.stats.warnings["deleted_header_without_identifier"] == 1
    first = out.resources[0]
    assert first.catalog_id == "1585322" and first.name == "Sample Title" and first.description.en
    assert (await adapter.probe())["deletedRecord"] == "persistent"


async def test_sickle_error_documents(http, server) -> None:
    for name, expected in (("noRecordsMatch.xml", None), ("badArgument.xml", "badArgument"),
                           ("ListRecordsBroken.xml", "malformed"), ("idDoesNotExist.xml", "idDoesNotExist")):
        url = await server(files_app(REAL / "sickle", {"Identify": "Identify.xml"}, name))
        out = await collect(build_adapter(OaiPmhAdapter, http, "s", institution="naro", endpoint=f"{url}/oai",
                                          mapping=MAPPING).run())
        if expected is None:
            assert out.finished.ok and not out.resources
        else:
            assert isinstance(out.finished.error, ProtocolError) and expected in str(out.finished.error), name


async def test_pyoai_dspace_capture_incremental(http, server) -> None:
    url = await server(files_app(REAL / "pyoai/fake2", {}, "00002.xml"))
    adapter = build_adapter(OaiPmhAdapter, http, "eur", institution="naro", endpoint=f"{url}/oai",
                            granularity="day", mapping=MAPPING)
    out = await collect(adapter.run(HarvestMode.INCREMENTAL, Checkpoint(datestamp=datetime(2004, 1, 1, tzinfo=UTC))))
    assert out.finished.ok and len(out.resources) == 79 and len(out.deletions) == 2
    assert out.resources[0].catalog_id.startswith("HDL:1765/") or out.resources[0].catalog_id.startswith("hdl:")
    assert out.finished.checkpoint is not None and out.finished.checkpoint.datestamp == datetime(
        2004, 2, 17, 13, 44, 55, tzinfo=UTC)


@pytest.mark.parametrize("folder", ["fake3", "fake4"])
async def test_pyoai_malformed_identify(http, server, folder: str) -> None:
    url = await server(files_app(REAL / "pyoai" / folder, {}, "00001.xml"))
    adapter = build_adapter(OaiPmhAdapter, http, "eur", institution="naro", endpoint=f"{url}/oai", mapping=MAPPING)
    out = await collect(adapter.run())
    assert isinstance(out.finished.error, ProtocolError)


def cassette_app(*names: str) -> web.Application:
    """Replay oaipmh-scythe cassettes: the recorded answer whose request query matches."""
    answers: dict[frozenset[tuple[str, str]], tuple[int, str, str]] = {}
    for name in names:
        doc = yaml.safe_load((REAL / "oaipmh-scythe" / name).read_text())
        for item in doc["interactions"]:
            key = frozenset(parse_qsl(urlsplit(item["request"]["uri"].strip()).query))
            resp = item["response"]
            ctype = resp["headers"].get("content-type", ["text/xml"])[0]
            answers[key] = (resp["status"], resp["body"].get("content", ""), ctype)

    async def handle(request: web.Request) -> web.Response:
        found = answers.get(frozenset(request.query.items()))
        if found is None:
            return web.Response(status=404, text="not recorded")
        status, body, ctype = found
        return web.Response(status=status, body=body.encode(), headers={"Content-Type": ctype})

    app = web.Application()
    app.router.add_get("/oai2d", handle)
    return app


async def test_zenodo_cassettes_tokens_deletions_and_422_errors(http, server) -> None:
    url = await server(cassette_app("list_records.yaml", "identify.yaml"))
    # The recording stops after two pages of a list declaring 8,091,628 records: a cut list is no catalog.
    cut = await collect(build_adapter(OaiPmhAdapter, http, "zenodo", institution="naro", endpoint=f"{url}/oai2d",
                                      granularity="second", mapping=MAPPING).run())
    assert isinstance(cut.finished.error, TruncatedPayloadError), cut.finished.error
    assert "completeListSize" in str(cut.finished.error) and "8091628" in str(cut.finished.error)
    adapter = build_adapter(OaiPmhAdapter, http, "zenodo", institution="naro", endpoint=f"{url}/oai2d",
                            granularity="second", mapping=MAPPING, check_list_size=False)
    out = await collect(adapter.run())
    assert out.finished.ok, out.finished.error
    assert len(out.resources) + len(out.deletions) == 9 and len(out.deletions) == 1
    assert all(r.catalog_id.isdigit() for r in out.resources)
    daily = build_adapter(OaiPmhAdapter, http, "zenodo", institution="naro", endpoint=f"{url}/oai2d",
                          granularity="day", mapping=MAPPING)
    empty = await collect(daily.run(HarvestMode.INCREMENTAL, Checkpoint(datestamp=datetime(2030, 1, 1, tzinfo=UTC))))
    assert empty.finished.ok and not empty.resources  # noRecordsMatch sent with HTTP 422
    bad = build_adapter(OaiPmhAdapter, http, "zenodo", institution="naro", endpoint=f"{url}/oai2d",
                        granularity="second", metadata_prefix="XXX", mapping=MAPPING)
    failed = await collect(bad.run())
    assert isinstance(failed.finished.error, ProtocolError) and failed.finished.error.adapter == "zenodo"
    assert (await adapter.probe()).get("repositoryName")
