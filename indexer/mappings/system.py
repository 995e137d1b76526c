"""System indices: harvest runs, quarantine, harvest state (checkpoints) and scheduler leases."""

from __future__ import annotations

from typing import Any

_KW = {"type": "keyword"}
_DATE = {"type": "date"}
_COUNT = {"type": "long"}

SYSTEM_INDICES: dict[str, dict[str, Any]] = {
    "harvest-runs": {
        "properties": {
            "run_id": _KW, "source": _KW, "institution": _KW, "mode": _KW, "outcome": _KW,
            "started_at": _DATE, "finished_at": _DATE, "index": _KW,
            "seen": _COUNT, "indexed": _COUNT, "unchanged": _COUNT, "rejected": _COUNT, "withdrawn": _COUNT,
            "deleted": _COUNT, "errors": {"type": "text"}, "live_before": _COUNT, "live_after": _COUNT,
            "reasons": {"type": "object", "enabled": False}, "stats": {"type": "object", "enabled": False},
            # data safety: what a run withdrew (and why), what needs a maintainer's eye, its lifecycle
            "withdrawn_ids": _KW, "withdrawals": {"type": "object", "enabled": False},
            "protected": {"type": "object", "enabled": False}, "notices": {"type": "object", "enabled": False},
            "live_index": _KW, "expires_at": _DATE, "heartbeat_at": _DATE, "accepted_at": _DATE,
            "superseded_by": _KW, "error_kind": _KW, "renamed_from": _KW, "renamed_to": _KW, "index_dropped": {"type": "boolean"},
        }
    },
    "quarantine": {
        "properties": {
            "source": _KW, "reason": _KW, "detail": {"type": "text"}, "source_record_id": _KW,
            "harvest_run": _KW, "rejected_at": _DATE, "payload": {"type": "object", "enabled": False},
        }
    },
    "harvest-state": {
        "properties": {
            "source": _KW, "checkpoint": {"type": "object", "enabled": False}, "updated_at": _DATE,
            "in_flight": {"type": "object", "enabled": False}, "retired_at": _DATE, "renamed_to": _KW,
        }
    },
    "locks": {"properties": {"name": _KW, "owner": _KW, "lease_until": _DATE}},
}
