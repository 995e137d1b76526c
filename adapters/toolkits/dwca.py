"""Darwin Core Archive toolkit: a zip with ``meta.xml``, core + extensions, streamed row by row.

python-dwca-reader extracts the archive and indexes extensions in memory; this small reader
streams instead: the zip is spooled to a temporary file chunk by chunk (a zip needs random access),
core rows are read through ``csv`` from ``zipfile``, and extension rows are looked up per core id
in a temporary on-disk SQLite index. Memory stays flat however big the archive.

Raw records: each core field under its term's local name in lowerCamel (``scientificName``,
``catalogNumber``; pre-standard capitalised terms are folded), ``id`` (the core id), and one list
per extension named after its row type (``VernacularName``: ``[{vernacularName, language}...]``).
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
import tempfile
import zipfile
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from lxml import etree
from typing_extensions import override

from adapters.config import AdapterConfig
from adapters.contract import Adapter
from adapters.errors import ProtocolError, TruncatedPayloadError
from adapters.events import HarvestItem, RawRecord
from adapters.http import StreamResponse
from adapters.toolkits.textstream import CsvRecord, CsvRecordReader, CsvTruncatedError
from schemas.harvest import Checkpoint, Rejection, RejectionReason

TEXT_NS = "http://rs.tdwg.org/dwc/text/"


def term_name(term: str) -> str:
    """``http://rs.tdwg.org/dwc/terms/ScientificName`` → ``scientificName``."""
    local = term.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1]
    return local[:1].lower() + local[1:]


@dataclass
class FileSpec:
    """One data file of the archive, as ``meta.xml`` describes it."""

    location: str
    row_type: str
    id_index: int | None
    fields: dict[int, str]
    defaults: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    quotechar: str | None = '"'
    encoding: str = "utf-8"
    skip: int = 0

    @property
    def name(self) -> str:
        """Short name of the row type (``Occurrence``, ``VernacularName``)."""
        local = self.row_type.rstrip("/").rsplit("/", 1)[-1]
        return local[:1].upper() + local[1:]


def _unescape(value: str | None, default: str) -> str:
    if value is None:
        return default
    return value.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r")


def _spec(elem: etree._Element, base: str) -> FileSpec:
    location = elem.findtext(f"{{{TEXT_NS}}}files/{{{TEXT_NS}}}location") or ""
    id_elem = elem.find(f"{{{TEXT_NS}}}id")
    if id_elem is None:
        id_elem = elem.find(f"{{{TEXT_NS}}}coreid")
    fields: dict[int, str] = {}
    defaults: dict[str, str] = {}
    for f in elem.iterfind(f"{{{TEXT_NS}}}field"):
        name = term_name(f.get("term", ""))
        if f.get("index") is not None:
            fields[int(f.get("index", "0"))] = name
        elif f.get("default") is not None:
            defaults[name] = f.get("default", "")
    quote = _unescape(elem.get("fieldsEnclosedBy"), '"')
    return FileSpec(
        location=base + location.strip(), row_type=elem.get("rowType", ""),
        id_index=int(id_elem.get("index", "0")) if id_elem is not None else None,
        fields=fields, defaults=defaults, delimiter=_unescape(elem.get("fieldsTerminatedBy"), ","),
        quotechar=quote or None, encoding=elem.get("encoding", "utf-8") or "utf-8",
        skip=int(elem.get("ignoreHeaderLines", "0") or 0),
    )


def read_meta(archive: zipfile.ZipFile) -> tuple[FileSpec, list[FileSpec]]:
    """Core and extension specs from ``meta.xml`` (which may sit in a subfolder)."""
    metas = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == "meta.xml" and not n.startswith("__MACOSX")]
    if not metas:
        raise ValueError("no meta.xml in the archive")
    base = metas[0][: -len("meta.xml")]
    root = etree.fromstring(archive.read(metas[0]), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    core = root.find(f"{{{TEXT_NS}}}core")
    if core is None:
        raise ValueError("meta.xml has no core")
    return _spec(core, base), [_spec(e, base) for e in root.iterfind(f"{{{TEXT_NS}}}extension")]


def iter_records(archive: zipfile.ZipFile, spec: FileSpec) -> Iterator[CsvRecord]:
    """Records of one data file, streamed from the zip, with the CSV toolkit's record-boundary checks
    (the first row's width is the file's; a broken quoted row comes back ``broken``)."""
    raw: IO[bytes] = archive.open(spec.location)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig" if spec.encoding.lower() in ("utf-8", "utf8") else spec.encoding,
                            errors="replace", newline="")
    reader = CsvRecordReader(delimiter=spec.delimiter, quotechar=spec.quotechar)
    number = 0
    with text:
        for record in reader.iter_records(text):
            if reader.width is None and record.cells:
                reader.width = len(record.cells)
            number += 1
            if record.broken or (number > spec.skip and any(cell.strip() for cell in record.cells)):
                yield record


def iter_rows(archive: zipfile.ZipFile, spec: FileSpec) -> Iterator[list[str]]:
    """Rows of one data file (broken rows left out)."""
    for record in iter_records(archive, spec):
        if not record.broken:
            yield record.cells


def row_dict(spec: FileSpec, row: list[str]) -> dict[str, Any]:
    """A row as ``{term: value}`` with the spec's defaults."""
    data: dict[str, Any] = dict(spec.defaults)
    for index, name in spec.fields.items():
        if index < len(row) and row[index] != "":
            data[name] = row[index]
    return data


class DwcaConfig(AdapterConfig):
    """A Darwin Core Archive served over HTTP (``endpoint`` is the zip)."""


class DwcaAdapter(Adapter[DwcaConfig]):
    """Harvests a Darwin Core Archive (core rows with their extension rows)."""

    name = "dwca"
    config_model = DwcaConfig
    supports_incremental = True

    async def _download(self, target: IO[bytes], headers: dict[str, str]) -> StreamResponse | None:
        async def spool(resp: StreamResponse) -> AsyncIterator[StreamResponse]:
            target.seek(0)
            target.truncate()
            if resp.status == 200:
                async for chunk in resp.chunks():
                    target.write(chunk)
            yield resp

        async for resp in self.http.replay(self.config.endpoint, self.policy, spool, headers=headers,
                                           ok=frozenset({200, 304})):
            return resp
        return None

    @override
    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncGenerator[HarvestItem, None]:
        headers = {"If-None-Match": checkpoint.etag} if checkpoint and checkpoint.etag else {}
        with tempfile.TemporaryDirectory(prefix="biocross-dwca-") as tmp:
            path = Path(tmp) / "archive.zip"
            with path.open("w+b") as spool:
                resp = await self._download(spool, headers)
            if resp is None or resp.status == 304:
                yield checkpoint or Checkpoint()
                return
            try:
                archive = zipfile.ZipFile(path)
                core, extensions = read_meta(archive)
            except (zipfile.BadZipFile, ValueError, etree.XMLSyntaxError, KeyError) as exc:
                raise ProtocolError(f"not a Darwin Core Archive: {exc}", adapter=self.source, url=resp.url) from exc
            with archive, sqlite3.connect(Path(tmp) / "ext.sqlite") as index:
                try:
                    self._index_extensions(archive, extensions, index)
                    async for record in self._core(archive, core, extensions, index):
                        yield record
                except CsvTruncatedError as exc:
                    raise TruncatedPayloadError(f"archive member cut off: {exc}", adapter=self.source) from exc
                except (KeyError, csv.Error, zipfile.BadZipFile, OSError) as exc:
                    raise ProtocolError(f"unreadable archive member: {exc}", adapter=self.source) from exc
            yield Checkpoint(etag=resp.headers.get("ETag"), last_modified=resp.headers.get("Last-Modified"))

    def _index_extensions(self, archive: zipfile.ZipFile, extensions: list[FileSpec], db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE ext (name TEXT, coreid TEXT, row BLOB)")
        for spec in extensions:
            key = spec.id_index or 0
            rows = (
                (spec.name, row[key] if key < len(row) else "", orjson.dumps(row_dict(spec, row)))
                for row in iter_rows(archive, spec)
            )
            db.executemany("INSERT INTO ext VALUES (?, ?, ?)", rows)
        db.execute("CREATE INDEX ext_core ON ext (coreid)")

    async def _core(
        self, archive: zipfile.ZipFile, core: FileSpec, extensions: list[FileSpec], db: sqlite3.Connection
    ) -> AsyncIterator[RawRecord | Rejection]:
        for number, record in enumerate(iter_records(archive, core), 1):
            if record.broken:
                text = "".join(record.lines)
                yield self.quarantine(
                    RejectionReason.MALFORMED,
                    f"{core.location} line {record.line}: a quoted field opened on this line is not closed before the "
                    "next line that is a whole row (quarantined; the rows after it were read on their own)",
                    {"file": core.location, "line": record.line, "text": text[:4000]}, record=f"line:{record.line}")
                continue
            row = record.cells
            data = row_dict(core, row)
            core_id = row[core.id_index] if core.id_index is not None and core.id_index < len(row) else str(number)
            data["id"] = core_id
            damaged = [name for name, value in data.items() if isinstance(value, str) and "\ufffd" in value]
            if damaged:
                self.notice("undecodable_bytes", f"core row {number}: bytes that are not {core.encoding} text were "
                            f"replaced by U+FFFD in {', '.join(damaged)} (record kept)", record=core_id, line=number)
            if extensions:
                for name, blob in db.execute("SELECT name, row FROM ext WHERE coreid = ?", (core_id,)):
                    data.setdefault(name, []).append(orjson.loads(blob))
            yield RawRecord(data, source_id=core_id)
            if number % 500 == 0:
                await asyncio.sleep(0)  # a big archive must not starve the other adapters
