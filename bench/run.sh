#!/usr/bin/env bash
# Benchmarks from a fresh clone: install (once), then `python -m bench run` with the given arguments
# (default: 100,000 records). Results in bench/results/ (summary.md, results-<records>.json, profile).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/python -c 'import pyinstrument' 2>/dev/null || .venv/bin/pip install --quiet 'pyinstrument>=5.1,<6'
exec .venv/bin/python -m bench run "$@"
