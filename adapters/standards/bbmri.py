"""MIABIS-shaped human specimen collections: the BBMRI-ERIC Directory export and FHIR (bbmri.de).

Only aggregate counts per collection are mapped (donors, samples, sexes, age range, materials,
storage temperatures, ICD-10 diagnoses): never individual-level data.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from pydantic import Field
from typing_extensions import override

from adapters.errors import ProtocolError
from adapters.events import HarvestItem, RawRecord
from adapters.paging import NextUrlPaginator, Paginator
from adapters.toolkits.csvexport import CsvConfig, CsvExportAdapter
from adapters.toolkits.jsonapi import JsonApiAdapter, JsonApiConfig, Paging

MATERIALS = {"SERUM": "血清 serum", "PLASMA": "血漿 plasma", "DNA": "DNA", "RNA": "RNA", "WHOLE_BLOOD": "全血 whole blood",
             "TISSUE_FROZEN": "凍結組織 frozen tissue", "TISSUE_PARAFFIN_EMBEDDED": "FFPE組織 FFPE tissue",
             "BUFFY_COAT": "バフィーコート buffy coat", "URINE": "尿 urine", "SALIVA": "唾液 saliva", "FECES": "便 feces"}
STORAGE = {"temperatureLN": "liquid nitrogen", "temperature-60to-85": "-60 to -85 °C", "temperature-18to-35": "-18 to -35 °C",
           "temperature2to10": "2 to 10 °C", "temperatureRoom": "room temperature", "temperatureOther": "other"}


class BbmriDirectoryConfig(CsvConfig):
    """The BBMRI-ERIC Directory ``Collections.csv`` (EMX2 export)."""

    multi_valued: dict[str, list[str]] = Field(
        default_factory=lambda: {c: [","] for c in ("Materials", "Storage Temperatures", "Sex", "Diagnosis Available",
                                                    "Data Categories", "Collection Type")},
        description="Comma-joined multi-valued columns.",
    )


class BbmriDirectoryAdapter(CsvExportAdapter):
    """Human specimen collections from a BBMRI-ERIC Directory ``Collections.csv``."""

    name = "bbmri-directory"
    config_model = BbmriDirectoryConfig
    default_mapping: ClassVar[dict[str, Any]] = {
        "catalog_id": "id", "name": "Name", "resource_type": {"const": "human_specimen"},
        "synonyms": "Acronym", "description.en": {"from": "Description", "transforms": ["html_text"]},
        "diseases": {"from": "Diagnosis Available", "transforms": [{"op": "replace", "pattern": "^urn:miriam:icd:", "repl": ""}]},
        "xrefs.ICD-10": {"from": "Diagnosis Available", "transforms": [{"regex": r"^urn:miriam:icd:([A-Z]\d\d(?:\.\d+)?)$"}]},
        "sample_types": {"from": "Materials", "transforms": [{"lookup": MATERIALS, "keep_unmatched": True}]},
        "specimen_stats.donors": {"from": "Number of Donors", "transforms": ["int"]},
        "specimen_stats.samples": {"from": "Size", "transforms": ["int"]},
        "specimen_stats.sex": {"from": "Sex", "transforms": ["lower"]},
        "specimen_stats.age_range": "age_range",
        "specimen_stats.storage_temperature": {"from": "Storage Temperatures", "transforms": [
            {"lookup": STORAGE, "keep_unmatched": True}, {"join": ", "}]},
        "source_url": "URL", "updated": {"from": "TimeStamp", "transforms": ["date"]},
    }

    @override
    def to_raw(self, names: list[str], row: list[str], number: int) -> RawRecord:
        """Adds ``age_range`` ("18-99 YEAR") from Age Low/High/Unit."""
        raw = super().to_raw(names, row, number)
        low, high, unit = (raw.data.get(k) or "" for k in ("Age Low", "Age High", "Age Unit"))
        if low or high:
            raw.data["age_range"] = f"{low}-{high} {str(unit).lower()}".strip()
        raw.source_id = str(raw.data.get("id") or raw.source_id)
        return raw

class FhirCollectionConfig(JsonApiConfig):
    """A FHIR R4 server: ``endpoint`` is the Organization search (``.../Organization?_profile=...``)."""

    records_path: str = Field("entry.resource", description="Resources inside the searchset Bundle.")
    paging: Paging = Field(default_factory=lambda: Paging(style="none", size_param="_count"))
    updated_since_param: str | None = Field("_lastUpdated", description="FHIR search on meta.lastUpdated.")
    updated_since_format: str = Field("gt%Y-%m-%dT%H:%M:%SZ", description="FHIR 'greater than' prefix.")


def _bundle_next(page: Any) -> str | None:
    for link in page.get("link", []) if isinstance(page, dict) else []:
        if link.get("relation") == "next" and link.get("url"):
            return str(link["url"])
    return None


class FhirCollectionAdapter(JsonApiAdapter):
    """Biobank collections published as FHIR ``Organization`` resources (fhir.bbmri.de profile)."""

    name = "fhir-biobank"
    config_model = FhirCollectionConfig
    default_mapping: ClassVar[dict[str, Any]] = {
        "catalog_id": ["identifier.value", "id"], "name": "name", "synonyms": "alias",
        "resource_type": {"const": "human_specimen"},
        "description.en": "description",
        "sample_types": {"from": "data_categories", "combine": "all"},
    }

    @override
    def records(self, page: Any) -> list[Any]:
        """Resources of a searchset Bundle (an empty Bundle has no ``entry``)."""
        if isinstance(page, dict) and page.get("resourceType") == "Bundle" and "entry" not in page:
            return []
        if isinstance(page, dict) and page.get("resourceType") not in (None, "Bundle"):
            raise ProtocolError(f"the document is a FHIR {page['resourceType']}, not a Bundle: point the endpoint at a "
                                "search (e.g. .../Organization?_profile=...Collection) that answers a searchset Bundle",
                                adapter=self.source)
        return super().records(page)

    @cached_property
    @override
    def paginator(self) -> Paginator[Any]:
        """The Bundle's ``link`` with relation ``next``."""
        return NextUrlPaginator(_bundle_next)

    @override
    def to_items(self, record: Any) -> list[HarvestItem]:
        """Only Collection-profile Organizations; extensions flattened by their last URL segment."""
        if not isinstance(record, dict) or record.get("resourceType") != "Organization":
            kind = record.get("resourceType") if isinstance(record, dict) else type(record).__name__
            self.warn(f"skipped_not_an_organization:{kind}")
            return []
        profiles = record.get("meta", {}).get("profile", [])
        if not any(str(p).endswith("/Collection") for p in profiles):
            self.warn("skipped_organization_not_a_collection")
            return []
        data = dict(record)
        for ext in record.get("extension", []):
            key = str(ext.get("url", "")).rsplit("/", 1)[-1]
            if "valueString" in ext:
                data.setdefault("description" if key == "OrganizationDescription" else key, ext["valueString"])
            for coding in ext.get("valueCodeableConcept", {}).get("coding", []):
                if key == "DataCategory":
                    data.setdefault("data_categories", []).append(coding.get("display") or coding.get("code"))
        return [RawRecord(data, source_id=str(record.get("id")))]
