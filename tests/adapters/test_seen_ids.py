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


def test_a_million_ids_fit_in_a_few_tens_of_megabytes() -> None:
    tracemalloc.start()
    try:
        seen = SeenIds()
        for i in range(1_000_000):
            seen.add(hash(f"riken:RBRC{i:07d}"), hash(f"content {i}"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen.get(hash("riken:RBRC0999999")) == hash("content 999999")
    # A dict[int, int] of the same entries takes about 100 MB.
    assert peak < 45 * 2**20, f"peak {peak / 2**20:.1f} MiB"
