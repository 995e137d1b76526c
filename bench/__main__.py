"""``python -m bench run [--records N] ...``: run the benchmarks and write bench/results/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_sizes
from bench.suite import RESULTS, RunOptions, run

PARTS = ("harvest", "search", "coldstart")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run the benchmarks")
    r.add_argument("--records", type=int, default=100_000, help="simulated records (100,000; 1,000,000 for the big run)")
    r.add_argument("--duration", type=float, default=15.0, help="seconds measured per concurrency level and target")
    r.add_argument("--warmup", type=float, default=3.0, help="seconds of load before each measurement (not counted)")
    r.add_argument("--clients", default="1,8,32", help="concurrency levels, comma-separated")
    r.add_argument("--profile-duration", type=float, default=10.0, help="seconds of profiled gateway load")
    r.add_argument("--demo-total", type=int, default=60_000,
                   help="records for the demo timing (the demo's default); 0 skips it")
    r.add_argument("--only", default=",".join(PARTS),
                   help=f"parts to run, comma-separated ({', '.join(PARTS)}); search needs a harvest done before")
    sub.add_parser("report", help="the README table: every results-<records>.json side by side "
                   "(writes bench/results/summary-sizes.md)")
    args = parser.parse_args(argv)
    if args.command == "report":
        print(write_sizes(RESULTS), end="")
        return
    parts = frozenset(p.strip() for p in args.only.split(",") if p.strip())
    unknown = parts - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    run(RunOptions(records=args.records, duration=args.duration, warmup=args.warmup,
                   levels=[int(c) for c in args.clients.split(",")], profile_duration=args.profile_duration,
                   demo_total=args.demo_total or None, parts=parts))


if __name__ == "__main__":
    main()
