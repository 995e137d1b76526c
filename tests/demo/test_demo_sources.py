"""The simulated sources over real HTTP on loopback: formats, paging, mutations, faults."""

from __future__ import annotations

import csv
import io
from urllib.parse import urljoin

import aiohttp
import pytest
from lxml import etree, html

from demo.generator import expected_dirt
from demo.views.naro import encode_token
from tests.demo.conftest import RunningSources, StartSources

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DWC = "{http://rs.tdwg.org/dwc/terms/}"


async def _get(src: RunningSources, path: str, **kwargs: object) -> tuple[aiohttp.ClientResponse, bytes]:
    async with src.http.get(src.url + path if path.startswith("/") else path, **kwargs) as resp:  # type: ignore[arg-type]
        return resp, await resp.read()


async def _oai_all(src: RunningSources, query: str) -> tuple[list[etree._Element], list[etree._Element]]:
    """Follow a ListRecords resumption chain; return the records and the token elements."""
    records, tokens = [], []
    url = f"/naro/oai?verb=ListRecords&{query}"
    while True:
        _, body = await _get(src, url)
        root = etree.fromstring(body)
        assert root.find(f"{OAI}error") is None, body[:500]
        records.extend(root.iter(f"{OAI}record"))
        token = root.find(f".//{OAI}resumptionToken")
        if token is None or not (token.text or "").strip():
            if token is not None:
                tokens.append(token)
            return records, tokens
        tokens.append(token)
        url = f"/naro/oai?verb=ListRecords&resumptionToken={token.text}"


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("cp932"), newline="")))


async def test_same_seed_serves_same_bytes(start_sources: StartSources) -> None:
    a, b = await start_sources(seed=7), await start_sources(seed=7)
    for path in ("/riken/export/mouse.csv", "/jcrb/api/v1/resources?page=2&per_page=50",
                 "/naro/oai?verb=ListRecords&metadataPrefix=dwc", "/nies/strains?page=2", "/tsukuba/miabis/collections"):
        body_a, body_b = (await _get(a, path))[1], (await _get(b, path))[1]
        assert body_a.replace(a.url.encode(), b"") == body_b.replace(b.url.encode(), b""), path


async def test_root_index_and_robots(sources: RunningSources) -> None:
    resp, _ = await _get(sources, "/")
    index = await resp.json()
    assert set(index["institutions"]) == {"riken", "jcrb", "tsukuba", "naro", "nies"}
    _, robots = await _get(sources, "/robots.txt")
    assert b"Disallow: /nies/private/" in robots and b"Crawl-delay: 1" in robots
    await _get(sources, "/nies/private/stock")
    assert sources.registry["nies"].private_hits == 1


async def test_riken_cp932_csv_has_hela_duplicates_and_quoted_newlines(sources: RunningSources) -> None:
    resp, body = await _get(sources, "/riken/export/cell.csv")
    assert resp.status == 200 and "chunked" in resp.headers.get("Transfer-Encoding", "")
    rows = _csv_rows(body)
    hela = [r for r in rows if r["カタログ番号"] == "RCB0007"]
    assert hela[0]["細胞名"] == "HeLa" and hela[0]["Cellosaurus"] == "CVCL_0030" and hela[0]["他機関番号"] == "JCRB9004"
    assert any("\n" in r["備考"] for r in rows)
    ledger = expected_dirt("riken", sources.registry)
    cell_dups = [d for d in ledger.duplicates if d.startswith("RCB")]
    ids = [r["カタログ番号"].strip() for r in rows]
    for dup in cell_dups:
        assert sum(1 for i in ids if i == dup or i.strip() == dup) == 2
    cell_rejects = [r for r in ledger.rejected if r.kind == "cell"]
    riken = sources.registry["riken"]
    assert len(rows) == riken.catalog.layout.count_below("cell", riken.size) + len(cell_dups)
    assert sum(1 for r in rows if not r["カタログ番号"].strip()) == sum(1 for r in cell_rejects if r.reason == "missing_id")
    _, tsv = await _get(sources, "/riken/export/dna.tsv")
    assert tsv.decode("cp932").splitlines()[0].startswith("番号\tクローン名")


async def test_riken_conditional_get_and_detail_page(sources: RunningSources) -> None:
    resp, _ = await _get(sources, "/riken/export/mouse.csv")
    etag, modified = resp.headers["ETag"], resp.headers["Last-Modified"]
    assert (await _get(sources, "/riken/export/mouse.csv", headers={"If-None-Match": etag}))[0].status == 304
    assert (await _get(sources, "/riken/export/mouse.csv", headers={"If-Modified-Since": modified}))[0].status == 304
    sources.registry["riken"].mutate(update=2)
    assert (await _get(sources, "/riken/export/mouse.csv", headers={"If-None-Match": etag}))[0].status == 200
    resp, page = await _get(sources, "/riken/detail/ＲＣＢ０００７")
    doc = html.fromstring(page)
    assert doc.xpath("string(//dd[@class='cellosaurus'])") == "CVCL_0030"
    assert (await _get(sources, "/riken/detail/RCB99999"))[0].status == 404


async def test_injection_payloads_are_escaped_in_html(sources: RunningSources) -> None:
    ledger = expected_dirt("nies", sources.registry)
    for catalog_id in ledger.injection:
        _, page = await _get(sources, f"/nies/strains/{catalog_id}")
        assert b"<script>alert(1)" not in page and b"<img src=x" not in page


async def test_jcrb_link_paging_covers_every_item_once(sources: RunningSources) -> None:
    url: str | None = sources.url + "/jcrb/api/v1/resources?per_page=40"
    seen: list[str] = []
    while url:
        async with sources.http.get(url) as resp:
            data = await resp.json()
            url = resp.links.get("next", {}).get("url")  # type: ignore[assignment]
            url = str(url) if url else None
        seen.extend(item["jcrb_no"] for item in data["items"])
    state = sources.registry["jcrb"]
    ledger = expected_dirt("jcrb", sources.registry)
    assert len(seen) == state.size + len(ledger.duplicates)
    assert seen.count("JCRB9004") == 1
    assert (await _get(sources, "/jcrb/api/v1/resources?per_page=5000"))[0].status == 400


async def test_jcrb_updated_since_and_deleted_feed(sources: RunningSources) -> None:
    state = sources.registry["jcrb"]
    tick = state.mutate(update=3, delete=2, add=4)
    since = "2025-01-01T00:30:00Z"
    resp, _ = await _get(sources, f"/jcrb/api/v1/resources?updated_since={since}&per_page=100")
    data = await resp.json()
    assert data["total"] == 7 and all(i["updated_at"] >= since for i in data["items"])
    resp, _ = await _get(sources, f"/jcrb/api/v1/deleted?since={since}")
    deleted = await resp.json()
    assert sorted(d["jcrb_no"] for d in deleted["items"]) == sorted(state.log.deleted)
    assert tick > 0


async def test_tsukuba_cursor_paging_is_complete_and_aggregate(sources: RunningSources) -> None:
    cursor, seen = None, []
    while True:
        query = "?limit=17" + (f"&cursor={cursor}" if cursor else "")
        resp, _ = await _get(sources, "/tsukuba/miabis/collections" + query)
        data = await resp.json()
        seen.extend(c["id"] for c in data["collections"])
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == sources.registry["tsukuba"].size
    first = data["collections"][0]
    assert {"diagnosis_available", "materials", "number_of_donors", "size", "storage_temperatures"} <= set(first)
    assert (await _get(sources, "/tsukuba/miabis/collections?cursor=garbage"))[0].status == 400


async def test_oai_resumption_chain_covers_all_records_once(start_sources: StartSources) -> None:
    src = await start_sources(total=2000, oai_page_size=97)
    records, tokens = await _oai_all(src, "metadataPrefix=dwc")
    ids = [r.findtext(f"{OAI}header/{OAI}identifier") for r in records]
    assert len(ids) == len(set(ids)) == src.registry["naro"].size
    assert [int(t.get("cursor")) for t in tokens] == list(range(0, 97 * len(tokens), 97))
    assert {t.get("completeListSize") for t in tokens} == {str(src.registry["naro"].size)}
    numbers = {r.findtext(f".//{DWC}catalogNumber") for r in records}
    assert "MAFF 100001" in numbers
    plants, _ = await _oai_all(src, "metadataPrefix=oai_dc&set=plant")
    assert len(plants) == src.registry["naro"].catalog.layout.count_below("plant", src.registry["naro"].size)


async def test_oai_from_deletions_and_errors(start_sources: StartSources) -> None:
    src = await start_sources(total=2000, oai_page_size=50)
    naro = src.registry["naro"]
    naro.mutate(update=4, delete=3, add=2)
    records, _ = await _oai_all(src, "metadataPrefix=oai_dc&from=2025-01-01T00:00:00Z")
    assert len(records) == 9
    deleted = [r for r in records if r.find(f"{OAI}header").get("status") == "deleted"]
    assert len(deleted) == 3 and all(r.find(f"{OAI}metadata") is None for r in deleted)

    async def error_code(query: str) -> str | None:
        _, body = await _get(src, f"/naro/oai?{query}")
        error = etree.fromstring(body).find(f"{OAI}error")
        return None if error is None else error.get("code")

    assert await error_code("verb=ListRecords&metadataPrefix=dwc&from=2030-01-01") == "noRecordsMatch"
    assert await error_code("verb=ListRecords&resumptionToken=bogus") == "badResumptionToken"
    assert await error_code("verb=ListRecords&metadataPrefix=marc21") == "cannotDisseminateFormat"
    assert await error_code("verb=GetRecord&metadataPrefix=dwc&identifier=oai:x:y") == "idDoesNotExist"
    assert await error_code("verb=Frobnicate") == "badVerb"
    assert await error_code("verb=ListRecords") == "badArgument"
    assert await error_code("verb=GetRecord&metadataPrefix=dwc&identifier=oai:genebank.naro.go.jp:MAFF-100001") is None


async def test_nies_html_pagination(start_sources: StartSources) -> None:
    src = await start_sources(total=1000, nies_page_size=50)
    url: str | None = src.url + "/nies/strains"
    numbers: list[str] = []
    while url:
        _, page = await _get(src, url)
        doc = html.fromstring(page)
        numbers.extend(td.text_content() for td in doc.xpath("//td[@class='strain-no']"))
        nxt = doc.xpath("//a[@rel='next']/@href")
        url = urljoin(src.url, nxt[0]) if nxt else None
    assert len(numbers) == src.registry["nies"].size
    _, first = await _get(src, "/nies/strains?page=1")
    assert html.fromstring(first).xpath("//nav[@class='pagination']/a[@class='page']")


@pytest.mark.parametrize("mode", ["http503", "truncate", "drop", "shrink", "badtoken"])
async def test_faults_via_control_api(sources: RunningSources, mode: str) -> None:
    async with sources.http.post(f"{sources.url}/_control/naro", json={"break": mode, "count": 1}) as resp:
        assert resp.status == 200
    if mode == "http503":
        resp, _ = await _get(sources, "/naro/oai?verb=Identify")
        assert resp.status == 503 and resp.headers["Retry-After"] == "1"
    elif mode == "truncate":
        _, body = await _get(sources, "/naro/oai?verb=ListRecords&metadataPrefix=dwc")
        with pytest.raises(etree.XMLSyntaxError):
            etree.fromstring(body)
    elif mode == "drop":
        with pytest.raises(aiohttp.ClientPayloadError):
            await _get(sources, "/naro/oai?verb=ListRecords&metadataPrefix=dwc")
    elif mode == "shrink":
        _, body = await _get(sources, "/naro/oai?verb=ListIdentifiers&metadataPrefix=dwc")
        assert len(etree.fromstring(body).findall(f".//{OAI}header")) == -(-sources.registry["naro"].size // 5)
    else:
        _, body = await _get(sources, "/naro/oai?verb=ListRecords&metadataPrefix=dwc")
        token = etree.fromstring(body).findtext(f".//{OAI}resumptionToken")
        _, body = await _get(sources, f"/naro/oai?verb=ListRecords&resumptionToken={token}")
        assert etree.fromstring(body).find(f"{OAI}error").get("code") == "badResumptionToken"
    resp, _ = await _get(sources, "/naro/oai?verb=Identify")
    assert resp.status == 200 or mode == "shrink"


async def test_control_api_mutates_and_reports(sources: RunningSources) -> None:
    async with sources.http.post(f"{sources.url}/_control/jcrb", json={"add": 10, "update": 5, "delete": 3}) as resp:
        data = await resp.json()
    assert data["state"]["size"] == sources.registry["jcrb"].catalog.base_size + 10
    async with sources.http.post(f"{sources.url}/_control/jcrb", json={"break": "explode"}) as resp:
        assert resp.status == 400
    async with sources.http.get(f"{sources.url}/_control/state") as resp:
        state = await resp.json()
    assert state["institutions"]["jcrb"]["deleted"] == 3
    async with sources.http.get(f"{sources.url}/_control/jcrb/ledger") as resp:
        ledger = await resp.json()
    assert len(ledger["deleted"]) == 3 and ledger["served"] == ledger["valid"] + len(ledger["rejected"])
    for catalog_id in ledger["deleted"]:
        assert (await _get(sources, f"/jcrb/api/v1/resources/{catalog_id}"))[0].status == 404


async def test_deep_oai_page_at_a_million_records_resumes_anywhere(start_sources: StartSources) -> None:
    src = await start_sources(total=1_000_000, oai_page_size=25)
    # Page 10,000 of 25 records: the tokens are stateless, so a harvester may resume anywhere.
    _, body = await _get(src, "/naro/oai?verb=ListIdentifiers&metadataPrefix=dwc")
    size = src.registry["naro"].size
    token = encode_token("dwc", "", None, None, 9_999 * 25, 9_999 * 25, size)
    _, body = await _get(src, f"/naro/oai?verb=ListRecords&resumptionToken={token}")
    root = etree.fromstring(body)
    assert len(root.findall(f".//{OAI}record")) == 25
    assert root.find(f".//{OAI}resumptionToken").get("cursor") == str(9_999 * 25)
