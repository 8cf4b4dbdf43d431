#!/usr/bin/env bash
# Quick start, part 1: set up, build the sample database, and show what it holds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SVCQ_DB="${SVCQ_DB:-data/svcq.duckdb}"
echo "==> 產生範例資料並載入 / building the sample database at $SVCQ_DB"
.venv/bin/svcq sample --scale "${SVCQ_SCALE:-0.1}"
.venv/bin/svcq summary
