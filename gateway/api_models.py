"""Response models of the JSON API that the services do not already define (they feed OpenAPI)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.institution import Institution
from schemas.resource import Resource
from schemas.search import FacetBucket, Holding


class ResourceResponse(BaseModel):
    """One resource with its status and the other holdings of the same material."""

    model_config = ConfigDict(extra="forbid")

    resource: Resource = Field(description="The resource as harvested and normalised.")
    withdrawn: bool = Field(description="Whether the holding institution withdrew it.")
    other_holdings: list[Holding] = Field(description="Other institutions' holdings of the same material.")


class EntityResponse(BaseModel):
    """One material and every live holding of it."""

    model_config = ConfigDict(extra="forbid")

    entity_key: str = Field(description="Entity grouping key.")
    holdings: list[Holding] = Field(description="Every live holding, by institution.")


class SuggestResponse(BaseModel):
    """Autocomplete suggestions."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(description="The prefix that was completed.")
    suggestions: list[str] = Field(description="Names and ids starting with the prefix.")


class FacetsResponse(BaseModel):
    """Facet counts for a search, without its results."""

    model_config = ConfigDict(extra="forbid")

    total_holdings: int = Field(description="Matching holdings.")
    total_entities: int = Field(description="Matching entities.")
    facets: dict[str, list[FacetBucket]] = Field(description="Facet counts by facet name.")


class InstitutionList(BaseModel):
    """The consortium's member institutions."""

    model_config = ConfigDict(extra="forbid")

    institutions: list[Institution] = Field(description="Member institutions.")


class Health(BaseModel):
    """Liveness/readiness of the gateway."""

    status: str = Field(description="ok or unavailable.")
    elasticsearch: str | None = Field(None, description="Cluster status (readiness probe only).")


class ParameterIssueModel(BaseModel):
    """One invalid parameter."""

    name: str = Field(description="Parameter name.")
    reason: str = Field(description="What is wrong with it.")


class ProblemModel(BaseModel):
    """An RFC 9457 problem details document (``application/problem+json``)."""

    type: str = Field(description="Stable URI identifying the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="HTTP status code.")
    detail: str = Field(description="Explanation of this occurrence.")
    instance: str | None = Field(None, description="The request path.")
    errors: list[ParameterIssueModel] | None = Field(None, description="Invalid parameters (validation problems).")
