"""The fixed query mix of the search benchmark, as gateway requests and as the direct requests.

Each entry is one gateway request (``/api/search`` or ``/api/suggest`` with its parameters) and the
Elasticsearch request it is compared with, built by the *same functions* the search service uses to
build what it sends (``indexer.search.bodies``), so the two sides cannot drift apart:

* search: ``page_body`` — the collapsed page request (facets, totals) — then ``holdings_body`` for
  the entities it returned, exactly as the service sends them (``direct_holdings_body``); deep entries
  ask for a page number (``page=N``), i.e. ``from = (N - 1) * size``.
  A query the service relaxes (no resource has every word: ``dropped_terms``) costs the gateway a
  strict attempt and term counts first; the direct side sends only the relaxed page's request.
* suggest: ``suggest_body(suggest_prefixes(q), 8)``, the completion request of ``SearchService.suggest``.

What the gateway adds on top (parsing, validation, grouping, highlighting, JSON) is what the ratio measures.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.analysis.synonyms import SynonymTable
from indexer.search.bodies import holdings_body, page_body, suggest_body, suggest_prefixes
from schemas.search import SearchQuery

SEQUENCE_LENGTH = 400
SEED = 42
SUGGEST_SIZE = 8


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
    MixEntry("deep", "mouse, page 10", (("q", "mouse"), ("page", "10")), 2, page=10),
    MixEntry("deep", "(all) sort=name, page 25", (("sort", "name"), ("page", "25")), 2, page=25),
    MixEntry("deep", "細胞, page 5", (("q", "細胞"), ("page", "5")), 2, page=5),
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
    drop: list[int] = field(default_factory=list)


def search_query(params: list[tuple[str, str]]) -> SearchQuery:
    """The search the gateway makes of these ``/api/search`` parameters."""
    raw: dict[str, Any] = {}
    for key, value in params:
        if key in ("q", "sort", "cursor", "page_size", "page"):
            raw[key] = value
        else:
            raw.setdefault(key, []).append(value)
    return SearchQuery.model_validate(raw)


def direct_search_body(params: list[tuple[str, str]], synonyms: SynonymTable,
                       drop: frozenset[int] = frozenset()) -> dict[str, Any]:
    """The search service's request for this page (see the module docstring)."""
    query = search_query(params)
    return page_body(query, synonyms, drop, ((query.page or 1) - 1) * query.page_size)


def direct_holdings_body(request: dict[str, Any], synonyms: SynonymTable, page: Any) -> dict[str, Any]:
    """The service's second request of a page, given the answer ``page`` to the first."""
    query = search_query([tuple(p) for p in request["params"]])
    keys = [h["_source"]["entity_key"] for h in page["hits"]["hits"][:query.page_size]]
    return holdings_body(query, synonyms, frozenset(request["drop"]), keys)


def prepare(drops: dict[str, frozenset[int]] | None = None) -> list[PreparedRequest]:
    """Every mix entry as a request pair; ``drops``: label → the query terms the service leaves out
    (``SearchService.relaxation``)."""
    synonyms = SynonymTable.load()
    prepared: list[PreparedRequest] = []
    for entry in MIX:
        params = list(entry.params)
        if entry.kind == "suggest":
            prepared.append(PreparedRequest(entry.kind, entry.label, "/api/suggest", params,
                                            suggest_body(suggest_prefixes(params[0][1]), SUGGEST_SIZE)))
            continue
        drop = (drops or {}).get(entry.label, frozenset())
        prepared.append(PreparedRequest(entry.kind, entry.label, "/api/search", params,
                                        direct_search_body(params, synonyms, drop), sorted(drop)))
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
