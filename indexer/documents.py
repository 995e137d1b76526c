"""Resource → Elasticsearch document: facet keywords plus text pre-analysed in Python."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from indexer.analysis.analyze import AnalyzedText, analyze_for_index
from indexer.analysis.cjk import index_grams
from indexer.analysis.normalize import normalize_text
from schemas.identifiers import canonical_id
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


def _join(parts: list[str]) -> str:
    return " ".join(p for p in parts if p)


def id_keys(resource: Resource) -> list[str]:
    """Canonical keys of every identifier the resource answers to (catalog id, xrefs, id-like synonyms)."""
    keys: dict[str, None] = {}
    for raw in [resource.catalog_id, *(x.id for x in resource.xrefs), *resource.synonyms]:
        if key := canonical_id(raw):
            keys.setdefault(key, None)
    return list(keys)


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
    body_parts = [_analyze(t) for t in _body_texts(resource)]
    resource_json = resource.model_dump(mode="json")
    suggest_inputs = list(dict.fromkeys(normalize_text(n)[:80] for n in [*names, resource.catalog_id] if n))
    return {
        "id": resource.id,
        "entity_key": resource.entity_key,
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
        "body_cjk": _join([index_grams(p.norm) for p in body_parts]),
        "body_norm": _join([p.norm for p in body_parts]),
        "suggest": suggest_field(suggest_inputs, withdrawn=withdrawn),
        "resource": resource_json,
    }
