"""Deterministic, order-independent randomness: every value is a pure function of its coordinates.

The simulated catalogs must render any record without generating the ones before it, so nothing here
keeps a stream of random numbers running across records; each record seeds its own generator from
``(seed, institution, index)``.
"""

from __future__ import annotations

import random
import zlib

_MASK64 = (1 << 64) - 1


def splitmix64(value: int) -> int:
    """Return a well-mixed 64-bit hash of ``value`` (the SplitMix64 finaliser)."""
    z = (value + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def label_code(label: str) -> int:
    """Return a stable integer for a short label (``hash()`` is salted per process, CRC32 is not)."""
    return zlib.crc32(label.encode("utf-8"))


def mix(seed: int, label: str, index: int, salt: int = 0) -> int:
    """Return the 64-bit hash of the coordinates ``(seed, label, index, salt)``."""
    return splitmix64(splitmix64(splitmix64(seed ^ (label_code(label) << 20)) ^ index) ^ salt)


def unit(seed: int, label: str, index: int, salt: int = 0) -> float:
    """Return a float in ``[0, 1)`` determined by the coordinates alone."""
    return (mix(seed, label, index, salt) >> 11) / float(1 << 53)


def record_random(seed: int, label: str, index: int, salt: int = 0) -> random.Random:
    """Return a fresh ``random.Random`` dedicated to one record (or one mutation batch)."""
    return random.Random(mix(seed, label, index, salt))
