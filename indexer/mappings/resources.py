"""The resources index: pre-analysed text fields (analysis happens in Python) plus facet keywords.

Mapping changes that only add fields may be applied in place; anything else bumps
``RESOURCES_MAPPING_VERSION``, which puts new generations into new index names (``...-v2-...``).
"""

from __future__ import annotations

from typing import Any

RESOURCES_MAPPING_VERSION = 2  # 2: completion contexts (withdrawn records leave autocomplete)

# Tokens are produced in Python (indexer.analysis); the built-in ``whitespace`` analyzer only splits
# them. (Core Elasticsearch has that analyzer but no whitespace *tokenizer* for custom analyzers.)
_WS_TEXT = {"type": "text", "analyzer": "whitespace"}
_CJK_TEXT = {"type": "text", "analyzer": "whitespace"}
_KW = {"type": "keyword"}

ANALYSIS: dict[str, Any] = {
    "filter": {
        "bx_shingle": {"type": "shingle", "min_shingle_size": 2, "max_shingle_size": 3, "output_unigrams": True},
    },
    "analyzer": {
        # Normalised text: standard tokenizer (per-character CJK tokens) for fuzzy and prefix matching.
        "bx_std": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
        "bx_std_shingle": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "bx_shingle"]},
    },
}


def resources_index_body(*, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """Settings and mappings of one resources generation index.

    One shard: a consortium catalog (millions of small documents) fits comfortably, and a single shard
    keeps scores identical between the page query and the entity-head query of grouped search.
    """
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "max_result_window": 50_000,
            "analysis": ANALYSIS,
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"biocross_mapping_version": RESOURCES_MAPPING_VERSION},
            "properties": {
                # identity and grouping
                "id": _KW,
                "entity_key": _KW,
                "institution": _KW,
                "source": _KW,
                "catalog_id": _KW,
                "id_keys": _KW,
                "content_hash": {"type": "keyword", "index": False},
                "withdrawn": {"type": "boolean"},
                "withdrawn_at": {"type": "date"},
                "harvest_run": _KW,
                # facets (display values; exact counts)
                "resource_type": _KW,
                "availability": _KW,
                "species_name": _KW,
                "taxon_id": {"type": "integer"},
                "diseases": _KW,
                "tissues": _KW,
                "sample_types": _KW,
                # sorting
                "sort_name": _KW,
                "updated": {"type": "date", "format": "strict_date_optional_time||yyyy-MM-dd"},
                "harvested_at": {"type": "date"},
                "changed_at": {"type": "date"},
                # search fields: names (strong) and body (everything else)
                "name_exact": _KW,
                "name_norm": {"type": "text", "analyzer": "bx_std",
                              "fields": {"shingles": {"type": "text", "analyzer": "bx_std_shingle"}}},
                "name_ja": _WS_TEXT,
                "name_en": _WS_TEXT,
                "name_cjk": _CJK_TEXT,
                "body_ja": _WS_TEXT,
                "body_en": _WS_TEXT,
                "body_cjk": _CJK_TEXT,
                "body_norm": {"type": "text", "analyzer": "bx_std"},
                "suggest": {"type": "completion", "analyzer": "bx_std", "max_input_length": 80,
                            "contexts": [{"name": "state", "type": "category"}]},
                # the mapped resource as the API returns it; stored, not indexed
                "resource": {"type": "object", "enabled": False},
            },
        },
    }
