"""Duplicate detection's memory of seen ids: exact at any size, and compact at a million records."""

from __future__ import annotations

import random
import tracemalloc

from adapters.seen import SeenIds


def test_every_id_is_found_with_its_first_hash_across_merges() -> None:
    rng = random.Random(7)
    seen = SeenIds(buffer=100)  # many merges of the recent buffer into the sorted columns
    stored: dict[int, int] = {}
    while len(stored) < 2_500:
        key = rng.randrange(-(2**63), 2**63)
        if key not in stored:
            stored[key] = rng.randrange(-(2**63), 2**63)
            seen.add(key, stored[key])
    assert len(seen) == len(stored)
    assert all(seen.get(key) == digest for key, digest in stored.items())
    assert seen.get(2**63 - 1) is None and seen.get(-(2**63)) is None
    assert sum(seen.get(rng.randrange(-(2**63), 2**63)) is not None for _ in range(1_000)) == 0


def test_the_largest_source_of_a_million_record_catalog_fits_in_a_few_megabytes() -> None:
    tracemalloc.start()
    try:
        seen = SeenIds()
        for i in range(400_000):  # the largest of the simulated sources at 1,000,000 records
            seen.add(hash(f"riken:RBRC{i:07d}"), hash(f"content {i}"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen.get(hash("riken:RBRC0399999")) == hash("content 399999")
    # A dict[int, int] of the same entries takes about 50 MB; the columns take 6.4 MB (twice that
    # while a merge copies them) plus the recent buffer.
    assert peak < 25 * 2**20, f"peak {peak / 2**20:.1f} MiB"
