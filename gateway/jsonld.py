"""schema.org / Bioschemas JSON-LD for a resource detail page."""

from __future__ import annotations

from typing import Any

from schemas.institution import INSTITUTIONS
from schemas.vocab import XREF_URLS

BIOSAMPLE_PROFILE = "https://bioschemas.org/profiles/BioSample/0.2-RELEASE-2019_06_19"


def resource_jsonld(resource: dict[str, Any], url: str, withdrawn: bool) -> dict[str, Any]:
    """A Bioschemas BioSample describing ``resource`` (a plain dict; escape it when embedding)."""
    description = resource.get("description") or {}
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BioSample",
        "@id": url,
        "http://purl.org/dc/terms/conformsTo": {"@id": BIOSAMPLE_PROFILE, "@type": "CreativeWork"},
        "identifier": resource["id"],
        "name": resource["name"],
        "url": url,
    }
    text = description.get("en") or description.get("ja")
    if text:
        doc["description"] = text
    if resource.get("synonyms"):
        doc["alternateName"] = resource["synonyms"]
    species = resource.get("species")
    if species:
        taxon: dict[str, Any] = {"@type": "Taxon", "name": species["scientific_name"]}
        if species.get("taxon_id"):
            taxon["identifier"] = f"NCBITaxon:{species['taxon_id']}"
            taxon["url"] = XREF_URLS["NCBI_Taxonomy"].format(id=species["taxon_id"])
        doc["taxonomicRange"] = taxon
    same_as = [x["url"] for x in resource.get("xrefs") or [] if x.get("url")]
    if resource.get("source_url"):
        same_as.append(resource["source_url"])
    if same_as:
        doc["sameAs"] = same_as
    properties = [{"@type": "PropertyValue", "name": name, "value": value} for name, value in (
        ("catalog number", resource.get("catalog_id")), ("resource type", resource.get("resource_type")),
        ("strain", resource.get("strain")), ("genotype", resource.get("genotype")),
        ("availability", "withdrawn" if withdrawn else resource.get("availability")),
    ) if value]
    properties += [{"@type": "PropertyValue", "name": "disease", "value": d} for d in resource.get("diseases") or []]
    properties += [{"@type": "PropertyValue", "name": "tissue", "value": d} for d in resource.get("tissues") or []]
    doc["additionalProperty"] = properties
    institution = INSTITUTIONS.get(resource["institution"])
    if institution:
        doc["custodian"] = {"@type": "Organization", "name": institution.name_en,
                            "alternateName": institution.name_ja, "url": institution.homepage}
    return doc
