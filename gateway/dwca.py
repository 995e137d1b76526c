"""A Darwin Core Archive (zip: ``meta.xml``, ``eml.xml``, an occurrence core) written as a stream.

Holdings are physical material kept by an institution, so the core is Occurrence (one row per
holding, ``basisOfRecord`` LivingSpecimen or MaterialSample). The zip is written to a sink that is
drained after every few rows: :mod:`zipfile` falls back to data descriptors on an unseekable output,
so the archive never sits in memory or on disk whole.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from gateway.oai.metadata import SAMPLE_TYPES

DWC = "http://rs.tdwg.org/dwc/terms/"
DCTERMS = "http://purl.org/dc/terms/"
#: Column → term URI, in file order; column 0 is also the core id.
COLUMNS: list[tuple[str, str]] = [
    ("occurrenceID", DWC), ("catalogNumber", DWC), ("institutionCode", DWC), ("basisOfRecord", DWC),
    ("organismName", DWC), ("scientificName", DWC), ("taxonID", DWC), ("vernacularName", DWC),
    ("preparations", DWC), ("occurrenceRemarks", DWC), ("associatedReferences", DWC),
    ("modified", DCTERMS), ("references", DCTERMS), ("type", DCTERMS),
]
_FLUSH_BYTES = 64 * 1024


def meta_xml() -> str:
    """The archive descriptor: a tab-separated occurrence core with a header line."""
    fields = "\n".join(f'    <field index="{i}" term="{ns}{name}"/>' for i, (name, ns) in enumerate(COLUMNS))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">\n'
            '  <core encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" '
            f'ignoreHeaderLines="1" rowType="{DWC}Occurrence">\n'
            '    <files><location>occurrence.txt</location></files>\n'
            '    <id index="0"/>\n'
            f'{fields}\n  </core>\n</archive>\n')


def eml_xml(title: str, url: str) -> str:
    """Minimal EML metadata of the export."""
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<eml:eml xmlns:eml="https://eml.ecoinformatics.org/eml-2.2.0" packageId="biocross-export" system="biocross">\n'
            f'  <dataset><title>{escape(title)}</title>\n'
            '    <creator><organizationName>Tsukuba Biomedical Resource Consortium</organizationName></creator>\n'
            f'    <pubDate>{when}</pubDate><distribution><online><url>{escape(url)}</url></online></distribution>\n'
            '  </dataset>\n</eml:eml>\n')


def _clean(value: object) -> str:
    # No quoting in this dialect: tabs and line breaks inside a value become spaces.
    return " ".join(str(value).split()) if value is not None else ""


def occurrence_row(resource: dict[str, Any], page_url: str) -> list[str]:
    """One holding as a row of :data:`COLUMNS`."""
    species = resource.get("species") or {}
    description = resource.get("description") or {}
    values = {
        "occurrenceID": resource["id"], "catalogNumber": resource.get("catalog_id"),
        "institutionCode": resource["institution"],
        "basisOfRecord": "MaterialSample" if resource.get("resource_type") in SAMPLE_TYPES else "LivingSpecimen",
        "organismName": resource.get("name"), "scientificName": species.get("scientific_name"),
        "taxonID": f"NCBI:txid{species['taxon_id']}" if species.get("taxon_id") else None,
        "vernacularName": species.get("common_name_en"),
        "preparations": " | ".join(resource.get("sample_types") or []),
        "occurrenceRemarks": description.get("en") or description.get("ja"),
        "associatedReferences": " | ".join(x.get("url") or f"{x['db']}:{x['id']}" for x in resource.get("xrefs") or []),
        "modified": resource.get("updated"), "references": page_url, "type": "PhysicalObject",
    }
    return [_clean(values[name]) for name, _ns in COLUMNS]


class _Sink:
    """An unseekable file for :class:`zipfile.ZipFile` that keeps what was written until taken."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to do: :meth:`take` hands the bytes on."""

    def close(self) -> None:
        """Nothing to release."""

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


async def archive_chunks(rows: AsyncIterator[dict[str, Any]], public_url: str) -> AsyncIterator[bytes]:
    """The bytes of a Darwin Core Archive of ``rows``, a piece at a time."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.xml", meta_xml())
        archive.writestr("eml.xml", eml_xml("biocross catalog export", public_url))
        with archive.open("occurrence.txt", "w", force_zip64=True) as core:
            core.write(("\t".join(name for name, _ns in COLUMNS) + "\n").encode())
            async for resource in rows:
                url = f"{public_url}/resources/{quote(resource['id'], safe='')}"
                core.write(("\t".join(occurrence_row(resource, url)) + "\n").encode())
                if sink.size >= _FLUSH_BYTES:
                    yield sink.take()
    yield sink.take()
