"""Query/form parameters → pydantic boundary models, with every problem reported at once.

Repeated parameters become lists for list fields (``?resource_type=a&resource_type=b``); a scalar
given twice is an error. The JSON API validates empty values like any other (``?species=`` is a 400);
the HTML pages pass ``drop_empty=True`` because plain forms send empty fields.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from typing import Any, TypeVar

from multidict import MultiMapping
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.errors import ParameterError, ParameterIssue

M = TypeVar("M", bound=BaseModel)


class SuggestParams(BaseModel):
    """Autocomplete request."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(..., min_length=1, max_length=100, description="What the user typed so far.")
    size: int = Field(8, ge=1, le=20, description="Most suggestions to return.")


class ExportOptions(BaseModel):
    """How to export a search (the search itself is given by the SearchQuery parameters)."""

    model_config = ConfigDict(extra="forbid")

    format: typing.Literal["csv", "jsonl", "dwca"] = Field(
        "csv", description="csv (UTF-8 with BOM), jsonl (JSON Lines) or dwca (Darwin Core Archive, a zip).")
    limit: int | None = Field(None, ge=1, description="Most rows to export (default: every match, no cap).")


def is_list_field(model: type[BaseModel], name: str) -> bool:
    """Whether ``model.name`` takes a list (so its query parameter may repeat)."""
    annotation = model.model_fields[name].annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(typing.get_origin(arg) is list for arg in typing.get_args(annotation))
    return origin is list


def _issues(exc: ValidationError) -> list[ParameterIssue]:
    issues: list[ParameterIssue] = []
    for err in exc.errors(include_url=False):
        name = str(err["loc"][0]) if err["loc"] else "(request)"
        reason = "unknown parameter" if err["type"] == "extra_forbidden" else err["msg"]
        issues.append({"name": name, "reason": reason})
    return issues


def collect(model: type[M], query: MultiMapping[str], *, only: Iterable[str] | None = None,
            ignore: Iterable[str] = (), drop_empty: bool = False) -> tuple[dict[str, Any], list[ParameterIssue]]:
    """The raw input for ``model`` from ``query``, and problems found while collecting it.

    ``only`` limits which of the query's keys are taken (others are left for another model);
    ``ignore`` names keys that are dropped silently (e.g. the page language); ``drop_empty`` drops
    empty values except ``q``.
    """
    wanted = set(only) if only is not None else None
    skipped = set(ignore)
    data: dict[str, Any] = {}
    issues: list[ParameterIssue] = []
    for key in dict.fromkeys(query.keys()):
        if key in skipped or (wanted is not None and key not in wanted):
            continue
        values = [v for v in query.getall(key) if v != "" or key == "q" or not drop_empty]
        if not values:
            continue
        if key in model.model_fields and is_list_field(model, key):
            data[key] = values
        elif len(values) > 1:
            issues.append({"name": key, "reason": "given more than once"})
        else:
            data[key] = values[0]
    return data, issues


def parse(model: type[M], query: MultiMapping[str], *, ignore: Iterable[str] = (),
          reject: Iterable[str] = (), drop_empty: bool = False) -> M:
    """Validate ``query`` as ``model``; :class:`ParameterError` names every bad parameter.

    ``ignore`` keys are dropped silently; ``reject`` keys are fields of ``model`` refused here."""
    refused = set(reject)
    data, issues = collect(model, query, ignore=[*ignore, *refused], drop_empty=drop_empty)
    refusals: list[ParameterIssue] = [{"name": k, "reason": "not accepted here"} for k in dict.fromkeys(query)
                                      if k in refused]
    issues = refusals + issues
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise ParameterError(issues + _issues(exc)) from exc
    if issues:
        raise ParameterError(issues)
    return parsed


def parse_pair(first: type[M], second: type[BaseModel], query: MultiMapping[str], *,
               reject: Iterable[str] = ()) -> tuple[M, Any]:
    """Validate the keys of ``second`` as ``second`` and every other key as ``first``; keys in
    ``reject`` are fields of ``first`` that make no sense here."""
    own = set(second.model_fields)
    refused = set(reject)
    issues: list[ParameterIssue] = [{"name": k, "reason": "not accepted here"} for k in dict.fromkeys(query)
                                    if k in refused]
    data_a, issues_a = collect(first, query, only=[k for k in query if k not in own and k not in refused])
    issues += issues_a
    data_b, issues_b = collect(second, query, only=own)
    issues += issues_b
    parsed: list[Any] = []
    for model, data in ((first, data_a), (second, data_b)):
        try:
            parsed.append(model.model_validate(data))
        except ValidationError as exc:
            issues += _issues(exc)
    if issues:
        raise ParameterError(issues)
    return parsed[0], parsed[1]
