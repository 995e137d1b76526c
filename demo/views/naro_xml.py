"""XML of NARO Genebank OAI-PMH records: headers, ``oai_dc`` and Simple Darwin Core (``dwc``)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from demo.generator.records import Record

REPOSITORY_ID = "genebank.naro.go.jp"
OAI_PREFIX = f"oai:{REPOSITORY_ID}:"
#: OAI set spec of each generator kind.
SETS: dict[str, str] = {"plant": "plant", "microbe": "microorganism"}
SET_NAMES: dict[str, str] = {"plant": "植物遺伝資源 Plant genetic resources", "microorganism": "微生物遺伝資源 Microorganisms (MAFF)"}
KIND_OF_SET = {v: k for k, v in SETS.items()}

#: metadataPrefix -> (schema, namespace).
FORMATS: dict[str, tuple[str, str]] = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    "dwc": ("http://rs.tdwg.org/dwc/xsd/tdwg_dwc_simple.xsd", "http://rs.tdwg.org/dwc/xsd/simpledarwincore/"),
}
_KINGDOM = {"Bacteria": "Bacteria", "Fungi": "Fungi", "Archaea": "Archaea"}


def oai_identifier(catalog_id: str) -> str:
    """Return the OAI identifier of a clean catalog id (``JP 10001`` -> ``oai:genebank.naro.go.jp:JP-10001``)."""
    return OAI_PREFIX + catalog_id.replace(" ", "-")


def internal_identifier(index: int) -> str:
    """Return the OAI identifier of a record whose catalog number is missing or invalid."""
    return f"{OAI_PREFIX}internal-{index}"


def _el(tag: str, value: object, lang: str | None = None) -> str:
    if value in (None, ""):
        return ""
    attr = f" xml:lang={quoteattr(lang)}" if lang else ""
    return f"<{tag}{attr}>{escape(str(value))}</{tag}>"


def header(identifier: str, datestamp: str, set_spec: str, deleted: bool) -> str:
    """Return an OAI-PMH ``<header>``."""
    status = ' status="deleted"' if deleted else ""
    return (f"<header{status}><identifier>{escape(identifier)}</identifier><datestamp>{datestamp}</datestamp>"
            f"<setSpec>{set_spec}</setSpec></header>")


def oai_dc(record: Record) -> str:
    """Return the ``oai_dc`` metadata of a record."""
    parts = [
        _el("dc:identifier", record["id"]), _el("dc:title", record.get("name_ja") and record["name"], "ja"),
        _el("dc:title", record.get("name_en") or (record["name"] if not record.get("name_ja") else ""), "en"),
        _el("dc:subject", record.get("species")), _el("dc:subject", record.get("species_ja"), "ja"),
        _el("dc:description", record.get("description_ja"), "ja"), _el("dc:type", "PhysicalObject"),
        _el("dc:publisher", "農研機構 遺伝資源研究センター (NARO Genebank)"), _el("dc:date", record.get("registered")),
        _el("dc:coverage", record.get("country")), _el("dc:rights", record.get("availability")),
    ]
    return ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
            'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">' + "".join(parts) + "</oai_dc:dc>")


def dwc(record: Record) -> str:
    """Return the Simple Darwin Core metadata of a record."""
    microbe = record["kind"] == "microbe"
    catalog_id = record["id"]
    taxon = record.get("taxon_id")
    parts = [
        _el("dcterms:type", "PhysicalObject"), _el("dcterms:modified", record["updated"]), _el("dcterms:language", "ja"),
        _el("dwc:institutionCode", "NARO"), _el("dwc:collectionCode", "MAFF" if microbe else "JP"),
        _el("dwc:catalogNumber", catalog_id), _el("dwc:basisOfRecord", "LivingSpecimen"),
        _el("dwc:scientificName", record.get("species")), _el("dwc:taxonID", f"NCBI:txid{taxon}" if taxon else ""),
        _el("dwc:vernacularName", record.get("species_ja"), "ja"),
        _el("dwc:kingdom", _KINGDOM.get(record.get("group", ""), "Plantae") if record.get("taxon_id") else ""),
        _el("dwc:family", record.get("family")),
        _el("dwc:cultivarEpithet", None if microbe else record.get("cultivar")),
        _el("dwc:organismName", record.get("strain") if microbe else record.get("name")),
        _el("dwc:countryCode", record.get("country")), _el("dwc:eventDate", record.get("collected")),
        _el("dwc:associatedTaxa", f"host: {record['host']}" if microbe and record.get("host") else ""),
        _el("dwc:occurrenceRemarks", record.get("description_ja")),
        _el("dwc:dynamicProperties", f'{{"availability": "{record.get("availability")}"}}'),
    ]
    return ('<sdr:SimpleDarwinRecordSet xmlns:sdr="http://rs.tdwg.org/dwc/xsd/simpledarwincore/" '
            'xmlns:dwc="http://rs.tdwg.org/dwc/terms/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xsi:schemaLocation="http://rs.tdwg.org/dwc/xsd/simpledarwincore/ '
            'http://rs.tdwg.org/dwc/xsd/tdwg_dwc_simple.xsd"><sdr:SimpleDarwinRecord>'
            + "".join(parts) + "</sdr:SimpleDarwinRecord></sdr:SimpleDarwinRecordSet>")


def envelope_start(response_date: str, request_url: str, args: dict[str, str]) -> str:
    """Return the opening of an OAI-PMH response up to and including ``<request>``."""
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in sorted(args.items()))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
            f"<responseDate>{response_date}</responseDate>\n<request{attrs}>{escape(request_url)}</request>\n")


def error(code: str, message: str) -> str:
    """Return an OAI-PMH ``<error>`` element."""
    return f"<error code={quoteattr(code)}>{escape(message)}</error>\n"
