"""Elasticsearch responses → the typed pieces of a result page (entity groups, facet buckets)."""

from __future__ import annotations

from typing import Any

from indexer.analysis.analyze import analyze_query
from indexer.analysis.concepts import NAME_PREFIX, default_concepts
from indexer.analysis.synonyms import SynonymTable
from indexer.search.bodies import CARD_HOLDINGS
from indexer.search.builder import CONCEPT_FACETS, FACET_FIELDS
from indexer.search.highlight import fold_needles, highlight
from schemas.search import EntityGroup, FacetBucket, Holding


def holding(source: dict[str, Any], matched: bool) -> Holding:
    """One holding row from a resource document's ``_source``."""
    r = source["resource"]
    return Holding(id=source["id"], institution=r["institution"], catalog_id=r["catalog_id"], name=r["name"],
                   resource_type=r["resource_type"], availability=source.get("availability") or r["availability"],
                   source_url=r.get("source_url"), matched=matched)


def facet_bucket(facet: str, bucket: dict[str, Any]) -> FacetBucket:
    """A facet value with its count and, for concepts, its labels in both languages."""
    key, count = str(bucket["key"]), bucket["doc_count"]
    if facet == "species":
        # An organism is labelled by its scientific name (as its records write it) in English and
        # by the vocabulary's Japanese name where there is one.
        names = bucket.get("name", {}).get("buckets", [])
        scientific = (str(names[0]["key"]) if names and not key.startswith(NAME_PREFIX)
                      else default_concepts().label(key, "en"))
        concept = default_concepts().get(key)
        return FacetBucket(value=key, count=count, label_ja=(concept.ja if concept else None) or scientific,
                           label_en=scientific)
    if facet in CONCEPT_FACETS:
        concepts = default_concepts()
        return FacetBucket(value=key, count=count, label_ja=concepts.label(key, "ja"),
                           label_en=concepts.label(key, "en"))
    return FacetBucket(value=key, count=count)


def facets(aggregations: dict[str, Any]) -> dict[str, list[FacetBucket]]:
    """Every facet of a page's aggregations."""
    return {name: [facet_bucket(name, b) for b in aggregations[f"facet_{name}"]["values"]["buckets"]]
            for name in FACET_FIELDS}


def needles(q: str, synonyms: SynonymTable) -> frozenset[str]:
    """What to highlight for ``q``: its words, Japanese words and synonym forms."""
    if not q:
        return frozenset()
    aq = analyze_query(q)
    found = [t for t in q.split() if len(t) >= 2] + list(aq.ja_words)
    for alt in synonyms.expand(aq):
        found += [f.norm for f in alt.forms if f.norm]
    return fold_needles(found)


def card_holdings(resp: Any, scored: bool) -> dict[str, tuple[list[Holding], int]]:
    """Entity key → its first holdings (matching ones first) and how many it has, from the answer to
    ``holdings_body``. A holding matched the query when it scored (the others score 0); without
    query text every visible holding matches."""
    cards: dict[str, tuple[list[Holding], int]] = {}
    for bucket in resp["aggregations"]["per_entity"]["buckets"]:
        hits = bucket["first"]["hits"]["hits"]
        cards[bucket["key"]] = ([holding(h["_source"], not scored or (h.get("_score") or 0) > 0) for h in hits],
                                bucket["doc_count"])
    return cards


def group(hit: dict[str, Any], card: tuple[list[Holding], int] | None, marks: frozenset[str]) -> EntityGroup:
    """An entity group from a collapsed hit (its head) and its card holdings; the head comes first."""
    src = hit["_source"]
    resource = src["resource"]
    rows, total = card or ([], 0)
    rows = sorted(rows, key=lambda h: h.id != src["id"])
    if src["id"] not in {h.id for h in rows}:
        rows = [holding(src, True), *rows][:CARD_HOLDINGS]
    description = resource["description"].get("en") or resource["description"].get("ja") or ""
    return EntityGroup(
        entity_key=src["entity_key"], title=resource["name"], resource_type=resource["resource_type"],
        species=(resource.get("species") or {}).get("scientific_name"), score=hit.get("_score"),
        highlight={"name": highlight(resource["name"], marks),
                   "description": highlight(description, marks),
                   # the page shows the description in the UI language when the record has one
                   **({"description_ja": highlight(ja, marks)}
                      if (ja := resource["description"].get("ja")) else {})} if marks else {},
        holdings=rows, holdings_total=max(total, len(rows)), resource=resource,
    )
