#!/usr/bin/env bash
# The test command: install, start the local Elasticsearch node (unless BIOCROSS_ES_URL is set), run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [ -z "${BIOCROSS_ES_URL:-}" ]; then
  .venv/bin/biocross es start
fi
exec .venv/bin/python -m pytest "$@"
