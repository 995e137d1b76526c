"""Metadata formats of the OAI-PMH provider: Dublin Core, simple Darwin Core, MIABIS-shaped collections.

Every value comes from harvested text, so elements are built with lxml (escaped by construction)
and characters XML 1.0 cannot carry are dropped first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from schemas.institution import InstitutionRegistry

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DC = "http://purl.org/dc/elements/1.1/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DWC = "http://rs.tdwg.org/dwc/terms/"
DCTERMS = "http://purl.org/dc/terms/"
SDWC = "http://rs.tdwg.org/dwc/xsd/simpledarwincore/"
MIABIS = "https://github.com/BBMRI-ERIC/miabis/collection"
#: Resource types whose records are aggregate specimen collections (the MIABIS format applies).
COLLECTION_TYPES = frozenset({"human_specimen"})
#: Resource types that are samples rather than living material (Darwin Core basisOfRecord).
SAMPLE_TYPES = frozenset({"human_specimen", "primate_sample", "dna", "antibody"})
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    """One ``metadataPrefix``: its schema, namespace, which records it covers and its writer."""

    prefix: str
    schema: str
    namespace: str
    types: frozenset[str] | None  # None: every resource type
    write: Callable[[dict[str, Any], str, InstitutionRegistry], etree._Element]

    def covers(self, resource_type: str) -> bool:
        """Whether records of ``resource_type`` can be disseminated in this format."""
        return self.types is None or resource_type in self.types


def _text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _add(parent: etree._Element, tag: str, value: object, lang: str | None = None) -> None:
    if value is None or value == "":
        return
    element = etree.SubElement(parent, tag)
    element.text = _text(value)
    if lang:
        element.set(XML_LANG, lang)


def _institution_names(institutions: InstitutionRegistry, slug: str) -> tuple[str, str | None]:
    institution = institutions.get(slug)
    return (institution.name_en, institution.name_ja) if institution else (institutions.name(slug, "en"), None)


def oai_dc(resource: dict[str, Any], url: str, institutions: InstitutionRegistry) -> etree._Element:
    """Unqualified Dublin Core (``oai_dc``)."""
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    dc = f"{{{DC}}}"
    _add(root, dc + "title", resource.get("name"))
    for synonym in resource.get("synonyms") or []:
        _add(root, dc + "title", synonym)
    _add(root, dc + "identifier", resource.get("id"))
    _add(root, dc + "identifier", resource.get("catalog_id"))
    _add(root, dc + "identifier", url)
    _add(root, dc + "type", resource.get("resource_type"))
    _add(root, dc + "type", "PhysicalObject")
    description = resource.get("description") or {}
    for lang in ("en", "ja"):
        _add(root, dc + "description", description.get(lang), lang)
    species = resource.get("species") or {}
    _add(root, dc + "subject", species.get("scientific_name"))
    for key in ("diseases", "tissues", "genes", "sample_types"):
        for value in resource.get(key) or []:
            _add(root, dc + "subject", value)
    name_en, name_ja = _institution_names(institutions, resource["institution"])
    _add(root, dc + "publisher", name_en, "en")
    _add(root, dc + "publisher", name_ja, "ja")
    _add(root, dc + "date", resource.get("updated") or resource.get("created"))
    for xref in resource.get("xrefs") or []:
        _add(root, dc + "relation", xref.get("url") or f"{xref['db']}:{xref['id']}")
    _add(root, dc + "source", resource.get("source_url"))
    _add(root, dc + "rights", f"availability: {resource.get('availability')}")
    return root


def simple_dwc(resource: dict[str, Any], url: str, institutions: InstitutionRegistry) -> etree._Element:
    """Simple Darwin Core (one ``SimpleDarwinRecord``)."""
    root = etree.Element(f"{{{SDWC}}}SimpleDarwinRecordSet",
                         nsmap={"sdwc": SDWC, "dwc": DWC, "dcterms": DCTERMS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{SDWC} http://rs.tdwg.org/dwc/xsd/tdwg_dwc_simple.xsd")
    record = etree.SubElement(root, f"{{{SDWC}}}SimpleDarwinRecord")
    dwc, terms = f"{{{DWC}}}", f"{{{DCTERMS}}}"
    _add(record, terms + "type", "PhysicalObject")
    _add(record, terms + "modified", resource.get("updated"))
    _add(record, terms + "references", url)
    _add(record, dwc + "institutionCode", resource["institution"])
    _add(record, dwc + "catalogNumber", resource.get("catalog_id"))
    _add(record, dwc + "occurrenceID", url)
    _add(record, dwc + "basisOfRecord",
         "MaterialSample" if resource.get("resource_type") in SAMPLE_TYPES else "LivingSpecimen")
    _add(record, dwc + "organismName", resource.get("name"))
    species = resource.get("species") or {}
    _add(record, dwc + "scientificName", species.get("scientific_name"))
    if species.get("taxon_id"):
        _add(record, dwc + "taxonID", f"NCBI:txid{species['taxon_id']}")
    _add(record, dwc + "vernacularName", species.get("common_name_en"))
    _add(record, dwc + "preparations", " | ".join(resource.get("sample_types") or []))
    description = resource.get("description") or {}
    _add(record, dwc + "occurrenceRemarks", description.get("en") or description.get("ja"))
    _add(record, dwc + "associatedReferences", " | ".join(x.get("url") or f"{x['db']}:{x['id']}"
                                                          for x in resource.get("xrefs") or []))
    return root


def miabis_collection(resource: dict[str, Any], url: str, institutions: InstitutionRegistry
                      ) -> etree._Element:
    """A MIABIS-shaped description of an aggregate specimen collection (MIABIS 2.0 Collection terms:
    id, name, description, material types, sex, age range, storage temperature, diagnoses, sizes)."""
    root = etree.Element(f"{{{MIABIS}}}collection", nsmap={"miabis": MIABIS})
    m = f"{{{MIABIS}}}"
    _add(root, m + "id", resource.get("id"))
    _add(root, m + "acronym", resource.get("catalog_id"))
    _add(root, m + "name", resource.get("name"))
    description = resource.get("description") or {}
    for lang in ("en", "ja"):
        _add(root, m + "description", description.get(lang), lang)
    name_en, _name_ja = _institution_names(institutions, resource["institution"])
    _add(root, m + "biobank", name_en)
    _add(root, m + "url", url)
    stats = resource.get("specimen_stats") or {}
    _add(root, m + "numberOfDonors", stats.get("donors"))
    _add(root, m + "size", stats.get("samples"))
    for sex in stats.get("sex") or []:
        _add(root, m + "sex", sex)
    _add(root, m + "ageRange", stats.get("age_range"))
    _add(root, m + "storageTemperature", stats.get("storage_temperature"))
    for value in resource.get("sample_types") or []:
        _add(root, m + "materialType", value)
    for value in resource.get("diseases") or []:
        _add(root, m + "diagnosisAvailable", value)
    for value in resource.get("tissues") or []:
        _add(root, m + "bodyPart", value)
    _add(root, m + "availability", resource.get("availability"))
    return root


FORMATS: dict[str, MetadataFormat] = {f.prefix: f for f in (
    MetadataFormat("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC, None, oai_dc),
    MetadataFormat("dwc", "http://rs.tdwg.org/dwc/xsd/tdwg_dwc_simple.xsd", SDWC, None, simple_dwc),
    MetadataFormat("miabis", "https://github.com/BBMRI-ERIC/miabis", MIABIS, COLLECTION_TYPES, miabis_collection),
)}
