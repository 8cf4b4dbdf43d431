#!/usr/bin/env bash
# Regenerates requirements.lock from pyproject.toml: every package svcq, its dashboard and its
# tests need, at one exact version each, with the sha256 of every file PyPI has for it.
# scripts/setup.sh installs exactly that (and reinstalls whenever the lock's content changes).
#
#   bash scripts/lock.sh                      # after editing dependencies: keeps every pin
#                                             # that still fits, adds what is new
#   bash scripts/lock.sh --upgrade            # move everything to the newest allowed versions
#   bash scripts/lock.sh --upgrade-package duckdb
#
# Then run the tests (bash scripts/test.sh) and commit the lock with the change that needed it.
set -euo pipefail
cd "$(dirname "$0")/.."

# uv resolves in about a second; it lives in its own small environment, not in .venv, so the
# project's environment holds exactly what the lock lists.
UV_VERSION=0.13.8
tools="${XDG_CACHE_HOME:-$HOME/.cache}/svcq/uv-$UV_VERSION"
if [ ! -x "$tools/bin/uv" ]; then
  echo "==> 安裝 uv $UV_VERSION / installing uv into $tools"
  "${PYTHON:-python3}" -m venv "$tools"
  "$tools/bin/python" -m pip install -q "uv==$UV_VERSION"
fi

# Universal: one lock with environment markers, valid on every platform and Python >= 3.11.
# scripts/lock-overrides.txt says why one dependency's own pin is overridden.
"$tools/bin/uv" pip compile pyproject.toml --extra dashboard --extra test \
  --universal --python-version 3.11 --generate-hashes --override scripts/lock-overrides.txt \
  --custom-compile-command "bash scripts/lock.sh" --quiet -o requirements.lock "$@"
echo "==> 已更新 requirements.lock / wrote requirements.lock"
