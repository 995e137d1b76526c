"""Build Elasticsearch DSL from a typed query. User text only ever reaches ``match``/``term`` values,
never query syntax: there is no ``query_string`` anywhere, so quotes, ``*``, ``OR`` or JSON in a query
are just text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from indexer.analysis.analyze import AnalyzedQuery, AnalyzedText, analyze_query
from indexer.analysis.cjk import query_grams
from indexer.analysis.normalize import normalize_text
from indexer.analysis.synonyms import SynonymAlternative, SynonymTable
from schemas.identifiers import identifier_candidates, whole_query_keys
from schemas.search import SearchQuery, SortOrder

#: Facet name → indexed keyword field.
FACET_FIELDS: dict[str, str] = {
    "resource_type": "resource_type",
    "institution": "institution",
    "species": "species_ids",
    "availability": "availability",
    "disease": "disease_ids",
    "tissue": "tissue_ids",
}
#: Facets by concept: a selected concept id also selects its narrower concepts (the ``concepts``
#: field holds every ancestor); a value given as text (older links) still filters the text field.
CONCEPT_FACETS: dict[str, str] = {"disease": "diseases", "tissue": "tissues", "species": "species_name"}
FACET_SIZE = 50

# Field weights: a word in a name counts more than one in the description.
NAME_BOOST, BODY_BOOST = 4.0, 1.0


def _phrase(field: str, text: str, boost: float) -> dict[str, Any]:
    if " " in text:
        return {"match_phrase": {field: {"query": text, "boost": boost}}}
    return {"term": {field: {"value": text, "boost": boost}}}


def _form_clauses(form: AnalyzedText, boost: float = 1.0) -> list[dict[str, Any]]:
    ja: list[dict[str, Any]] = []
    en: list[dict[str, Any]] = []
    if form.ja:
        ja = [_phrase("name_ja", form.ja, NAME_BOOST * boost), _phrase("body_ja", form.ja, BODY_BOOST * boost)]
    if form.en:
        en = [_phrase("name_en", form.en, NAME_BOOST * boost), _phrase("body_en", form.en, BODY_BOOST * boost)]
    if ja and en:
        # A mixed form ("iPS細胞") needs both parts: its Japanese part alone (細胞) is another concept.
        return [{"bool": {"must": [{"dis_max": {"queries": ja}}, {"dis_max": {"queries": en}}]}}]
    return ja + en


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


def _is_ja(token: str) -> bool:
    return any(ord(ch) > 0x2E80 for ch in token)


def _matched_clauses(matched: str) -> list[dict[str, Any]]:
    """Clauses for the query phrase that hit a synonym group; a mixed phrase (``iPS細胞``: 細胞 + ip)
    needs its Japanese part in the Japanese fields and its English part in the English ones."""
    tokens = matched.split()
    ja = " ".join(t for t in tokens if _is_ja(t))
    en = " ".join(t for t in tokens if not _is_ja(t))

    def side(text: str, lang: str) -> list[dict[str, Any]]:
        if " " not in text:
            return _word_clauses(text, lang)
        return [_phrase(f"name_{lang}", text, NAME_BOOST), _phrase(f"body_{lang}", text, BODY_BOOST)]

    if ja and en:
        return [{"bool": {"must": [{"dis_max": {"queries": side(ja, "ja")}}, {"dis_max": {"queries": side(en, "en")}}]}}]
    return side(ja, "ja") if ja else side(en, "en")


@dataclass(frozen=True)
class QueryConcept:
    """One thing a query asks for: a word, or a phrase with its synonyms and concept. ``label`` is how
    the user wrote it (for "dropped terms" notices)."""

    label: str
    clause: dict[str, Any]


#: Score added to every strict match (all concepts, an identifier or the exact name), so that a fuzzy
#: match (typos) can never outrank an exact one.
STRICT_BONUS = 100.0
CONCEPT_BOOST = 3.0


def _label(word: str, q: str) -> str:
    """The query word as the user typed it (analysis stems and folds words: ``ip`` is ``iPS``)."""
    for token in q.split():
        analyzed = analyze_query(token)
        if word in analyzed.terms or word in analyzed.ja_words or word == analyzed.norm:
            return token
    return word


def query_concepts(q: str, aq: AnalyzedQuery, alternatives: list[SynonymAlternative]) -> list[QueryConcept]:
    """One clause per query concept; a concept is a word, or a phrase with its synonyms and concept id."""
    words = [("ja", w) for w in aq.ja_words] + [("en", w) for w in aq.en_words]
    covered: set[str] = set()
    merged: dict[tuple[str, ...], list[SynonymAlternative]] = {}
    for alt in alternatives:
        merged.setdefault(alt.matched, []).append(alt)
    concepts: list[QueryConcept] = []
    for matched_phrases, alts in merged.items():
        clauses: list[dict[str, Any]] = []
        for matched in matched_phrases:
            covered.update(matched.split())
            clauses += _matched_clauses(matched)
        for alt in alts:
            for form in alt.forms:
                clauses += _form_clauses(form, 0.8)
            if alt.concept:
                # Down the hierarchy: a resource filed under a narrower concept carries this one too.
                clauses.append({"term": {"concepts": {"value": alt.concept, "boost": CONCEPT_BOOST}}})
        label = " ".join(_label(w, q) for w in matched_phrases[0].split())
        concepts.append(QueryConcept(label, {"dis_max": {"queries": clauses, "tie_breaker": 0.2}}))
    for lang, word in words:
        if word in covered:
            continue
        covered.add(word)
        concepts.append(QueryConcept(_label(word, q), {"dis_max": {"queries": _word_clauses(word, lang),
                                                                   "tie_breaker": 0.2}}))
    return concepts


def analyze(q: str, synonyms: SynonymTable | None) -> tuple[AnalyzedQuery, list[QueryConcept]]:
    """The analysed query and its concepts."""
    aq = analyze_query(q)
    return aq, query_concepts(q, aq, synonyms.expand(aq) if synonyms else [])


def text_query(q: str, synonyms: SynonymTable | None, *, drop: frozenset[int] = frozenset()) -> dict[str, Any] | None:
    """The scoring part of a search for free text ``q`` (None when ``q`` has nothing searchable).

    Every query concept must match (no term is dropped silently); ``drop`` lists the indexes of
    concepts a relaxed search leaves out (the service says which). A strict match (identifier, exact
    name, or every concept) earns :data:`STRICT_BONUS`; fuzzy matching only ever adds below it.
    """
    aq, all_concepts = analyze(q, synonyms)
    ids = identifier_candidates(q)
    whole = set(whole_query_keys(q))
    if aq.is_empty and not ids:
        return None
    strict: list[dict[str, Any]] = []
    if whole & set(ids):
        strict.append({"constant_score": {"filter": {"terms": {"id_keys": sorted(whole)}}, "boost": 200.0}})
    if parts := [k for k in ids if k not in whole]:
        strict.append({"constant_score": {"filter": {"terms": {"id_keys": parts}}, "boost": 100.0}})
    if aq.norm:
        strict.append({"constant_score": {"filter": {"term": {"name_exact": normalize_text(q)}}, "boost": 60.0}})
    concepts = [c.clause for i, c in enumerate(all_concepts) if i not in drop]
    if concepts:
        strict.append({"bool": {"must": concepts}})
    grams = query_grams(aq.norm)
    if grams and not aq.en_words and not drop:
        # Recall for Japanese words the dictionary does not know: every bigram must occur. Only for a
        # wholly Japanese query: the bigrams of "iPS細胞" are those of 細胞 alone.
        strict.append({"match": {"name_cjk": {"query": " ".join(grams), "operator": "and", "boost": 1.0}}})
        strict.append({"match": {"body_cjk": {"query": " ".join(grams), "operator": "and", "boost": 0.3}}})
    if not strict:
        return None
    strict_query = {"bool": {"should": strict, "minimum_should_match": 1}}
    should: list[dict[str, Any]] = [strict_query, {"constant_score": {"filter": strict_query, "boost": STRICT_BONUS}}]
    if aq.norm:
        should.append({"match_phrase": {"name_norm": {"query": aq.norm, "boost": 6.0}}})
    if aq.norm and not grams and len(aq.norm) >= 4 and not drop:
        # Typos in Latin-script names (Hela → HeLa, diabetik). CJK text has no useful edit distance.
        should.append({"match": {"name_norm": {"query": aq.norm, "fuzziness": "AUTO", "prefix_length": 1,
                                               "operator": "and", "boost": 1.5}}})
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
    filters: dict[str, dict[str, Any]] = {}
    for name, values in selected.items():
        if not values:
            continue
        if name in CONCEPT_FACETS:
            filters[name] = {"bool": {"should": [{"terms": {"concepts": values}}, {"terms": {FACET_FIELDS[name]: values}},
                                                 {"terms": {CONCEPT_FACETS[name]: values}}], "minimum_should_match": 1}}
        else:
            filters[name] = {"terms": {FACET_FIELDS[name]: values}}
    return filters


def base_query(query: SearchQuery, synonyms: SynonymTable | None,
               drop: frozenset[int] = frozenset()) -> dict[str, Any]:
    """Text query plus the filters that are not facets (withdrawn records)."""
    scoring = text_query(query.q, synonyms, drop=drop)
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
            "aggs": {"values": {"terms": {"field": field, "size": FACET_SIZE, "order": [{"_count": "desc"}, {"_key": "asc"}]},
                                **({"aggs": {"name": {"terms": {"field": "species_name", "size": 1}}}}
                                   if name == "species" else {})}},
        }
    aggs["entities"] = {"filter": {"bool": {"filter": list(filters.values())}} if filters else {"match_all": {}},
                        "aggs": {"count": {"cardinality": {"field": "entity_key", "precision_threshold": 40000}}}}
    return aggs
