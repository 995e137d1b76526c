"""Query-time synonym expansion across Japanese, English and Latin names.

Groups live in ``data/synonyms.tsv`` (one group per line, TAB- or comma-separated, ``#`` comments).
Each entry is analysed with :func:`analyze_query` when the file is loaded, and matched against an
analysed query on those forms: mode-C Japanese words and English terms, each a contiguous phrase in
its own stream (``Mus musculus`` must appear as a phrase; a mixed entry such as ``cDNAクローン`` needs
both its Japanese and its English part). When one match lies inside a longer match of another group
(``cancer`` inside ``breast cancer``), only the longer one is kept.

Because expansion happens when a query is built, editing the file needs no reindex; the table notices
a changed modification time (checked at most every ``check_interval`` seconds) and reloads itself.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from indexer.analysis.analyze import AnalyzedQuery, analyze_query
from indexer.analysis.concepts import Concept, ConceptIndex, default_concepts
from indexer.analysis.errors import SynonymFileError
from indexer.analysis.synonym_groups import Groups, SynonymAlternative, SynonymEntry

__all__ = ["DEFAULT_SYNONYMS_PATH", "SynonymAlternative", "SynonymEntry", "SynonymTable"]

logger = logging.getLogger(__name__)

DEFAULT_SYNONYMS_PATH = Path(__file__).parent / "data" / "synonyms.tsv"
_SEPARATOR_RE = re.compile(r"[\t,]")

def parse_synonyms(lines: Iterable[str], source: str = "<synonyms>") -> list[tuple[SynonymEntry, ...]]:
    """Parse and analyse synonym lines; raise :class:`SynonymFileError` listing every bad line."""
    groups: list[tuple[SynonymEntry, ...]] = []
    problems: list[str] = []
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        entries: list[SynonymEntry] = []
        for text in (t.strip() for t in _SEPARATOR_RE.split(line)):
            if not text:
                continue
            q = analyze_query(text)
            if not (q.ja_words or q.en_words):
                problems.append(f"line {lineno}: entry {text!r} has no searchable term")
                continue
            entries.append(SynonymEntry(text, q.as_text(), q.ja_words, q.en_words))
        if len(entries) < 2:
            problems.append(f"line {lineno}: a group needs at least two entries")
            continue
        groups.append(tuple(entries))
    if problems:
        raise SynonymFileError(source, problems)
    return groups


class SynonymTable:
    """Synonym groups with query-time expansion and automatic reload of their file.

    Thread-safe: a reload builds a new index and swaps it in with one assignment.
    """

    def __init__(
        self,
        groups: list[tuple[SynonymEntry, ...]],
        *,
        path: Path | None = None,
        check_interval: float = 1.0,
        concepts: ConceptIndex | None = None,
    ) -> None:
        self._concept_groups = concept_groups(concepts) if concepts is not None else []
        self._groups = _merge(groups, self._concept_groups)
        self._path = path
        self._check_interval = check_interval
        self._stamp = _stamp(path) if path is not None else None
        self._last_check = time.monotonic()
        self._reload_lock = threading.Lock()

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, check_interval: float = 1.0,
             concepts: ConceptIndex | None = None) -> SynonymTable:
        """Load ``path`` (default: the packaged ``data/synonyms.tsv``) plus the names of ``concepts``
        (default: the packaged vocabulary); raise :class:`SynonymFileError`."""
        file = Path(path) if path is not None else DEFAULT_SYNONYMS_PATH
        return cls(_read(file), path=file, check_interval=check_interval,
                   concepts=concepts if concepts is not None else default_concepts())

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> SynonymTable:
        """Build a table from lines in the file format, without a file (no reloading)."""
        return cls(parse_synonyms(lines))

    @property
    def group_count(self) -> int:
        """Number of groups currently loaded."""
        return len(self._groups.groups)

    def expand(self, query: AnalyzedQuery) -> list[SynonymAlternative]:
        """Synonym groups hit by ``query`` (an :func:`analyze_query` result), in query order."""
        self.reload_if_changed()
        return self._groups.expand(query)

    def reload_if_changed(self, *, force_check: bool = False) -> bool:
        """Reload when the file's mtime or size changed; return whether a new table was swapped in.

        A file that fails to parse is logged and the previous table kept.
        """
        if self._path is None:
            return False
        now = time.monotonic()
        if not force_check and now - self._last_check < self._check_interval:
            return False
        if not self._reload_lock.acquire(blocking=False):
            return False  # another thread is already reloading
        try:
            self._last_check = now
            stamp = _stamp(self._path)
            if stamp == self._stamp:
                return False
            try:
                groups = _read(self._path)
            except SynonymFileError as exc:
                logger.warning("synonym file not reloaded, keeping the previous table: %s", exc)
                self._stamp = stamp  # do not retry until the file changes again
                return False
            self._groups = _merge(groups, self._concept_groups)
            self._stamp = stamp
            logger.info("reloaded %d synonym groups from %s", len(groups), self._path)
            return True
        finally:
            self._reload_lock.release()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _read(path: Path) -> list[tuple[SynonymEntry, ...]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SynonymFileError(str(path), [f"cannot read: {exc}"]) from exc
    return parse_synonyms(text.splitlines(), str(path))


ConceptGroup = tuple[tuple[SynonymEntry, ...], str]


def _searchable(concept: Concept) -> bool:
    """Whether a concept's names take part in query expansion: every curated concept and every ICD-10
    chapter, block and category (the 10,000 subcategories are found through their parents' names)."""
    if not concept.id.startswith("ICD10:"):
        return True
    return "." not in concept.id or "curated" in concept.source or "demo" in concept.source


def concept_groups(concepts: ConceptIndex) -> list[ConceptGroup]:
    """One synonym group per searchable concept: its labels and synonyms, analysed like a query."""
    groups: list[ConceptGroup] = []
    for concept in concepts.concepts():
        if not _searchable(concept):
            continue
        entries: dict[tuple[tuple[str, ...], tuple[str, ...]], SynonymEntry] = {}
        for text in concept.names:
            q = analyze_query(text)
            if q.ja_words or q.en_words:
                entries.setdefault((q.ja_words, q.en_words), SynonymEntry(text, q.as_text(), q.ja_words, q.en_words))
        if entries:
            groups.append((tuple(entries.values()), concept.id))
    return groups


def _merge(groups: list[tuple[SynonymEntry, ...]], concept_groups: list[ConceptGroup]) -> Groups:
    """File groups plus concept groups; a file group sharing a form with a concept joins that concept."""
    merged: list[list[SynonymEntry]] = [list(entries) for entries, _cid in concept_groups]
    ids: list[str | None] = [cid for _entries, cid in concept_groups]
    by_key: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    for gid, (entries, _cid) in enumerate(concept_groups):
        for entry in entries:
            by_key.setdefault((entry.ja_key, entry.en_key), gid)
    for entries in groups:
        target = next((by_key[k] for e in entries if (k := (e.ja_key, e.en_key)) in by_key), None)
        if target is None:
            merged.append(list(entries))
            ids.append(None)
            continue
        known = {(e.ja_key, e.en_key) for e in merged[target]}
        merged[target] += [e for e in entries if (e.ja_key, e.en_key) not in known]
    return Groups([tuple(g) for g in merged], ids)
