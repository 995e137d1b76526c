"""The fixed query mix of the search benchmark, as gateway requests and as equivalent direct queries.

Each entry is one gateway request (``/api/search`` or ``/api/suggest`` with its parameters) and the
Elasticsearch request it is compared with, built with the same builder functions the search service
uses:

* search: the service's *first* query of a page, i.e. ``base_query`` + ``sort_clause`` + facet
  ``post_filter`` + ``facet_aggs``, ``size = max(3 * page_size, 30)``, ``track_total_hits``, the same
  ``_source`` and, for deep pages, the same ``search_after`` values the gateway's cursor carries. The
  gateway additionally runs a second query for the page's entity heads (cursor pages only) and one
  ``msearch`` (all holdings + matching holdings of the page's entities) and builds the grouped
  response; those are part of what the ratio measures.
* suggest: the same completion-suggester request ``SearchService.suggest`` sends.

Deep pages need real cursors: ``resolve_cursors`` walks the gateway once, before any measurement.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from indexer.analysis.normalize import normalize_text
from indexer.analysis.synonyms import SynonymTable
from indexer.search.builder import base_query, facet_aggs, facet_filters, sort_clause
from schemas.search import SearchQuery

# Mirrors indexer.search.service._HIT_SOURCE (the fields of a page query's hits).
HIT_SOURCE = ["id", "entity_key", "resource"]
SEQUENCE_LENGTH = 400
SEED = 42


@dataclass(frozen=True)
class MixEntry:
    """One kind of request; ``weight`` copies of it go into the request sequence."""

    kind: str
    label: str
    params: tuple[tuple[str, str], ...]
    weight: int = 1
    page: int = 1


#: The mix: kinds Japanese text, English text, identifiers, facet filters, deep pages, autocomplete.
MIX: tuple[MixEntry, ...] = (
    MixEntry("ja", "マウス", (("q", "マウス"),), 2),
    MixEntry("ja", "糖尿病 マウス", (("q", "糖尿病 マウス"),), 2),
    MixEntry("ja", "乳癌 細胞", (("q", "乳癌 細胞"),), 2),
    MixEntry("ja", "イネ 在来品種", (("q", "イネ 在来品種"),), 2),
    MixEntry("en", "HeLa", (("q", "HeLa"),), 2),
    MixEntry("en", "mouse diabetes", (("q", "mouse diabetes"),), 2),
    MixEntry("en", "breast cancer cell line", (("q", "breast cancer cell line"),), 2),
    MixEntry("en", "rice", (("q", "rice"),), 2),
    MixEntry("id", "RBRC00001", (("q", "RBRC00001"),)),
    MixEntry("id", "JCRB9001", (("q", "JCRB9001"),)),
    MixEntry("id", "NIES-2", (("q", "NIES-2"),)),
    MixEntry("id", "CVCL_0045", (("q", "CVCL_0045"),)),
    MixEntry("id", "MAFF 100001", (("q", "MAFF 100001"),)),
    MixEntry("facet", "type=cell_line", (("resource_type", "cell_line"),), 2),
    MixEntry("facet", "mouse + institution=riken-brc", (("q", "mouse"), ("institution", "riken-brc")), 2),
    MixEntry("facet", "species=Homo sapiens + disease=breast cancer",
             (("species", "Homo sapiens"), ("disease", "breast cancer")), 2),
    MixEntry("facet", "がん + type=cell_line,human_specimen + available",
             (("q", "がん"), ("resource_type", "cell_line"), ("resource_type", "human_specimen"),
              ("availability", "available")), 2),
    MixEntry("deep", "mouse, page 10", (("q", "mouse"),), 2, page=10),
    MixEntry("deep", "(all) sort=name, page 25", (("sort", "name"),), 2, page=25),
    MixEntry("deep", "細胞, page 5", (("q", "細胞"),), 2, page=5),
    MixEntry("suggest", "He", (("q", "He"),), 2),
    MixEntry("suggest", "マウ", (("q", "マウ"),), 2),
    MixEntry("suggest", "RBRC0", (("q", "RBRC0"),), 2),
    MixEntry("suggest", "Mus", (("q", "Mus"),), 2),
    MixEntry("suggest", "糖尿", (("q", "糖尿"),), 2),
)


@dataclass
class PreparedRequest:
    """One entry ready to send: the gateway path + query, and the direct Elasticsearch body."""

    kind: str
    label: str
    path: str
    params: list[tuple[str, str]]
    direct: dict[str, Any] = field(default_factory=dict)


def _search_after(cursor: str) -> list[Any]:
    """The ``search_after`` values inside a gateway cursor (see ``indexer.search.cursor``)."""
    data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return list(data["a"])


def direct_search_body(params: list[tuple[str, str]], synonyms: SynonymTable, cursor: str | None) -> dict[str, Any]:
    """The search service's first Elasticsearch query for this page (see the module docstring)."""
    raw: dict[str, Any] = {}
    for key, value in params:
        if key in ("q", "sort", "cursor", "page_size"):
            raw[key] = value
        else:
            raw.setdefault(key, []).append(value)
    query = SearchQuery.model_validate(raw)
    filters = facet_filters(query)
    body: dict[str, Any] = {"query": base_query(query, synonyms), "sort": sort_clause(query),
                            "size": max(query.page_size * 3, 30), "_source": HIT_SOURCE, "track_total_hits": True,
                            "aggs": facet_aggs(filters)}
    if filters:
        body["post_filter"] = {"bool": {"filter": list(filters.values())}}
    if cursor:
        body["search_after"] = _search_after(cursor)
    return body


def direct_suggest_body(prefix: str, size: int = 8) -> dict[str, Any]:
    """The completion request of ``SearchService.suggest``."""
    text = normalize_text(prefix)[:80]
    return {"size": 0, "suggest": {"names": {"prefix": text, "completion": {"field": "suggest", "size": size,
                                                                             "skip_duplicates": True}}}}


def prepare(cursors: dict[str, str | None]) -> list[PreparedRequest]:
    """Every mix entry as a request pair; ``cursors`` maps a deep entry's label to its page's cursor."""
    synonyms = SynonymTable.load()
    prepared: list[PreparedRequest] = []
    for entry in MIX:
        params = list(entry.params)
        if entry.kind == "suggest":
            prepared.append(PreparedRequest(entry.kind, entry.label, "/api/suggest", params,
                                            direct_suggest_body(params[0][1])))
            continue
        cursor = cursors.get(entry.label) if entry.page > 1 else None
        if entry.page > 1 and not cursor:
            raise RuntimeError(f"no cursor for {entry.label!r}: the corpus has fewer pages")
        gateway_params = params + ([("cursor", cursor)] if cursor else [])
        prepared.append(PreparedRequest(entry.kind, entry.label, "/api/search", gateway_params,
                                        direct_search_body(params, synonyms, cursor)))
    return prepared


def sequence(prepared: list[PreparedRequest]) -> list[int]:
    """The fixed request order: each entry ``weight`` times, shuffled with a fixed seed."""
    order = [i for i, entry in enumerate(MIX) for _ in range(entry.weight)]
    rng = random.Random(SEED)
    out: list[int] = []
    while len(out) < SEQUENCE_LENGTH:
        rng.shuffle(order)
        out.extend(order)
    return out[:SEQUENCE_LENGTH]


def dump(prepared: list[PreparedRequest]) -> str:
    """The mix file the load generator reads (JSON)."""
    return json.dumps({"requests": [asdict(p) for p in prepared], "sequence": sequence(prepared)}, ensure_ascii=False)
