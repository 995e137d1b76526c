"""Errors of the text-analysis package."""

from __future__ import annotations

from indexer.errors import IndexerError

__all__ = ["AnalysisError", "SynonymFileError"]


class AnalysisError(IndexerError):
    """Root of the analysis errors (under the indexer's root). Analysing text itself never raises; configuration loading may."""


class SynonymFileError(AnalysisError):
    """Raised by :meth:`SynonymTable.load` when the synonym file cannot be read or has bad lines.

    Fatal at start-up (fix the file); on a later automatic reload the previous table is kept instead.
    ``problems`` lists every bad line at once.
    """

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))
