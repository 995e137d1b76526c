"""Build Elasticsearch DSL from a typed query. User text only ever reaches ``match``/``term`` values,
never query syntax: there is no ``query_string`` anywhere, so quotes, ``*``, ``OR`` or JSON in a query
are just text.
"""

from __future__ import annotations

from typing import Any

from indexer.analysis.analyze import AnalyzedQuery, AnalyzedText, analyze_query
from indexer.analysis.cjk import query_grams
from indexer.analysis.normalize import normalize_text
from indexer.analysis.synonyms import SynonymAlternative, SynonymTable
from schemas.identifiers import identifier_candidates
from schemas.search import SearchQuery, SortOrder

#: Facet name → indexed keyword field.
FACET_FIELDS: dict[str, str] = {
    "resource_type": "resource_type",
    "institution": "institution",
    "species": "species_name",
    "availability": "availability",
    "disease": "diseases",
    "tissue": "tissues",
}
FACET_SIZE = 50

# Field weights: a word in a name counts more than one in the description.
NAME_BOOST, BODY_BOOST = 4.0, 1.0


def _phrase(field: str, text: str, boost: float) -> dict[str, Any]:
    if " " in text:
        return {"match_phrase": {field: {"query": text, "boost": boost}}}
    return {"term": {field: {"value": text, "boost": boost}}}


def _form_clauses(form: AnalyzedText, boost: float = 1.0) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    if form.ja:
        clauses += [_phrase("name_ja", form.ja, NAME_BOOST * boost), _phrase("body_ja", form.ja, BODY_BOOST * boost)]
    if form.en:
        clauses += [_phrase("name_en", form.en, NAME_BOOST * boost), _phrase("body_en", form.en, BODY_BOOST * boost)]
    return clauses


def _word_clauses(word: str, lang: str) -> list[dict[str, Any]]:
    clauses = [_phrase(f"name_{lang}", word, NAME_BOOST), _phrase(f"body_{lang}", word, BODY_BOOST)]
    if lang == "ja":
        chars = " ".join(query_grams(word))
        if chars:
            # Per-character bigrams: finds the word inside compounds Sudachi split differently.
            clauses += [
                {"match": {"name_cjk": {"query": chars, "operator": "and", "boost": NAME_BOOST * 0.5}}},
                {"match": {"body_cjk": {"query": chars, "operator": "and", "boost": BODY_BOOST * 0.5}}},
            ]
    return clauses


def _concepts(aq: AnalyzedQuery, alternatives: list[SynonymAlternative]) -> list[dict[str, Any]]:
    """One clause per query concept; a concept is a word, or a phrase with its synonyms."""
    words = [("ja", w) for w in aq.ja_words] + [("en", w) for w in aq.en_words]
    covered: set[str] = set()
    concepts: list[dict[str, Any]] = []
    for alt in alternatives:
        clauses: list[dict[str, Any]] = []
        for matched in alt.matched:
            covered.update(matched.split())
            lang = "ja" if any(ord(ch) > 0x2E80 for ch in matched) else "en"
            clauses += _word_clauses(matched, lang) if " " not in matched else [
                _phrase(f"name_{lang}", matched, NAME_BOOST), _phrase(f"body_{lang}", matched, BODY_BOOST)]
        for form in alt.forms:
            clauses += _form_clauses(form, 0.8)
        concepts.append({"dis_max": {"queries": clauses, "tie_breaker": 0.2}})
    for lang, word in words:
        if word in covered:
            continue
        covered.add(word)
        concepts.append({"dis_max": {"queries": _word_clauses(word, lang), "tie_breaker": 0.2}})
    return concepts


def text_query(q: str, synonyms: SynonymTable | None) -> dict[str, Any] | None:
    """The scoring part of a search for free text ``q`` (None when ``q`` has nothing searchable)."""
    aq = analyze_query(q)
    ids = identifier_candidates(q)
    if aq.is_empty and not ids:
        return None
    should: list[dict[str, Any]] = []
    if ids:
        should.append({"constant_score": {"filter": {"terms": {"id_keys": ids}}, "boost": 200.0}})
    if aq.norm:
        should.append({"constant_score": {"filter": {"term": {"name_exact": normalize_text(q)}}, "boost": 60.0}})
        should.append({"match_phrase": {"name_norm": {"query": aq.norm, "boost": 6.0}}})
    grams = query_grams(aq.norm)
    concepts = _concepts(aq, synonyms.expand(aq) if synonyms else [])
    if concepts:
        required = len(concepts) if len(concepts) <= 3 else max(3, int(len(concepts) * 0.75))
        should.append({"bool": {"should": concepts, "minimum_should_match": required}})
    if aq.norm and not grams and len(aq.norm) >= 4:
        # Typos in Latin-script names (Hela → HeLa, diabetik). CJK text has no useful edit distance.
        should.append({"match": {"name_norm": {"query": aq.norm, "fuzziness": "AUTO", "prefix_length": 1,
                                               "operator": "and", "boost": 1.5}}})
    if grams:
        # Recall for Japanese words the dictionary does not know: every bigram must occur.
        should.append({"match": {"name_cjk": {"query": " ".join(grams), "operator": "and", "boost": 1.0}}})
        should.append({"match": {"body_cjk": {"query": " ".join(grams), "operator": "and", "boost": 0.3}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def facet_filters(query: SearchQuery) -> dict[str, dict[str, Any]]:
    """Facet name → filter clause, for each facet the query constrains."""
    selected: dict[str, list[str]] = {
        "resource_type": [str(v) for v in query.resource_type],
        "institution": query.institution,
        "species": query.species,
        "availability": [str(v) for v in query.availability],
        "disease": query.disease,
        "tissue": query.tissue,
    }
    return {name: {"terms": {FACET_FIELDS[name]: values}} for name, values in selected.items() if values}


def base_query(query: SearchQuery, synonyms: SynonymTable | None) -> dict[str, Any]:
    """Text query plus the filters that are not facets (withdrawn records)."""
    scoring = text_query(query.q, synonyms)
    filters: list[dict[str, Any]] = []
    if not query.include_withdrawn:
        filters.append({"term": {"withdrawn": False}})
    bool_query: dict[str, Any] = {"filter": filters}
    if scoring is not None:
        bool_query["must"] = [scoring]
    return {"bool": bool_query}


def with_filters(q: dict[str, Any], filters: list[dict[str, Any]]) -> dict[str, Any]:
    """``q`` with extra non-scoring filters (scores unchanged)."""
    return {"bool": {"must": [q], "filter": filters}} if filters else q


def sort_clause(query: SearchQuery) -> list[dict[str, Any]]:
    """Total order over resources (``id`` breaks ties), as cursors require."""
    if query.sort is SortOrder.NAME:
        return [{"sort_name": "asc"}, {"id": "asc"}]
    if query.sort is SortOrder.UPDATED:
        return [{"updated": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    return [{"_score": "desc"}, {"id": "asc"}]


def facet_aggs(filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One aggregation per facet, each filtered by every *other* selected facet."""
    aggs: dict[str, Any] = {}
    for name, field in FACET_FIELDS.items():
        others = [clause for other, clause in filters.items() if other != name]
        aggs[f"facet_{name}"] = {
            "filter": {"bool": {"filter": others}} if others else {"match_all": {}},
            "aggs": {"values": {"terms": {"field": field, "size": FACET_SIZE, "order": [{"_count": "desc"}, {"_key": "asc"}]}}},
        }
    aggs["entities"] = {"filter": {"bool": {"filter": list(filters.values())}} if filters else {"match_all": {}},
                        "aggs": {"count": {"cardinality": {"field": "entity_key", "precision_threshold": 40000}}}}
    return aggs
