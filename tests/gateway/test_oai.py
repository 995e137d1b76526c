"""The OAI-PMH provider against the fixture corpus: every verb and every error it can answer, each
response validated with the published OAI-PMH 2.0 schema (and oai_dc records with oai_dc.xsd)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from lxml import etree

from fixtures.oaischema import OAI, validate_oai
from gateway.oai.metadata import MIABIS, SDWC
from schemas.resource import Resource

Client = TestClient[Any, Any]
WITHDRAWN_ID = "riken-brc:RBRC9999"  # as in tests/gateway/conftest.py
NS = {"o": OAI, "dc": "http://purl.org/dc/elements/1.1/", "dwc": "http://rs.tdwg.org/dwc/terms/",
      "sdwc": SDWC, "m": MIABIS}
HOST = "127.0.0.1"  # host of the default gateway.public_url


async def oai(client: Client, method: str = "GET", **params: str) -> etree._Element:
    if method == "POST":
        response = await client.post("/oai", data=params)
    else:
        response = await client.get("/oai", params=params)
    assert response.status == 200 and response.content_type == "text/xml"
    return validate_oai(await response.read())


def error_code(root: etree._Element) -> str | None:
    errors = root.findall("o:error", NS)
    return errors[0].get("code") if errors else None


def oai_id(holding: str) -> str:
    return f"oai:{HOST}:{holding}"


async def harvest(client: Client, verb: str, **params: str) -> tuple[list[etree._Element], list[etree._Element]]:
    """Every item of a list and each page's resumptionToken element, following tokens."""
    items: list[etree._Element] = []
    tokens: list[etree._Element] = []
    tag = "o:record" if verb == "ListRecords" else "o:header"
    root = await oai(client, verb=verb, **params)
    while True:
        assert error_code(root) is None, etree.tostring(root)
        listing = root.find(f"o:{verb}", NS)
        assert listing is not None
        items += listing.findall(tag, NS)
        token = listing.find("o:resumptionToken", NS)
        if token is None:
            return items, tokens
        tokens.append(token)
        if not token.text:
            return items, tokens
        root = await oai(client, verb=verb, resumptionToken=token.text)


async def test_identify_and_formats(client: Client) -> None:
    root = await oai(client, verb="Identify")
    identify = root.find("o:Identify", NS)
    assert identify is not None
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://127.0.0.1:8080/oai"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert root.find("o:request", NS).get("verb") == "Identify"  # type: ignore[union-attr]
    scheme = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
    assert identify.findtext(f"o:description/{scheme}oai-identifier/{scheme}sampleIdentifier", namespaces=NS) \
        == oai_id("riken-brc:RBRC00001")
    formats = await oai(client, verb="ListMetadataFormats")
    assert {e.text for e in formats.iterfind(".//o:metadataPrefix", NS)} == {"oai_dc", "dwc", "miabis"}
    for_cell_line = await oai(client, verb="ListMetadataFormats", identifier=oai_id("riken-brc:RCB7"))
    assert {e.text for e in for_cell_line.iterfind(".//o:metadataPrefix", NS)} == {"oai_dc", "dwc"}


async def test_list_sets_per_institution_and_type(client: Client) -> None:
    root = await oai(client, verb="ListSets")
    specs = {e.text for e in root.iterfind(".//o:setSpec", NS)}
    assert {"institution", "type", "institution:riken-brc", "institution:jcrb", "type:cell_line",
            "type:human_specimen"} <= specs


async def test_list_records_pages_through_every_record_with_deleted(client: Client, gw_corpus: list[Resource]) -> None:
    records, tokens = await harvest(client, "ListRecords", metadataPrefix="oai_dc")
    ids = [r.findtext("o:header/o:identifier", namespaces=NS) for r in records]
    assert len(ids) == len(set(ids)) == len(gw_corpus) + 1  # the corpus plus one withdrawn record
    assert len(tokens) >= 5 and not tokens[-1].text  # 100 per page; an empty token ends the list
    assert {t.get("completeListSize") for t in tokens} == {str(len(gw_corpus) + 1)}
    assert [int(t.get("cursor") or -1) for t in tokens] == [100 * i for i in range(len(tokens))]
    assert all(t.get("expirationDate") for t in tokens[:-1])
    deleted = [r for r in records if r.find("o:header", NS).get("status") == "deleted"]  # type: ignore[union-attr]
    assert [d.findtext("o:header/o:identifier", namespaces=NS) for d in deleted] == [oai_id(WITHDRAWN_ID)]
    assert deleted[0].find("o:metadata", NS) is None
    hela = next(r for r in records if r.findtext("o:header/o:identifier", namespaces=NS) == oai_id("jcrb:JCRB9004"))
    assert hela.findtext("o:metadata//dc:title", namespaces=NS) == "HeLa"
    assert {s.text for s in hela.iterfind("o:header/o:setSpec", NS)} == {"institution:jcrb", "type:cell_line"}
    stamps = [r.findtext("o:header/o:datestamp", namespaces=NS) or "" for r in records]
    assert stamps == sorted(stamps)  # datestamp order: a restart from the last datestamp misses nothing


async def test_list_identifiers_sets_and_dates(client: Client, gw_corpus: list[Resource]) -> None:
    headers, _tokens = await harvest(client, "ListIdentifiers", metadataPrefix="oai_dc", set="institution:jcrb")
    expected = {r.id for r in gw_corpus if r.institution == "jcrb"}
    assert {h.findtext("o:identifier", namespaces=NS) for h in headers} == {oai_id(i) for i in expected}
    typed, _ = await harvest(client, "ListIdentifiers", metadataPrefix="oai_dc", set="type:cell_line")
    assert len(typed) == sum(1 for r in gw_corpus if r.resource_type == "cell_line")
    everything, _ = await harvest(client, "ListIdentifiers", metadataPrefix="oai_dc", set="institution")
    assert len(everything) == len(gw_corpus) + 1
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    by_day, _ = await harvest(client, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": today, "until": today})
    assert len(by_day) == len(gw_corpus) + 1
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert error_code(await oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": later})) \
        == "noRecordsMatch"
    before = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert error_code(await oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=before)) \
        == "noRecordsMatch"


async def test_get_record_in_each_format(client: Client, gw_corpus: list[Resource]) -> None:
    root = await oai(client, verb="GetRecord", identifier=oai_id("riken-brc:RCB7"), metadataPrefix="dwc")
    record = root.find("o:GetRecord/o:record/o:metadata/sdwc:SimpleDarwinRecordSet/sdwc:SimpleDarwinRecord", NS)
    assert record is not None
    assert record.findtext("dwc:catalogNumber", namespaces=NS) == "RCB0007"
    assert record.findtext("dwc:scientificName", namespaces=NS) == "Homo sapiens"
    assert record.findtext("dwc:taxonID", namespaces=NS) == "NCBI:txid9606"
    collection = next(r for r in gw_corpus if r.resource_type == "human_specimen")
    root = await oai(client, verb="GetRecord", identifier=oai_id(collection.id), metadataPrefix="miabis")
    miabis = root.find(".//m:collection", NS)
    assert miabis is not None and miabis.findtext("m:id", namespaces=NS) == collection.id
    assert collection.specimen_stats is not None
    if collection.specimen_stats.donors is not None:
        assert miabis.findtext("m:numberOfDonors", namespaces=NS) == str(collection.specimen_stats.donors)
    gone = await oai(client, verb="GetRecord", identifier=oai_id(WITHDRAWN_ID), metadataPrefix="oai_dc")
    assert gone.find(".//o:header", NS).get("status") == "deleted"  # type: ignore[union-attr]
    collections, _ = await harvest(client, "ListIdentifiers", metadataPrefix="miabis")
    assert len(collections) == sum(1 for r in gw_corpus if r.resource_type == "human_specimen")
    upload = aiohttp.FormData()
    upload.add_field("verb", "GetRecord")
    upload.add_field("metadataPrefix", "oai_dc")
    upload.add_field("identifier", b"x", filename="x.txt")
    uploaded = await client.post("/oai", data=upload)
    assert uploaded.status == 200 and error_code(validate_oai(await uploaded.read())) == "badArgument"
    posted = await oai(client, "POST", verb="GetRecord", identifier=oai_id("jcrb:JCRB9004"), metadataPrefix="oai_dc")
    assert posted.findtext(".//dc:title", namespaces=NS) == "HeLa"


async def test_every_error_is_a_valid_oai_error(client: Client, gw_settings: Any) -> None:
    cases: list[tuple[dict[str, str], str]] = [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01T00:00:00"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-02-01T00:00:00Z"},
         "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-01", "until": "2024-01-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": oai_id("jcrb:JCRB9004")}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": oai_id("jcrb:JCRB9004"), "metadataPrefix": "miabis"},
         "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": oai_id("jcrb:NOPE"), "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
        ({"verb": "GetRecord", "identifier": "oai:elsewhere.org:jcrb:JCRB9004", "metadataPrefix": "oai_dc"},
         "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": oai_id("nowhere:1")}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "institution:nowhere"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "miabis", "set": "type:cell_line"}, "noRecordsMatch"),
    ]
    for params, code in cases:
        root = await oai(client, **params)
        assert error_code(root) == code, (params, etree.tostring(root))
        echoed = root.find("o:request", NS)
        assert echoed is not None and echoed.text == "http://127.0.0.1:8080/oai"
        if code in ("badVerb", "badArgument"):
            assert dict(echoed.attrib) == {}  # the protocol echoes only the base URL then
    repeated = await client.get("/oai?verb=Identify&verb=Identify")
    assert error_code(validate_oai(await repeated.read())) == "badVerb"
    twice = await client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=dwc")
    assert error_code(validate_oai(await twice.read())) == "badArgument"
    # A real token altered, one for another verb, and one past its lifetime are all refused.
    first = await oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.findtext(".//o:resumptionToken", namespaces=NS) or ""
    assert error_code(await oai(client, verb="ListIdentifiers", resumptionToken=token[:-2] + "xx")) == "badResumptionToken"
    assert error_code(await oai(client, verb="ListRecords", resumptionToken=token)) == "badResumptionToken"
    secret = gw_settings.gateway.secret_key.get_secret_value()
    payload = {"v": "ListIdentifiers", "p": "oai_dc", "s": None, "f": None, "b": None, "a": [], "c": 0}
    fresh = URLSafeTimedSerializer(secret, salt="biocross-oai-resumption").dumps(payload)
    assert error_code(await oai(client, verb="ListIdentifiers", resumptionToken=fresh)) is None
    stale = URLSafeTimedSerializer(secret, salt="biocross-oai-resumption", signer=_TwoDaysAgo).dumps(payload)
    root = await oai(client, verb="ListIdentifiers", resumptionToken=stale)
    assert error_code(root) == "badResumptionToken" and "expired" in (root.findtext("o:error", namespaces=NS) or "")


class _TwoDaysAgo(TimestampSigner):
    """Signs as if it were two days ago (tokens live 24 hours)."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 2 * 86400
