"""schema.org / Bioschemas JSON-LD for a resource detail page."""

from __future__ import annotations

from typing import Any

from schemas.institution import InstitutionRegistry
from schemas.vocab import RESOURCE_TYPE_LABELS, XREF_URLS, ResourceType

_TYPES = frozenset(t.value for t in ResourceType)

BIOSAMPLE_PROFILE = "https://bioschemas.org/profiles/BioSample/0.1-DRAFT-2019_11_12"
DATACATALOG_PROFILE = "https://bioschemas.org/profiles/DataCatalog/0.3-RELEASE-2019_07_01"
CONFORMS_TO = "http://purl.org/dc/terms/conformsTo"
CATALOG_NAME = "Tsukuba Biomedical Resource Cross-Search"
CATALOG_NAME_JA = "つくば生物医学資源横断検索システム"


def resource_jsonld(resource: dict[str, Any], url: str, withdrawn: bool, institutions: InstitutionRegistry
                    ) -> dict[str, Any]:
    """A Bioschemas BioSample describing ``resource`` (a plain dict; escape it when embedding)."""
    description = resource.get("description") or {}
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BioSample",
        "@id": url,
        CONFORMS_TO: {"@id": BIOSAMPLE_PROFILE, "@type": "CreativeWork"},
        "identifier": resource["id"],
        "name": resource["name"],
        "url": url,
    }
    institution = institutions.get(resource["institution"])
    holder = institution.name_en if institution else resource["institution"]
    kind = RESOURCE_TYPE_LABELS[ResourceType(resource["resource_type"])][1] \
        if resource.get("resource_type") in _TYPES else resource.get("resource_type")
    # description is a minimum property of the profile: records without one get a factual summary.
    doc["description"] = description.get("en") or description.get("ja") or \
        f"{kind} {resource.get('catalog_id', '')} held by {holder}".strip()
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
    if institution:
        doc["custodian"] = {"@type": "Organization", "name": institution.name_en,
                            "alternateName": institution.name_ja, "url": institution.homepage}
    return doc


def catalog_jsonld(public_url: str, institutions: InstitutionRegistry) -> dict[str, Any]:
    """A Bioschemas DataCatalog describing the cross-search itself (for the home page)."""
    home = public_url.rstrip("/") + "/"
    members = [{"@type": "Organization", "name": i.name_en, "alternateName": i.name_ja,
                **({"url": i.homepage} if i.homepage else {})} for i in institutions.values()]
    return {
        "@context": "https://schema.org",
        "@type": "DataCatalog",
        "@id": home,
        CONFORMS_TO: {"@id": DATACATALOG_PROFILE, "@type": "CreativeWork"},
        "name": CATALOG_NAME,
        "alternateName": [CATALOG_NAME_JA, "biocross"],
        "description": "One search over the catalogs of the Tsukuba Biomedical Resource Consortium's member "
                       "institutions: cell lines, mouse and rat strains, microorganisms, algae, plant genetic "
                       "resources, primate samples and human specimen collections, with one usage request "
                       "across institutions.",
        "url": home,
        "identifier": home,
        "keywords": ["bioresources", "biological resources", "cell lines", "mouse strains", "microorganisms",
                     "plant genetic resources", "biobank", "culture collection", "Tsukuba"],
        "about": "Biological research resources held by the member institutions of the Tsukuba Biomedical "
                 "Resource Consortium",
        "provider": [{"@type": "Organization", "name": "Tsukuba Biomedical Resource Consortium"}],
        "sourceOrganization": members,
        "dataset": [{"@type": "Dataset", "name": f"Holdings of {i.name_en}",
                     "url": f"{home}institutions/{i.slug}"} for i in institutions.values()],
        "potentialAction": {"@type": "SearchAction", "target": f"{home}?q={{query}}",
                            "query-input": "required name=query"},
    }
