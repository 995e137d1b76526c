"""Dirt planted into the catalogs: rejects, duplicates, cosmetic noise and injection payloads.

Whether a record is dirty, and how, is a pure function of ``(seed, institution, index)``, so the
ledger of what was planted is computed by asking the same functions, without rendering anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo.generator.records import Record
from demo.generator.rng import mix

#: Share of records an adapter must reject, and share of rows served twice (where the format allows).
REJECT_RATE = 0.005
DUPLICATE_RATE = 0.005

#: Reject reasons, each a third of ``REJECT_RATE``.
REJECT_REASONS: tuple[str, ...] = ("missing_id", "missing_name", "invalid_id")

#: Cosmetic dirt an adapter must clean (not reject), with cumulative thresholds.
COSMETIC_KINDS: tuple[tuple[str, float], ...] = (
    ("whitespace", 0.02), ("fullwidth", 0.03), ("entities", 0.04), ("bad_date", 0.05), ("missing_optional", 0.09),
)

#: Payloads of the injection records (one per record, in this order).
INJECTION_PAYLOADS: tuple[str, ...] = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}")

_INVALID_IDS: tuple[str, ...] = ("N/A", "TBD", "#REF!", "不明", "0000", "??-12", "ID-ERROR", "null")
_GARBAGE_SPECIES: tuple[str, ...] = ("", "???", "不明", "unknown sp. ?", "-")
_BAD_DATES: tuple[str, ...] = ("2019/13/45", "昭和63年", "H5.4.1", "0000-00-00", "不明", "31/02/2001", "2003-02-30")
_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}
_SALT_REJECT, _SALT_DUP, _SALT_COSMETIC = 0xD1, 0xD2, 0xD3


@dataclass(frozen=True, slots=True)
class Dirt:
    """What is planted into one record."""

    reject: str | None
    duplicate: bool
    cosmetic: str | None


CLEAN = Dirt(None, False, None)


def _unit(seed: int, institution: str, index: int, salt: int) -> float:
    return (mix(seed, institution, index, salt) >> 11) / float(1 << 53)


def plan(seed: int, institution: str, index: int, duplicates_allowed: bool) -> Dirt:
    """Return the dirt planted into record ``index`` of ``institution`` (not for protected records)."""
    u = _unit(seed, institution, index, _SALT_REJECT)
    reject = REJECT_REASONS[int(u / REJECT_RATE * len(REJECT_REASONS))] if u < REJECT_RATE else None
    duplicate = duplicates_allowed and reject is None and _unit(seed, institution, index, _SALT_DUP) < DUPLICATE_RATE
    c = _unit(seed, institution, index, _SALT_COSMETIC)
    cosmetic = next((name for name, threshold in COSMETIC_KINDS if c < threshold), None)
    if reject is None and not duplicate and cosmetic is None:
        return CLEAN
    return Dirt(reject, duplicate, cosmetic)


def fullwidth(text: str) -> str:
    """Return ``text`` with ASCII turned into full-width forms (ＨｅＬａ, ＲＣＢ０００７)."""
    return text.translate(_FULLWIDTH)


def apply(record: Record, dirt: Dirt, index: int) -> Record:
    """Plant ``dirt`` into ``record`` in place and return it."""
    if dirt.reject == "missing_id":
        record["id"] = "" if index % 2 else "  "
    elif dirt.reject == "invalid_id":
        record["id"] = _INVALID_IDS[index % len(_INVALID_IDS)]
    elif dirt.reject == "missing_name":
        record.update(name="", name_ja="", name_en="", synonyms=[], species_ja="", taxon_id=None,
                      species=_GARBAGE_SPECIES[index % len(_GARBAGE_SPECIES)])
    if dirt.cosmetic == "whitespace":
        record["id"] = f" {record['id']}\t" if index % 2 else f"{record['id']} "
        record["name"] = f"  {record['name']} "
    elif dirt.cosmetic == "fullwidth":
        record["name"] = fullwidth(record["name"])
        if index % 2:
            record["id"] = fullwidth(record["id"])
    elif dirt.cosmetic == "entities":
        key = "description_en" if record.get("description_en") else "description_ja"
        record[key] = f"&lt;i&gt;{record['species']}&lt;/i&gt;: {record.get(key, '')} (R&amp;D)"
    elif dirt.cosmetic == "bad_date":
        record["registered"] = _BAD_DATES[index % len(_BAD_DATES)]
    elif dirt.cosmetic == "missing_optional":
        record.update(description_en="", description_ja="", disease_en="", disease_ja="", depositor="", registered="")
    return record


def inject(record: Record, which: int) -> Record:
    """Plant injection payload number ``which`` into ``record`` (a valid record: escape, never execute)."""
    payload = INJECTION_PAYLOADS[which]
    if which == 0:
        record["description_en"] = f"{record.get('description_en', '')} {payload}".strip()
        record["description_ja"] = f"{record.get('description_ja', '')}{payload}"
    elif which == 1:
        record["name"] = f"{record['name']}{payload}"
    else:
        record["name"] = f"{record['name']} {payload}"
        record["synonyms"] = [*record.get("synonyms", []), "${7*7}"]
    return record
