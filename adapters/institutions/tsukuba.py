"""Tsukuba Human Tissue Biobank: MIABIS collections (cursor-paged JSON), aggregate counts only.

A MIABIS collection is one ``human_specimen`` resource. Its aggregate figures become
``specimen_stats``: the mapping reads ``number_of_donors``/``size``/``sex`` as they are, this adapter
adds the two values MIABIS spreads over several fields or codes: ``age_range`` (``age_low``-
``age_high`` in ``age_unit``) and ``storage_temperature`` (MIABIS codes in words). Nothing about an
individual donor is ever served or mapped.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from typing_extensions import override

from adapters.events import HarvestItem, RawRecord
from adapters.institutions.sourceclock import SourceClockJsonAdapter, SourceClockJsonConfig

#: MIABIS storage temperature codes in words.
STORAGE_TEMPERATURES: dict[str, str] = {
    "temperatureRoom": "room temperature", "temperature2to10": "2 to 10 °C",
    "temperature-18to-35": "-18 to -35 °C", "temperature-60to-85": "-60 to -85 °C",
    "temperatureLN": "liquid nitrogen", "temperatureOther": "other",
}
_TEMPERATURE = re.compile(r"^temperature(-?\d+)to(-?\d+)$")
_AGE_UNITS = {"YEAR": "", "MONTH": " months", "WEEK": " weeks", "DAY": " days"}


def storage_words(code: str) -> str:
    """A MIABIS storage temperature code in words (unknown ``temperatureAtoB`` codes read as ranges)."""
    if code in STORAGE_TEMPERATURES:
        return STORAGE_TEMPERATURES[code]
    if m := _TEMPERATURE.match(code):
        return f"{m.group(1)} to {m.group(2)} °C"
    return code


def age_range(low: object, high: object, unit: object) -> str | None:
    """``20-80`` (years) or ``0-12 months`` from MIABIS ``age_low``/``age_high``/``age_unit``."""
    if not isinstance(low, int | float) and not isinstance(high, int | float):
        return None
    suffix = _AGE_UNITS.get(str(unit or "YEAR").upper(), f" {str(unit).lower()}")
    lo = "" if low is None else f"{low:g}"
    hi = "" if high is None else f"{high:g}"
    return f"{lo}-{hi}{suffix}"


class TsukubaBiobankAdapter(SourceClockJsonAdapter):
    """Harvests the biobank's MIABIS collections; adds ``age_range`` and ``storage_temperature``."""

    name = "tsukuba-biobank"
    config_model = SourceClockJsonConfig
    supports_incremental = True
    default_mapping: ClassVar[dict[str, Any]] = {
        "resource_type": {"const": "human_specimen"},
        "specimen_stats.age_range": "age_range",
        "specimen_stats.storage_temperature": "storage_temperature",
    }

    @override
    def to_items(self, record: Any) -> list[HarvestItem]:
        items = super().to_items(record)
        for item in items:
            if isinstance(item, RawRecord):
                data = item.data
                ages = age_range(data.get("age_low"), data.get("age_high"), data.get("age_unit"))
                if ages is not None:
                    data["age_range"] = ages
                temperatures = data.get("storage_temperatures") or []
                if isinstance(temperatures, list) and temperatures:
                    data["storage_temperature"] = ", ".join(storage_words(str(t)) for t in temperatures)
        return items
