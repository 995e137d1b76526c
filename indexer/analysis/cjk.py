"""Character n-grams of Japanese text, computed in Python (core Elasticsearch has no whitespace
tokenizer for custom analyzers, so the shingles are built here and indexed with the built-in
``whitespace`` analyzer)."""

from __future__ import annotations

import re

# Kanji, kana (incl. the prolonged sound mark) and the iteration mark: the scripts without spaces.
_JA_RUN = re.compile(r"[\u3005\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30fc]+")


def ja_runs(norm: str) -> list[str]:
    """Contiguous runs of Japanese characters in normalised text."""
    return _JA_RUN.findall(norm)


def index_grams(norm: str) -> str:
    """Unigrams and bigrams of every Japanese run, space-separated (document side)."""
    grams: list[str] = []
    for run in ja_runs(norm):
        grams.extend(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(grams)


def query_grams(norm: str) -> list[str]:
    """The n-grams a document must contain to contain each Japanese run of a query: the bigrams of
    runs of two or more characters, the character itself for a one-character run."""
    grams: list[str] = []
    for run in ja_runs(norm):
        grams.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return list(dict.fromkeys(grams))
