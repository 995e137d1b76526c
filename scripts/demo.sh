#!/usr/bin/env bash
# The demo: install, start Elasticsearch, the simulated institution sources, harvest, and serve the gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/biocross demo "$@"
