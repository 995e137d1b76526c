"""The generator alone: determinism, anchors, planted dirt, laziness at a million records."""

from __future__ import annotations

import tracemalloc

from demo.generator import SourceRegistry, expected_dirt, generate
from demo.generator.dirt import INJECTION_PAYLOADS


def test_same_seed_same_records_and_other_seed_differs() -> None:
    a, b, c = generate(5000, seed=1), generate(5000, seed=1), generate(5000, seed=2)
    for name in a.sizes:
        assert [a[name].record(i) for i in range(0, 500, 7)] == [b[name].record(i) for i in range(0, 500, 7)]
    assert [a["riken"].record(i) for i in range(100, 200)] != [c["riken"].record(i) for i in range(100, 200)]


def test_sizes_follow_fixed_proportions_with_a_floor() -> None:
    assert generate(1_000_000).sizes == {"riken": 400_000, "naro": 250_000, "jcrb": 150_000, "nies": 150_000,
                                         "tsukuba": 50_000}
    assert min(generate(1000).sizes.values()) >= 50


def test_hela_and_shared_anchors_exist_at_any_size() -> None:
    for total in (1000, 1_000_000):
        cat = generate(total, seed=99)
        riken, jcrb = cat["riken"], cat["jcrb"]
        hela_r = riken.record(riken.layout.global_index("cell", 6))
        hela_j = jcrb.record(jcrb.layout.global_index("cell", 6))
        assert (hela_r["id"], hela_r["name"], hela_r["cellosaurus"]) == ("RCB0007", "HeLa", "CVCL_0030")
        assert (hela_j["id"], hela_j["name"], hela_j["cellosaurus"]) == ("JCRB9004", "HeLa", "CVCL_0030")
        shared_r = {riken.record(riken.layout.global_index("cell", j))["cellosaurus"] for j in range(15)}
        shared_j = {jcrb.record(jcrb.layout.global_index("cell", j))["cellosaurus"] for j in range(15)}
        assert shared_r == shared_j and len(shared_r) == 15
        naro = cat["naro"]
        jcm = {(r["taxon_id"], r["strain"]) for r in (riken.record(riken.layout.global_index("microbe", j)) for j in range(8))}
        maff = {(r["taxon_id"], r["strain"]) for r in (naro.record(naro.layout.global_index("microbe", j)) for j in range(8))}
        assert jcm == maff


def test_ledger_counts_match_planted_rates_and_injections() -> None:
    registry = SourceRegistry(20_000, seed=5)
    for name in registry:
        ledger = expected_dirt(name, registry)
        share = len(ledger.rejected) / ledger.served
        assert 0.002 < share < 0.009, (name, share)
        assert set(ledger.reasons()) <= {"missing_id", "missing_name", "invalid_id"}
        assert len(ledger.injection) == len(INJECTION_PAYLOADS)
        for rejection in ledger.rejected[:20]:
            record = registry[name].record(rejection.index)
            if rejection.reason == "missing_id":
                assert not record["id"].strip()
            elif rejection.reason == "missing_name":
                assert not record["name"].strip() and not record["taxon_id"]
    assert expected_dirt("riken", registry).duplicates and expected_dirt("jcrb", registry).duplicates


def test_mutations_are_deterministic_and_logged() -> None:
    one, two = SourceRegistry(2000, seed=3), SourceRegistry(2000, seed=3)
    for reg in (one, two):
        reg["naro"].mutate(add=5, update=4, delete=3)
    assert one["naro"].log == two["naro"].log
    ledger = expected_dirt("naro", one)
    assert len(ledger.deleted) == 3 and len(ledger.added) == 5 and len(ledger.updated) == 4
    assert ledger.served == one["naro"].size - 3


def test_a_page_deep_in_a_million_records_is_lazy() -> None:
    # Speed is measured in bench/; here only what is deterministic: no catalog is built in memory.
    tracemalloc.start()
    registry = SourceRegistry(1_000_000)
    naro = registry["naro"]
    selection = naro.select(kind="plant")
    first = selection.nth(500 * 10_000 % len(selection))
    assert first is not None
    page = [naro.record(i) for _, i in zip(range(500), selection.iter_from(first), strict=False)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(page) == 500
    assert peak < 20 * 1024 * 1024
