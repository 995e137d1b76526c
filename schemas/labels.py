"""Japanese and English labels of the controlled vocabularies, kept as data in ``labels.toml``."""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import TypeVar

from schemas.errors import VocabularyError

E = TypeVar("E", bound=StrEnum)


@cache
def _tables() -> dict[str, dict[str, list[str]]]:
    text = files(__package__).joinpath("labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def vocabulary_labels(vocabulary: type[E], table: str) -> dict[E, tuple[str, str]]:
    """``(Japanese, English)`` per member of ``vocabulary`` from ``[table]``; a member without labels is a bug."""
    rows = _tables()[table]
    missing = [member.value for member in vocabulary if member.value not in rows]
    if missing:
        raise VocabularyError(f"labels.toml [{table}] has no labels for {', '.join(missing)}")
    return {member: (rows[member.value][0], rows[member.value][1]) for member in vocabulary}
