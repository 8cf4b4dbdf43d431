#!/usr/bin/env bash
# Quick start, part 2: set up the same way, then lint and run every test (slow ones too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> pytest"
.venv/bin/python -m pytest "$@"
