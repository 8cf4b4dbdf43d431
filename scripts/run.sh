#!/usr/bin/env bash
# Quick start, part 1: set up, build the sample database (first run only), and open the
# dashboard on it at http://localhost:8501 (Ctrl+C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SVCQ_DB="${SVCQ_DB:-data/svcq.duckdb}"
if [ ! -f "$SVCQ_DB" ]; then
  echo "==> 產生範例資料並載入 / building the sample database at $SVCQ_DB"
  .venv/bin/svcq sample --scale "${SVCQ_SCALE:-0.1}"
fi
.venv/bin/svcq summary
echo "==> 開啟儀表板 / opening the dashboard: http://localhost:${SVCQ_PORT:-8501}"
exec .venv/bin/svcq dashboard --port "${SVCQ_PORT:-8501}"
