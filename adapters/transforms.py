"""The small transforms of the declarative field mapping (``adapters.mapping``).

Every transform works on the *list* of values a source field gave (cells may be multi-valued) and
returns a list; an empty list means "no value". Written in TOML either as a bare name
(``"strip"``), a one-key table (``{ split = ";" }``), or a full table (``{ op = "lookup", table =
{...}, default = "other" }``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from datetime import date, datetime
from typing import Annotated, Any, Literal

from lxml import html as lxml_html
from lxml.etree import ParserError
from pydantic import BaseModel, ConfigDict, Field, field_validator
from typing_extensions import override

from adapters.dates import DATE_FORMATS, parse_date

_TAG = re.compile(r"<[^>]{0,2000}>")


def check_regex(pattern: str) -> str:
    """``pattern`` if it compiles, else ``ValueError`` (so config validation reports it)."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
    return pattern


class MappingContext:
    """Per-record scratchpad of the mapping: warnings (e.g. malformed dates) by field."""

    __slots__ = ("field", "warnings")

    def __init__(self) -> None:
        self.field = ""
        self.warnings: Counter[str] = Counter()

    def warn(self, kind: str) -> None:
        """Count a tolerated problem (the value became None) against the current field."""
        self.warnings[f"{self.field}:{kind}"] += 1


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:  # pragma: no cover - abstract
        raise NotImplementedError


def _texts(values: list[Any]) -> list[str]:
    return [v if isinstance(v, str) else str(v) for v in values if v is not None]


class Strip(_Op):
    """Trim whitespace (including full-width spaces); drop empty values."""

    op: Literal["strip"] = "strip"

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        return [s for v in _texts(values) if (s := v.strip().strip("\u3000").strip())]


class HtmlText(_Op):
    """Unescape HTML entities and strip tags (harvested descriptions often carry markup)."""

    op: Literal["html_text"] = "html_text"

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        out = []
        for v in _texts(values):
            text = html.unescape(v)
            if "<" in text:
                try:
                    text = lxml_html.fragment_fromstring(text, create_parent="div").text_content()
                except (ParserError, ValueError):
                    text = _TAG.sub(" ", text)
            out.append(" ".join(text.split()))
        return [v for v in out if v]


class Unescape(_Op):
    """Unescape HTML entities only."""

    op: Literal["unescape"] = "unescape"

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        return [html.unescape(v) for v in _texts(values)]


class Normalize(_Op):
    """Unicode NFKC (full-width letters and digits to ASCII, half-width kana to full-width)."""

    op: Literal["nfkc"] = "nfkc"

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        return [unicodedata.normalize("NFKC", v) for v in _texts(values)]


class Case(_Op):
    """Lower- or upper-case."""

    op: Literal["lower", "upper"]

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        return [v.lower() if self.op == "lower" else v.upper() for v in _texts(values)]


class Split(_Op):
    """Split multi-valued cells on one or several separators."""

    op: Literal["split"] = "split"
    sep: list[str] = Field(description="Separators, e.g. [';', '|', '、'].")

    @field_validator("sep", mode="before")
    @classmethod
    def _one(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        pattern = "|".join(re.escape(s) for s in self.sep if s)
        return [p.strip() for v in _texts(values) for p in re.split(pattern, v) if p.strip()]


class Lookup(_Op):
    """Translate values through a table (e.g. Japanese type names to ResourceType values)."""

    op: Literal["lookup"] = "lookup"
    table: dict[str, Any] = Field(description="Source value to target value.")
    default: Any = Field(None, description="Value for unmatched inputs; None drops them.")
    keep_unmatched: bool = Field(False, description="Pass unmatched values through unchanged.")

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        folded = {unicodedata.normalize("NFKC", k).casefold().strip(): v for k, v in self.table.items()}
        out = []
        for v in _texts(values):
            hit = self.table.get(v, folded.get(unicodedata.normalize("NFKC", v).casefold().strip()))
            if hit is None:
                hit = v if self.keep_unmatched else self.default
            if hit is not None:
                out.append(hit)
        return out


class RegexExtract(_Op):
    """Keep the first match of a regex (group 1 if the pattern has groups); non-matching values drop."""

    op: Literal["regex"] = "regex"
    pattern: str = Field(description="Python regular expression.")

    _compiles = field_validator("pattern")(lambda cls, v: check_regex(v))

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        rx = re.compile(self.pattern)
        out = []
        for v in _texts(values):
            if m := rx.search(v):
                out.append(m.group(1) if rx.groups else m.group(0))
        return out


class Replace(_Op):
    """Regex substitution."""

    op: Literal["replace"] = "replace"
    pattern: str
    repl: str = ""

    _compiles = field_validator("pattern")(lambda cls, v: check_regex(v))

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        rx = re.compile(self.pattern)
        return [rx.sub(self.repl, v) for v in _texts(values)]


class Template(_Op):
    """Format each value into a template, e.g. ``https://example.org/strain/{value}``."""

    op: Literal["template"] = "template"
    template: str

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        return [self.template.format(value=v) for v in _texts(values)]


class Join(_Op):
    """Join all values into one string."""

    op: Literal["join"] = "join"
    sep: str = " "

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        texts = _texts(values)
        return [self.sep.join(texts)] if texts else []


class First(_Op):
    """Keep only the first value."""

    op: Literal["first"] = "first"

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        return values[:1]


class ParseDate(_Op):
    """Parse dates tolerantly; a malformed date becomes None and a warning, never a rejection."""

    op: Literal["date"] = "date"
    formats: list[str] = Field(default_factory=lambda: list(DATE_FORMATS))

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        out: list[Any] = []
        for v in values:
            if isinstance(v, date):
                out.append(v.date() if isinstance(v, datetime) else v)
            elif (parsed := parse_date(str(v), self.formats)) is not None:
                out.append(parsed)
            else:
                ctx.warn("malformed_date")
        return out


class ParseNumber(_Op):
    """Parse integers or floats (``1,234`` and full-width digits accepted); failures warn and drop."""

    op: Literal["int", "float"]

    @override
    def apply(self, values: list[Any], ctx: MappingContext) -> list[Any]:
        out: list[Any] = []
        for v in values:
            text = unicodedata.normalize("NFKC", str(v)).replace(",", "").strip()
            try:
                out.append(int(float(text)) if self.op == "int" else float(text))
            except ValueError:
                ctx.warn(f"malformed_{self.op}")
        return out


Transform = Annotated[
    Strip | HtmlText | Unescape | Normalize | Case | Split | Lookup | RegexExtract | Replace | Template | Join
    | First | ParseDate | ParseNumber,
    Field(discriminator="op"),
]

_SHORTHAND_ARG = {"split": "sep", "lookup": "table", "regex": "pattern", "template": "template", "join": "sep"}


def expand_transform(spec: object) -> object:
    """``"strip"`` → ``{"op": "strip"}``; ``{"split": ";"}`` → ``{"op": "split", "sep": ";"}``;
    ``{"lookup": {...}, "default": "other"}`` → ``{"op": "lookup", "table": {...}, "default": "other"}``."""
    if isinstance(spec, str):
        return {"op": spec}
    if isinstance(spec, dict) and "op" not in spec:
        ops = [key for key in spec if key in _SHORTHAND_ARG]
        if len(ops) == 1:
            op = ops[0]
            rest = {k: v for k, v in spec.items() if k != op}
            return {"op": op, _SHORTHAND_ARG[op]: spec[op], **rest}
        if len(spec) == 1:
            return {"op": next(iter(spec))}
    return spec
