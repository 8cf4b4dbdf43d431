#!/usr/bin/env bash
# Sets up svcq on a fresh Debian machine with nothing but Python 3.11+:
# Debian packages the product needs (Chromium for chart export and browser tests,
# Noto CJK fonts for Traditional Chinese), a virtual environment in .venv, and the
# Python packages. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# grep without -q: -q exits at the first match and, under pipefail, fc-list's SIGPIPE fails the test.
fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> 安裝系統套件 / installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" fontconfig >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> 建立虛擬環境 / creating .venv"
  "$PYTHON" -m venv .venv || {
    echo "無法建立虛擬環境：請安裝 python3-venv（apt-get install python3-venv）" >&2
    exit 1
  }
fi
stamp=.venv/.svcq-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> 安裝 Python 套件 / installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dashboard,test]"
  touch "$stamp"
fi
echo "==> 環境就緒 / environment ready"
