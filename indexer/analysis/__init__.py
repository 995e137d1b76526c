"""Text analysis done by the application, identically for documents and queries.

The Elasticsearch nodes biocross targets have no analysis plugins (no kuromoji, ICU, stemmers or
synonym filters), so fields are pre-analysed here and indexed with the ``whitespace`` analyzer
(``norm`` with ``standard`` + ``shingle``). Entry points: :func:`analyze_for_index`,
:func:`analyze_query` and :class:`SynonymTable`. Pure Python; nothing here talks to Elasticsearch.
"""

from __future__ import annotations

from indexer.analysis.analyze import AnalyzedQuery, AnalyzedText, analyze_for_index, analyze_query
from indexer.analysis.english import en_terms
from indexer.analysis.errors import AnalysisError, SynonymFileError
from indexer.analysis.japanese import ja_terms
from indexer.analysis.normalize import normalize_text
from indexer.analysis.synonyms import SynonymAlternative, SynonymTable

__all__ = [
    "AnalysisError",
    "AnalyzedQuery",
    "AnalyzedText",
    "SynonymAlternative",
    "SynonymFileError",
    "SynonymTable",
    "analyze_for_index",
    "analyze_query",
    "en_terms",
    "ja_terms",
    "normalize_text",
]
