"""Exit codes of ``biocross harvest``, ``biocross adapters check`` and ``biocross sources``: one table.

=====  ================  ===========================================================================
code   name              meaning / what to do
=====  ================  ===========================================================================
0      ``OK``            published, updated, usable
1      ``CONFIG``        configuration or usage error (adapters.toml, arguments, unknown run): fix it
2      ``UNREACHABLE``   the source could not be reached or its transfer broke off: try again later
3      ``PROTOCOL``      the source answered, but not in its protocol, or its payload is cut off
                         (truncated export, list shorter than declared): the source must be fixed
4      ``MAPPING``       nothing mapped (``adapters check``): fix the mapping
5      ``REVIEW``        a maintainer must decide: a run held by the safety valve, an ``--accept``
                         refused (superseded, expired, the source published since)
6      ``FAILED``        biocross itself failed (Elasticsearch unavailable, an internal error)
=====  ================  ===========================================================================

Several sources in one command: the highest code of their runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

OK, CONFIG, UNREACHABLE, PROTOCOL, MAPPING, REVIEW, FAILED = 0, 1, 2, 3, 4, 5, 6

#: ``AdapterError.kind`` (a failed run's ``error_kind``) → exit code.
BY_ERROR_KIND = {"unreachable": UNREACHABLE, "interrupted": UNREACHABLE, "protocol": PROTOCOL,
                 "truncated": PROTOCOL, "crashed": PROTOCOL, "config": CONFIG, "mapping": MAPPING,
                 "internal": FAILED}


def for_run(run: Mapping[str, Any]) -> int:
    """The exit code one harvest run stands for."""
    outcome = run.get("outcome")
    if outcome in ("published", "updated", "retired", "renamed"):
        return OK
    if outcome == "held":
        return REVIEW
    return BY_ERROR_KIND.get(str(run.get("error_kind")), FAILED)


def for_runs(runs: Sequence[Mapping[str, Any]]) -> int:
    """The exit code of several runs: the highest."""
    return max((for_run(r) for r in runs), default=OK)
