"""Japanese terms from SudachiPy (sudachidict-core): normalised forms of content words.

Only runs of Japanese script (kana, kanji) are analysed; Latin text, digits and punctuation are left to
the English analyser and the normalised field, so ``HeLa細胞`` gives ``細胞`` here and ``hela`` there.

Each content morpheme in split mode C yields its normalised form (``まうす`` → ``マウス``,
``子宮頸がん`` → ``子宮頸癌``, ``ヒト`` → ``人``) followed by its mode-B and mode-A sub-words
(``肝細胞癌`` → ``肝 細胞 癌``), so a query for a part meets a document holding the compound and the
other way round. Every term goes through :func:`normalize_term` (width, case and hiragana → katakana),
the same folding as every other field.

A tokenizer is expensive to build and must not be shared between threads: one is built lazily per
thread from one dictionary per process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cache

from sudachipy import Dictionary, Morpheme, SplitMode, Tokenizer

from indexer.analysis.normalize import JA_RUN_RE, clean_text, has_japanese, normalize_term

__all__ = ["ja_term_groups", "ja_terms"]

# Sudachi refuses input above 49,149 bytes; 12,000 characters stay below it even at 4 bytes each.
MAX_CHUNK_CHARS = 12_000

# Parts of speech kept (first level); within them a few second-level classes are dropped.
_KEEP_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞"})
_DROP_POS2 = frozenset({"非自立可能"})  # する, ある, なる, いる ...
_SPLIT_POS = frozenset({"名詞", "接頭辞", "接尾辞"})
_CACHE_SIZE = 500_000

_dictionary_lock = threading.Lock()
_local = threading.local()


class _Analyzer:
    """One thread's tokenizer plus the part-of-speech id sets derived from the dictionary."""

    def __init__(self, dictionary: Dictionary) -> None:
        self.tokenizer: Tokenizer = dictionary.tokenizer(
            mode=SplitMode.C, fields={"pos", "normalized_form", "split_a", "split_b"}
        )
        keep: set[int] = set()
        split: set[int] = set()
        pos_id = 0
        while (pos := dictionary.pos_of(pos_id)) is not None:
            if pos[0] in _KEEP_POS and pos[1] not in _DROP_POS2:
                keep.add(pos_id)
                if pos[0] in _SPLIT_POS:
                    split.add(pos_id)
            pos_id += 1
        self.keep = frozenset(keep)
        self.split = frozenset(split)
        self._cache: dict[int, tuple[str, ...]] = {}

    def terms_of(self, m: Morpheme) -> tuple[str, ...]:
        """``(normalised form, *sub-words)`` of a mode-C morpheme, or ``()`` for a filtered one.

        Cached by dictionary word id: the result depends on the dictionary entry alone.
        """
        oov = m.is_oov()
        if not oov:
            cached = self._cache.get(m.word_id())
            if cached is not None:
                return cached
        pos_id = m.part_of_speech_id()
        group: tuple[str, ...] = ()
        if pos_id in self.keep and (head := normalize_term(m.normalized_form())):
            terms = [head]
            if pos_id in self.split and m.end() - m.begin() > 1:
                for mode in (SplitMode.B, SplitMode.A):
                    for sub in m.split(mode):
                        if sub.part_of_speech_id() in self.keep:
                            term = normalize_term(sub.normalized_form())
                            if term and term not in terms:
                                terms.append(term)
            group = tuple(terms)
        if not oov:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[m.word_id()] = group
        return group


@cache
def _shared_dictionary() -> Dictionary:
    return Dictionary()


def _analyzer() -> _Analyzer:
    analyzer: _Analyzer | None = getattr(_local, "analyzer", None)
    if analyzer is None:
        with _dictionary_lock:  # the first threads must not each load the dictionary
            analyzer = _Analyzer(_shared_dictionary())
        _local.analyzer = analyzer
    return analyzer


def _chunks(text: str, limit: int = MAX_CHUNK_CHARS) -> Iterator[str]:
    """Cut ``text`` into pieces under ``limit`` characters, at a space when there is one."""
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        yield text[:cut]
        text = text[cut:].lstrip(" ")
    if text:
        yield text


def ja_term_groups(s: str, *, cleaned: bool = False) -> list[tuple[str, ...]]:
    """Analyse ``s`` and return, per content word (mode C), ``(word, *sub_words)``, all normalised.

    The first element of each group is the mode-C word; the rest are its distinct mode-B and mode-A
    parts. Text without Japanese characters returns ``[]`` without touching Sudachi.
    ``cleaned=True`` skips :func:`clean_text` when the caller already applied it.
    """
    if not has_japanese(s):
        return []
    runs = JA_RUN_RE.findall(s if cleaned else clean_text(s))
    if not runs:
        return []
    analyzer = _analyzer()
    groups: list[tuple[str, ...]] = []
    for chunk in _chunks(" ".join(runs)):
        for m in analyzer.tokenizer.tokenize(chunk):
            group = analyzer.terms_of(m)
            if group:
                groups.append(group)
    return groups


def ja_terms(s: str) -> list[str]:
    """Japanese index/query terms of ``s``: mode-C normalised forms, each followed by its sub-words."""
    return [term for group in ja_term_groups(s) for term in group]
