"""Identifier normalisation: one canonical key per catalog id, however it was typed.

``RBRC00001``, ``rbrc 1`` and ``RBRC-00001`` are the same id (key ``RBRC1``); so are ``JCM 1234`` and
``JCM1234``, ``NIES-1234`` and ``NIES 1234``, ``ＲＣＢ０００７`` and ``rcb 7``. Keys drop zero padding so
that a researcher need not know a scheme's width; display forms restore it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class IdScheme:
    """A catalog-id scheme: prefix, zero-padding width of the display form, separator when displayed."""

    prefix: str
    width: int = 0
    separator: str = ""
    label: str = ""
    url_template: str | None = None


#: Known schemes. Unknown prefixes still normalise (prefix + unpadded number), just without padding.
SCHEMES: dict[str, IdScheme] = {
    s.prefix: s
    for s in (
        IdScheme("RBRC", 5, "", "RIKEN BRC experimental animal", "https://knowledge.brc.riken.jp/resource/animal/card?__lang__=en&brc_no={id}"),
        IdScheme("RCB", 4, "", "RIKEN BRC cell line", "https://cell.brc.riken.jp/en/rcb/{id}"),
        IdScheme("RDB", 5, "", "RIKEN BRC DNA material", "https://dna.brc.riken.jp/en/?s={id}"),
        IdScheme("JCM", 0, " ", "Japan Collection of Microorganisms", "https://www.jcm.riken.jp/cgi-bin/jcm/jcm_number?JCM={num}"),
        IdScheme("JCRB", 4, "", "JCRB Cell Bank", "https://cellbank.nibiohn.go.jp/~cellbank/en/search_res_det.cgi?RNO={id}"),
        IdScheme("NIES", 0, "-", "NIES Microbial Culture Collection", "https://mcc.nies.go.jp/strainList.do?strainId={num}"),
        IdScheme("MAFF", 6, " ", "NARO Genebank microorganism", "https://www.gene.affrc.go.jp/databases-micro_search_detail_en.php?maff={num}"),
        IdScheme("JP", 0, " ", "NARO Genebank plant", "https://www.gene.affrc.go.jp/databases-plant_search_detail_en.php?jp={num}"),
        IdScheme("PST", 5, "", "RIKEN BRC plant"),
        IdScheme("TBB-COL", 4, "-", "Tsukuba Human Tissue Biobank collection"),
        IdScheme("TPRC", 5, "", "Tsukuba Primate Research Center sample"),
        IdScheme("MPRC", 5, "", "Medicinal plant resource"),
        IdScheme("PRC", 5, "", "Tsukuba Primate Research Center sample (JCRB catalog)"),
        IdScheme("MPR", 5, "-", "Medicinal plant resource (JCRB catalog)"),
    )
}

_SEPARATORS = re.compile(r"[\s\-_:.#/]+")
# A prefix of letters (optionally with one inner hyphen, as in TBB-COL), separators, then digits.
_ID = re.compile(r"^([A-Z]+(?:-[A-Z]+)?)[\s\-_:.#]*0*(\d+)$")
_CVCL = re.compile(r"^(?:RRID[:\s]*)?CVCL[\s_:-]*([0-9A-Z]{4})$")
_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9_\-:]*")
_RRID = re.compile(r"^RRID[:\s]*([A-Z]+)[_:]?(.+)$")


def _fold(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().upper()


def canonical_id(raw: str) -> str | None:
    """The canonical key of an identifier, or None when ``raw`` does not look like one.

    >>> canonical_id("rbrc 1"), canonical_id("RBRC-00001"), canonical_id("ＪＣＭ　１２３４")
    ('RBRC1', 'RBRC1', 'JCM1234')
    >>> canonical_id("CVCL_0030"), canonical_id("RRID:CVCL_0030")
    ('CVCL_0030', 'CVCL_0030')
    """
    text = _fold(raw)
    if not text or len(text) > 40:
        return None
    if m := _CVCL.match(text):
        return f"CVCL_{m.group(1)}"
    if m := _ID.match(text):
        prefix, number = m.group(1), m.group(2)
        if prefix not in SCHEMES and "-" in prefix:
            # "NIES-1234" parses as prefix "NIES" plus digits; a hyphenated unknown prefix is not an id.
            return None
        return f"{prefix}{int(number)}"
    if m := _RRID.match(text):
        return f"RRID:{m.group(1)}_{_SEPARATORS.sub('', m.group(2))}"
    return None


def display_id(raw: str) -> str:
    """The display form of an identifier in its scheme (``rbrc 1`` → ``RBRC00001``, ``jcm1234`` → ``JCM 1234``)."""
    text = _fold(raw)
    if m := _CVCL.match(text):
        return f"CVCL_{m.group(1)}"
    m = _ID.match(text)
    if not m:
        return " ".join(unicodedata.normalize("NFKC", raw).split())
    prefix, number = m.group(1), int(m.group(2))
    scheme = SCHEMES.get(prefix)
    if scheme is None:
        # Not one of ours: keep the institution's own spelling ("CAS 37109" stays "CAS 37109").
        return " ".join(unicodedata.normalize("NFKC", raw).split())
    return f"{prefix}{scheme.separator}{number:0{scheme.width}d}"


def is_known_scheme(raw: str) -> bool:
    """Whether ``raw`` is an id in one of the consortium's known catalog schemes."""
    m = _ID.match(_fold(raw))
    return bool(m and m.group(1) in SCHEMES)


def id_url(raw: str) -> str | None:
    """The public URL of an identifier at its holding institution, where the scheme has one."""
    m = _ID.match(_fold(raw))
    if not m or m.group(1) not in SCHEMES:
        return None
    scheme = SCHEMES[m.group(1)]
    if scheme.url_template is None:
        return None
    return scheme.url_template.format(id=display_id(raw).replace(" ", ""), num=int(m.group(2)))


# DOIs and handles, bare or in their URI/URL forms (``doi:10.1/x``, ``https://doi.org/10.1/x``, ``hdl:1765/9``).
_DOI = re.compile(r"^(?:DOI[:\s]*|(?:HTTPS?://)?(?:DX\.)?DOI\.ORG/)?(10\.\d{3,9}/\S+)$")
_HANDLE = re.compile(r"^(?:HDL[:\s]*|(?:HTTPS?://)?HDL\.HANDLE\.NET/)?(\d+(?:\.\d+)*/\S+)$")
_LOOSE_SEPARATORS = re.compile(r"[\s\-_:.#/]+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_MAX_ID_CHARS = 200


def loose_key(raw: str) -> str | None:
    """The separator-, case- and zero-padding-blind key of any catalog number, whatever its style.

    Catalog numbers of real catalogs come in every shape (``1035``, ``110a``, ``CZ_MMCI:collection:LTS``,
    ``CAS 37109``); this key lets each be found exactly however it is typed.

    >>> loose_key("bbmri-eric:ID:CZ_MMCI:collection:LTS"), loose_key("0110 a"), loose_key("CAS 37109")
    ('X:BBMRIERICIDCZMMCICOLLECTIONLTS', 'X:110A', 'X:CAS37109')
    """
    text = _fold(raw)
    if not text or len(text) > _MAX_ID_CHARS:
        return None
    key = _LEADING_ZEROS.sub("", _NOT_ALNUM.sub("", text))
    return f"X:{key}" if key else None


_PREFIXES_PATH = Path(__file__).parent / "data" / "id_prefixes.json"
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9._\- ]{0,40}?)\s*[:\s]\s*(\S.*)$")


@dataclass(frozen=True)
class _Prefix:
    prefix: str
    pattern: re.Pattern[str] | None
    banana: str | None


def _prefix_key(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.casefold())


@cache
def registry_prefixes() -> dict[str, _Prefix]:
    """Bioregistry prefixes and their synonyms (``NCBITaxon``, ``taxid``, ``MGI``, ``ICD-10`` ...), by
    folded name, with each space's local-id pattern. Built by ``scripts/build_vocabulary.py``."""
    doc = json.loads(_PREFIXES_PATH.read_text(encoding="utf-8"))
    table: dict[str, _Prefix] = {}
    for prefix, row in doc["prefixes"].items():
        try:
            pattern = re.compile(row["pattern"]) if "pattern" in row else None
        except re.error:
            pattern = None
        entry = _Prefix(prefix, pattern, row.get("banana"))
        table.setdefault(_prefix_key(prefix), entry)
        for synonym in row.get("synonyms", ()):
            table.setdefault(_prefix_key(synonym), entry)
    return table


def curie_key(db: str, local: str) -> str | None:
    """The key of ``local`` in the identifier space ``db`` (a Bioregistry prefix or synonym), or None.

    ``MGI:1857469`` = ``mgi 1857469`` (key ``CURIE:mgi:1857469``); ``NCBITaxon:9606`` = ``taxid:9606``.
    The local id must fit the space's pattern, so free text is not mistaken for an identifier.
    """
    entry = registry_prefixes().get(_prefix_key(db))
    if entry is None:
        return None
    text = unicodedata.normalize("NFKC", local).strip()
    for embedded in (entry.banana, db, entry.prefix):
        if embedded and text.upper().startswith(embedded.upper()) and len(text) > len(embedded):
            text = text[len(embedded):].lstrip(":_ -")
            break
    if not text or len(text) > _MAX_ID_CHARS:
        return None
    if entry.pattern is None:
        # No pattern in the registry: accept one word holding a digit (an accession, not free text).
        if not any(ch.isdigit() for ch in text) or any(ch.isspace() for ch in text):
            return None
    elif not (entry.pattern.match(text) or entry.pattern.match(text.upper())):
        return None
    return f"CURIE:{entry.prefix}:{text.upper()}"


def _curie_of(text: str) -> str | None:
    """The key of a typed CURIE (``NCBITaxon:9606``, ``MGI 1857469``), or None."""
    m = _CURIE.match(unicodedata.normalize("NFKC", text).strip())
    return curie_key(m.group(1), m.group(2)) if m else None


def identifier_keys(raw: str, *, loose: bool = True) -> list[str]:
    """Every key an identifier answers to: its canonical key, its DOI or handle key, its loose key.

    >>> identifier_keys("https://doi.org/10.5281/Zenodo.1234")
    ['DOI:10.5281/ZENODO.1234', 'X:105281ZENODO1234']
    >>> identifier_keys("hdl:1765/9")
    ['HDL:1765/9', 'X:HDL17659']
    """
    text = _fold(raw)
    if not text or len(text) > _MAX_ID_CHARS:
        return []
    keys: dict[str, None] = {}
    if key := canonical_id(text):
        keys[key] = None
    if m := _DOI.match(text):
        keys[f"DOI:{m.group(1)}"] = None
    elif m := _HANDLE.match(text):
        keys[f"HDL:{m.group(1)}"] = None
    elif curie := _curie_of(raw):
        keys[curie] = None
    if loose and (key := loose_key(text)):
        keys.setdefault(key, None)
    return list(keys)


def _id_like(token: str) -> bool:
    """Whether a query word may be a catalog number on its own (a digit plus a letter or a separator)."""
    return any(ch.isdigit() for ch in token) and (any(ch.isalpha() for ch in token) or len(token) >= 4
                                                  or bool(_LOOSE_SEPARATORS.search(token)))


def whole_query_keys(query: str) -> list[str]:
    """Keys of the whole query read as one identifier (an exact catalog-number match ranks first)."""
    return identifier_keys(query)


def identifier_candidates(query: str) -> list[str]:
    """Keys of every identifier a free-text query may contain.

    Tries the whole query (every style), then each word, then adjacent word pairs (``rcb 7``,
    ``JCM 1234``); a single word gives loose keys only when it looks like a catalog number. A DOI
    or handle is one identifier: its parts are not tried.
    """
    seen: dict[str, None] = {}
    for key in identifier_keys(query):
        seen[key] = None
    if any(key.startswith(("DOI:", "HDL:")) for key in seen):
        return list(seen)
    tokens = _TOKEN.findall(_fold(query))
    for i, token in enumerate(tokens[:64]):
        for candidate in (token, f"{token} {tokens[i + 1]}" if i + 1 < len(tokens) else ""):
            if candidate and (found := canonical_id(candidate)):
                seen.setdefault(found, None)
    words = _fold(query).split()
    if len(words) > 1:
        for word in words[:64]:
            for key in identifier_keys(word, loose=_id_like(word)):
                seen.setdefault(key, None)
    return list(seen)
