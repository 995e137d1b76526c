"""A per-client token bucket for the JSON API (in memory, per process)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GatewayLimits:
    """Request budgets of one gateway process."""

    #: Tokens a client regains per second on ``/api/``.
    rate: float = 20.0
    #: Bucket size: the burst a client may send at once.
    burst: int = 120
    #: Largest request body accepted, in bytes.
    max_body: int = 64 * 1024
    #: Buckets kept before idle (full) ones are forgotten.
    max_clients: int = 10_000
    #: Exports one process streams at once (more get a 429), and the tokens one export costs.
    export_slots: int = 3
    export_cost: int = 30


@dataclass
class TokenBuckets:
    """One token bucket per client key; ``take`` spends a token or says how long to wait."""

    rate: float
    burst: int
    max_clients: int = 10_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, client: str, now: float | None = None, cost: float = 1.0) -> int:
        """Spend ``cost`` tokens of ``client``; 0 when allowed, else whole seconds until they are back."""
        now = time.monotonic() if now is None else now
        cost = min(cost, float(self.burst))
        tokens, last = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= cost:
            self._buckets[client] = (tokens - cost, now)
            if len(self._buckets) > self.max_clients:
                self._forget_idle(now)
            return 0
        self._buckets[client] = (tokens, now)
        return max(1, math.ceil((cost - tokens) / self.rate))

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}
