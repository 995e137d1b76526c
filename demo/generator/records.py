"""The record type shared by the generator and the renderers, and small value helpers."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

#: One catalog record in the generator's neutral vocabulary; each renderer maps these keys to its
#: institution's raw field names. Common keys: ``id kind name name_ja synonyms species species_ja
#: taxon_id description_en description_ja registered depositor availability``; the rest depend on kind.
Record = dict[str, Any]

#: ``build(rng, local_index) -> Record``: builds the ``local_index``-th record of one kind.
Builder = Callable[[random.Random, int], Record]

_DEPOSITORS: tuple[str, ...] = (
    "筑波大学 医学医療系", "理化学研究所 バイオリソース研究センター", "東京大学 医科学研究所", "京都大学 iPS細胞研究所",
    "大阪大学 微生物病研究所", "国立がん研究センター", "熊本大学 生命資源研究・支援センター", "東北大学 加齢医学研究所",
    "産業技術総合研究所", "国立遺伝学研究所", "北海道大学 遺伝子病制御研究所", "University of Cambridge",
    "Jackson Laboratory", "Max Planck Institute of Biochemistry",
)


def registered_date(rng: random.Random, local: int, size_hint: int = 200_000) -> str:
    """Return an ISO deposit date that grows with the catalog number (older accessions, older dates)."""
    year = 1985 + min(39, local * 39 // max(size_hint, 1))
    return f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def depositor(rng: random.Random) -> str:
    """Return a depositing laboratory."""
    return rng.choice(_DEPOSITORS)


def availability(rng: random.Random) -> str:
    """Return a distribution status code (``available`` mostly)."""
    r = rng.random()
    return "available" if r < 0.85 else ("in_preparation" if r < 0.95 else "suspended")


def catalog_number(prefix: str, first: int, width: int, doc: str) -> Callable[[int], str]:
    """The catalog number of a kind's ``local``-th record: ``prefix`` + ``local + first`` (zero-padded to ``width``)."""

    def number(local: int) -> str:
        return f"{prefix}{local + first:0{width}d}" if width else f"{prefix}{local + first}"

    number.__doc__ = doc
    return number
