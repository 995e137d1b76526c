"""Loopback sources serving real public samples, and the ways real exports break (data-safety tests).

* a CP932 CSV export of the real BacDive strain list (tests/data/realdata/bacdive-kg-microbe), with
  Japanese headers and a 備考 (remarks) column, as RIKEN BRC's JCM exports look;
* an OAI-PMH repository paging the real DSpace records of tests/data/realdata/pyoai/fake2 with
  ``completeListSize`` and ``cursor``;
* the real BGBM PonTaurus Darwin Core Archive (tests/data/realdata/dwca-io), whole or cut to a share.

``FileSource`` serves bytes per path and can cut a transfer short (``cut_transfer``: Content-Length
of the whole body, connection closed after that many bytes) or trickle it (``trickle``).
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from lxml import etree

from adapters.config import parse_adapters_toml
from indexer.names import resources_alias, resources_index_pattern

if TYPE_CHECKING:
    from elasticsearch import AsyncElasticsearch

REAL = Path(__file__).resolve().parents[1] / "data" / "realdata"
OAI = "http://www.openarchives.org/OAI/2.0/"


@dataclass
class Served:
    """One file: body, extra headers, and how to break its transfer."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    cut_transfer: int | None = None
    trickle: float = 0.0


@dataclass
class FileSource:
    """Files by path, mutable between harvests; counts the requests."""

    files: dict[str, Served] = field(default_factory=dict)
    requests: int = 0
    bytes_sent: int = 0

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.StreamResponse:
            self.requests += 1
            served = self.files.get(request.path)
            if served is None:
                raise web.HTTPNotFound(text="no such export")
            if served.cut_transfer is None and not served.trickle:
                return web.Response(body=served.body, headers=served.headers)
            resp = web.StreamResponse(headers=served.headers)
            resp.content_length = len(served.body)
            await resp.prepare(request)
            end = served.cut_transfer if served.cut_transfer is not None else len(served.body)
            step = 2048 if served.trickle else end
            for start in range(0, end, step):
                await resp.write(served.body[start:min(start + step, end)])
                self.bytes_sent += min(step, end - start)
                if served.trickle:
                    await asyncio.sleep(served.trickle)
            if served.cut_transfer is not None and request.transport is not None:
                request.transport.close()  # the connection drops before Content-Length bytes
                return resp
            await resp.write_eof()
            return resp

        app = web.Application()
        app.router.add_get("/{tail:.*}", handle)
        return app


async def start(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on a free loopback port; returns the runner (clean it up) and the base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


# -- a CP932 JCM export built from the real BacDive strain list ----------------------------------

JCM_HEADER = ["bacdive_id", "株番号", "学名", "説明", "備考", "分類ID"]


def bacdive_rows() -> list[dict[str, str]]:
    """The real BacDive rows (20 strains)."""
    text = (REAL / "bacdive-kg-microbe/bacdive.tsv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def jcm_lines(rows: list[dict[str, str]] | None = None) -> list[str]:
    """The export's lines (header first), each with its CR LF end, as the CP932 export writes them."""
    rows = bacdive_rows() if rows is None else rows
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(JCM_HEADER)
    for row in rows:
        species = " ".join(row["ncbitaxon_description"].split()[:2])
        writer.writerow([row["bacdive_id"], row["culture_collection_number"], species, row["ncbitaxon_description"],
                         f"{species} の株（DSM {row['dsm_number']}）", row["ncbitaxon_id"]])
    return out.getvalue().splitlines(keepends=True)


def jcm_export(lines: list[str] | None = None) -> bytes:
    """The export as CP932 bytes."""
    return "".join(jcm_lines() if lines is None else lines).encode("cp932")


def catalog_id(row_line: str) -> str:
    """The catalog id the adapter gives the record on ``row_line`` (bacdive:2620 → 2620)."""
    return row_line.split(",", 1)[0].removeprefix("bacdive:")


def jcm_toml(url: str, name: str = "jcm-export", **extra: str) -> str:
    options = "".join(f"{key} = {value}\n" for key, value in extra.items())
    return f"""
[adapters.{name}]
type = "csv"
institution = "riken-brc"
endpoint = "{url}/jcm.csv"
encoding = "cp932"
retries = 0
timeout = 5
{options}
[adapters.{name}.mapping]
catalog_id = {{ from = "bacdive_id", transforms = [{{ regex = "bacdive:(\\\\d+)" }}] }}
name = {{ from = "説明", transforms = [{{ regex = "^(.+?) (?:is|are) " }}] }}
resource_type = {{ const = "microbe" }}
"species.scientific_name" = "学名"
"description.en" = "説明"
"description.ja" = "備考"
synonyms = {{ from = "株番号", transforms = [{{ regex = "^\\\\[(.*)\\\\]$" }}, {{ split = "," }}, {{ op = "replace", pattern = "'", repl = "" }}, "strip"], combine = "all" }}
"""


# -- an OAI-PMH repository paging real DSpace records ---------------------------------------------

def dspace_records() -> list[bytes]:
    """The 81 real records (79 live, 2 deleted) of the EUR DSpace capture, serialised one by one."""
    root = etree.parse(str(REAL / "pyoai/fake2/00002.xml")).getroot()
    return [etree.tostring(r) for r in root.iter(f"{{{OAI}}}record")]


@dataclass
class OaiSource:
    """ListRecords over ``records`` in pages of ``page_size``; faults: a page that ends the list early
    (``stop_at_page``: valid XML, no resumption token) or a page whose XML is cut (``cut_page``)."""

    records: list[bytes] = field(default_factory=dspace_records)
    page_size: int = 20
    stop_at_page: int | None = None
    cut_page: tuple[int, float] | None = None
    pages_served: int = 0

    def page(self, number: int) -> bytes:
        start = number * self.page_size
        chunk = self.records[start:start + self.page_size]
        more = start + self.page_size < len(self.records) and number != self.stop_at_page
        size = f'completeListSize="{len(self.records)}" cursor="{start}"'
        token = f"<resumptionToken {size}>page-{number + 1}</resumptionToken>" if more else \
            f"<resumptionToken {size}/>"
        if number == self.stop_at_page:
            token = ""
        body = (f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="{OAI}"><responseDate>2004-02-17T13:44:55Z'
                f'</responseDate><request verb="ListRecords">http://dspace.example/oai</request><ListRecords>').encode()
        body += b"\n".join(chunk) + f"{token}</ListRecords></OAI-PMH>".encode()
        if self.cut_page is not None and self.cut_page[0] == number:
            body = body[:int(len(body) * self.cut_page[1])]
        return body

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.Response:
            self.pages_served += 1
            token = request.query.get("resumptionToken")
            number = int(token.removeprefix("page-")) if token else 0
            return web.Response(body=self.page(number), content_type="text/xml")

        app = web.Application()
        app.router.add_get("/oai", handle)
        return app


def oai_toml(url: str, name: str = "eur-dspace") -> str:
    return f"""
[adapters.{name}]
type = "oaipmh"
institution = "naro"
endpoint = "{url}/oai"
granularity = "day"
retries = 0
timeout = 5
[adapters.{name}.mapping]
catalog_id = "header.local_id"
name = "dc:title"
resource_type = {{ const = "other" }}
"description.en" = {{ from = "dc:description", transforms = ["html_text"] }}
"""


# -- the real PonTaurus Darwin Core Archive, whole or cut to a share of its rows ------------------

PONTAURUS = REAL / "dwca-io/archive-occ.zip"


def pontaurus(share: float = 1.0, broken_row: int | None = None) -> bytes:
    """The archive, its core file cut to the first ``share`` of its rows (a valid, smaller archive);
    ``broken_row``: that data row loses the closing quote of its last field."""
    data = PONTAURUS.read_bytes()
    if share >= 1.0 and broken_row is None:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith("DarwinCore.txt"):
                lines = body.splitlines(keepends=True)
                if broken_row is not None:  # the last field loses its closing quote: it runs into the next row
                    line = lines[broken_row]
                    text = line.rstrip(b"\r\n")
                    lines[broken_row] = text[:-1] + b" (approx." + line[len(text):]
                body = b"".join(lines[:1 + int((len(lines) - 1) * share)])
            dst.writestr(info, body)
    return out.getvalue()


def dwca_toml(url: str, name: str = "bgbm-pontaurus") -> str:
    return f"""
[adapters.{name}]
type = "dwca"
institution = "naro"
endpoint = "{url}/pontaurus.zip"
retries = 0
timeout = 5
[adapters.{name}.mapping]
catalog_id = "catalogNumber"
name = "scientificName"
"species.scientific_name" = "scientificName"
resource_type = {{ const = "plant" }}
"""


def specs(toml: str, registry: Any) -> list[Any]:
    """Source specs of an adapters.toml text."""
    from biocross.harvest import SourceSpec

    return [SourceSpec(n, c) for n, c in parse_adapters_toml(toml, registry).items()]


async def live_ids(es: AsyncElasticsearch, prefix: str, source: str) -> set[str]:
    """Ids of the published, not withdrawn records of ``source``."""
    await es.indices.refresh(index=resources_alias(prefix))
    resp = await es.search(index=resources_alias(prefix), size=5000, source=False,
                           query={"bool": {"filter": [{"term": {"source": source}}, {"term": {"withdrawn": False}}]}})
    return {h["_id"] for h in resp["hits"]["hits"]}


async def generations(es: AsyncElasticsearch, prefix: str, source: str) -> list[str]:
    """The generation indices of ``source`` that exist."""
    resp = await es.options(ignore_status=404).indices.get(index=resources_index_pattern(prefix, source))
    return sorted(resp.body) if resp.meta.status == 200 else []
