"""The declarative mapping language: targets, transforms, tolerant dates, typed failures."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from adapters.errors import MappingError
from adapters.mapping import FieldMapping, IdRule, lookup, resource_from_fields
from adapters.transforms import MappingContext, parse_date
from schemas.harvest import RejectionReason


def build(rules: dict[str, object], data: dict[str, object]) -> tuple[dict[str, object], MappingContext]:
    ctx = MappingContext()
    return FieldMapping.model_validate(rules).build(data, ctx), ctx


def test_transforms_chain() -> None:
    rules = {
        "catalog_id": {"from": "no", "transforms": ["nfkc", {"regex": r"(RCB\d+)"}]},
        "name": ["name_en", "name_ja"],
        "synonyms": {"from": "aliases", "transforms": [{"split": ["、", ";"]}, "strip"]},
        "description.ja": {"from": "desc", "transforms": ["html_text"]},
        "resource_type": {"from": "type", "transforms": [{"op": "lookup", "table": {"細胞": "cell_line"},
                                                           "default": "other"}]},
        "source_url": {"from": "no", "transforms": ["nfkc", {"template": "https://cell.example/{value}"}]},
        "xrefs.Cellosaurus": "cvcl",
        "xrefs": "refs",
        "distribution.biosafety_level": {"from": "bsl", "transforms": ["int"]},
        "genes": {"const": ["Trp53"]},
    }
    data = {"no": "ＲＣＢ0007 (HeLa)", "name_ja": "ヒーラ", "aliases": "HeLa、Hela; helacell ",
            "desc": "<p>子宮頸癌 &amp; 由来</p>", "type": "細胞", "cvcl": "CVCL_0030", "refs": ["RRID:CVCL_0030"],
            "bsl": "２"}
    out, _ = build(rules, data)
    assert out["catalog_id"] == "RCB0007" and out["name"] == "ヒーラ"
    assert out["synonyms"] == ["HeLa", "Hela", "helacell"] and out["description"] == {"ja": "子宮頸癌 & 由来"}
    assert out["resource_type"] == "cell_line" and out["source_url"] == "https://cell.example/RCB0007 (HeLa)"
    assert out["xrefs"] == [{"db": "Cellosaurus", "id": "CVCL_0030"}, {"db": "RRID", "id": "CVCL_0030"}]
    assert out["distribution"] == {"biosafety_level": 2} and out["genes"] == ["Trp53"]
    resource = resource_from_fields(out, institution="riken-brc", source="t", ids=IdRule(scheme="RCB"))
    assert resource.id == "riken-brc:RCB7"


def test_malformed_dates_warn_instead_of_rejecting() -> None:
    out, ctx = build({"created": {"from": "d", "transforms": ["date"]}}, {"d": "31/31/2020"})
    assert "created" not in out and ctx.warnings == {"created:malformed_date": 1}
    assert parse_date("2020年4月1日") == date(2020, 4, 1) and parse_date("2011-06-23/2012-06-21") == date(2011, 6, 23)
    assert parse_date("2020/4/1") == date(2020, 4, 1) and parse_date("20200401") == date(2020, 4, 1)


@given(st.text(max_size=40))
def test_date_parsing_never_raises(text: str) -> None:
    parse_date(text)


def test_failures_name_the_field() -> None:
    with pytest.raises(MappingError) as info:
        resource_from_fields({"name": "x", "resource_type": "plant"}, institution="naro", source="t", ids=None)
    assert info.value.reason is RejectionReason.MISSING_ID and info.value.field == "catalog_id"
    with pytest.raises(MappingError) as info:
        resource_from_fields({"catalog_id": "JP 1", "resource_type": "plant"}, institution="naro", source="t", ids=None)
    assert info.value.reason is RejectionReason.MISSING_NAME
    with pytest.raises(MappingError) as info:
        resource_from_fields({"catalog_id": "JP 1", "name": "x", "resource_type": "spaceship"}, institution="naro",
                             source="t", ids=None)
    assert info.value.reason is RejectionReason.UNKNOWN_TYPE
    with pytest.raises(MappingError) as info:
        resource_from_fields({"catalog_id": "JP 1", "name": "x", "resource_type": "plant"}, institution="naro",
                             source="t", ids=IdRule(scheme="MAFF"))
    assert info.value.reason is RejectionReason.INVALID_ID
    with pytest.raises(MappingError) as info:
        resource_from_fields({"catalog_id": "JP 1", "name": "x", "resource_type": "plant",
                              "distribution": {"biosafety_level": 9}}, institution="naro", source="t", ids=None)
    assert info.value.reason is RejectionReason.INVALID_FIELD and info.value.field == "distribution.biosafety_level"


def test_unknown_targets_and_transforms_are_config_errors() -> None:
    for rules in ({"nope": "x"}, {"species": "x"}, {"provenance.content_hash": "x"}, {"name": {"transforms": []}},
                  {"name": {"from": "a", "transforms": [{"regex": "("}]}}):
        with pytest.raises(ValidationError):
            FieldMapping.model_validate(rules)


def test_lookup_paths() -> None:
    data = {"a.b": 1, "x": {"y": [{"z": "1"}, {"z": "2"}, {"z": ""}]}, "l": ["p", None, "q"]}
    assert lookup(data, "a.b") == [1] and lookup(data, "x.y.z") == ["1", "2"] and lookup(data, "l") == ["p", "q"]
    assert lookup(data, "missing.path") == []
