"""The unified resource model: one catalog item held by one institution."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field, field_validator

from schemas.identifiers import canonical_id, display_id
from schemas.vocab import XREF_URLS, Availability, MtaType, ResourceType

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,31}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]

_WS = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Collapse whitespace and drop control characters (harvested text is dirty)."""
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return _WS.sub(" ", value).strip()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


class LocalizedText(_Model):
    """A text in Japanese and/or English."""

    ja: LongText | None = Field(None, description="Japanese text.")
    en: LongText | None = Field(None, description="English text.")

    def best(self, lang: str) -> str | None:
        """The text in ``lang``, else in the other language."""
        return (self.ja or self.en) if lang == "ja" else (self.en or self.ja)


class Species(_Model):
    """An organism, identified by its NCBI taxonomy id where known."""

    taxon_id: int | None = Field(None, ge=1, description="NCBI Taxonomy id.")
    scientific_name: ShortText = Field(description="Latin binomial (or higher taxon).")
    common_name_ja: ShortText | None = Field(None, description="Japanese common name.")
    common_name_en: ShortText | None = Field(None, description="English common name.")


class CrossRef(_Model):
    """A reference to the same material or a related record in another database."""

    db: ShortText = Field(description="Database name, e.g. Cellosaurus, RRID, MGI, NCBI_Gene, DOI.")
    id: ShortText = Field(description="Identifier in that database.")

    @computed_field(description="Link to the record, where the database is known.")  # type: ignore[prop-decorator]
    @property
    def url(self) -> str | None:
        template = XREF_URLS.get(self.db)
        return template.format(id=self.id) if template else None


class Distribution(_Model):
    """Conditions under which the holding institution distributes the resource."""

    mta_type: MtaType | None = Field(None, description="Material transfer agreement required.")
    fee: ShortText | None = Field(None, description="Fee as the institution states it.")
    biosafety_level: int | None = Field(None, ge=1, le=4, description="Biosafety level (BSL) 1-4.")
    conditions: LocalizedText | None = Field(None, description="Other conditions of use.")


class SpecimenStats(_Model):
    """Aggregate counts of a human specimen collection (never individual-level data)."""

    donors: int | None = Field(None, ge=0, description="Number of donors.")
    samples: int | None = Field(None, ge=0, description="Number of samples.")
    sex: list[ShortText] = Field(default_factory=list, description="Sexes represented.")
    age_range: ShortText | None = Field(None, description="Age range of donors, e.g. 20-80.")
    storage_temperature: ShortText | None = Field(None, description="Storage temperature.")


class Provenance(_Model):
    """Where and when a record came from."""

    source: ShortText = Field(description="Adapter name that harvested it.")
    source_record_id: ShortText | None = Field(None, description="Record id in the source, if not the catalog id.")
    harvest_run: ShortText | None = Field(None, description="Harvest run id.")
    harvested_at: datetime | None = Field(None, description="When it was harvested.")
    source_datestamp: datetime | None = Field(None, description="Last change as the source reports it.")
    content_hash: ShortText | None = Field(None, description="Hash of the mapped content (for change detection).")


class Resource(_Model):
    """One catalog item held by one institution."""

    institution: Slug = Field(description="Holding institution's slug, e.g. riken-brc.")
    catalog_id: ShortText = Field(description="Catalog number at the institution, e.g. RBRC00001.")
    resource_type: ResourceType = Field(description="Kind of material.")
    name: ShortText = Field(description="Preferred name.")
    synonyms: list[ShortText] = Field(default_factory=list, description="Other names.")
    description: LocalizedText = Field(default_factory=LocalizedText, description="Free description.")
    species: Species | None = Field(None, description="Organism.")
    strain: ShortText | None = Field(None, description="Strain designation / background.")
    genotype: ShortText | None = Field(None, description="Genotype, e.g. Lep<ob>/Lep<ob>.")
    genes: list[ShortText] = Field(default_factory=list, description="Gene symbols involved.")
    diseases: list[ShortText] = Field(default_factory=list, description="Disease names (ja or en).")
    tissues: list[ShortText] = Field(default_factory=list, description="Tissue / organ.")
    sample_types: list[ShortText] = Field(default_factory=list, description="Sample / material types.")
    availability: Availability = Field(Availability.AVAILABLE, description="Distribution status.")
    distribution: Distribution = Field(default_factory=Distribution, description="Distribution conditions.")
    specimen_stats: SpecimenStats | None = Field(None, description="Aggregate counts (specimen collections).")
    xrefs: list[CrossRef] = Field(default_factory=list, description="Cross-references.")
    source_url: ShortText | None = Field(None, description="Record page at the institution.")
    created: date | None = Field(None, description="Date deposited/registered.")
    updated: date | None = Field(None, description="Date last changed at the source.")
    provenance: Provenance = Field(description="Where the record came from.")

    @field_validator("name", "strain", "genotype", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("synonyms", "genes", "diseases", "tissues", "sample_types", mode="before")
    @classmethod
    def _clean_list(cls, value: object) -> object:
        if isinstance(value, list):
            seen: dict[str, None] = {}
            for item in value:
                if isinstance(item, str) and (text := clean_text(item)):
                    seen.setdefault(text, None)
            return list(seen)
        return value

    @field_validator("source_url", mode="after")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        # Harvested text is untrusted: a javascript: or data: URL must never become a link.
        if value is None or re.match(r"^https?://[^\s/]+", value, re.IGNORECASE) is None:
            return None
        return value

    @field_validator("catalog_id", mode="after")
    @classmethod
    def _display_id(cls, value: str) -> str:
        return display_id(value)

    @computed_field(description="Stable id: institution:canonical catalog id.")  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        return resource_id(self.institution, self.catalog_id)

    @computed_field(description="Groups one material held by several institutions.")  # type: ignore[prop-decorator]
    @property
    def entity_key(self) -> str:
        return entity_key(self)

    def content_hash(self) -> str:
        """Hash of the mapped content, ignoring provenance (so unchanged records are not rewritten)."""
        payload = self.model_dump_json(exclude={"provenance"})
        return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


def resource_id(institution: str, catalog_id: str) -> str:
    """``{institution}:{canonical catalog id}``: re-harvesting the same record gives the same id."""
    key = canonical_id(catalog_id) or clean_text(catalog_id).upper().replace(" ", "")
    return f"{institution}:{key}"


#: Cross-reference databases that identify one material across institutions, strongest first.
ENTITY_XREF_DBS = ("Cellosaurus", "RRID", "IMSR", "MGI", "ATCC", "DSMZ")


def _norm_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s\-_/.,()'\"]+", "", text)


def entity_key(resource: Resource) -> str:
    """The key grouping one material held by several institutions.

    A shared cross-reference wins (Cellosaurus accession, RRID, ...). Otherwise the normalised name
    plus species; but a name that is only the species' own name says nothing about which strain it
    is, so such a record stands alone.
    """
    by_db = {x.db: x.id for x in resource.xrefs}
    for db in ENTITY_XREF_DBS:
        if db in by_db:
            ref = by_db[db]
            if db == "RRID" and (key := canonical_id(ref)) and key.startswith("CVCL_"):
                return f"cellosaurus:{key}"
            if db == "Cellosaurus":
                return f"cellosaurus:{canonical_id(ref) or ref.upper()}"
            return f"{db.lower()}:{ref.upper().replace(' ', '')}"
    name = _norm_name(resource.name)
    taxon = resource.species.taxon_id if resource.species and resource.species.taxon_id else 0
    if resource.species and name == _norm_name(resource.species.scientific_name):
        return f"resource:{resource.id}"
    if resource.resource_type in ("human_specimen",):
        return f"resource:{resource.id}"
    return f"name:{taxon}:{name}"
