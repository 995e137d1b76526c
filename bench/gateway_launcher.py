"""The gateway as the search benchmark runs it: ``create_app`` with a rate limit no load test reaches.

    python -m bench.gateway_launcher --port PORT [--profile-dir DIR]

Everything else is the production app (``gateway.app.create_app(Settings())``, settings from the
environment, e.g. ``BIOCROSS_ES_INDEX_PREFIX``). The default per-client limit (20 requests/s, burst
120) would answer the load generator, whose clients all come from 127.0.0.1, with 429s.

With ``--profile-dir``, SIGUSR1 starts pyinstrument (wall-clock sampling of the event-loop thread,
idle time included) and SIGUSR2 stops it and writes ``gateway_profile.html``, ``gateway_profile.txt``
and ``gateway_profile_top.json`` there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from pathlib import Path
from typing import Any

from aiohttp import web

from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from schemas.settings import Settings

#: Effectively unlimited: the bench measures the gateway, not its rate limiter's refusals.
BENCH_LIMITS = GatewayLimits(rate=1e9, burst=10**9)
APP_PACKAGES = ("gateway", "indexer", "schemas")


def top_costs(root: Any, limit: int = 25) -> dict[str, Any]:
    """Self time per function, inclusive time per function of our own packages, and the idle share.

    pyinstrument's synthetic ``[self]``/``[await]`` frames are folded into their parent's self time;
    idle is the time the event loop spent waiting in ``selectors`` (for Elasticsearch or for requests).
    """
    self_time: dict[str, float] = {}
    inclusive: dict[str, float] = {}
    idle = 0.0

    def key(frame: Any) -> str:
        return f"{frame.function} ({frame.file_path_short}:{frame.line_no})"

    def walk(frame: Any, on_stack: frozenset[str]) -> None:
        nonlocal idle
        k = key(frame)
        real = [c for c in frame.children if not c.is_synthetic]
        self_time[k] = self_time.get(k, 0.0) + frame.time - sum(c.time for c in real)
        path = (frame.file_path or "").replace("\\", "/")
        if path.endswith("selectors.py") and frame.function == "select" and "select" not in on_stack:
            idle += frame.time
        ours = any(f"/{pkg}/" in path for pkg in APP_PACKAGES) and "site-packages" not in path
        if ours and k not in on_stack:
            inclusive[k] = inclusive.get(k, 0.0) + frame.time
        for child in real:
            walk(child, on_stack | {k, frame.function})

    walk(root, frozenset())
    total = root.time or 1.0

    def ranked(table: dict[str, float]) -> list[dict[str, Any]]:
        rows = sorted(table.items(), key=lambda kv: kv[1], reverse=True)[:limit]
        return [{"function": k, "seconds": round(v, 3), "share": round(v / total, 4)} for k, v in rows]

    return {"total_seconds": round(total, 3), "idle_seconds": round(idle, 3), "idle_share": round(idle / total, 4),
            "self": ranked(self_time), "inclusive_ours": ranked(inclusive)}


class ProfileSwitch:
    """Starts and stops pyinstrument on signals; writes the reports on stop."""

    def __init__(self, out: Path) -> None:
        from pyinstrument import Profiler

        self.out = out
        self.profiler = Profiler(interval=0.001, async_mode="disabled")

    def start(self) -> None:
        if not self.profiler.is_running:
            self.profiler.start()

    def stop(self) -> None:
        if not self.profiler.is_running:
            return
        self.profiler.stop()
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "gateway_profile.html").write_text(self.profiler.output_html(resample_interval=0.005))
        (self.out / "gateway_profile.txt").write_text(self.profiler.output_text(unicode=True, color=False))
        session = self.profiler.last_session
        assert session is not None
        root = session.root_frame()
        report = top_costs(root) if root is not None else {}
        (self.out / "gateway_profile_top.json").write_text(json.dumps(report, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--profile-dir", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    app = create_app(Settings(), limits=BENCH_LIMITS)
    if args.profile_dir is not None:
        switch = ProfileSwitch(args.profile_dir)

        async def on_startup(_app: web.Application) -> None:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGUSR1, switch.start)
            loop.add_signal_handler(signal.SIGUSR2, switch.stop)

        app.on_startup.append(on_startup)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
