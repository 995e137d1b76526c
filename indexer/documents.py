"""Resource → Elasticsearch document: facet keywords plus text pre-analysed in Python."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from indexer.analysis.analyze import AnalyzedText, analyze_for_index
from indexer.analysis.cjk import index_grams
from indexer.analysis.concepts import TEXT_PREFIX, ConceptIndex, default_concepts
from indexer.analysis.normalize import normalize_text
from schemas.identifiers import curie_key, identifier_keys
from schemas.resource import Resource
from schemas.vocab import RESOURCE_TYPE_LABELS, ResourceType

_SHORT = 80


@lru_cache(maxsize=20_000)
def _analyze_short(text: str) -> AnalyzedText:
    return analyze_for_index(text)


def _analyze(text: str) -> AnalyzedText:
    """Analysis with a cache for short texts: species, type labels, diseases and tissues repeat across
    most documents of a catalog, so most short texts are analysed once per process."""
    return _analyze_short(text) if len(text) <= _SHORT else analyze_for_index(text)


@lru_cache(maxsize=20_000)
def _short_grams(norm: str) -> str:
    return index_grams(norm)


def _grams(norm: str) -> str:
    """``index_grams`` with the same cache rule as :func:`_analyze`."""
    return _short_grams(norm) if len(norm) <= _SHORT else index_grams(norm)


def _join(parts: list[str]) -> str:
    return " ".join(p for p in parts if p)


def id_keys(resource: Resource) -> list[str]:
    """Keys of every identifier the resource answers to, in every style (see ``schemas.identifiers``).

    The catalog id, the source's record id and the cross-references count whatever their shape
    (``1035``, ``hdl:1765/9``, a DOI, a BBMRI collection id); a synonym counts when it holds a digit.
    """
    keys: dict[str, None] = {}
    exact = [resource.catalog_id, resource.provenance.source_record_id or "", *(x.id for x in resource.xrefs)]
    for raw in exact:
        for key in identifier_keys(raw):
            keys.setdefault(key, None)
    for xref in resource.xrefs:
        # The database's name is a Bioregistry prefix or synonym: "MGI" + "1857469" is MGI:1857469.
        if curie := curie_key(xref.db, xref.id):
            keys.setdefault(curie, None)
    for raw in resource.synonyms:
        for key in identifier_keys(raw, loose=any(ch.isdigit() for ch in raw)):
            keys.setdefault(key, None)
    return list(keys)


def concept_fields(resource: Resource, concepts: ConceptIndex | None = None) -> dict[str, list[str]]:
    """Concept ids of a resource's species, diseases, tissues and sample types, plus their ancestors.

    A value no concept covers keeps a ``text:`` pseudo-id (searchable and facetable as written) and
    is listed in ``unmapped`` as ``kind:value``, so that a vocabulary gap is reported, never dropped.
    """
    index = concepts or default_concepts()
    unmapped: list[str] = []

    def ids(kind: str, values: list[str], *fallback: str) -> list[str]:
        found: list[str] = []
        for value in values:
            concept = index.lookup(kind, value)
            for other in fallback:
                concept = concept or index.lookup(other, value)
            if concept is None:
                unmapped.append(f"{kind}:{value}")
                concept = f"{TEXT_PREFIX}{value}"
            found.append(concept)
        return index.most_specific(found)

    species: list[str] = []
    if resource.species:
        sp = index.species_id(resource.species.taxon_id, resource.species.scientific_name)
        if sp is None:
            unmapped.append(f"species:{resource.species.scientific_name}")
            sp = f"{TEXT_PREFIX}{resource.species.scientific_name}"
        species.append(sp)
    fields = {
        "species_ids": species,
        "disease_ids": ids("disease", resource.diseases),
        "tissue_ids": ids("tissue", resource.tissues, "cell_type"),
        "sample_type_ids": ids("sample_type", resource.sample_types, "cell_type", "tissue"),
    }
    tree: dict[str, None] = {}
    for values in fields.values():
        for concept_id in values:
            tree.setdefault(concept_id, None)
            for ancestor in index.ancestors(concept_id):
                tree.setdefault(ancestor, None)
    fields["concepts"] = list(tree)
    fields["unmapped"] = unmapped
    return fields


def _concept_labels(fields: dict[str, list[str]], concepts: ConceptIndex | None = None) -> list[str]:
    """Japanese and English labels of a resource's own concepts (a code such as ``C34`` becomes words)."""
    index = concepts or default_concepts()
    labels: list[str] = []
    for key in ("species_ids", "disease_ids", "tissue_ids", "sample_type_ids"):
        for concept_id in fields[key]:
            concept = index.get(concept_id)
            if concept is not None:
                labels += [n for n in (concept.ja, concept.en) if n]
    return labels


def _body_texts(r: Resource) -> list[str]:
    texts = [r.description.ja or "", r.description.en or "", r.strain or "", r.genotype or ""]
    texts += r.genes + r.diseases + r.tissues + r.sample_types
    if r.species:
        texts += [r.species.scientific_name, r.species.common_name_ja or "", r.species.common_name_en or ""]
    ja_label, en_label = RESOURCE_TYPE_LABELS[ResourceType(r.resource_type)]
    texts += [ja_label, en_label]
    return [t for t in texts if t]


def suggest_field(inputs: list[str], *, withdrawn: bool) -> dict[str, Any] | None:
    """The completion field; its ``state`` context keeps withdrawn records out of autocomplete."""
    if not inputs:
        return None
    return {"input": inputs, "contexts": {"state": ["withdrawn" if withdrawn else "live"]}}


def withdraw_doc(doc: dict[str, Any], when: str) -> dict[str, Any]:
    """``doc`` (an indexed document) marked withdrawn, keeping the first withdrawal time."""
    suggest = doc.get("suggest")
    doc.update(withdrawn=True, availability="withdrawn", withdrawn_at=doc.get("withdrawn_at") or when,
               changed_at=when, suggest=suggest_field(suggest["input"], withdrawn=True) if suggest else None)
    return doc


def resource_to_doc(resource: Resource, *, withdrawn: bool = False, harvest_run: str | None = None,
                    changed_at: str | None = None) -> dict[str, Any]:
    """The indexed document of ``resource``. Pure function: same resource → same document (but for
    ``changed_at``, when the catalog's copy last changed: now unless the writer knows it is older)."""
    names = [resource.name, *resource.synonyms]
    name_parts = [analyze_for_index(n) for n in names]  # names are mostly unique: caching them only costs memory
    concept_ids = concept_fields(resource)
    body_texts = _body_texts(resource)
    labels = _concept_labels(concept_ids)
    body_texts += [t for t in labels if t not in body_texts]
    body_parts = [_analyze(t) for t in body_texts]
    resource_json = resource.model_dump(mode="json")
    # Display forms (the completion analyzer folds case; the suggestion shows "C57BL/6-Ins2<Akita>/J"),
    # plus the labels of its concepts so that Japanese input (マウス, 糖尿) completes too.
    suggest_inputs = list(dict.fromkeys(
        display[:80] for n in [*names, resource.catalog_id, *labels]
        if (display := " ".join(unicodedata.normalize("NFKC", n).split()))))
    return {
        "id": resource_json["id"],
        "entity_key": resource_json["entity_key"],
        "institution": resource.institution,
        "source": resource.provenance.source,
        "catalog_id": resource.catalog_id,
        "id_keys": id_keys(resource),
        "content_hash": resource.provenance.content_hash or resource.content_hash(),
        "withdrawn": withdrawn,
        "withdrawn_at": datetime.now(UTC).isoformat() if withdrawn else None,
        "harvest_run": harvest_run or resource.provenance.harvest_run,
        # The OAI-PMH datestamp: changes when the content or the withdrawn state changes, not on
        # every re-harvest (indexer.writer carries it over for unchanged records).
        "changed_at": changed_at or datetime.now(UTC).isoformat(),
        "resource_type": str(resource.resource_type),
        "availability": "withdrawn" if withdrawn else str(resource.availability),
        "species_name": resource.species.scientific_name if resource.species else None,
        "taxon_id": resource.species.taxon_id if resource.species else None,
        "diseases": resource.diseases,
        "tissues": resource.tissues,
        "sample_types": resource.sample_types,
        **concept_ids,
        "sort_name": normalize_text(resource.name)[:200],
        "updated": resource.updated.isoformat() if resource.updated else None,
        "harvested_at": resource.provenance.harvested_at.isoformat() if resource.provenance.harvested_at else None,
        "name_exact": list(dict.fromkeys(normalize_text(n) for n in names)),
        "name_norm": _join([p.norm for p in name_parts]),
        "name_ja": _join([p.ja for p in name_parts]),
        "name_en": _join([p.en for p in name_parts]),
        "name_cjk": _join([index_grams(p.norm) for p in name_parts]),
        "body_ja": _join([p.ja for p in body_parts]),
        "body_en": _join([p.en for p in body_parts]),
        "body_cjk": _join([_grams(p.norm) for p in body_parts]),
        "body_norm": _join([p.norm for p in body_parts]),
        "suggest": suggest_field(suggest_inputs, withdrawn=withdrawn),
        "resource": resource_json,
    }
