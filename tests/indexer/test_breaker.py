"""The circuit breaker's states on a controlled clock: closed, open after repeated failures, one
probe when half-open, closed again on success."""

from __future__ import annotations

from indexer.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_failures_in_a_row_probes_once_and_closes_on_success() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=5.0, clock=clock)
    for _ in range(2):
        assert breaker.before_call()
        breaker.failed()
    breaker.succeeded()  # a success in between resets the count
    for _ in range(3):
        assert breaker.before_call()
        breaker.failed()
    assert breaker.state == "open" and not breaker.before_call()
    assert 1 <= breaker.retry_after() <= 6
    clock.now += 5.1
    assert breaker.state == "half-open"
    assert breaker.before_call()  # the probe
    assert not breaker.before_call()  # everyone else still fails fast while it runs
    breaker.failed()  # the probe failed: open again, for a full period
    assert breaker.state == "open"
    clock.now += 4.0
    assert not breaker.before_call()
    clock.now += 1.5
    assert breaker.before_call()
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.before_call() and breaker.opened_total == 1
