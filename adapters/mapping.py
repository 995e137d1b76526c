"""The declarative field mapping: target Resource field ← source field(s) + transforms.

In ``adapters.toml``::

    [adapters.naro.mapping]
    catalog_id    = "header.local_id"                        # one source field
    name          = ["dwc:scientificName", "dc:title"]       # first non-empty of several
    resource_type = { const = "plant" }
    synonyms      = { from = "dc:title", transforms = [{ split = ";" }, "strip"], combine = "all" }
    created       = { from = "dc:date", transforms = ["date"] }          # malformed → None + warning
    "xrefs.NCBI_Taxonomy" = "dwc:taxonID"                    # xrefs.<db> makes CrossRef(db, value)

Targets are Resource fields, dotted for nested models (``species.scientific_name``,
``description.ja``, ``distribution.mta_type``, ``specimen_stats.donors``). Source paths look up a
key as is first (``dc:title``, ``header.identifier``), then walk dicts and lists on dots.
"""

from __future__ import annotations

import enum
import functools
import re
import typing
from collections.abc import Mapping as AbcMapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationError,
    field_validator,
    model_validator,
)

from adapters.errors import MappingError
from adapters.transforms import MappingContext, Transform, check_regex, expand_transform
from schemas.harvest import RejectionReason
from schemas.identifiers import SCHEMES, canonical_id
from schemas.resource import Distribution, LocalizedText, Provenance, Resource, Species, SpecimenStats

_NESTED: dict[str, type[BaseModel]] = {
    "species": Species, "description": LocalizedText, "distribution": Distribution,
    "specimen_stats": SpecimenStats, "provenance": Provenance, "distribution.conditions": LocalizedText,
}
_NOT_MAPPABLE = {"provenance.source", "provenance.content_hash", "provenance.harvested_at", "provenance.harvest_run"}


def _is_list(model: type[BaseModel], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    return typing.get_origin(annotation) is list


@functools.cache
def target_kind(target: str) -> Literal["scalar", "list", "xref"]:
    """Whether a mapping target takes one value or many; raises ``ValueError`` for unknown targets.

    Cached: it depends on the target alone and is asked for every rule of every record."""
    if target.startswith("xrefs.") and len(target) > 6:
        return "xref"
    parent, _, leaf = target.rpartition(".")
    model = _NESTED.get(parent) if parent else Resource
    if model is None or leaf not in model.model_fields or target in _NOT_MAPPABLE or target == "provenance":
        raise ValueError(f"unknown mapping target {target!r}")
    if leaf in _NESTED or f"{parent}.{leaf}".lstrip(".") in _NESTED:
        raise ValueError(f"map the fields of {target!r} (e.g. {target}.<field>), not the object")
    return "list" if _is_list(model, leaf) else "scalar"


def lookup(data: AbcMapping[str, Any], path: str) -> list[Any]:
    """All values at ``path`` in a raw record (a key as is, else dotted traversal through lists)."""
    if path in data:
        found: Any = data[path]
    else:
        found = [data]
        for part in path.split("."):
            nxt: list[Any] = []
            for node in found:
                items = node if isinstance(node, list) else [node]
                nxt.extend(item[part] for item in items if isinstance(item, AbcMapping) and part in item)
            found = nxt
    out: list[Any] = []
    stack = found if isinstance(found, list) else [found]
    for value in stack:
        if isinstance(value, list):
            out.extend(v for v in value if v is not None and v != "")
        elif value is not None and value != "":
            out.append(value)
    return out


class FieldRule(BaseModel):
    """How one target field is filled."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    source: list[str] = Field(default_factory=list, alias="from", description="Source field path(s).")
    const: Any = Field(None, description="A constant value (instead of, or as fallback for, sources).")
    transforms: list[Transform] = Field(default_factory=list, description="Applied in order.")
    combine: Literal["first", "all"] = Field(
        "first", description="Several sources: first non-empty one, or all values of all of them."
    )
    join: str | None = Field(None, description="Join all values (after combining) with this separator.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, str):
            return {"from": [value]}
        if isinstance(value, list):
            return {"from": value}
        if isinstance(value, dict) and isinstance(value.get("from"), str):
            return {**value, "from": [value["from"]]}
        return value

    @field_validator("transforms", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        return [expand_transform(t) for t in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _something(self) -> FieldRule:
        if not self.source and self.const is None:
            raise ValueError("a rule needs 'from' or 'const'")
        return self

    def values(self, data: AbcMapping[str, Any], ctx: MappingContext) -> list[Any]:
        """The transformed values of this rule for one raw record."""
        out: list[Any] = []
        for path in self.source:
            got = lookup(data, path)
            for transform in self.transforms:
                got = transform.apply(got, ctx)
            out.extend(got)
            if out and self.combine == "first":
                break
        if not out and self.const is not None:
            out = list(self.const) if isinstance(self.const, list) else [self.const]
        if self.join is not None and out:
            out = [self.join.join(str(v) for v in out)]
        return out


def _target(value: str) -> str:
    target_kind(value)
    return value


#: A mapping target, checked when the config is validated (unknown targets are config errors).
Target = Annotated[str, AfterValidator(_target)]


def _vocabulary(target: str) -> type[enum.Enum] | None:
    """The enum (controlled vocabulary) a scalar or list target takes, if any."""
    if target_kind(target) == "xref":
        return None
    parent, _, leaf = target.rpartition(".")
    model = _NESTED[parent] if parent else Resource
    annotation = model.model_fields[leaf].annotation
    candidates = [annotation, *typing.get_args(annotation)]
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, enum.Enum)), None)


class FieldMapping(RootModel[dict[Target, FieldRule]]):
    """Target field → rule. Validated up front: all bad targets and rules are reported together.

    A ``const`` for a vocabulary field (``resource_type``, ``availability``...) must be in the
    vocabulary: a typo is a configuration error, not a rejection of every record at run time."""

    @model_validator(mode="after")
    def _consts_in_vocabulary(self) -> FieldMapping:
        problems = []
        for target, rule in self.root.items():
            vocab = _vocabulary(target)
            if vocab is None or rule.const is None or rule.transforms:
                continue
            allowed = {str(member.value) for member in vocab}
            for value in rule.const if isinstance(rule.const, list) else [rule.const]:
                if str(value) not in allowed:
                    problems.append(f"{target}: const {value!r} is not in its vocabulary "
                                    f"(one of: {', '.join(sorted(allowed))})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def build(self, data: AbcMapping[str, Any], ctx: MappingContext) -> dict[str, Any]:
        """The nested dict of Resource fields this mapping gives for ``data`` (not yet validated)."""
        out: dict[str, Any] = {}
        for target, rule in self.root.items():
            ctx.field = target
            values = rule.values(data, ctx)
            kind = target_kind(target)
            if kind == "xref":
                db = target.split(".", 1)[1]
                out.setdefault("xrefs", []).extend({"db": db, "id": str(v)} for v in values)
                continue
            if not values:
                continue
            value: Any = values if kind == "list" else values[0]
            node = out
            *parents, leaf = target.split(".")
            for parent in parents:
                node = node.setdefault(parent, {})
            if kind == "list" and isinstance(node.get(leaf), list):
                node[leaf].extend(value)
            else:
                node[leaf] = value
        if "xrefs" in out:
            out["xrefs"] = [x if isinstance(x, dict) else _xref(x) for x in out["xrefs"]]
        return out


def _xref(value: object) -> dict[str, str]:
    db, sep, ident = str(value).partition(":")
    return {"db": db.strip(), "id": ident.strip()} if sep else {"db": "unknown", "id": str(value)}


class IdRule(BaseModel):
    """What a valid catalog id looks like: a known scheme's prefix or a regex (else ``invalid_id``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme: str | None = Field(None, description="Prefix of a known scheme in schemas.identifiers (e.g. JCM).")
    pattern: str | None = Field(None, description="Regex the catalog id must fully match.")

    _compiles = field_validator("pattern")(lambda cls, v: v if v is None else check_regex(v))

    @field_validator("scheme")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value is not None and value not in SCHEMES:
            raise ValueError(f"unknown id scheme {value!r}; known: {', '.join(sorted(SCHEMES))}")
        return value

    def check(self, catalog_id: str) -> None:
        """Raise ``MappingError(invalid_id)`` unless ``catalog_id`` fits."""
        if self.pattern and not re.fullmatch(self.pattern, catalog_id.strip()):
            raise MappingError(
                f"catalog_id {catalog_id!r} does not match {self.pattern!r}",
                reason=RejectionReason.INVALID_ID, field="catalog_id",
            )
        if self.scheme:
            key = canonical_id(catalog_id) or ""
            if not (key.startswith(self.scheme) and key[len(self.scheme):].isdigit()):
                raise MappingError(
                    f"catalog_id {catalog_id!r} is not a {self.scheme} id",
                    reason=RejectionReason.INVALID_ID, field="catalog_id",
                )


def resource_from_fields(fields: dict[str, Any], *, institution: str, source: str, ids: IdRule | None) -> Resource:
    """Validate mapped fields into a Resource, or raise a ``MappingError`` naming the field."""
    catalog_id = fields.get("catalog_id")
    if not catalog_id or not str(catalog_id).strip():
        raise MappingError("no catalog id", reason=RejectionReason.MISSING_ID, field="catalog_id")
    fields["catalog_id"] = catalog_id = str(catalog_id)
    if ids is not None:
        ids.check(catalog_id)
    if not fields.get("name") or not str(fields["name"]).strip():
        raise MappingError("no name", reason=RejectionReason.MISSING_NAME, field="name")
    if "resource_type" not in fields:
        raise MappingError("no resource type", reason=RejectionReason.UNKNOWN_TYPE, field="resource_type")
    provenance = {**fields.pop("provenance", {}), "source": source}
    try:
        return Resource.model_validate({**fields, "institution": institution, "provenance": provenance})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        reason = RejectionReason.UNKNOWN_TYPE if where == "resource_type" else RejectionReason.INVALID_FIELD
        if where == "catalog_id":
            reason = RejectionReason.INVALID_ID
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise MappingError(detail, reason=reason, field=where) from exc


__all__ = ["FieldMapping", "FieldRule", "IdRule", "lookup", "resource_from_fields", "target_kind"]
