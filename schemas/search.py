"""Search boundary models: what a caller may ask, and what it gets back."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from schemas.vocab import Availability, ResourceType

MAX_QUERY_CHARS = 1000
FilterValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SortOrder(StrEnum):
    """Result order."""

    RELEVANCE = "relevance"
    NAME = "name"
    UPDATED = "updated"


class SearchQuery(BaseModel):
    """A cross-search request. Free text is always treated as text, never as query syntax."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=MAX_QUERY_CHARS, description="Free text: names, synonyms, ids, species, diseases.")
    resource_type: list[ResourceType] = Field(default_factory=list, description="Only these resource types.")
    institution: list[FilterValue] = Field(default_factory=list, description="Only these institutions (slugs).")
    species: list[FilterValue] = Field(default_factory=list, description=(
        "Only these species: concept ids as the facet lists them (NCBITaxon:9606; a taxon includes those below it) or scientific names."))
    availability: list[Availability] = Field(default_factory=list, description="Only these availability states.")
    disease: list[FilterValue] = Field(default_factory=list, description=(
        "Only resources with these diseases: concept ids as the facet lists them (ICD10:C34 includes narrower concepts) or names."))
    tissue: list[FilterValue] = Field(default_factory=list, description=(
        "Only resources with these tissues: concept ids as the facet lists them, or names."))
    include_withdrawn: bool = Field(False, description="Also return withdrawn records.")
    sort: SortOrder = Field(SortOrder.RELEVANCE, description="Result order.")
    page_size: int = Field(20, ge=1, le=100, description="Entities per page.")
    cursor: str | None = Field(None, max_length=2000, description="Opaque cursor from a previous page's next_cursor.")
    page: int | None = Field(None, ge=1, description=(
        "Page number (1 is the first page), within the numbered window (the response's last_page); not with cursor."))

    @field_validator("q", mode="after")
    @classmethod
    def _strip_controls(cls, value: str) -> str:
        cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") else ch for ch in value)
        return " ".join(cleaned.split())


class Holding(BaseModel):
    """One institution's holding of an entity."""

    id: str = Field(description="Resource id (institution:catalog id).")
    institution: str = Field(description="Holding institution slug.")
    catalog_id: str = Field(description="Catalog number at the institution.")
    name: str = Field(description="Name at the institution.")
    resource_type: str = Field(description="Resource type.")
    availability: str = Field(description="Availability at the institution.")
    source_url: str | None = Field(None, description="Record page at the institution.")
    matched: bool = Field(description="Whether this holding itself matched the query.")


class Segment(BaseModel):
    """A piece of highlighted text: ``hit`` pieces matched the query. Render each piece escaped."""

    text: str = Field(description="Text (unescaped; escape when rendering).")
    hit: bool = Field(False, description="Whether this piece matched the query.")


class EntityGroup(BaseModel):
    """One material and all its holdings across institutions."""

    entity_key: str = Field(description="Entity grouping key.")
    title: str = Field(description="Name of the best-matching holding.")
    resource_type: str = Field(description="Resource type of the best-matching holding.")
    species: str | None = Field(None, description="Scientific name.")
    score: float | None = Field(None, description="Relevance score of the best holding.")
    highlight: dict[str, list[Segment]] = Field(default_factory=dict, description="Highlighted name/description.")
    holdings: list[Holding] = Field(description="The entity's first holdings (at most 5): the best match, the other matches, then the rest.")
    holdings_total: int = Field(0, description="How many visible holdings the entity has (the entity's page lists them all).")
    resource: dict[str, Any] = Field(description="The best-matching holding as a full resource.")


class FacetBucket(BaseModel):
    """A facet value and how many holdings have it, given the other filters."""

    value: str = Field(description="Facet value (a concept id for disease and tissue facets).")
    count: int = Field(description="Number of matching holdings.")
    label_ja: str | None = Field(None, description="Japanese label of the value, where known.")
    label_en: str | None = Field(None, description="English label of the value, where known.")


class SearchResponse(BaseModel):
    """A page of grouped results with facets."""

    total_holdings: int = Field(description="Matching holdings (exact).")
    total_entities: int = Field(description="Matching entities.")
    groups: list[EntityGroup] = Field(description="This page's entities.")
    facets: dict[str, list[FacetBucket]] = Field(description="Facet counts by facet name.")
    next_cursor: str | None = Field(None, description="Cursor for the next page, or null at the end.")
    page: int | None = Field(None, description="This page's number, or null beyond the numbered window.")
    last_page: int | None = Field(None, description=(
        "The last page reachable by number (the total's last page, or the window's end); null beyond the window."))
    query_terms: list[str] = Field(default_factory=list, description="Analysed query terms (for clients).")
    dropped_terms: list[str] = Field(default_factory=list, description=(
        "Query terms that matched nothing and were left out (the search was relaxed); empty when every term counted."))
    suggestions: list[str] = Field(default_factory=list, description="Vocabulary names close to the dropped terms.")
